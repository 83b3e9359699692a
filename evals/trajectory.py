"""What one trial of a case produced: its turns, the state observed afterwards and what was written."""

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Turn:
    """One user message and what the crew did with it (the fields of graph.crew.TurnResult)."""

    text: str
    reply: str = ""
    agent: str = "supervisor"
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    pending_confirmation: dict[str, Any] | None = None
    outcome: str = "answered"
    model_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: int = 0
    routed_by: str | None = None

    @classmethod
    def of(cls, text: str, result: Any, agent: str | None = None) -> "Turn":
        """The turn record of a TurnResult; `agent` overrides the first specialist it names. A request no
        specialist could act on for this caller names the one it was routed to, as the crew's run records do."""
        return cls(
            text=text,
            reply=result.reply,
            agent=agent or result.run_agent,
            tool_calls=list(result.tool_calls),
            pending_confirmation=result.pending_confirmation,
            outcome=str(result.outcome),
            model_calls=result.model_calls,
            prompt_tokens=result.prompt_tokens,
            completion_tokens=result.completion_tokens,
            latency_ms=result.latency_ms,
            routed_by=result.routed_by,
        )


@dataclass
class Observation:
    """The result (JSON form) or error code of one state-check tool call made after the conversation."""

    tool: str
    args: dict[str, Any]
    result: Any = None
    error: str | None = None


@dataclass
class Trial:
    """One run of a case on its own database copy."""

    case_id: str
    trial: int
    turns: list[Turn] = field(default_factory=list)
    state: list[Observation] = field(default_factory=list)
    changed_tables: list[str] = field(default_factory=list)
    # Other customers' emails, ids and order numbers (lowercase): kept out of reports, used by the leak check.
    foreign: frozenset[str] = field(default_factory=frozenset, repr=False)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The trial as JSON-ready data, without the foreign identifier set."""
        data = asdict(self)
        data.pop("foreign")
        return data
