"""A chat model that plays a script, for testing the graph without any real model."""

import itertools
from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict

Step = AIMessage | Callable[[list[BaseMessage], list], AIMessage]
_ids = itertools.count()


def call(name: str, **args) -> AIMessage:
    """An AI message making one tool call."""
    return AIMessage("", tool_calls=[{"name": name, "args": args, "id": f"call_{next(_ids)}", "type": "tool_call"}])


class ScriptedChatModel(BaseChatModel):
    """Answers each model call with the next step of the script (a message, or a function of the input)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    script: list[Any]
    seen: list[list[BaseMessage]] = []
    bound: list[str] = []
    # Fresh ids make a repeated step a new call; off, a step keeps its ids (the same call made again).
    fresh_ids: bool = True

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools, **kwargs):
        self.bound = [getattr(t, "name", None) or t["name"] for t in tools]
        return self

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        self.seen.append(list(messages))
        if not self.script:
            raise AssertionError("the script ran out of steps")
        step = self.script.pop(0)
        message = step(messages, self.bound) if callable(step) else step
        if self.fresh_ids:
            message = message.model_copy(
                update={"tool_calls": [{**c, "id": f"call_{next(_ids)}"} for c in message.tool_calls]}
            )
        return ChatResult(generations=[ChatGeneration(message=message)])
