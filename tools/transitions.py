"""State machines as tables: a guard that raises InvalidTransition and writes an audit row."""

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import InvalidTransition

# Entity -> the `<entity>.<target>` topics its tables emit, for the event catalogue's test. Build tables at
# import time (module level), so that importing the domain is enough for the test to see them.
MACHINE_TOPICS: dict[str, set[str]] = {}


class StateMachine:
    """Allowed moves of one entity's status, e.g. Order: pending -> processed."""

    def __init__(self, entity: str, moves: Mapping[StrEnum, set[StrEnum]]):
        self.entity = entity
        self.moves = moves
        MACHINE_TOPICS.setdefault(entity, set()).update(self.topics())

    def topics(self) -> set[str]:
        """The event topics the table can emit: `<entity>.<target>` for every reachable target."""
        return {f"{self.entity}.{target}" for targets in self.moves.values() for target in targets}

    def allowed(self, current: StrEnum, target: StrEnum) -> bool:
        """True when the table lets `current` move to `target`."""
        return target in self.moves.get(current, set())

    def sources(self, target: StrEnum) -> list[str]:
        """The statuses that may move to `target`."""
        return sorted(current for current, targets in self.moves.items() if target in targets)

    def targets(self, current: StrEnum) -> list[str]:
        """Where `current` may go next."""
        return sorted(self.moves.get(current, set()))

    def move(
        self,
        ctx: ToolContext,
        obj: Any,
        target: StrEnum,
        *,
        entity_id: str | None = None,
        action: str = "status_changed",
        data: dict[str, Any] | None = None,
    ) -> None:
        """Set obj.status to target if allowed, with an audit row and an outbox event."""
        current = obj.status
        key = entity_id or str(obj.id)
        if not self.allowed(current, target):
            options = ", ".join(self.targets(current)) or "none"
            raise InvalidTransition(
                f"{self.entity} {key} is {current}; it cannot become {target} (allowed: {options})",
                details={"from": str(current), "to": str(target), "allowed": self.targets(current)},
            )
        obj.status = target
        audit(ctx, self.entity, key, action, from_state=current, to_state=target, data=data)
        emit(ctx, f"{self.entity}.{target}", key, {"from": str(current), "to": str(target), **(data or {})})
