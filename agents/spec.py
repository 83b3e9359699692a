"""What an agent is: a name, a routing description, a prompt file and the registry's tools for it."""

from dataclasses import dataclass, field
from pathlib import Path

import prompts
from db.enums import Role
from tools.registry import REGISTRY, ToolRegistry, ToolSpec

PROMPTS = Path(prompts.__file__).resolve().parent


@dataclass(frozen=True)
class AgentSpec:
    """A specialist: its behaviour lives in its tools; the spec only names and describes it."""

    name: str
    description: str
    examples: tuple[str, ...] = field(default=())
    prompt_file: str | None = None

    @property
    def prompt(self) -> str:
        """The system prompt, read from prompts/<name>.md."""
        return (PROMPTS / (self.prompt_file or f"{self.name}.md")).read_text(encoding="utf-8")

    def tools(self, role: Role | None = None, registry: ToolRegistry = REGISTRY) -> list[ToolSpec]:
        """The registry's tools of this agent that the role may call."""
        return registry.for_agent(self.name, role)

    def available_to(self, role: Role, registry: ToolRegistry = REGISTRY) -> bool:
        """True when the role can use at least one of the agent's tools."""
        return bool(self.tools(role, registry))

    def routing_examples(self, role: Role | None = None, registry: ToolRegistry = REGISTRY) -> list[str]:
        """Requests that belong to this agent: its own examples plus those of its tools."""
        return list(self.examples) + [e for t in self.tools(role, registry) for e in t.examples]

    def others_examples(self, role: Role | None, registry: ToolRegistry = REGISTRY) -> list[str]:
        """Requests this agent serves for other roles only: a customer asking to move stock between warehouses
        still asks the warehouse specialist, who then tells them it works for the shop's staff."""
        if role is None:
            return []
        mine = {t.name for t in self.tools(role, registry)}
        return [e for t in self.tools(None, registry) if t.name not in mine for e in t.examples]
