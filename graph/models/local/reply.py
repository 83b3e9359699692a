"""Answers from tool results: a template when the tool has one, else the generic renderer; errors explained."""

import json
import re
from pathlib import Path
from typing import Any

from graph.models.local import templates
from graph.models.local.render import render
from graph.models.local.text import humanize, sentence

ERROR = re.compile(r"^Error\[([\w.-]+)\]:\s*(.*)$", re.S)
DECLINED = re.compile(r"\b(declined|rejected|refused|did not confirm|didn't confirm|not approved|said no)\b", re.I)
FIELD_PROBLEM = re.compile(r"(?:^|[:;]\s*)([a-z_][\w.]*):\s*([^;]+)")
# What each refusal means for the person, and what would help (None: nothing they can supply).
ERRORS = {
    "not_found": ("I couldn't find that: {message}.", "Could you check the {what} and send it again?"),
    "forbidden": ("I'm sorry, that isn't allowed from this account: {message}.", None),
    "unauthorized": ("I'm sorry, I can't do that without the right access: {message}.", None),
    "invalid_input": ("Some details weren't valid: {message}.", "Could you give me {a_valid}?"),
    "invalid_transition": ("That can't be done in the current state: {message}.", None),
    "insufficient_stock": ("There isn't enough stock for that: {message}.", "Would a smaller quantity work?"),
    "payment_declined": ("The payment was declined: {message}.", "Would you like to use another payment method?"),
    "ambiguous_reference": ("That matches more than one record: {message}.", "Which one did you mean?"),
    "conflict": ("That conflicts with what is already recorded: {message}.", None),
}
# "order #W1 not found", "customer 'x@y.z' not found", "no item KB-NOPE-01": the kind of record before the reference.
NOT_FOUND = re.compile(r"^(?:no\s+)?([a-z]+(?: [a-z]+)?)\s+(?=\S*[\d'\"#@A-Z])", re.S)
PLAIN_PROBLEMS = (
    (re.compile(r"field required", re.I), "is missing"),
    (re.compile(r"string should match pattern.*", re.I), "is not in the expected format"),
    (re.compile(r"input should be a valid (\w+).*", re.I), r"should be a valid \1"),
    (
        re.compile(r"input should be (less|greater) than or equal to ([\d.]+)", re.I),
        r"should be \1 than or equal to \2",
    ),
)


def action(description: str) -> str:
    """'Cancel a pending order (reason ...); ...' -> 'cancel a pending order'."""
    plain = re.sub(r"\s*\([^)]*\)", "", description.strip())
    first = re.split(r"\s*[;:]|\.\s|\.$|,\s", plain, maxsplit=1)[0].strip()
    return first[:1].lower() + first[1:] if first[1:2].islower() else first


def _what(args: dict[str, Any], problems: list[tuple[str, str]], message: str = "") -> str:
    """What to check again: the fields an error names (in a rule's words, "say why (note)"), else the ids the
    call used."""
    if not problems and (either := re.search(r"\(([a-z_]+(?: or [a-z_]+)+)\)", message)):
        return " or ".join(humanize(n) for n in either.group(1).split(" or "))  # "(customer_id or order_id)"
    named = re.findall(r"\(([a-z_]+)\)", message)
    names = ([f for f, _ in problems] or named
             or [k for k in args if k.endswith(("_id", "_ids", "_ref", "email"))] or ["details"])
    return " and ".join(humanize(n.split(".")[-1]) for n in names[:2])


def _plain_problems(message: str) -> list[tuple[str, str]]:
    found = []
    text = message.split(":", 1)[-1].strip() if message.startswith("invalid arguments") else message
    for m in FIELD_PROBLEM.finditer(text):
        problem = m.group(2).strip().rstrip(".")
        for pattern, plain in PLAIN_PROBLEMS:
            problem = pattern.sub(plain, problem)
        found.append((m.group(1), problem[:1].lower() + problem[1:]))
    return found


def _missing_what(message: str) -> str | None:
    """What a not-found refusal was about, without the reference itself: "order #W1 not found" -> "order".

    The reference is the person's own words; leaving it out keeps a reply about someone else's order or
    account from naming it back, and the question below still says what to check.
    """
    m = NOT_FOUND.match(message.strip())
    return m.group(1) if m else None


def explain_error(code: str, message: str, args: dict[str, Any]) -> str:
    """A refusal in plain words, and a question asking for what would fix it when the person can."""
    problems = _plain_problems(message) if code == "invalid_input" else []
    if problems:
        message = "; ".join(f"the {humanize(f.split('.')[-1])} {p}" for f, p in problems)
    message = message.strip().rstrip(".") or code.replace("_", " ")
    statement, question = ERRORS.get(code, ("I couldn't complete that: {message}.", None))
    missing = _missing_what(message) if code == "not_found" else None
    if missing:
        statement = f"I couldn't find that {missing}."
    text = statement.format(message=message[:1].lower() + message[1:])
    if question:
        # The record not found is what to check ("warehouse 'Munich' not found": the warehouse, not the item).
        named = [k for k in args if missing and missing.split()[-1] in k.split("_")]
        what = humanize(named[0]) if named else missing or _what(args, problems, message)
        text += " " + question.format(what=what, a_valid="valid details" if what == "details" else f"a valid {what}")
    return text


def declined(description: str) -> str:
    """The reply to a confirmation the person turned down."""
    return f"Understood, I did not {action(description)}. Nothing was changed."


def answer(tool: str, description: str, args: dict[str, Any], content: str, replies: Path) -> str:
    """The reply to one tool result."""
    sections = templates.load(replies, tool) or {}
    content = content.strip()
    if m := ERROR.match(content):
        code, message = m.group(1), m.group(2).strip()
        data = {"code": code, "message": message, "args": args}
        lines = sections.get(f"error:{code}") or sections.get("error")
        return (lines and templates.fill(lines, data)) or explain_error(code, message, args)
    if content.startswith("Error invoking tool") or content.startswith("Error:"):
        return explain_error("invalid_input", content.split("error:", 1)[-1].strip(), args)
    try:
        data = json.loads(content)
    except ValueError:
        return declined(description) if DECLINED.search(content) else sentence(content)
    if isinstance(data, dict):
        context = {**data, "args": args}
        empty = all(not v for v in data.values() if isinstance(v, list)) and any(
            isinstance(v, list) for v in data.values()
        )
        lines = (sections.get("empty") if empty else None) or sections.get("ok")
        if lines and (text := templates.fill(lines, context)):
            return text
    return render(data, subject(tool))


def subject(tool: str) -> str:
    """What a tool's result is about, from its name: get_invoice_details -> 'Invoice'."""
    nouns = [w for w in tool.split("_")[1:] if w not in ("details", "detail", "info")]
    return " ".join(nouns).capitalize()
