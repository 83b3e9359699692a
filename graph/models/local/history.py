"""What the conversation holds: its messages' texts, the request being answered, the questions asked and the results
listed so far."""

import json
import re
from datetime import date

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from graph.confirm import CORRECTION
from graph.models.local import questions
from graph.models.local.extract import extract
from graph.models.local.kinds import kind_of
from graph.models.local.memory import remember
from graph.models.local.policy import ASKS
from graph.models.local.records import OWN_KINDS, same_record_value, single_out
from graph.models.local.reply import ERROR
from graph.models.local.schema import FieldSpec
from graph.models.local.text import SENTENCE_BREAK
from graph.models.local.toolview import ToolView

# Fields that take the words of a message as they are: a correction's own words are no new value for them.
FREE_KINDS = frozenset({"free_text", "question", "title"})

# How many earlier answers a reply is read together with (a request answered bit by bit).
CHAIN_LIMIT = 4

# A sentence asking for something more beside what it follows: "could you also tell me the VAT?".
ADDED = re.compile(r"\b(?:also|as well|too|while you'?re at it|on top of that|by the way|btw)\b", re.I)


def text_of(message: BaseMessage) -> str:
    """A message's text, trimmed."""
    return str(message.text).strip()


def asked_before(messages: list[BaseMessage], current: int) -> int | None:
    """The previous request's index when the reply to it was a question (so this message answers it)."""
    for i in range(current - 1, -1, -1):
        message = messages[i]
        if isinstance(message, HumanMessage):
            return None
        if isinstance(message, AIMessage) and not message.tool_calls:
            if not text_of(message).endswith("?"):
                return None
            previous = next((j for j in range(i - 1, -1, -1) if isinstance(messages[j], HumanMessage)), None)
            return previous
    return None


def request_at(messages: list[BaseMessage]) -> int | None:
    """The index of the person's last message: the request this turn answers."""
    return next((i for i in range(len(messages) - 1, -1, -1) if isinstance(messages[i], HumanMessage)), None)


def last_reply(messages: list[BaseMessage]) -> int | None:
    """The index of the model's last message (the one whose calls the tool results answer)."""
    return next((i for i in range(len(messages) - 1, -1, -1) if isinstance(messages[i], AIMessage)), None)


def last_words(messages: list[BaseMessage], current: int) -> str:
    """Our last reply before the message at `current` that called no tool (a question, an answer), or ""."""
    return next((text_of(m) for m in reversed(messages[:current]) if isinstance(m, AIMessage) and not m.tool_calls), "")


def texts_asked(tool: ToolView, question: str) -> list[FieldSpec]:
    """The fields of text in the person's words that our question named ("the description (for example ...)")."""
    return [f for f in tool.fields if kind_of(f) in FREE_KINDS and questions.label(f) in question]


def asked_tool(messages: list[BaseMessage], current: int, tools: list[ToolView]) -> ToolView | None:
    """The tool whose missing details our last reply asked for ("To cancel a pending order, I need ...?"), or whose
    call failed for a detail that reply then asked for."""
    text = last_words(messages, current)
    return next((t for t in tools if questions.asks_for(t, text)), None) or failed_tool(messages, current, tools)


def failed_tool(messages: list[BaseMessage], current: int, tools: list[ToolView]) -> ToolView | None:
    """The tool of a call that failed right before our last reply, when that reply asks for something ("Some details
    weren't valid: say which customer the case is for ... Could you give me a valid customer ID or order ID?")."""
    reply = next((i for i in range(current - 1, 0, -1) if isinstance(messages[i], AIMessage)), None)
    if reply is None or messages[reply].tool_calls or not text_of(messages[reply]).endswith("?"):
        return None
    result = messages[reply - 1]
    if not isinstance(result, ToolMessage) or not ERROR.match(text_of(result)):
        return None
    calls = (c for m in messages[:reply] if isinstance(m, AIMessage) for c in m.tool_calls)
    name = next((c["name"] for c in calls if c["id"] == result.tool_call_id), None)
    return next((t for t in tools if t.name == name), None)


def answers_question(messages: list[BaseMessage], chain: list[int], tools: list[ToolView], today: date) -> bool:
    """Whether a message that reads like a request of its own gives what our question asked for instead: "original
    payment method" after "I need the payment method to use" names the refund's method, not a payment change."""
    current = chain[-1]
    asked = asked_tool(messages, current, tools)
    if asked is None or ASKS.search(before_added(text_of(messages[current]))):
        return False
    if texts_asked(asked, last_words(messages, current)):
        return True  # we asked for a text in the person's words ("the description"): this is it
    memory = remember(messages[:current])
    # One of the records our question named, picked by what it holds ("the order with the red-switch keyboard and
    # the pink mouse, from August"), is the answer, however much it reads like a request of its own.
    said = text_of(messages[current])
    for field in (f for f in asked.required if kind_of(f) in OWN_KINDS):
        rows = [row for row in memory.rows if same_record_value(row, field) is not None]
        if len(rows) > 1 and single_out(rows, field, said, set()) is not None:
            return True

    def lacking(indexes: list[int]) -> tuple[int, int]:
        text = ", ".join(text_of(messages[i]) for i in indexes[1:]) + f"\n{text_of(messages[indexes[0]])}"
        found = extract(asked, text, memory, today)
        return len(found.missing) + len(found.problems), -len(found.args)

    now, before = lacking(chain), lacking(chain[:-1])
    if asked is failed_tool(messages, current, tools):
        # The call had all its schema asked for and the tool still wanted a detail: an answer gives more of them.
        return now < before
    return now[0] < before[0]


def before_added(text: str) -> str:
    """What a message says before a question it adds ("#W4828173, the one with the daypack. could you also tell me
    how much VAT was on it?"): the answer to ours comes first, the added question is asked beside it."""
    sentences = SENTENCE_BREAK.split(text.strip())
    added = next((i for i, s in enumerate(sentences) if i and ASKS.search(s) and ADDED.search(s)), None)
    return " ".join(sentences[:added]) if added else text


def chain_of(messages: list[BaseMessage], current: int) -> list[int]:
    """The request a conversation's current thread started with, then each answer or correction since (indexes).

    A message continues the one before it when our reply to that one was a question, or when it corrects it
    ("no, I meant W3972548"); an address given over two answers comes together again this way.
    """
    chain = [current]
    while len(chain) <= CHAIN_LIMIT:
        previous = asked_before(messages, chain[0])
        if previous is None and CORRECTION.match(text_of(messages[chain[0]])):
            previous = next((j for j in range(chain[0] - 1, -1, -1) if isinstance(messages[j], HumanMessage)), None)
        if previous is None:
            break
        chain.insert(0, previous)
    return chain


def listed_in(messages: list[BaseMessage], field: FieldSpec) -> tuple[str, list[dict]] | None:
    """The newest list of records holding the field among these messages' results, with the tool that listed it."""
    calls = {c["id"]: c["name"] for m in messages if isinstance(m, AIMessage) for c in m.tool_calls}
    for message in reversed(messages):
        if not isinstance(message, ToolMessage) or message.tool_call_id not in calls:
            continue
        for rows in result_lists(text_of(message)) or []:
            if any(isinstance(row, dict) and same_record_value(row, field) is not None for row in rows):
                return calls[message.tool_call_id], rows
    return None


def listed_by(messages: list[BaseMessage], name: str) -> list[dict] | None:
    """The records the newest call to a listing tool among these messages listed, if it was called."""
    calls = {c["id"] for m in messages if isinstance(m, AIMessage) for c in m.tool_calls if c["name"] == name}
    for message in reversed(messages):
        if isinstance(message, ToolMessage) and message.tool_call_id in calls:
            return next((rows for rows in result_lists(text_of(message)) or [] if rows), [])
    return None


def said_in(messages: list[BaseMessage], current: int) -> str:
    """The request a thread started with and every answer since, as one text."""
    return " ".join(text_of(messages[i]) for i in chain_of(messages, current))


def result_lists(content: str) -> list[list] | None:
    """The lists of a tool result that is a JSON object (its records), or None for any other result."""
    try:
        data = json.loads(content)
    except ValueError:
        return None
    return [v for v in data.values() if isinstance(v, list)] if isinstance(data, dict) else None


def found_any(content: str) -> bool:
    """Whether a tool result holds any record (a JSON object with a non-empty list, or an error to explain)."""
    lists = result_lists(content)
    return lists is None or any(lists)
