"""A correction applied to a pending call: the new values put where the ones they replace were."""

import re
from datetime import date
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

from graph.confirm import NOT_THE_OLD, OWN_ID
from graph.models.local import gates
from graph.models.local.entities import mask
from graph.models.local.extract import extract
from graph.models.local.fit import RECORD_ID_ENDINGS
from graph.models.local.history import FREE_KINDS
from graph.models.local.kinds import REFERENCE_KINDS, kind_of
from graph.models.local.memory import remember
from graph.models.local.numbers import PERCENT_AFTER, as_share
from graph.models.local.text import STOPWORDS, content_stems
from graph.models.local.toolview import ToolView

# A number as people write it in a change ("make it 3", "no, 0.89", "actually, make it 30." ending its sentence).
NUMBER = re.compile(r"(?<![\w.-])\d+(?:\.\d+)?(?![\w-]|\.\w)")

# The old value a correction names after its new one: "we agreed 30 not 40".
OLD_VALUE = re.compile(rf",?\s*\b{NOT_THE_OLD}", re.I)

# A correction giving a value in words: "make it Young-Lambert", "change that to Lyon Part-Dieu".
MAKE_IT = re.compile(r"\b(?:make (?:it|that)|change (?:it|that) to|it should be)\s+([^,.;!?]+?)\s*(?:[,.;!?]|$)", re.I)

# A reply that restates the pending action's record has few words of its own ("it's the one for order #W1").
RESTATE_WORDS = 3


def names_the_same(tool: ToolView, text: str, args: dict[str, Any], messages: list[BaseMessage], today: date) -> bool:
    """Whether a reply gives, in its own words, only values the pending action already holds ("the original payment
    method" for the method it refunds to). The values are read with what the conversation showed, not with what
    the model itself already put in the action, so only the reply's own words count."""
    shown = remember([m for m in messages if not isinstance(m, AIMessage)])
    unsaid = extract(tool, "", shown, today).args
    said = {k: v for k, v in extract(tool, text, shown, today).args.items() if unsaid.get(k) != v}
    return bool(said) and all(gates.same(args.get(k), v) for k, v in said.items())


def restates_pending(text: str, tool: ToolView, args: dict[str, Any], messages: list[BaseMessage],
              tools: list[ToolView]) -> bool:
    """Whether a reply to "shall I go ahead?" only names the record the action is about: ids all among its
    arguments, or among the record its precondition read ("the one for order #W8646154" about that order's RMA)."""
    said = OWN_ID.findall(text)
    if not said or len(content_stems(OWN_ID.sub(" ", mask(text)))) > RESTATE_WORDS:
        return False
    record = gates.latest_state(tool.precondition, args, messages, tools) if tool.precondition else None
    known = [*args.values(), *((record or {}).values())]
    return all(any(gates.same(value, id_) for value in known if isinstance(value, str)) for id_ in said)


def value_shape(value: Any) -> str:
    """A value's look: PAR-1 and BER-1 look alike (AAA-9), KB-CLICKY-01 does not."""
    return re.sub(r"[A-Za-z]", "A", re.sub(r"\d", "9", str(value)))


def in_place(tool: ToolView, old: dict[str, Any], given: dict[str, Any], text: str) -> dict[str, Any]:
    """A change's values put where the values they replace were: "make it 3" changes the call's one number, and
    "it was PAR-1" the argument that looked like PAR-1, whichever field reading the words alone would pick."""
    given = dict(given)
    for name, value in list(given.items()):
        if not isinstance(value, str) or name not in old or value_shape(old[name]) == value_shape(value):
            continue
        alike = [k for k, v in old.items()
                 if k not in given and isinstance(v, str) and value_shape(v) == value_shape(value)]
        if len(alike) == 1:
            given[alike[0]] = given.pop(name)
    numbers = numbers_in(old)
    said = list(dict.fromkeys(NUMBER.findall(text)))  # the same number said twice is one value ("at 15. so 15")
    if len(numbers) == 1 and len(said) == 1 and numbers[0][0] not in given:
        (name, *inner), number = numbers[0]
        value = float(said[0])
        value = int(value) if isinstance(number, int) and value.is_integer() else value
        if not inner and (field := next((f for f in tool.fields if f.name == name), None)):
            value = as_share(field, value, bool(PERCENT_AFTER.search(text))) or value  # "make that 86" (%)
        if not inner:
            given[name] = value
        else:  # a number of one line of a list ("set the price of AP-TEE-01 to 22" / "no, make that 24.90")
            index, key = inner
            lines = [dict(line) for line in old[name]]
            lines[index][key] = value
            given[name] = lines
    # "make it Young-Lambert": the call's one value in words (no id nor code) takes the words said in its place.
    words_said = MAKE_IT.search(text)
    kinds = {f.name: kind_of(f) for f in tool.fields}
    worded = [k for k, v in old.items() if isinstance(v, str) and not NUMBER.fullmatch(v) and k not in given
              and kinds.get(k) not in REFERENCE_KINDS and not k.endswith(RECORD_ID_ENDINGS)]
    if words_said and not given and len(worded) == 1 and not NUMBER.fullmatch(words_said.group(1)):
        given[worded[0]] = words_said.group(1).strip()
    return given


# A part of a value put right: "it's brightdesk.com not .fr", "the number ends 55, not 45".
PART_SWAP = re.compile(r"(\S+)\s+(?:not|rather\s+than|instead\s+of)\s+(\S+)", re.I)


def part_swapped(tool: ToolView, old: dict[str, Any], text: str) -> dict[str, Any]:
    """The one value of the call holding the old part, with the new part in its place; the new part may repeat what
    stands before the old one ("brightdesk.com not .fr" in camille@brightdesk.fr)."""
    kinds = {f.name: kind_of(f) for f in tool.fields}
    for m in PART_SWAP.finditer(text):
        new, gone = (re.sub(r"(?<=\w)\.$|[,;:!?]+$", "", part) for part in m.groups())
        if len(gone) < 2 or gone.lower() in STOPWORDS or new.lower() in STOPWORDS:
            continue
        holding = [k for k, v in old.items() if isinstance(v, str) and kinds.get(k) not in FREE_KINDS
                   and v.lower().count(gone.lower()) == 1]
        if len(holding) != 1:
            continue
        value = old[holding[0]]
        at = value.lower().find(gone.lower())
        before = value[:at]
        shared = next((k for k in range(len(new), 0, -1) if before.lower().endswith(new[:k].lower())), 0)
        return {holding[0]: before[: len(before) - shared] + new + value[at + len(gone):]}
    return {}


def everywhere(old: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """The call with the changed values, each also where the old value stood inside the call's lines: "sorry, I
    meant AP-TEE-05" changes the product and the variant line that both named AP-TEE-02."""
    swaps = {old[k]: v for k, v in given.items() if isinstance(old.get(k), str) and isinstance(v, str)}

    def swapped(value: Any) -> Any:
        if isinstance(value, list):
            return [swapped(v) for v in value]
        if isinstance(value, dict):
            return {k: swapped(v) for k, v in value.items()}
        return swaps.get(value, value) if isinstance(value, str) else value

    return {**{k: swapped(v) for k, v in old.items()}, **given}


def numbers_in(args: dict[str, Any]) -> list[tuple[tuple, int | float]]:
    """The numbers of a call's arguments with where they are: (field,) or (field, line, key) for a list of lines."""
    def number(value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    found: list[tuple[tuple, int | float]] = []
    for name, value in args.items():
        if number(value):
            found.append(((name,), value))
        elif isinstance(value, list):
            found += [((name, i, k), v) for i, line in enumerate(value) if isinstance(line, dict)
                      for k, v in line.items() if number(v)]
    return found


def without_old(text: str) -> str:
    """A correction without the old value it names ("we agreed 30 not 40": 30), so only the new one is read."""
    return OLD_VALUE.sub("", text)


def old_named(text: str) -> str:
    """The old values a correction names ("we recounted and it's 28, not 30": "not 30")."""
    return " ".join(m.group(0) for m in OLD_VALUE.finditer(text))
