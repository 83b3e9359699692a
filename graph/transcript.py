"""How the chat surfaces see a conversation: each tool step's outcome, and a thread's turns."""

import json
import re
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

# The human-in-the-loop middleware answers a declined action with a ToolMessage starting so.
DECLINED_PREFIX = "User rejected the tool call"
DECLINED = "You declined, so it was not carried out."
TOOL_ERROR = re.compile(r"^Error\[(\w+)\]: (.*)$", re.S)


def succeeded(message: ToolMessage) -> bool:
    """True when the tool ran and returned a result (not a refusal, a crash or a declined action)."""
    return message.status != "error" and not message.text.startswith(("Error[", "Error invoking tool"))


def tool_outcome(message: ToolMessage) -> dict[str, Any]:
    """ok, the structured result (when it succeeded), the error in words (when not) and the latency."""
    artifact = message.artifact if isinstance(message.artifact, dict) else {}
    outcome: dict[str, Any] = {"ok": succeeded(message), "latency_ms": artifact.get("latency_ms")}
    if outcome["ok"]:
        outcome["result"] = _json_or_text(message.text)
    elif message.text.startswith(DECLINED_PREFIX):
        outcome["error"] = DECLINED
    else:
        refused = TOOL_ERROR.match(message.text)
        outcome["error"] = refused.group(2) if refused else message.text
    return outcome


def transcript(messages: list[BaseMessage]) -> list[dict[str, Any]]:
    """The thread as turns: what the person wrote, who answered, the tool steps and the reply."""
    turns: list[dict[str, Any]] = []
    steps: dict[str, dict[str, Any]] = {}
    for message in messages:
        if isinstance(message, HumanMessage):
            turns.append(_turn(message.text))
            continue
        if not turns:  # a history seeded by an OpenAI client may open with the assistant
            turns.append(_turn(""))
        turn = turns[-1]
        if isinstance(message, AIMessage):
            turn["agent"] = message.name or turn["agent"]
            for call in message.tool_calls:
                steps[call["id"]] = {"id": call["id"], "name": call["name"], "args": call["args"], "ok": None}
                turn["steps"].append(steps[call["id"]])
            if not message.tool_calls and message.text:
                turn["reply"] = f"{turn['reply']}\n\n{message.text}" if turn["reply"] else message.text
        elif isinstance(message, ToolMessage) and message.tool_call_id in steps:
            steps[message.tool_call_id].update(tool_outcome(message))
    return turns


def _turn(user: str) -> dict[str, Any]:
    return {"user": user, "agent": None, "reply": "", "steps": []}


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text
