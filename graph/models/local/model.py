"""LocalChatModel: the offline, deterministic default chat model of the crew (a LangChain BaseChatModel)."""

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from pydantic import ConfigDict

from graph.models.local import tokens
from graph.models.local.respond import respond
from graph.models.local.similarity import default_embedder
from graph.models.local.templates import REPLIES
from graph.models.local.text import spelled_out, without_emoji
from graph.models.local.toolview import ToolView, view

MODEL_NAME = "shopcrew-local"


class LocalChatModel(BaseChatModel):
    """Picks tools by similarity, fills arguments from the request, and answers tool results from templates."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    bound_tools: tuple[Any, ...] = ()
    tool_choice: Any = None
    use_embeddings: bool = True
    today: date | None = None
    replies_dir: Path = REPLIES

    @property
    def _llm_type(self) -> str:
        return MODEL_NAME

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": MODEL_NAME, "tools": [view(t).name for t in self.bound_tools]}

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """A copy of this model bound to the tools (the original stays unbound)."""
        bound = self.model_copy(update={"bound_tools": tuple(tools), "tool_choice": tool_choice})
        return bound.bind(**kwargs) if kwargs else bound

    def _tools(self, kwargs: dict[str, Any]) -> list[ToolView]:
        # Tools may also arrive per call (`model.bind(tools=...)`), as with hosted chat models.
        return [view(t) for t in (kwargs.get("tools") or self.bound_tools)]

    def _reply(self, messages: list[BaseMessage], **kwargs: Any) -> AIMessage:
        tools = self._tools(kwargs)
        turn = respond(
            [_readable(m) for m in messages],
            tools,
            tool_choice=kwargs.get("tool_choice", self.tool_choice),
            embed=default_embedder() if self.use_embeddings else None,
            today=self.today or date.today(),
            replies=self.replies_dir,
        )
        calls = [
            {"name": n, "args": a, "id": f"call_{uuid.uuid4().hex[:24]}", "type": "tool_call"} for n, a in turn.calls
        ]
        reply = AIMessage(content=turn.content, tool_calls=calls, response_metadata={"model_name": MODEL_NAME})
        reply.usage_metadata = tokens.usage(messages, [f"{t.name} {t.description}" for t in tools], reply)
        return reply

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._reply(messages, **kwargs))])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        # The first call loads the embedder and embeds the tools' examples: keep that off the event loop.
        reply = await asyncio.to_thread(self._reply, messages, **kwargs)
        return ChatResult(generations=[ChatGeneration(message=reply)])

    @staticmethod
    def _chunks(reply: AIMessage) -> Iterator[ChatGenerationChunk]:
        """The reply as chunks: its words, then one last chunk with the tool calls and usage."""
        for piece in re.findall(r"\S+\s*|\s+", reply.text):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
        tool_chunks = [
            {"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": i, "type": "tool_call_chunk"}
            for i, c in enumerate(reply.tool_calls)
        ]
        last = AIMessageChunk(
            content="",
            tool_call_chunks=tool_chunks,
            usage_metadata=reply.usage_metadata,
            response_metadata=reply.response_metadata,
            chunk_position="last",
        )
        yield ChatGenerationChunk(message=last)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in self._chunks(self._reply(messages, **kwargs)):
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        reply = await asyncio.to_thread(self._reply, messages, **kwargs)
        for chunk in self._chunks(reply):
            if run_manager:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk


def _readable(message: BaseMessage) -> BaseMessage:
    """A person's message as the model reads it: emoji between words end a sentence, shorthand is written out."""
    if not isinstance(message, HumanMessage) or not isinstance(message.content, str):
        return message
    text = spelled_out(without_emoji(message.content))
    return message if text == message.content else message.model_copy(update={"content": text})
