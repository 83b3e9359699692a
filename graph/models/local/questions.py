"""What the model says when it does not call a tool: clarifying questions, refusals and small talk."""

import re

from graph.models.local.extract import Extraction
from graph.models.local.kinds import kind_of
from graph.models.local.memory import Memory
from graph.models.local.records import OWN_KINDS, describe, in_named_state, narrowed, record_noun, value_of
from graph.models.local.reply import action
from graph.models.local.schema import FieldSpec
from graph.models.local.text import humanize, join_words
from graph.models.local.toolview import ToolView

GREETING = re.compile(
    r"^\s*(hi|hello|hey|good (morning|afternoon|evening)|bonjour|salut)\b[\s!.,]*(there)?[\s!.]*$", re.I
)
THANKS = re.compile(r"^\s*(thanks|thank you|thx|cheers|merci|great|perfect|awesome)\b[\w\s!.,]*$", re.I)
BYE = re.compile(r"^\s*(bye|goodbye|see you|that'?s all|nothing else)\b[\w\s!.,]*$", re.I)
# How many candidates a question names at most.
CHOICES = 5
# Longer messages carry a request even when they start with "thanks".
SMALL_TALK_WORDS = 6
# The made-up example a label gives ("(for example #W2611340)"), left out where real candidates are named.
EXAMPLE = re.compile(r" \(for example [^)]*\)$")
# Labels for the kinds people name differently from the field ("order number", not "order ID").
KIND_LABELS = {
    "order": "the order number (for example #W2611340)",
    "email": "the email address",
    "customer": "the customer's id or email",
    "payment_method": "the payment method to use",
    "address": "the full address (street, city, postal code and country)",
    "phone": "the phone number",
    "person_name": "the first and last name",
}
# The parts of an address by the names people give them, asked for alone once the rest of the address was given.
ADDRESS_PART_LABELS = {"address1": "the street and number", "city": "the city", "state": "the state",
                       "zip": "the postal code", "country": "the country"}


# Bounds help to answer a rating (1 to 5), not a count that only has to stay under a million: that gets its example.
SHOWN_RANGE = 1000


def label(field: FieldSpec) -> str:
    """How to ask for a field: its kind's usual name, its options, or its name with an example."""
    kind = kind_of(field)
    if kind == "address_part":
        return KIND_LABELS["address"]
    if kind in KIND_LABELS:
        return KIND_LABELS[kind]
    options = field.enum or (field.item.enum if field.item else ())
    name = f"the {humanize(field.name)}"
    if options:
        return f"{name} ({join_words([str(o).replace('_', ' ') for o in options], 'or')})"
    if field.minimum is not None and field.maximum is not None and field.maximum - field.minimum <= SHOWN_RANGE:
        return f"{name} (between {field.minimum:g} and {field.maximum:g})"
    example = next((x for x in field.examples if isinstance(x, (str, int, float))), None)
    return f"{name} (for example {example})" if example is not None else name


def rule_text(tool: ToolView, message: str) -> str:
    """A rule's message in words: 'give either payment_id or order_id' -> '... the payment id or the order number'."""
    # One pass, longest names first, so a label is never read again ("add_variants" is not "add the variants"). The
    # label brings its own article: "give a sku" reads "give the sku (for example ...)".
    by_name = {f.name: f for f in tool.fields}
    names = "|".join(sorted(map(re.escape, by_name), key=len, reverse=True))
    message = re.sub(rf"\b(?:(?:an?|the)\s+)?({names})\b", lambda m: label(by_name[m.group(1)]), message)
    # Fields asked for under one label ("the first and last name") are named once.
    for f in tool.fields:
        message = re.sub(rf"({re.escape(label(f))})(?:, \1)+", r"\1", message)
    return message.rstrip(".")


def choices(field: FieldSpec, memory: Memory, said: str = "", purpose: str = "") -> str:
    """The records this conversation showed that could fill the field, to answer by name ("the keyboard", "my
    visa") rather than by an id nobody knows: the order's lines, the saved payment methods; of a person's records,
    first those the request's words point to ("the USB mics": the orders holding one), of them first those in the
    state the tool's `purpose` names ("a return for items of a delivered order": the delivered ones)."""
    kind = kind_of(field)
    if kind in ("item", "item_list") and memory.items:
        names = list(dict.fromkeys(str(line.get("name") or line["item_id"]) for line in memory.items))
        return f" (the order holds {join_words(names[:CHOICES])})"
    if kind == "payment_method":
        methods = memory.payment_methods()
        named = [f"{value} ({hint})" if hint else value for value, hint in methods[:CHOICES]]
        return f" ({join_words(named, 'or')})" if named else ""
    # From the newest list holding such records (a person's orders, though their payment methods were listed since).
    lists = [[row for row in shown if value_of(row, field) is not None] for shown in reversed(memory.shown)]
    rows = next((found for found in lists if found), []) if kind in OWN_KINDS else []
    if rows:
        pointed = narrowed(rows, field, said, set())
        first = [row for row in pointed if in_named_state(row, purpose)] or pointed
        rows = first + [row for row in pointed if row not in first] + [row for row in rows if row not in pointed]
    if rows:
        named = [f"{value_of(row, field)} ({about})" if (about := describe(row)) else str(value_of(row, field))
                 for row in rows[:CHOICES]]
        return f" (yours: {join_words(named, 'or')})"
    return ""


def _asked_for(field: FieldSpec, memory: Memory, said: str, purpose: str) -> str:
    """How to ask for a field: with the records the conversation showed in place of a made-up example."""
    found = choices(field, memory, said, purpose)
    return (EXAMPLE.sub("", label(field)) if found else label(field)) + found


def clarify(tool: ToolView, extraction: Extraction, memory: Memory | None = None, said: str = "") -> str:
    """A short question naming what the tool still needs, with the candidates the conversation showed (those of
    them the request `said` points to)."""
    by_name = {f.name: f for f in tool.fields}
    if "" in extraction.problems and not extraction.missing:
        rule = rule_text(tool, extraction.problems[""])
        return f"To {action(tool.description)}, I need more: {rule}. Could you tell me?"
    memory = memory or Memory()
    # "12 Rue de la République, 13002 Marseille" lacks only its country: that is asked, not the whole address again.
    partial = any(kind_of(f) == "address_part" and f.name in extraction.args for f in tool.fields)
    needs = list(dict.fromkeys(
        ADDRESS_PART_LABELS.get(f.name, label(f)) if partial and kind_of(f) == "address_part"
        else _asked_for(f, memory, said, tool.description) for f in extraction.missing))
    problems = [f"a valid {label(by_name[n]).removeprefix('the ')} ({p})" for n, p in extraction.problems.items() if n]
    wanted = join_words(needs + problems)
    one = len(needs) + len(problems) == 1
    # The record already found (by a listing of theirs, say) is named, so the person knows which one is meant.
    found = [f"{record_noun(f)} {extraction.args[f.name]}" for f in tool.fields
             if kind_of(f) in OWN_KINDS and f.name in extraction.args and isinstance(extraction.args[f.name], str)]
    about = f" ({', '.join(found)})" if found else ""
    return f"To {action(tool.description)}{about}, I need {wanted}. " + (
        "What is it?" if one else "Could you give me these details?"
    )


def asks_for(tool: ToolView, text: str) -> bool:
    """Whether our reply is `clarify`'s question for the tool's details ("To cancel a pending order (order #W1), I
    need ...")."""
    return re.match(rf"To {re.escape(action(tool.description))}(?: \([^)]*\))?, I need", text) is not None


def out_of_scope(suggestions: list[ToolView]) -> str:
    """An honest refusal, with what can be done here instead."""
    ideas = [action(t.description) for t in suggestions[:3] if t.description]
    # Hand-off tools describe a specialist's domain ("Orders: ..."), other tools an action ("Cancel ...").
    lead = "help with " if suggestions and suggestions[0].name.startswith("transfer_to_") else ""
    hint = f" Here I can {lead}{join_words(ideas, 'or')}." if ideas else ""
    return f"I'm sorry, but that is outside what I can help with here.{hint}"


def which_one(first: ToolView, second: ToolView) -> str:
    """The question when a request reads about as well two ways: which of the two was meant."""
    return f"Just to be sure I understand: is this about {action(first.description)} or {action(second.description)}?"


def small_talk(text: str) -> str | None:
    """A polite answer to a greeting, thanks or goodbye; None for anything else."""
    if len(text.split()) > SMALL_TALK_WORDS:
        return None
    if GREETING.match(text):
        return "Hello! How can I help you today?"
    if THANKS.match(text):
        return "You're welcome! Let me know if there is anything else I can do."
    if BYE.match(text):
        return "Goodbye, and thank you for visiting!"
    return None


NOTHING_PENDING = "Nothing is waiting for a yes or no from you right now. What would you like to do?"
NO_TOOLS = "I'm sorry, I can't help with that here, but I'm glad to help with anything else about the shop."
