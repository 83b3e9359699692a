"""The benchmark's user simulator: a chat model playing the customer from a task's scenario."""

from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from graph.models import make_chat_model
from shopcrew.settings import Settings

GUIDELINES = Path(__file__).with_name("user_simulator.md")
# The benchmark's agent opens every conversation with this line; the simulated customer answers it.
GREETING = "Hi! How can I help you today?"
STOP, TRANSFER, OUT_OF_SCOPE = "###STOP###", "###TRANSFER###", "###OUT-OF-SCOPE###"
SCENARIO_PARTS = (("persona", "Persona"), ("domain", "Domain"), ("reason_for_call", "Reason for call"),
                  ("known_info", "Known info"), ("unknown_info", "Unknown info"),
                  ("task_instructions", "Task instructions"))


def scenario(task: dict[str, Any]) -> str:
    """The task's user scenario as the simulator reads it, one labelled part per line."""
    source = {**task["user_scenario"]["instructions"], "persona": task["user_scenario"].get("persona")}
    return "\n".join(f"{label}:\n\t{source[key]}" for key, label in SCENARIO_PARTS if source.get(key))


def system_prompt(task: dict[str, Any]) -> str:
    """The guidelines followed by the task's scenario."""
    return f"{GUIDELINES.read_text(encoding='utf-8').strip()}\n\n<scenario>\n{scenario(task)}\n</scenario>"


def stop_reason(text: str) -> str | None:
    """Which stop token the customer wrote (stop, transfer, out_of_scope), or None to go on."""
    for token, reason in ((STOP, "user_stop"), (TRANSFER, "transfer"), (OUT_OF_SCOPE, "out_of_scope")):
        if token in text:
            return reason
    return None


def user_model(settings: Settings, base_url: str | None = None, model_name: str | None = None) -> BaseChatModel:
    """The simulator's model: the SHOPCREW_OPENAI_* endpoint, or another OpenAI-compatible one when given."""
    update = {"model": "openai", "openai_base_url": base_url or settings.openai_base_url,
              "openai_model": model_name or settings.openai_model}
    return make_chat_model(settings.model_copy(update=update))


class UserSimulator:
    """One simulated customer: sees the agent's messages as the other party and answers as the customer."""

    def __init__(self, model: BaseChatModel, task: dict[str, Any]):
        self.model = model
        # Roles are flipped: to the simulator, the agent is the human and its own lines are the AI's.
        self.messages: list[BaseMessage] = [SystemMessage(system_prompt(task))]

    async def answer(self, agent_text: str) -> str:
        """The customer's next message after the agent said agent_text."""
        self.messages.append(HumanMessage(agent_text))
        reply = await self.model.ainvoke(self.messages)
        self.messages.append(AIMessage(reply.text))
        return reply.text
