"""One turn of the local model: answer tool results, or pick a tool and fill its arguments, or ask, or decline."""

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from graph.confirm import AFFIRMATIVE, CORRECTION, NEGATIVE, OWN_ID, answered_otherwise, read_answer
from graph.models.local import gates, questions
from graph.models.local.addresses import saved_address_words
from graph.models.local.entities import DOCUMENT_NUMBER, ORDER_ID, SKU, an_item_code, mask, names_a_record
from graph.models.local.extract import ORDINAL, Extraction, extract
from graph.models.local.freetext import QUERY_NAMES
from graph.models.local.ids import FIRST_PERSON
from graph.models.local.kinds import REFERENCE_KINDS, kind_of
from graph.models.local.memory import Memory, remember
from graph.models.local.numbers import PERCENT_AFTER, as_share
from graph.models.local.policy import ASKS, CONDITION, PERMISSION, RULE, TO_THE_SHOP, WHAT_YOU_TAKE, about_rules
from graph.models.local.records import (
    ONESELF,
    OWN_KINDS,
    lister,
    record_noun,
    row_words,
    same_record_value,
    single_out,
    titled_lister,
    value_of,
)
from graph.models.local.reply import answer
from graph.models.local.schema import FieldSpec
from graph.models.local.similarity import (
    CLOSE_READINGS,
    EMBED_THRESHOLD,
    LEXICAL_THRESHOLD,
    LIKELY_THRESHOLD,
    NAME_SYNONYMS,
    Choice,
    Embed,
    acted_on,
    alike,
    bought,
    choose,
    meaning,
    names_records,
    rank,
    referenced,
    set_index,
    structure_penalty,
    worded_apart,
    worded_for,
)
from graph.models.local.text import STOPWORDS, content_stems, stem, words
from graph.models.local.toolview import ToolView, own_tools
from graph.models.local.values import names_a_described_state, names_a_value

HANDOFF = "transfer_to_"
# A number as people write it in a change ("make it 3", "no, 0.89").
NUMBER = re.compile(r"(?<![\w.-])\d+(?:\.\d+)?(?![\w.-])")
# Fields that take the words of a message as they are: a correction's own words are no new value for them.
FREE_KINDS = frozenset({"free_text", "question", "title"})
# The choice a reason or kind offers for what its other choices do not name.
OTHER = "other"
# The lead clause of a request, before a comma or a full stop ("refund 20 on W5520538, the box was dented").
LEAD_CLAUSE = re.compile(r"\s*[,.;]\s+")
# The endings of a field that names a record by its id rather than giving a value (order_id, shipment_ref).
RECORD_ID_ENDINGS = ("_id", "_ids", "_ref")
# What opens a clause drawn from the ones before it: "..., so just give him 10 euros back".
CONSEQUENCE = re.compile(r"^\s*(?:so|then)\s+(?:(?:just|please|pls)\s+)?", re.I)
# Two readings of a whole request this close are told apart by its lead clause, when that is a command.
LEAD_CLOSE = 0.05
# Words that open a description, not a command, besides the stopwords ("he says...", "they never came").
PRONOUNS = frozenset({"he", "she", "they", "i'm", "im"})
# The verbs that follow a statement's subject ("work is paying me back").
STATING = frozenset({"is", "are", "was", "were", "has", "have", "had"})
# The words a statement's clause opens with, as its subject or the subject's determiner.
SUBJECTS = PRONOUNS | frozenset({"i", "you", "we", "it", "it's", "its", "that", "this", "there", "the", "a", "an", "my",
                                 "his", "her", "our", "their", "your", "what", "when", "if"})
# A request split at these words may hold two jobs for two specialists ("cancel it and tell me when...").
CLAUSES = re.compile(r"\s*(?:[;]|,?\s+\b(?:and then|and also|and|then|also|plus)\b)\s+", re.I)
# Tools within FIT_MARGIN of the best are compared on how well their fields take the request's values:
# each value a field takes adds FIT_WEIGHT, each required value still missing (a question instead of an
# action) takes MISSING_WEIGHT, at most two of those ("show me my orders" lists them rather than asking which
# one to show).
FIT_MARGIN = 0.1
FIT_WEIGHT = 0.06
MISSING_WEIGHT = 0.1
FIT_CANDIDATES = 4
# Values taken count up to three: "received 20 units of X at PAR-1" fills a movement's item, warehouse, kind and
# quantity, where a stock listing only takes the item and the warehouse.
FIT_SPANS = 3
# The kinds of field that take an item (a product's variant) by its code.
ITEM_KINDS = frozenset({"item", "item_list", "line_list"})
QUESTION = re.compile(
    r"^\s*(has|have|had|is|are|was|were|what|what's|whats|where|when|which|who|how|do|does|did|why)\b", re.I
)
# "which returns ...", "what orders ...": a question about records of one kind, by their plural.
WHICH_RECORDS = re.compile(r"^\s*(?:which|what)\s+(\w+s)\b(?!\s+(?:is|was)\b)", re.I)
# "a new email address", "my email changed", "my last name is Dubois now": the word a new value is given for.
NEW_VALUE = re.compile(r"\bnew\s+(\w+)|\b(\w+)\s+(?:has\s+|have\s+)?changed\b|\b(\w+)\s+is\s+(?:\S+\s+)?now\b", re.I)
# A value given for the time to come ("please use clara.w@mailbox.org for me from now on") is a new value too.
ONWARD = re.compile(
    r"\b(?:from now on|going forward|from here on|in future|(?:from|as of|starting) (?:today|tomorrow|now))\b", re.I)
# Verbs of looking up, learning or being told: wanting or telling us to do one of these asks to read.
LOOKING = "know|see|check|find|look|understand|ask|view|get|track|hear|learn|read|review|confirm"
# A command to look something up ("find the customer Grace Moreau", "pull up order #W1") reads, as a question does.
READING_VERBS = r"find|show|look\s*up|pull\s+up|display|list|view|search"
READING = re.compile(rf"(?:{READING_VERBS})\b", re.I)
# "I need to write off some stock", "we want to refund a customer", "I need a return authorisation": the person
# says they mean to act, or asks for a thing made for them, so a change is what they ask for (its details are
# asked next), not a listing that merely shares its words ("I'd like a list of..." still reads). So does wanting
# something of theirs done to ("I need my order #W1 shipped somewhere else", "I'd like the address changed").
WANTS = re.compile(
    r"^\s*(?:(?:hi|hello|hey)\b[,!.]?\s*)?(?:i|we)\s*(?:need|want|have|must|would like|'d like|d like)\s+(?:to\s+"
    rf"(?!(?:{LOOKING})\b)"
    r"|an?\s+(?!(?:list|copy|look|summary|overview|update|status|word)\b)"
    r"|(?:my|our|the|this|that|it|them)\b(?:\s+[\w#'-]+){0,4}?\s+[a-z]{3,}(?:ed|en)\b)",
    re.I,
)
# A clause that tells us to do something to what the request spoke of: "..., pull them from the catalogue",
# "..., bring it down to 19.99", "set up a Garden category". A verb of looking or telling only asks to read.
ORDERED = re.compile(
    rf"(?:^|[,;.!]\s*)(?:please\s+|pls\s+|and\s+|so\s+)?(?!(?:{LOOKING}|{READING_VERBS}|tell|give|let)\b)[a-z]{{3,}}\s+"
    r"(?:it|them|this|that|up|down|out|off)\b", re.I)
LEAD_IN = re.compile(r"^\s*(?:(?:hi|hello|hey)\b[,!.]?\s*)?(?:please|pls|plz|kindly|can you|could you)?\s*", re.I)
# A specialist that cannot act for the caller takes a request only this far ahead of one that can.
SERVING_LEAD = 0.1
# A write the record's state forbids gives way to one it allows that scores at most this much lower.
ALTERNATIVE_MARGIN = 0.1
# Reading tools step back this much from a request that says it means to act.
WANTS_PENALTY = 0.1
# A question about how things go goes to the policy library first when it reads at most this much worse there
# than with the best specialist: each specialist would only have consulted the library for it.
LIBRARY_LEAD = 0.1
# A product or record named in words (not an id or a code): worth searching for when it matched nothing exactly.
NAME_LIKE = re.compile(r"[A-Za-zÀ-ÿ][\w'À-ÿ-]*(?:\s+[\w'À-ÿ-]+){1,5}")
# "...titled Holiday hours: we are closed on 25 December": a name given before a colon ends there, and what
# follows is the content the request carries ("hello, quick question: ..." names nothing: the question follows).
COLON = re.compile(r"^([^:\n]*\b(?:named|called|titled)\b[^:\n]*?):\s+\S", re.I)
# "Is it possible to cancel...", "do you mind changing...": polite requests to act, not questions.
POLITE_REQUEST = re.compile(r"^\s*(is it possible|is there (a|any) way|do you mind|would it be possible)\b", re.I)
# Asking what would follow from an action ("what happens to my orders if I delete my account?") is asking
# about it, never asking for it.
HYPOTHETICAL = re.compile(r"\bwhat(?:'s| is| would| will)? (?:happens?|happen|if)\b|\bwhat if\b", re.I)
# A question asks to read, not to change ("did you get my return request?" is not a new return): writing
# tools step back by this much, enough for a reading tool with the same subject to win.
QUESTION_PENALTY = 0.35
# A tool lent to every specialist (handing the conversation to a person) takes a request only when it fits it
# clearly better than the specialist's own tools: "wat is ur retrun polcy" is a policy question, not a complaint.
SHARED_LEAD = 0.2
# The words that single out one record before what it holds ("the stove order").
DETERMINERS = frozenset({"the", "my", "this", "that", "our"})
# A record named by what it holds or concerns: "the order with the camp stove", "the return for my jacket".
PARTICULAR = re.compile(r"\bthe\s+([a-z]+)\s+(with|of|for|containing|from)\s+(?:the|my)\b", re.I)
# A clause put as a request: "please ...", "can someone ...", "get me ...", "I'd like ...", "I need ...".
ASKS_FOR = re.compile(r"^\s*(?:please|pls|can (?:i|you|we|someone|somebody)|could (?:i|you|someone|somebody)|"
                      r"get me|let me|put me|have someone|i'?d like|i would like|i (?:need|want))\b", re.I)
# A request put to the shop to act: "could you change ...", "please update ..." (not "can you tell me ...").
TO_YOU = re.compile(rf"^(?:please|pls|(?:can|could|would|will) (?:you|u)(?: please)?)\s+"
                    rf"(?!(?:{LOOKING}|tell|explain|show)\b)[a-z]{{3,}}\b", re.I)
# A correction giving a value in words: "make it Young-Lambert", "change that to Lyon Part-Dieu".
MAKE_IT = re.compile(r"\b(?:make (?:it|that)|change (?:it|that) to|it should be)\s+([^,.;!?]+?)\s*(?:[,.;!?]|$)", re.I)
# A question about where, when or why one thing is: "where is the parcel right now", "when will it come?".
ABOUT_ONE = re.compile(r"^(?:where|when|why)\b", re.I)
# The asker's own: "my order", "mine".
OWNED = re.compile(r"\b(?:my|mine)\b", re.I)
# A question of how a thing is done ("how do I report a fraudulent charge on my card?") asks for the procedure.
MANNER = re.compile(r"^\s*how\s+(?:do|does|can|could|should|would)\b", re.I)
# A question about what happened: "did the refund go through?", "has it arrived?".
WHAT_HAPPENED = re.compile(r"^(?:did|has|have|was|were)\s+(?!(?:i|we)\s+to\b)", re.I)
# Our question for one detail that offered a single choice: "... I need the payment method to use (credit_card_1
# (original payment)). What is it?"
ONE_CHOICE = re.compile(r"\((?:yours: )?([^\s(),]+)(?: \([^()]*\))?\)\. What is it\?$")
# The thing a request asks for, after its lead ("I need", "can I speak to", "get me"): "a human", "a manager".
# Through the ways of being put in touch ("put me through to a real person") and the words that only insist on it.
THING_ASKED = re.compile(r"\s*(?:(?:to\s+)?(?:speak|talk|chat)\s+(?:to|with)\s+|through\s+to\s+|in\s+touch\s+with\s+)?"
                         r"(?:an?\s+(?:(?:real|actual|live|proper)\s+)?([a-z][\w'-]+)|(some(?:one|body)))", re.I)
# A record's noun before the order it is on: "the lamp claim on W3321921", "the return for #W1".
RECORD_ON = re.compile(rf"\b([a-z]{{3,}})\s+(?:on|for|of)\s+(?:order\s+)?{ORDER_ID.pattern}")
# Where a request's clauses part: sentences, commas, "and" / "but" / "so", and "about" before what it concerns
# ("please have someone contact me about my exchange").
ASK_CLAUSES = re.compile(r"[,.;!?]+\s+|\s+(?:and|but|so|about|regarding|concerning)\s+", re.I)
# A second specialist is added only when its part of the request clearly belongs to it: a score well
# above the in-scope threshold and a clear lead over the next specialist (calibrated like the threshold).
SPLIT_LIFT = 0.2
# How close in meaning to a search a request nothing else fits must be for the search to take it: loose
# catalogue requests ("anything from Hearth?" 0.29, "do u have the daypack in orange" 0.31) against unrelated ones
# ("tell me a joke" 0.24, "book me a flight to London" 0.22) reaching a specialist with a search tool.
SEARCH_THRESHOLD = 0.27
# Records a request names by an id of their own shape (a product named in words is searched for instead).
NAMED_RECORDS = REFERENCE_KINDS - {"item", "item_list"}
SPLIT_LEAD = 0.1
# A reply that restates the pending action's record has few words of its own ("it's the one for order #W1").
RESTATE_WORDS = 3
# How many earlier answers a reply is read together with (a request answered bit by bit).
CHAIN_LIMIT = 4
# A sentence introducing the writer ("Hi, I'm Daiki Silva." / "I am Ada, the shop's admin, writing from my
# customer account.") says who asks, not what for: the router reads the sentences after it.
INTRODUCTION = re.compile(
    r"^\s*(?:(?:hi|hello|hey|dear \w+)[,!.]?\s+)?(?:i am|i'm|im|this is|my name is)\s+[A-Z][^.!?\n]*[.!?\n]\s*", re.I
)


@dataclass
class Turn:
    """What the model says: text, or tool calls as (name, args) pairs."""

    content: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    declined: bool = False  # no tool here fits the request


def _text(message: BaseMessage) -> str:
    return str(message.text).strip()


def _answer_results(messages: list[BaseMessage], tools: dict[str, ToolView], replies: Path) -> Turn:
    """Plain sentences from the tool results that end the conversation (this model's own calls)."""
    calls = {c["id"]: c for m in messages if isinstance(m, AIMessage) for c in m.tool_calls}
    results = []
    for message in reversed(messages):
        if not isinstance(message, ToolMessage):
            break
        results.insert(0, message)
    texts = []
    for result in results:
        call = calls.get(result.tool_call_id, {})
        name = call.get("name") or result.name or ""
        description = tools[name].description if name in tools else name.replace("_", " ")
        texts.append(answer(name, description, call.get("args", {}), _text(result), replies))
    return Turn("\n\n".join(t for t in texts if t))


def _asked_before(messages: list[BaseMessage], current: int) -> int | None:
    """The previous request's index when the reply to it was a question (so this message answers it)."""
    for i in range(current - 1, -1, -1):
        message = messages[i]
        if isinstance(message, HumanMessage):
            return None
        if isinstance(message, AIMessage) and not message.tool_calls:
            if not _text(message).endswith("?"):
                return None
            previous = next((j for j in range(i - 1, -1, -1) if isinstance(messages[j], HumanMessage)), None)
            return previous
    return None


def _handoffs(text: str, tools: list[ToolView], embed: Embed | None, first: ToolView, threshold: float) -> list[str]:
    """Extra specialists for a request that has a clear second job for another one, in order of mention."""
    # A clause says a job in two words of its own, or in one beside a record's id ("where is order W2362044?").
    # Read as the speaker's records first: "the tent, hoodie and arm I sent back" is one return, not a tent as well.
    clauses = [c for c in CLAUSES.split(bought(text, tools)) if len(content_stems(mask(c))) >= 2 - names_a_record(c)]
    chosen = [first.name]
    for clause in clauses:
        (score, best), (runner_up, _) = rank(clause, tools, embed)[:2]
        if best.name not in chosen and score >= threshold + SPLIT_LIFT and score - runner_up >= SPLIT_LEAD:
            chosen.append(best.name)
    return chosen


def _best_fit(
    text: str, ranked: list[tuple[float, ToolView]], memory: Memory, today: date, asking: str = ""
) -> tuple[ToolView, Extraction]:
    """Among tools about as similar as the best, the one whose fields take the request's values.

    "how full is warehouse PAR1" reads like both "how full is each warehouse" (a listing) and "how full is
    the Paris warehouse" (one site's capacity); only the second has a field for PAR1.
    """
    top = ranked[0][0]
    everything = [t for _, t in ranked]
    ranked = _named_listing_first(text, ranked)
    scored = []
    # A question may reach a reading tool a little further down (writing tools step back by the penalty).
    # A question put after a statement is one too ("my navy t-shirt hasn't come yet, where is it right now?", "I
    # cancelled an order in september, did the money go back to my paypal? I can't find it").
    put_last = any(QUESTION.match(c) and "?" in c for c in LEAD_CLAUSE.split(text)[1:])
    question = bool(QUESTION.match(text) or READING.match(LEAD_IN.sub("", text)) or put_last) and not (
        POLITE_REQUEST.match(text))
    # So does a command led by a verb a write goes by ("refund #W1 in full", "pack order W3", "raise a critical
    # alert" for a tool that raises alerts, "change my email" for an update).
    lead = next(iter(words(LEAD_IN.sub("", text))), "")
    # `asking`: the clause the ranking read, when one clause says the job ("..., I'd like to claim the warranty").
    wants = bool(WANTS.match(text) or WANTS.match(asking) or ORDERED.search(text)) or any(
        t.mutates and stem(lead) in _verbs(t) for _, t in ranked[:FIT_CANDIDATES])
    # A new value for a field a write takes ("I got a new email address: ...", not "a new customer": a record) asks
    # for that change as surely as a question asks to read: reading tools step back as far as writing ones do from
    # a question.
    new = {stem(w) for found in NEW_VALUE.findall(text) for w in found if w}
    # So does saying what a write's state does ("stop syncing the sandbox channel": its status, paused).
    # Or naming the kind of change a write makes ("I need to write off some kettles": a movement of kind write_off).
    changed = set() if question else {t.name for _, t in ranked[:FIT_CANDIDATES] if t.mutates and any(
        new & {stem(w) for w in f.words} or names_a_described_state(f, text) or (f.required and names_a_value(f, text))
        for f in t.fields if not f.name.endswith(RECORD_ID_ENDINGS))}
    if ONWARD.search(text) and not question:
        # The writes taking a value the request gives; else the closest write, which finds what it lacks (the
        # variants of "the white microphone", to set their price).
        writes = [t for _, t in ranked[:FIT_CANDIDATES] if t.mutates]
        changed |= {t.name for t in writes if any(
            not name.endswith(RECORD_ID_ENDINGS) for name in extract(t, text, memory, today).args)} or {
            t.name for t in writes[:1]}
    wants = wants or bool(changed)
    step_back = QUESTION_PENALTY if changed else WANTS_PENALTY
    margin = FIT_MARGIN + (QUESTION_PENALTY if question else step_back if wants else 0.0)
    # An item's code the tool has no field for ("Berlin has none of OD-HEADLAMP-04 left, move 15 over from Paris"
    # is no valuation of the stock) is a misfit twice over: the tool would leave out what the request is about.
    coded = any(an_item_code(m.group(0)) and not DOCUMENT_NUMBER.fullmatch(m.group(0)) for m in SKU.finditer(text))
    for score, tool in (pair for pair in ranked[:FIT_CANDIDATES] if pair[0] >= top - margin):
        extraction = extract(tool, text, memory, today)
        # A change the person means to make asks for its details next: what it still lacks is no misfit.
        meant = tool.name in changed if changed else wants and tool.mutates
        # A record named by its title ("the late tracking updates alert") is found by listing them: no misfit.
        titled = [f for f in extraction.missing if _title_words(f, text) and titled_lister(f, tool, everything)]
        lacking = 0 if meant else min(2, len(extraction.missing) - len(titled) + len(extraction.problems))
        lacking += 2 * (coded and not any(kind_of(f) in ITEM_KINDS for f in tool.fields))
        fit = FIT_WEIGHT * min(FIT_SPANS, extraction.spans) - MISSING_WEIGHT * lacking
        # A question ("has it shipped?") asks to read, not to change: writing tools step back; a request that
        # means to act ("I need to write off some stock") asks to change: reading tools step back.
        # Of the writes, those doing what a statement names come first ("the DPD driver says #W7597876 is out for
        # delivery today" names a tracking event's status, not a new shipment); a question may still ask of another
        # ("..., can I still send it back?" names a return's reason, and may be about a warranty claim), and a command
        # by its verb is that write's ("open a case for ...: he says ... is late").
        penalty = (QUESTION_PENALTY if tool.mutates and question
                   else step_back if wants and not tool.mutates
                   else WANTS_PENALTY if tool.mutates and changed and tool.name not in changed and "?" not in text
                   and stem(lead) not in _verbs(tool) else 0.0)
        scored.append((score + fit - penalty, tool.name, tool, extraction))
    best = min(scored, key=lambda s: (-s[0], s[1]))
    return best[2], best[3]


def _named_listing_first(text: str, ranked: list[tuple[float, ToolView]]) -> list[tuple[float, ToolView]]:
    """"Which returns still need someone to approve them?" asks for a list of returns: the one listing named for the
    records the question asks about reads as well as the best tool, whatever other words it shares."""
    asked = WHICH_RECORDS.match(text)
    listings = [t for _, t in ranked if asked and t.records and not t.required and not t.mutates
                and stem(asked.group(1)) in {stem(w) for w in t.name.split("_")}]
    if len(listings) != 1:
        return ranked
    return [(ranked[0][0], listings[0]), *((s, t) for s, t in ranked if t is not listings[0])]


def _verbs(tool: ToolView) -> set[str]:
    """The verbs a write goes by: its name's, its description's first word and their everyday words ("change" for
    an update)."""
    verb = tool.name.split("_")[0]
    return {stem(w) for w in (verb, next(iter(words(tool.description)), ""), *NAME_SYNONYMS.get(verb, ()))}


def _our_part(text: str, tools: list[ToolView], embed: Embed | None) -> str:
    """The clause of a two-job request that best fits these tools (the whole text if it has one clause)."""
    clauses = [c for c in CLAUSES.split(text) if c.strip()]
    if len(clauses) < 2:
        return text
    # Judged by the specialist's own tools: one lent to it (the payment methods an order may use) belongs to the
    # specialist that answered the other part.
    own = own_tools(tools)
    return max(clauses, key=lambda c: choose(c, own, embed).score)


def _request(messages: list[BaseMessage]) -> int | None:
    return next((i for i in range(len(messages) - 1, -1, -1) if isinstance(messages[i], HumanMessage)), None)


def _last_reply(messages: list[BaseMessage]) -> int | None:
    """The index of the model's last message (the one whose calls the tool results answer)."""
    return next((i for i in range(len(messages) - 1, -1, -1) if isinstance(messages[i], AIMessage)), None)


def _restrict(tools: list[ToolView], tool_choice: Any) -> list[ToolView]:
    """The tools a tool_choice naming one tool ("name" or {"function": {"name"}}) leaves."""
    if not isinstance(tool_choice, (str, dict)) or tool_choice in ("any", "required", "auto", "none"):
        return tools
    name = tool_choice if isinstance(tool_choice, str) else tool_choice.get("function", tool_choice).get("name")
    return [t for t in tools if t.name == name] or tools


def _last_words(messages: list[BaseMessage], current: int) -> str:
    """Our last reply before the message at `current` that called no tool (a question, an answer), or ""."""
    return next((_text(m) for m in reversed(messages[:current]) if isinstance(m, AIMessage) and not m.tool_calls), "")


def _texts_asked(tool: ToolView, question: str) -> list[FieldSpec]:
    """The fields of text in the person's words that our question named ("the description (for example ...)")."""
    return [f for f in tool.fields if kind_of(f) in FREE_KINDS and questions.label(f) in question]


def _asked_tool(messages: list[BaseMessage], current: int, tools: list[ToolView]) -> ToolView | None:
    """The tool whose missing details our last reply asked for ("To cancel a pending order, I need ...?")."""
    text = _last_words(messages, current)
    return next((t for t in tools if questions.asks_for(t, text)), None)


def _answers_question(messages: list[BaseMessage], chain: list[int], tools: list[ToolView], today: date) -> bool:
    """Whether a message that reads like a request of its own gives what our question asked for instead: "original
    payment method" after "I need the payment method to use" names the refund's method, not a payment change."""
    current = chain[-1]
    asked = _asked_tool(messages, current, tools)
    if asked is None or ASKS.search(_text(messages[current])):
        return False
    if _texts_asked(asked, _last_words(messages, current)):
        return True  # we asked for a text in the person's words ("the description"): this is it
    memory = remember(messages[:current])

    def lacking(indexes: list[int]) -> int:
        text = ", ".join(_text(messages[i]) for i in indexes[1:]) + f"\n{_text(messages[indexes[0]])}"
        found = extract(asked, text, memory, today)
        return len(found.missing) + len(found.problems)

    return lacking(chain) < lacking(chain[:-1])


def _understand(messages: list[BaseMessage], current: int, tools: list[ToolView], embed: Embed | None, today: date):
    """The request text to act on, the tool it is closest to, and the tool our question was for (if any)."""
    text = _text(messages[current])
    if all(t.name.startswith(HANDOFF) for t in tools) and len(content_stems(rest := INTRODUCTION.sub("", text))) >= 3:
        text = rest
    if isinstance(messages[-1], AIMessage):
        # Another specialist already answered part of this request: take the part that is ours.
        text = _our_part(text, tools, embed)
    choice = choose(_asking(text, tools, embed), tools, embed)
    chain = _chain(messages, current)
    follows = not choice.confident or len(content_stems(mask(text))) < 3 or CORRECTION.match(text)
    if len(chain) > 1 and (follows or _answers_question(messages, chain, tools, today)):
        # An answer to our question ("#W2611340", "by mistake") continues the request that raised it, and so do
        # the answers and corrections before it: all of them, in order, ahead of the request itself.
        text = ", ".join(_text(messages[i]) for i in chain[1:]) + f"\n{_text(messages[chain[0]])}"
        return text, choose(text, tools, embed), _asked_tool(messages, current, tools)
    return text, choice, None


def _gist(text: str) -> str:
    """The request before a colon that introduces its content after a name ("write a help article titled Holiday
    hours: we are closed on ..."), when it has words enough to be a request; else the whole text."""
    head = COLON.match(text)
    return head.group(1) if head and len(content_stems(mask(head.group(1)))) >= 2 else text


def _asking(text: str, tools: list[ToolView], embed: Embed | None) -> str:
    """What the model ranks tools on: for the router, the request's gist when it alone is clear (the content after a
    colon, an article's body or a note, is what the request carries, not whose job it is); then, when two readings
    are about as close, the clause that says the job; else the whole text. What the tool's fields take is read from
    the whole text."""
    routing = all(t.name.startswith(HANDOFF) for t in tools)
    if routing and (gist := _gist(text)) != text and choose(gist, tools, embed).confident:
        return gist
    # A lead clause put as a command says the job to the router ("refund 20 on W5520538, the keyboard box was dented"
    # reads like a return too); a specialist reads the whole command, whose other clauses may name its record ("stop
    # selling the black cap, AP-CAP-01" is about one variant). Else the one clause put as a request says it ("I changed
    # my mind, I'm keeping the lamp, please cancel my return on W9653244").
    clauses = LEAD_CLAUSE.split(text)
    asked = [c for c in clauses if ASKS_FOR.match(c) or _so_command(c)]
    clause = clauses[0] if routing and _a_command(clauses[0]) else asked[0] if len(asked) == 1 else text
    if len(clauses) == 1 or clause == text:
        return text
    (first, best), (second, other) = (rank(text, tools, embed) + [(0.0, None)] * 2)[:2]
    led = choose(clause, tools, embed) if first - second < LEAD_CLOSE else None
    return clause if led is not None and led.confident and led.tool in (best, other) else text


def _a_command(clause: str) -> bool:
    """Whether a clause asks for something ("refund 20 on W1", "I'd like to ...") rather than describes ("the chair
    I got is broken")."""
    first, second = (words(LEAD_IN.sub("", clause)) + ["", ""])[:2]
    # A command opens with a word ("refund 20 on W1"), not a record's number ("W3517254 is fine, ...") nor a subject
    # that its verb follows ("work is paying me back for the two keyboards").
    return bool(ASKS_FOR.match(clause)) or (first.isalpha() and first not in STOPWORDS and first not in PRONOUNS
                                            and second not in STATING)


def _so_command(clause: str) -> bool:
    """Whether a clause draws a request from what came before ("he's happy to keep it, so just give him 10 euros
    back"): "so" or "then", and a command."""
    lead = CONSEQUENCE.match(clause)
    if lead is None:
        return False
    first, second = (words(clause[lead.end():]) + ["", ""])[:2]
    # Its first word is a verb, not a subject ("so it never came", "so the order is late", "so that ...").
    return first.isalpha() and first not in SUBJECTS and second not in STATING


def _chain(messages: list[BaseMessage], current: int) -> list[int]:
    """The request a conversation's current thread started with, then each answer or correction since (indexes).

    A message continues the one before it when our reply to that one was a question, or when it corrects it
    ("no, I meant W3972548"); an address given over two answers comes together again this way.
    """
    chain = [current]
    while len(chain) <= CHAIN_LIMIT:
        previous = _asked_before(messages, chain[0])
        if previous is None and CORRECTION.match(_text(messages[chain[0]])):
            previous = next((j for j in range(chain[0] - 1, -1, -1) if isinstance(messages[j], HumanMessage)), None)
        if previous is None:
            break
        chain.insert(0, previous)
    return chain


def _plan(
    messages: list[BaseMessage], current: int, tools: list[ToolView], embed: Embed | None, today: date, forced: bool
) -> Turn | tuple[ToolView, Extraction]:
    """What to do about the request at `current`: a reply (decline, hand-offs) or a tool and its arguments."""
    text, choice, asked = _understand(messages, current, tools, embed, today)
    memory = remember(messages[:current] + messages[current + 1 :])
    handoffs = all(t.name.startswith(HANDOFF) for t in tools)
    # A question for a specialist that cannot act goes on to the policy library instead (the router's fallback),
    # unless it asks about something of the asker's ("has my headlamp left the warehouse yet?", "why is the order with
    # the camp stove held up?"): the policy library knows nothing of their orders.
    plain = not (CONDITION.search(text) or RULE.search(text))
    particular = _particular(text, tools)
    mine = (FIRST_PERSON.search(text) or particular) and plain
    if handoffs and choice.tool is not None and not choice.tool.serves and not forced and (
            not ASKS.search(text) or mine):
        # A record of the asker's own ("my order", "the order with the camp stove"), asked about, not how to do a
        # thing: whoever can read it.
        owned = (OWNED.search(text) or particular) and plain and not MANNER.match(text)
        choice = _serving(text, tools, embed, choice, mine=bool(owned))
    worded = len(text.split()) >= 3  # a bare "yes" with nothing to confirm is no request
    if not (choice.confident or forced or asked) and handoffs:
        if read_answer(text) != "other":
            # A yes or no with nothing waiting for one ("no" after a claim was filed) is no request to turn away.
            return Turn(questions.NOTHING_PENDING)
        # Worded unlike any example but naming what a specialist holds ("which scents does the soy candle come
        # in?"): that specialist, who can look it up.
        ranked = rank(text, tools, embed)
        named = [t for _, t in ranked if names_records(text, tools, t)]
        if named:
            # Unless it names a record of another kind beside it ("why is the order with the camp stove held up?"),
            # in words or by its number where the named specialist's tools take no such record ("the socks in
            # W7137149 will be too small"): the specialist acting on that record, who can find it by what it holds.
            said = {w.lower() for w in re.findall(r"[\w'-]+", text)}
            kinds = referenced(text)
            holding = [t for _, t in ranked if t not in named and (
                said & acted_on([t]) - acted_on(named[:1])
                or structure_penalty(named[0], kinds) > structure_penalty(t, kinds))]
            return Turn(calls=[((holding or named)[0].name, {})])
    if not (choice.confident or forced or asked) and (clear := _clear_clause(text, tools, embed)) and (
            handoffs or clear.mutates):
        # Said with other words around it ("the chair I got is broken and nobody helps, escalate this please"; "some
        # feedback on the order...: it turned up late but works fine. I'd give it 4 out of 5"): the one clause that
        # is clearly somebody's job, or a write's (a specialist's reads have their own ways to find what is asked).
        return Turn(calls=[(clear.name, {})]) if handoffs else (clear, extract(clear, text, memory, today))
    if not (choice.confident or forced or asked) and handoffs and embed is not None and worded:
        (best_score, best), (second_score, second) = (rank(text, tools, embed) + [(0.0, choice.tool)])[:2]
        if _likely(text, tools, best, best_score, embed):
            # Probably ours but worded unlike any example: a clear leader takes it, two close readings are asked.
            if best_score - second_score >= CLOSE_READINGS:
                return Turn(calls=[(best.name, {})])
            if WANTS.match(text) and best.acts != second.acts:
                # "I'd like to change my last name": of two close readings, the one that can change something.
                return Turn(calls=[((best if best.acts else second).name, {})])
            return Turn(questions.which_one(best, second))
    if not (choice.confident or forced or asked) and not handoffs and ORDINAL.search(text):
        # "what's in the second one?": the closest tool that takes that row of the list shown before.
        question = bool(QUESTION.match(text))
        for _, tool in rank(text, tools, embed):
            if question and tool.mutates:
                continue  # a question about a row reads it
            extraction = extract(tool, text, memory, today)
            if extraction.from_row and not extraction.missing and not extraction.problems:
                return tool, extraction
    named = None if choice.confident or forced or asked or handoffs else _named_apart(_asked_things(text), tools)
    if named is not None:
        # A clause asks for a thing that only one tool's words name ("I keep going round in circles here, put me
        # through to a real person please"), whatever the rest of the request reads like.
        return named, extract(named, text, memory, today)
    if not (choice.confident or forced or asked) and not handoffs and (mine := _mine(text, tools, embed, memory,
                                                                                    today)):
        return mine
    if not (choice.confident or forced or asked):
        # A tool that answers any question (from a knowledge base) takes a question nothing else fits:
        # the router sent it here, and the tool itself says when it has no answer.
        if ASKS.search(text) and (answerer := _answerer(tools)) is not None:
            return answerer, extract(answerer, text, memory, today)
        if not handoffs and not QUESTION.match(text) and (gated := _gated(text, tools, embed, memory, today)):
            return gated
        # A request naming a record ("when will my oder W5794363 arive") that nothing fits reads that record.
        if not handoffs and (reader := _reader(text, tools, embed, memory, today)) is not None:
            return reader
        # Likewise a tool that searches by words takes a request naming something nothing else fits: one that
        # reads like a search ("got any coffee mugs?"), or one the router sent here that may name what the search
        # knows and the model does not ("does the camping stove run on gas?"). The search is only a look: when it
        # finds nothing for a request unlike a search, the request is declined (`_probe_found_nothing`). A model
        # holding several domains' tools was chosen by no router: it looks only for requests that read like a search.
        if not handoffs and (ordered := _ordered(text, tools, embed, memory, today)):
            return ordered
        if not handoffs and (onward := _onward(text, tools, embed, memory, today)):
            return onward
        searcher = None if handoffs or embed is None else _searcher(tools)
        if searcher is not None and (_one_domain(tools) or meaning(text, tools, searcher, embed) >= SEARCH_THRESHOLD):
            found = extract(searcher, text, memory, today)
            if not found.missing and not found.problems:
                return searcher, found
        if not handoffs and not QUESTION.match(text) and (filled := _filled(text, tools, embed, memory, today)):
            return filled
        return Turn(questions.out_of_scope([t for _, t in rank(text, tools, embed)]), declined=not handoffs)
    if handoffs:
        threshold = EMBED_THRESHOLD if embed is not None else LEXICAL_THRESHOLD
        by_name = {t.name: t for t in tools}
        first = (_asked_by_name(text, tools) or _library_first(text, tools, embed)
                 or _acting_instead(text, tools, embed, choice.tool) or choice.tool)
        names = _handoffs(_asking(text, tools, embed), tools, embed, first, threshold)
        return Turn(calls=[(n, extract(by_name[n], text, memory, today).args) for n in names])
    asking = _asking(text, tools, embed)
    tool, extraction = _best_fit(text, rank(asking, tools, embed), memory, today, asking)
    if tool is _searcher(tools) and ASKS.search(text) and (answerer := _answerer(tools)) is not None:
        # A question over the same documents is answered, not searched ("how long does a refund take?").
        return answerer, extract(answerer, text, memory, today)
    if asked is not None and asked is not tool:
        # The answer to our question goes to the tool that asked, unless it supplies nothing for it.
        # Compared with what was known when we asked: a record read since (for the write's precondition) would
        # fill both alike and hide what the answer gave.
        known = remember(messages[:current])
        again = extract(asked, text, known, today)
        before = extract(asked, _text(messages[_asked_before(messages, current)]), known, today)
        # "it's order W7075964" after we found that order and asked for the reason: a restatement, still ours.
        stated = extract(asked, _text(messages[current]), Memory(), today).args
        restated = bool(stated) and all(gates.same(before.args.get(k), v) for k, v in stated.items())
        # Or it gives more of the asking tool: less lacking, or as much lacking and more given ("the monitor arm",
        # the optional item of a claim still waiting for its description).
        if restated or _lacking(again) < _lacking(before):
            tool, extraction = asked, extract(asked, text, memory, today)
    if asked is not None and asked is tool:
        extraction = _written_answer(tool, extraction, messages, current, memory, today)
    return tool, extraction


def _lacking(extraction: Extraction) -> tuple[int, int]:
    """How much a reading of a request leaves open (missing or unusable fields), then how little it gives."""
    return len(extraction.missing) + len(extraction.problems), -len(extraction.args)


def _written_answer(tool: ToolView, extraction: Extraction, messages: list[BaseMessage], current: int,
                    memory: Memory, today: date) -> Extraction:
    """The answer to a question for one piece of free text (a note's body, a summary) is that text, whole: "customer
    called about delivery time", not those words run together with the request that raised the question."""
    chain = _chain(messages, current)
    earlier = ", ".join(_text(messages[i]) for i in chain[1:-1]) + f"\n{_text(messages[chain[0]])}"
    # What our question asked for, as it was then: a record read since would seem to have answered part of it.
    wanted = extract(tool, earlier, remember(messages[:current]), today).missing
    # A text our question named is wanted even when the thread's words seemed to fill it ("the description").
    wanted += [f for f in _texts_asked(tool, _last_words(messages, current)) if f not in wanted]
    free = [f for f in wanted if kind_of(f) in FREE_KINDS]
    said = _text(messages[current])
    # An answer naming none of the choices offered for a reason or kind, where "other" is one ("it's too tight on
    # me"), is that one: asking again would only repeat the list.
    others = [f for f in wanted if OTHER in f.enum and f.name not in extraction.args]
    if others and read_answer(said) == "other" and not ASKS.search(said) and content_stems(mask(said)):
        extraction = Extraction(args={**extraction.args, **{f.name: OTHER for f in others}},
                                missing=[f for f in extraction.missing if f not in others],
                                problems=extraction.problems, spans=extraction.spans)
    alone = extract(tool, said, memory, today).args
    named = [f for f in tool.fields if f.name in alone and kind_of(f) in ("item", "item_list")]
    if len(wanted) == 1 and free and free[0].name not in alone and named:
        # The answer names an item the action is about ("the monitor arm": the faulty one), not the text asked for,
        # which is still to come.
        args = {k: v for k, v in extraction.args.items() if k != free[0].name}
        args.update({f.name: alone[f.name] for f in named})
        missing = [f for f in extraction.missing if f.name not in args and f.name != free[0].name]
        return Extraction(args=args, missing=[*missing, free[0]], problems=extraction.problems,
                          spans=extraction.spans)
    if len(wanted) == 1 and free:
        field = free[0]
        args = {**extraction.args, field.name: said[: field.max_length] if field.max_length else said}
    elif free:
        # Asked with other details ("the severity and the description"), the text is what this answer leaves
        # once they are taken: "minor, a scratch on the base, 1 unit" describes "a scratch on the base".
        args = {**extraction.args, **{f.name: alone[f.name] for f in free if f.name in alone}}
    else:
        return extraction
    return Extraction(args=args, missing=[f for f in extraction.missing if f.name not in args],
                      problems=extraction.problems, spans=extraction.spans)


def _mine(
    text: str, tools: list[ToolView], embed: Embed | None, memory: Memory, today: date
) -> tuple[ToolView, Extraction] | None:
    """A request nothing fits clearly that names something of the speaker's in words no tool uses ("I ordered a
    tent, has it been sent yet?", "why is the order with the camp stove held up?"): the closest reading tool taking
    one of their records, to find it among them (`_own_record`)."""
    if not (FIRST_PERSON.search(text) or _particular(text, tools)) or not _things(text, tools):
        return None
    for _, tool in rank(text, tools, embed)[:FIT_CANDIDATES]:
        if tool.mutates:
            continue
        extraction = extract(tool, text, memory, today)
        field = _own_field(tool, extraction, text, tools)
        if field is not None and lister(field, tool, text, tools, set()) is not None:
            return tool, extraction
    return None


def _reader(
    text: str, tools: list[ToolView], embed: Embed | None, memory: Memory, today: date
) -> tuple[ToolView, Extraction] | None:
    """The closest reading tool whose required fields are all records the request itself names by id."""
    for _, tool in rank(text, tools, embed):
        if tool.mutates or not tool.required or any(kind_of(f) not in NAMED_RECORDS for f in tool.required):
            continue
        extraction = extract(tool, text, Memory(), today)  # named now, not recalled
        # "I" names whose records, not which: the speaker's own are read only when the request names what the tool
        # reads ("the return of the laptop stand"); "I've changed my mind about the planter" names no payment method.
        named = any(extraction.args.get(f.name) not in (None, ONESELF) for f in tool.required) or bool(
            {stem(w) for w in words(text)} & {stem(w) for w in acted_on([tool])})
        if named and not extraction.missing and not extraction.problems:
            return tool, extract(tool, text, memory, today)
    return None


def _gated(
    text: str, tools: list[ToolView], embed: Embed | None, memory: Memory, today: date
) -> tuple[ToolView, Extraction] | None:
    """The closest tool, when it is a confirmed write whose precondition reads a record the request names ("the socks in
    W7137149 will be too small, I need the 43-46 size"): no tool fits clearly because the record's state decides
    between close writes (an exchange once delivered, a change of items while pending). The write reads the record
    first, and a state it forbids gives way to a close write that state allows (`_allowed_instead`)."""
    ranked = rank(text, tools, embed)
    # Only a write that asks before it acts: a statement ("the arm of the chair from W1 snapped off") files nothing.
    if not ranked or not (best := ranked[0][1]).confirm or best.precondition is None:
        return None
    named = extract(best, text, Memory(), today)  # named now, not recalled
    # Named by number ("W7137149"), or the speaker's own named in words ("my order that hasn't shipped"), which
    # is then found among theirs (`_own_record`).
    given = all(named.args.get(name) not in (None, ONESELF) for name in best.precondition.given)
    if not given and _own_field(best, named, text, tools) is None:
        return None
    return best, extract(best, text, memory, today)


def _filled(
    text: str, tools: list[ToolView], embed: Embed | None, memory: Memory, today: date
) -> tuple[ToolView, Extraction] | None:
    """The closest write (within FIT_MARGIN of the best reading), when the request gives it most of what it
    needs, worded unlike its examples ("a shelf came down in Paris and 3 of the small sea salt candles got smashed,
    take them off the books" gives a stock movement its product, warehouse, kind and quantity). It asks for what
    is missing, and a confirmed write for a yes."""
    ranked = rank(text, tools, embed)
    lead = ranked[0][0] if ranked else 0.0
    write = next((tool for score, tool in ranked if score >= lead - FIT_MARGIN and tool.mutates), None)
    if write is None:
        return None
    extraction = extract(write, text, memory, today)
    return (write, extraction) if extraction.spans >= FIT_SPANS and not extraction.problems else None


def _ordered(
    text: str, tools: list[ToolView], embed: Embed | None, memory: Memory, today: date
) -> tuple[ToolView, Extraction] | None:
    """The closest tool, when the request tells us to act ("the self-watering planter is discontinued, take it off
    the shop") and that tool is a write leading every other reading by FIT_MARGIN: worded unlike its examples, but
    nothing else comes close. It asks for what is missing, and a confirmed write for a yes."""
    ranked = rank(text, tools, embed)
    if not ORDERED.search(text) or not ranked or not ranked[0][1].mutates:
        return None
    if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < FIT_MARGIN:
        return None
    return ranked[0][1], extract(ranked[0][1], text, memory, today)


def _onward(
    text: str, tools: list[ToolView], embed: Embed | None, memory: Memory, today: date
) -> tuple[ToolView, Extraction] | None:
    """The closest write, when the request gives a value for the time to come ("the white multi-pattern mic should
    sell for 134.90 from today"): a change, however unlike the write's examples it is worded. Reading tools lead
    it by as much as a question's writes step back from one."""
    if not ONWARD.search(text) or QUESTION.match(text):
        return None
    ranked = rank(text, tools, embed)
    lead = ranked[0][0] if ranked else 0.0
    write = next((tool for score, tool in ranked[:FIT_CANDIDATES]
                  if score >= lead - FIT_MARGIN - QUESTION_PENALTY and tool.mutates), None)
    return (write, extract(write, text, memory, today)) if write is not None else None


def _searcher(tools: list[ToolView]) -> ToolView | None:
    """A reading tool whose one required field is a search query (a catalogue searched by words)."""
    for tool in tools:
        if not tool.mutates and len(tool.required) == 1 and tool.required[0].name in QUERY_NAMES:
            return tool
    return None


def _answerer(tools: list[ToolView]) -> ToolView | None:
    """A reading tool whose one required field is the question itself (a knowledge base answering questions)."""
    for tool in tools:
        if not tool.mutates and len(tool.required) == 1 and kind_of(tool.required[0]) == "question":
            return tool
    return None


def _decide(tool: ToolView, extraction: Extraction, tools: list[ToolView], messages: list[BaseMessage],
            replies: Path, lookups: list[ToolView] | None = None, understood: tuple[Embed, date] | None = None) -> Turn:
    """The write's precondition first (read the record, or say why it cannot be done), then ask or act.

    `understood` (the embedder and today), when given, lets a write the record's state forbids give way to a close
    reading of the request that the state allows."""
    refused, read = gates.first_step(tool, extraction.args, messages, tools, replies)
    if refused and understood and (instead := _allowed_instead(tool, extraction, tools, messages, *understood)):
        return _decide(*instead, tools, messages, replies, lookups)
    if refused:
        return Turn(refused)
    if read is not None:
        return Turn(calls=[read])
    if (variants := _variants_read(tool, extraction, lookups or tools, messages)) is not None:
        return Turn(calls=[variants])
    if extraction.missing and (product := _product_read(extraction, lookups or tools, messages)) is not None:
        return Turn(calls=[product])
    # The record the person calls theirs is found first; what else they name is looked up once it is known.
    if extraction.missing and (own := _own_record(tool, extraction, lookups or tools, messages, replies)):
        return own
    if extraction.unseen and (lookup := _lookup(extraction.unseen, lookups or tools, messages)) is not None:
        memory = remember(messages)
        args = {f.name: memory.recall(f.name, "customer") for f in lookup.required}
        if all(args.values()):  # whose records they are is known (a record read before names its customer)
            return Turn(calls=[(lookup.name, args)])
    if extraction.missing and (titled := _titled_record(tool, extraction, lookups or tools, messages, replies)):
        return titled
    if extraction.missing and (saved := _saved_address(tool, extraction, lookups or tools, messages, replies)):
        return saved
    if extraction.missing or extraction.problems:
        return Turn(questions.clarify(tool, extraction, remember(messages)))
    return Turn(calls=[(tool.name, extraction.args)])


def _variants_reader(tools: list[ToolView]) -> tuple[ToolView, FieldSpec] | None:
    """A reading tool listing a product's variants with their options, and its field taking the product."""
    for tool in tools:
        product = next((f for f in tool.fields if kind_of(f) == "item" and "product" in f.words), None)
        if not tool.mutates and product is not None and {"item_id", "options"} <= {r.name for r in tool.records}:
            return tool, product
    return None


def _variants_read(tool: ToolView, extraction: Extraction, tools: list[ToolView],
                   messages: list[BaseMessage]) -> tuple[str, dict[str, Any]] | None:
    """A write replacing order lines named the replacements by their options ("the 43-46 size, still grey"), not by
    id: read the variants of a line's product this conversation has not listed yet."""
    new = next((f for f in extraction.missing if f.name.startswith("new_") and kind_of(f) == "item_list"), None)
    old = next((f for f in tool.fields if kind_of(f) == "item_list" and not f.name.startswith("new_")), None)
    reader = _variants_reader(tools)
    if new is None or old is None or reader is None or not extraction.args.get(old.name):
        return None
    memory = remember(messages)
    listed = {v.get("product_id") for v in memory.variants}
    lines = [line for line in memory.items if line["item_id"] in extraction.args[old.name]]
    product = next((line.get("product_id") for line in lines if line.get("product_id") not in listed), None)
    return None if product is None else (reader[0].name, {reader[1].name: product})


def _product_read(extraction: Extraction, tools: list[ToolView],
                  messages: list[BaseMessage]) -> tuple[str, dict[str, Any]] | None:
    """A write names its product in words ("take 3 of the small sea salt candles off the books"): list that
    product's variants first, once, so the write takes a real item and its confirmation shows which."""
    reader = _variants_reader(tools)
    if not extraction.named_product or reader is None:
        return None
    call = (reader[0].name, {reader[1].name: extraction.named_product})
    made = [(c["name"], c["args"]) for m in messages if isinstance(m, AIMessage) for c in m.tool_calls]
    return None if call in made else call


def _allowed_instead(tool: ToolView, extraction: Extraction, tools: list[ToolView], messages: list[BaseMessage],
                     embed: Embed | None, today: date) -> tuple[ToolView, Extraction] | None:
    """Another write over the same record that its state allows and that reads about as well for the request:
    "I'd like to swap something I got" about a delivered order is an exchange, not a change of a pending order."""
    record = gates.latest_state(tool.precondition, extraction.args, messages, tools)
    state = None if record is None else str(record.get(tool.precondition.state))
    others = [t for t in tools if t is not tool and t.mutates and t.precondition
              and t.precondition.read == tool.precondition.read and state in t.precondition.allowed]
    if not others:
        return None
    said = _said(messages, _request(messages))
    scores = {t.name: score for score, t in rank(said, [tool, *others], embed)}
    best = max(others, key=lambda t: scores[t.name])
    if scores[best.name] < scores[tool.name] - ALTERNATIVE_MARGIN:
        return None
    return best, extract(best, said, remember(messages), today)


def _own_field(tool: ToolView, extraction: Extraction, said: str, tools: list[ToolView]) -> FieldSpec | None:
    """The record a person calls theirs without its number ("my return", "the tent I ordered", "the order with the
    camp stove", "the stove order"), if any. What a record is for names no one's own ("the order for the customer",
    from staff)."""
    holding = (one := PARTICULAR.search(said)) is not None and one.group(2).lower() in ("with", "containing")
    if not (FIRST_PERSON.search(said) or holding or _named_by_content(said, tools)):
        return None
    return next((f for f in extraction.missing if kind_of(f) in OWN_KINDS), None)


def _listed(messages: list[BaseMessage], field: FieldSpec) -> tuple[str, list[dict]] | None:
    """The newest list of records holding the field among these messages' results, with the tool that listed it."""
    calls = {c["id"]: c["name"] for m in messages if isinstance(m, AIMessage) for c in m.tool_calls}
    for message in reversed(messages):
        if not isinstance(message, ToolMessage) or message.tool_call_id not in calls:
            continue
        for rows in _result_lists(_text(message)) or []:
            if any(isinstance(row, dict) and value_of(row, field) is not None for row in rows):
                return calls[message.tool_call_id], rows
    return None


def _own_record(tool: ToolView, extraction: Extraction, tools: list[ToolView], messages: list[BaseMessage],
                replies: Path) -> Turn | None:
    """A record the person calls theirs without its number: list their records of that kind, then act on the one
    the request's words (or the write's allowed states) single out. None leaves the question to be asked, now
    naming the records listed."""
    current = _request(messages)
    if current is None:
        return None
    chain = _chain(messages, current)
    said = _said(messages, current)
    field = _own_field(tool, extraction, said, tools)
    if field is None or (tool.mutates and ASKS.search(first := _text(messages[chain[0]])) and CONDITION.search(first)):
        return None  # "can I still cancel an order once it's processed?" asks about the rule, not for an order
    since = messages[chain[0]:]
    listed = _listed(since, field)
    if listed is None:
        called = {c["name"] for m in since if isinstance(m, AIMessage) for c in m.tool_calls}
        found = lister(field, tool, said, tools, called)
        return Turn(calls=[found]) if found else None
    by_name = {t.name: t for t in tools}
    own_words = [tool, by_name[listed[0]]] if listed[0] in by_name else [tool]
    known = {s for t in own_words for s in content_stems(" ".join([t.description, *t.examples]))}
    gate = tool.precondition if tool.precondition and field.name in tool.precondition.given else None
    value = single_out(listed[1], field, said, known, gate.allowed if gate else None, gate.state if gate else "")
    if value is None:
        return None
    args = {**extraction.args, field.name: value}
    rest = [f for f in extraction.missing if f is not field]
    return _decide(tool, Extraction(args=args, missing=rest, problems=extraction.problems), tools, messages, replies)


def _titled_record(tool: ToolView, extraction: Extraction, tools: list[ToolView], messages: list[BaseMessage],
                   replies: Path) -> Turn | None:
    """A record named by its title rather than its number ("the shipping rates article", "the late tracking updates
    alert"): list the records of that kind, then act on the one whose title the words between "the" and the
    record's noun fit best. None leaves the question to be asked."""
    current = _request(messages)
    if current is None:
        return None
    since = messages[_chain(messages, current)[0]:]
    said = _said(messages, current)
    for wanted in extraction.missing:
        named = _title_words(wanted, said)
        found = titled_lister(wanted, tool, tools) if named else None
        if found is None:
            continue
        lister_tool, args, key = found
        rows = _listed_by(since, lister_tool.name)
        if rows is None:
            return Turn(calls=[(lister_tool.name, args)])
        rows = [{**row, wanted.name: row[key]} for row in rows if isinstance(row, dict) and row.get(key) is not None]
        # Every word of the title must fit the record: "the knowledge base article" says what an article is, it
        # names none of them.
        title = [w for w in words(named) if len(w) >= 3 and w not in STOPWORDS]
        rows = [row for row in rows if all(any(alike(w, t) for t in row_words(row)) for w in title)]
        value = single_out(rows, wanted, named, set())
        if value is None:
            return None
        taken = Extraction(args={**extraction.args, wanted.name: value},
                           missing=[f for f in extraction.missing if f is not wanted], problems=extraction.problems)
        return _decide(tool, taken, tools, messages, replies)
    return None


def _saved_address(tool: ToolView, extraction: Extraction, tools: list[ToolView], messages: list[BaseMessage],
                   replies: Path) -> Turn | None:
    """An address the person saved, named by a word of it ("ship the backpack to my Milan address", "make the Cours
    Lafayette address my main one"): list their addresses, then fill the write's address from the one those words
    single out. None leaves the question to be asked."""
    parts = [f for f in tool.fields if kind_of(f) == "address_part"]
    current = _request(messages)
    if current is None or not any(f in parts for f in extraction.missing):
        return None
    said = _said(messages, current)
    if not (named := saved_address_words(said)):
        return None
    since = messages[_chain(messages, current)[0]:]
    lacking = next(f for f in parts if f in extraction.missing)
    listed = _listed(since, lacking)
    if listed is None:
        called = {c["name"] for m in since if isinstance(m, AIMessage) for c in m.tool_calls}
        found = lister(lacking, tool, said, _address_listings(tool, tools), called)
        return Turn(calls=[found]) if found else None
    rows = [row for row in listed[1] if isinstance(row, dict)
            and all(any(alike(w, t) for t in row_words({f.name: row.get(f.name) for f in parts})) for w in named)]
    if len(rows) != 1:
        return None
    address = {f.name: rows[0][f.name] for f in parts if isinstance(rows[0].get(f.name), str)}
    taken = Extraction(args={**extraction.args, **address}, missing=[f for f in extraction.missing if f.name not in
                                                                     address], problems=extraction.problems)
    return _decide(tool, taken, tools, messages, replies)


def _address_listings(tool: ToolView, tools: list[ToolView]) -> list[ToolView]:
    """The reading tools whose records are whole addresses of the kind the tool takes."""
    whole = {f.name for f in tool.fields if kind_of(f) == "address_part" and f.required}
    return [t for t in tools if whole and not t.mutates and whole <= {r.name for r in t.records}]


def _title_words(field: FieldSpec, said: str) -> str | None:
    """The words a request names a record of the field's kind by, between "the" and its noun ("late tracking
    updates" of "the late tracking updates alert"), if any."""
    noun = record_noun(field)
    named = re.search(rf"\bthe\s+((?:[\w'-]+\s+){{1,5}}?){re.escape(noun)}s?\b", said, re.I) if noun else None
    return named.group(1).strip() if named else None


def _listed_by(messages: list[BaseMessage], name: str) -> list[dict] | None:
    """The records the newest call to a listing tool among these messages listed, if it was called."""
    calls = {c["id"] for m in messages if isinstance(m, AIMessage) for c in m.tool_calls if c["name"] == name}
    for message in reversed(messages):
        if isinstance(message, ToolMessage) and message.tool_call_id in calls:
            return next((rows for rows in _result_lists(_text(message)) or [] if rows), [])
    return None


def _after_listing(
    messages: list[BaseMessage], tools: list[ToolView], embed: Embed | None, today: date, replies: Path,
    lookups: list[ToolView],
) -> Turn | None:
    """After listing a person's records for a request naming one of them without its number: go on with it. The
    listing may be a lent look-up (`lookups`: a person's orders, for a survey about "my order with the camp stove")."""
    replanned = _replanned(messages, tools, embed, today)
    if replanned is None:
        return None
    call, tool, extraction = replanned
    said = _said(messages, _request(messages))
    field = _own_field(tool, extraction, said, tools)
    found = lister(field, tool, said, lookups, set()) if field is not None else None
    titled = [t for f in extraction.missing if (t := titled_lister(f, tool, lookups))]
    # Or the variants of the product a write names in words (`_product_read`).
    variants = _variants_reader(lookups) if tool.mutates else None
    read = {t[0].name for t in titled} | ({variants[0].name} if variants else set())
    if saved_address_words(said):
        read |= {t.name for t in _address_listings(tool, lookups)}
    if (found is None or found[0] != call["name"]) and call["name"] not in read:
        return None
    return _decide(tool, extraction, tools, messages, replies, lookups)


def _replanned(
    messages: list[BaseMessage], tools: list[ToolView], embed: Embed | None, today: date
) -> tuple[dict, ToolView, Extraction] | None:
    """The one call the model made for the current request, and that request planned again with its result at hand
    (a tool and its arguments; None when the model made several calls, or the plan is a reply)."""
    at = _last_reply(messages)
    current = _request(messages)
    if at is None or current is None or current > at or len(messages[at].tool_calls) != 1:
        return None
    planned = _plan(messages, current, tools, embed, today, forced=False)
    if isinstance(planned, Turn):
        return None
    return messages[at].tool_calls[0], *planned


def _said(messages: list[BaseMessage], current: int) -> str:
    """The request a thread started with and every answer since, as one text."""
    return " ".join(_text(messages[i]) for i in _chain(messages, current))


def _lookup(names: list[str], tools: list[ToolView], messages: list[BaseMessage]) -> ToolView | None:
    """A reading tool that lists the records fields were named by in words ("my visa": the saved payment
    methods), needing nothing but whose records they are, and not already read in this conversation."""
    called = {c["name"] for m in messages if isinstance(m, AIMessage) for c in m.tool_calls}
    for tool in tools:
        described = set(content_stems(tool.description))
        customer = [f for f in tool.fields if kind_of(f) == "customer"]
        # A report that merely mentions such records (revenue "per payment method") lists nobody's.
        if tool.mutates or tool.name in called or not customer or any(f not in customer for f in tool.required):
            continue
        if any(set(content_stems(name.replace("_", " "))) - {"id"} <= described for name in names):
            return tool
    return None


def _search_instead(messages: list[BaseMessage], tools: list[ToolView]) -> Turn | None:
    """A name that found nothing as an exact reference ("the Ergo Split 60") is searched for instead."""
    at = _last_reply(messages)
    if at is None or len(messages[at].tool_calls) != 1 or not _text(messages[-1]).startswith("Error[not_found]"):
        return None
    call = messages[at].tool_calls[0]
    by_name = {t.name: t for t in tools}
    names = [v for v in call["args"].values() if isinstance(v, str) and NAME_LIKE.fullmatch(v)]
    search = next(
        (
            t
            for t in tools
            if not t.mutates
            and t.name != call["name"]
            and t.required
            and all(kind_of(f) == "free_text" and f.name in ("query", "q") for f in t.required)
        ),
        None,
    )
    if not names or search is None or call["name"] not in by_name or by_name[call["name"]].mutates:
        return None
    return Turn(calls=[(search.name, {search.required[0].name: names[0]})])


def _probe_found_nothing(
    messages: list[BaseMessage], tools: list[ToolView], embed: Embed | None, today: date, replies: Path
) -> Turn | None:
    """A search made only to look (the request reads unlike one) that found nothing: the request is declined,
    and the policy library, when at hand, answers it instead."""
    at = _last_reply(messages)
    current = _request(messages)
    own = _choosable(tools)
    searcher = _searcher(own)
    if at is None or current is None or embed is None or searcher is None or len(messages[at].tool_calls) != 1:
        return None
    if messages[at].tool_calls[0]["name"] != searcher.name or _found(_text(messages[-1])):
        return None
    text = _text(messages[current])
    if choose(text, own, embed).confident or meaning(text, own, searcher, embed) >= SEARCH_THRESHOLD:
        return None
    declined = Turn(questions.out_of_scope([t for _, t in rank(text, own, embed)]))
    return _from_library(messages[current], tools, messages, today, replies) or declined


def _one_hit_in_full(messages: list[BaseMessage], tools: list[ToolView], embed: Embed | None) -> Turn | None:
    """A search that found exactly one record is followed by reading that record in full, with the closest reading
    tool whose required fields the hit holds: "which scents does the soy candle come in?" finds the candle, and its
    details show the scents. So is any listing, for a question about where, when or why one thing is: "... where is
    the parcel right now" lists the one parcel out for delivery, and tracking it says where."""
    at = _last_reply(messages)
    current = _request(messages)
    if at is None or current is None or len(messages[at].tool_calls) != 1:
        return None
    by_name = {t.name: t for t in tools}
    listing = by_name.get(messages[at].tool_calls[0]["name"])
    searcher = _searcher(tools)
    about_one = any(ABOUT_ONE.match(c.strip()) for c in ASK_CLAUSES.split(_text(messages[current])))
    if listing is None or not (listing is searcher or (about_one and listing.records and not listing.mutates)):
        return None
    lists = [rows for rows in _result_lists(_text(messages[-1])) or [] if rows]
    if len(lists) != 1 or len(lists[0]) != 1 or not isinstance(hit := lists[0][0], dict):
        return None
    readers = [t for _, t in rank(_text(messages[current]), tools, embed)
               if t is not listing and not t.mutates and t.required
               and all(same_record_value(hit, f) is not None for f in t.required)]
    return Turn(calls=[(readers[0].name, {f.name: same_record_value(hit, f) for f in readers[0].required})]
                ) if readers else None


def _one_domain(tools: list[ToolView]) -> bool:
    """Whether the tools are one specialist's (the router chose it for this request), not a mix of domains."""
    return len({t.agent for t in own_tools(tools) if t.agent}) == 1


def _result_lists(content: str) -> list[list] | None:
    """The lists of a tool result that is a JSON object (its records), or None for any other result."""
    try:
        data = json.loads(content)
    except ValueError:
        return None
    return [v for v in data.values() if isinstance(v, list)] if isinstance(data, dict) else None


def _found(content: str) -> bool:
    """Whether a tool result holds any record (a JSON object with a non-empty list, or an error to explain)."""
    lists = _result_lists(content)
    return lists is None or any(lists)


def _after_precondition(
    messages: list[BaseMessage], tools: list[ToolView], embed: Embed | None, today: date, replies: Path,
    lookups: list[ToolView] | None = None,
) -> Turn | None:
    """After the read a write's precondition asked for: refuse, ask for what the write lacks, or make it."""
    replanned = _replanned(messages, tools, embed, today)
    if replanned is None:
        return None
    call, tool, extraction = replanned
    at = _last_reply(messages)
    result = next((m for m in messages[at + 1 :] if isinstance(m, ToolMessage) and m.tool_call_id == call["id"]), None)
    if result is None or _text(result).startswith("Error"):
        return None
    gate = tool.precondition
    # The saved records a write's words named ("my visa"), read for it: the write goes on with them.
    named = [f.name for f in tool.fields if kind_of(f) == "payment_method"]
    called = next((t for t in lookups or tools if t.name == call["name"]), None)
    if tool.mutates and named and called is not None and _lookup(named, [called], messages[:at]) is called:
        return _decide(tool, extraction, tools, messages, replies, lookups)
    # The variants of the lines a write replaces, read for it: the write goes on with the ids of the options named.
    replaces = any(f.name.startswith("new_") and kind_of(f) == "item_list" for f in tool.fields)
    if tool.mutates and replaces and called is not None and _variants_reader([called]) is not None:
        return _decide(tool, extraction, tools, messages, replies, lookups, understood=(embed, today))
    if gate is None or gate.read != call["name"] or tool.name == call["name"]:
        return None
    if not all(gates.same(call["args"].get(f), extraction.args.get(f)) for f in gate.given):
        return None
    # "..., can I still send it back?" asks whether one may: the read answers it, and a write that asks for no
    # confirmation is not made on a question.
    if not tool.confirm and any(PERMISSION.match(c) for c in ASK_CLAUSES.split(_said(messages, _request(messages)))):
        return None
    return _decide(tool, extraction, tools, messages, replies, lookups, understood=(embed, today))


def _correction(
    messages: list[BaseMessage], current: int, tools: list[ToolView], embed: Embed | None, today: date, replies: Path
) -> Turn | None:
    """'actually make it 3', or a value given in place of a yes: the last call made again with the values the
    message gives in place of the old ones."""
    text = _text(messages[current])
    corrects = bool(CORRECTION.match(text))
    if not corrects and not answered_otherwise(messages[:current]):
        return None
    last = next((m for m in reversed(messages[:current]) if isinstance(m, AIMessage) and m.tool_calls), None)
    by_name = {t.name: t for t in tools}
    if last is None or last.tool_calls[-1]["name"] not in by_name:
        return None
    call = last.tool_calls[-1]
    tool = by_name[call["name"]]
    if tool.precondition and call["name"] == tool.precondition.read:
        return None  # a read made for a write's precondition is not the action being corrected
    earlier = messages[:current]
    if not corrects and (_names_the_same(tool, text, call["args"], earlier, today)
                         or _restates(text, tool, call["args"], earlier, tools)):
        # "it's #W7137149" or "the original payment method" in place of a yes, naming what the action already
        # holds: the same question again.
        return _decide(tool, Extraction(args=dict(call["args"])), tools, messages, replies)
    if not corrects and (choice := choose(text, tools, embed)).confident and choice.tool is not tool:
        return None  # a new request instead of a yes, not a change to the pending one
    # Only what the message itself says: memory only turns its words into ids ("my mastercard"), and a value
    # recalled from memory alone, with no word of the message behind it, is no change.
    memory = remember(earlier)
    said = extract(tool, text, Memory(), today).args
    recalled = extract(tool, "", memory, today).args
    given = {k: v for k, v in extract(tool, text, memory, today).args.items() if k in said or recalled.get(k) != v}
    if corrects:
        # "actually make it 350" is no new summary or key: words kept as free text stay as they were.
        # Nor is a bare value a text of its own ("no, make that 24.90" gives no description).
        kinds = {f.name: kind_of(f) for f in tool.fields}
        given = {k: v for k, v in given.items()
                 if kinds[k] not in FREE_KINDS or (k not in call["args"] and content_stems(mask(str(v))))}
    given = _in_place(tool, call["args"], given, text)
    if not given and not corrects and not ASKS.search(text):
        # A remark in place of a yes that changes nothing and asks for nothing else ("too small for the four of
        # us"): the same question again, so what was nearly done is not lost.
        return _decide(tool, Extraction(args=dict(call["args"])), tools, messages, replies)
    if not given:
        return None
    args = _everywhere(call["args"], given)
    return _decide(tool, Extraction(args=args, missing=[f for f in tool.required if f.name not in args]),
                   tools, messages, replies)


def _names_the_same(tool: ToolView, text: str, args: dict[str, Any], messages: list[BaseMessage], today: date) -> bool:
    """Whether a reply gives, in its own words, only values the pending action already holds ("the original payment
    method" for the method it refunds to). The values are read with what the conversation showed, not with what
    the model itself already put in the action, so only the reply's own words count."""
    shown = remember([m for m in messages if not isinstance(m, AIMessage)])
    unsaid = extract(tool, "", shown, today).args
    said = {k: v for k, v in extract(tool, text, shown, today).args.items() if unsaid.get(k) != v}
    return bool(said) and all(gates.same(args.get(k), v) for k, v in said.items())


def _restates(text: str, tool: ToolView, args: dict[str, Any], messages: list[BaseMessage],
              tools: list[ToolView]) -> bool:
    """Whether a reply to "shall I go ahead?" only names the record the action is about: ids all among its
    arguments, or among the record its precondition read ("the one for order #W8646154" about that order's RMA)."""
    said = OWN_ID.findall(text)
    if not said or len(content_stems(OWN_ID.sub(" ", mask(text)))) > RESTATE_WORDS:
        return False
    record = gates.latest_state(tool.precondition, args, messages, tools) if tool.precondition else None
    known = [*args.values(), *((record or {}).values())]
    return all(any(gates.same(value, id_) for value in known if isinstance(value, str)) for id_ in said)


def _shape(value: Any) -> str:
    """A value's look: PAR-1 and BER-1 look alike (AAA-9), KB-CLICKY-01 does not."""
    return re.sub(r"[A-Za-z]", "A", re.sub(r"\d", "9", str(value)))


def _in_place(tool: ToolView, old: dict[str, Any], given: dict[str, Any], text: str) -> dict[str, Any]:
    """A change's values put where the values they replace were: "make it 3" changes the call's one number, and
    "it was PAR-1" the argument that looked like PAR-1, whichever field reading the words alone would pick."""
    given = dict(given)
    for name, value in list(given.items()):
        if not isinstance(value, str) or name not in old or _shape(old[name]) == _shape(value):
            continue
        alike = [k for k, v in old.items() if k not in given and isinstance(v, str) and _shape(v) == _shape(value)]
        if len(alike) == 1:
            given[alike[0]] = given.pop(name)
    numbers = _numbers_in(old)
    said = NUMBER.findall(text)
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


def _everywhere(old: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
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


def _numbers_in(args: dict[str, Any]) -> list[tuple[tuple, int | float]]:
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


def _lent_when_clear(text: str, tools: list[ToolView], embed: Embed | None) -> list[ToolView]:
    """The tools, without those lent by other agents unless the request clearly asks for one of them."""
    own = own_tools(tools)
    lent = [t for t in tools if t not in own]
    if not lent or len(lent) == len(tools):
        return tools
    ranked = rank(text, tools, embed)
    best_lent = max(s for s, t in ranked if t in lent)
    best_own = max(s for s, t in ranked if t not in lent)
    if best_lent - best_own >= SHARED_LEAD:
        return tools
    # Ahead by less, it still takes a request in words only it uses ("I need a human to sort out my order W1").
    first = ranked[0][1]
    return tools if first in lent and worded_apart(text, tools, first, own) else [t for t in tools if t not in lent]


def _clear_clause(text: str, tools: list[ToolView], embed: Embed | None) -> ToolView | None:
    """The tool the clauses of a request clearly point to when only one clause points clearly anywhere."""
    threshold = EMBED_THRESHOLD if embed is not None else LEXICAL_THRESHOLD
    clauses = [c for c in ASK_CLAUSES.split(text) if content_stems(mask(c))]
    clear = set()
    for clause in clauses if len(clauses) > 1 else []:
        (score, best), (second, _) = rank(clause, tools, embed)[:2]
        if score >= threshold and score - second >= SPLIT_LEAD:
            clear.add(best.name)
    return next(t for t in tools if t.name in clear) if len(clear) == 1 else None


def _wanted(clause: str) -> str | None:
    """The word after the article of a clause that asks for a thing ("person" of "I want a person to review it")."""
    asks = WANTS.match(clause)
    if asks is None or not re.search(r"\ban?\s+$", asks.group(0), re.I):
        return None
    thing = re.match(r"[\w'-]+", clause[asks.end():])
    return thing.group(0) if thing else None


def _library_first(text: str, tools: list[ToolView], embed: Embed | None) -> ToolView | None:
    """The specialist holding the policy library, for a question about how things go that names no record of the
    asker's ("do loyalty points expire?", "do you deliver on saturdays?"), when it reads nearly as well as the best."""
    if not ASKS.search(text) or names_a_record(text) or ASKS_FOR.match(text) or WANTS.match(text):
        return None  # "can you cancel my order if it hasn't shipped?" asks for an action
    # A rule, a condition, or a question put to the shop about what it does ("when do you take the money?") that
    # names nothing a specialist holds ("do you have a rain jacket in medium?" asks the catalogue).
    put_to_shop = (TO_THE_SHOP.search(text) or WHAT_YOU_TAKE.match(text)) and not any(
        names_records(text, tools, t) for t in tools)
    if not (CONDITION.search(text) or RULE.search(text) or put_to_shop):
        return None
    ranked = rank(text, tools, embed)
    library = next(((s, t) for s, t in ranked if t.takes and "question" in t.takes), None)
    if library is None or library[0] < ranked[0][0] - LIBRARY_LEAD:
        return None
    return library[1]


def _acting_instead(text: str, tools: list[ToolView], embed: Embed | None, best: ToolView | None) -> ToolView | None:
    """The specialist that can act, for a request put to the shop to do something for the asker, or a question about
    what happened to the asker's own, that reads most like a question to the policy library ("I just got married!
    could you change the last name on my account to Lambert?" is nearest to "how can I change my name on my
    account?"; "i cancelled the desk mat, did the refund go through?"): the library says how things are done, and
    knows nothing of anyone's records. The specialist must be a likely reading by itself."""
    if best is None or not (best.takes and "question" in best.takes):
        return None
    clauses = [c.strip() for c in ASK_CLAUSES.split(text)]
    if not any(TO_YOU.match(c) or WHAT_HAPPENED.match(c) for c in clauses) or not FIRST_PERSON.search(text) \
            or CONDITION.search(text) or RULE.search(text):
        return None
    acting = next(((s, t) for s, t in rank(text, tools, embed) if t is not best and t.acts), None)
    return acting[1] if acting and _likely(text, tools, acting[1], acting[0], embed) else None


def _thing_asked(clause: str) -> str | None:
    """The thing a clause led by a request asks for: "human" of "can I speak to a human", "manager" of "get me a
    manager"."""
    lead = ASKS_FOR.match(clause)
    found = THING_ASKED.match(clause, lead.end()) if lead else None
    return (found.group(1) or found.group(2)) if found else None


def _asked_by_name(text: str, tools: list[ToolView]) -> ToolView | None:
    """The one specialist whose own words name the thing a clause asks for: "I need a human to sort out my order"
    asks for a person, whatever the order it is about. So does the noun of a record named on an order: "the lamp
    claim on W3321921 checks out" is about a warranty claim, whatever else the order holds."""
    return _named_apart(_asked_things(text) + [m.group(1) for m in RECORD_ON.finditer(text)], tools)


def _asked_things(text: str) -> list[str]:
    """What the request's clauses ask for by name ("person" of "..., put me through to a real person please")."""
    return [thing for c in ASK_CLAUSES.split(text) if (thing := _wanted(c.strip()) or _thing_asked(c.strip()))]


def _named_apart(things: list[str], tools: list[ToolView]) -> ToolView | None:
    """The one tool whose own words, and no other's, name one of the things."""
    named = [t for t in tools for thing in things if worded_apart(thing, tools, t, [o for o in tools if o is not t])]
    return named[0] if len({t.name for t in named}) == 1 else None


def _asked_in_clause(text: str, tools: list[ToolView], embed: Embed | None) -> ToolView | None:
    """A lent tool that one clause of the request asks for in words only it uses: in "my refund never came, I want to
    speak to a manager" the person asks for a manager, and the refund is what the case is about."""
    own = own_tools(tools)
    lent = [t for t in tools if t not in own]
    threshold = EMBED_THRESHOLD if embed is not None else LEXICAL_THRESHOLD
    likely = LIKELY_THRESHOLD if embed is not None else LEXICAL_THRESHOLD
    clauses = [c for c in ASK_CLAUSES.split(text) if c.strip()]
    if not lent:
        return None
    for clause in (c for c in clauses if len(content_stems(mask(c))) >= 2):
        ranked = rank(clause, tools, embed)
        # What a clause asks for by name, in a word only a lent tool uses, is that tool's if it is a likely reading:
        # "I want a person to review it" asks for a person, whatever else the review resembles.
        thing = _wanted(clause)
        if thing and (named := next((t for s, t in ranked if t in lent and s >= likely
                                     and worded_apart(thing, tools, t, own)), None)):
            return named
        if len(clauses) < 2:
            continue  # otherwise a request of one clause is weighed whole (`_lent_when_clear`)
        score, first = ranked[0]
        best_own = max(s for s, t in ranked if t in own)
        # A clause put as a request ("I need someone from billing to call me"), or one as clear as a lent tool
        # must be in a whole request (SHARED_LEAD): "I'm buying a gift for someone" mentions a person, asks for none.
        asks = bool(WANTS.match(clause) or ASKS_FOR.match(clause))
        if first in lent and score >= threshold and (asks or score - best_own >= SHARED_LEAD) and worded_apart(
                clause, tools, first, own):
            return first
    return None


def respond(
    messages: list[BaseMessage],
    tools: list[ToolView],
    *,
    tool_choice: Any = None,
    embed: Embed | None,
    today: date,
    replies: Path,
) -> Turn:
    """The model's turn for the conversation so far."""
    if messages and isinstance(messages[-1], ToolMessage):
        specialist = bool(tools) and not all(t.name.startswith(HANDOFF) for t in tools)
        candidates = _choosable(tools)
        # The request is planned again over the tools its first plan weighed: a tool lent by another agent only
        # when the request clearly asks for it, though a write may still read with one (a product's variants).
        current = _request(messages)
        planning = candidates if current is None else _lent_when_clear(_text(messages[current]), candidates, embed)
        follow = specialist and (
            _after_precondition(messages, planning, embed, today, replies, lookups=tools)
            or _after_listing(messages, planning, embed, today, replies, lookups=tools)
            or _search_instead(messages, candidates)
            or _probe_found_nothing(messages, tools, embed, today, replies)
            or _one_hit_in_full(messages, candidates, embed)
        )
        if follow:
            return follow
        return _answer_results(messages, {t.name: t for t in tools}, replies)
    current = _request(messages)
    if current is None:
        return Turn("Hello! How can I help you today?")
    forced = tool_choice not in (None, "auto", "none", False)
    polite = questions.small_talk(_text(messages[current]))
    if polite and not forced:
        return Turn(polite)
    if not tools or tool_choice in ("none", False):
        return Turn(polite or questions.NO_TOOLS)
    bound = _restrict(tools, tool_choice)
    if not forced and not all(t.name.startswith(HANDOFF) for t in tools) and _bare_answer(_text(messages[current])):
        # A yes or no reaches us only when no action waits for one (a pending action takes it first): it answers
        # none of our question's details, so the question stands ("we have a new colleague" / "yes").
        asked = _last_words(messages, current)
        offered = ONE_CHOICE.search(asked)
        if not (offered and AFFIRMATIVE.match(_text(messages[current]))):
            return Turn(asked if asked.endswith("?") else questions.NOTHING_PENDING)
        # A yes to a question that offered one choice takes it ("the payment method to use (credit_card_1 (original
        # payment))" / "yes").
        messages = [*messages[:current], HumanMessage(offered.group(1)), *messages[current + 1 :]]
    candidates = _choosable(bound)
    ours = _text(messages[current])
    if isinstance(messages[-1], AIMessage):
        # Another specialist answered part of the request: only our part is ours to weigh.
        ours = _our_part(ours, candidates, embed)
    if not forced and (asked := _asked_in_clause(ours, candidates, embed)) is not None:
        memory = remember(messages[:current] + messages[current + 1 :])
        return _decide(asked, extract(asked, _text(messages[current]), memory, today), candidates, messages, replies,
                       lookups=bound)
    tools = _lent_when_clear(_text(messages[current]), candidates, embed)
    if not all(t.name.startswith(HANDOFF) for t in tools) and (fixed := _correction(
        messages, current, tools, embed, today, replies
    )):
        return fixed
    planned = _plan(messages, current, tools, embed, today, forced)
    if isinstance(planned, Turn) and not planned.declined:
        return planned
    if isinstance(planned, Turn):
        return _from_library(messages[current], bound, messages, today, replies) or planned
    tool, extraction = planned
    said = _said(messages, current)
    if tool.confirm and not forced and (HYPOTHETICAL.search(said) or not worded_for(said, tools, tool)):
        declined = Turn(questions.out_of_scope([t for t in tools if t is not tool and not t.mutates]))
        return _from_library(messages[current], bound, messages, today, replies) or declined
    if not forced and about_rules(said, tool, extraction) and not _particular(said, tools) and (
            library := _from_library(messages[current], bound, messages, today, replies)):
        return library
    return _decide(tool, extraction, tools, messages, replies, lookups=bound, understood=(embed, today))


def _particular(said: str, tools: list[ToolView]) -> bool:
    """Whether the request speaks of one record by what it holds ("why is the order with the camp stove held
    up?", "why hasn't the stove order moved?", "when will my socks get here?"): a question about that record, not
    about how things go. What it holds is a word no tool uses, beside the record's noun or after "my"."""
    one = PARTICULAR.search(said)
    return (one is not None and one.group(1).lower() in acted_on(tools)) or _named_by_content(said, tools)


def _named_by_content(said: str, tools: list[ToolView]) -> bool:
    """Whether one record is named by what it holds before its noun: "the stove order", "my laptop stand return"."""
    said_words = words(mask(said))
    things = _things(said, tools)
    records = {stem(r) for r in acted_on(tools)}
    return any(the in DETERMINERS and a in things and stem(b) in records
               for the, a, b in zip(said_words, said_words[1:], said_words[2:], strict=False))


def _things(said: str, tools: list[ToolView]) -> set[str]:
    """The request's words naming something no tool's texts speak of (a product, most often)."""
    known = set_index(tools).known
    return {w for w in words(mask(said))
            if len(w) >= 3 and w.isalpha() and w not in STOPWORDS and stem(w) not in known}


def _serving(text: str, tools: list[ToolView], embed: Embed | None, choice: Choice, mine: bool = False) -> Choice:
    """The router's choice when its best reading is a specialist that cannot act for this caller: a specialist that
    can and reads nearly as well ("I want to leave a review" is a survey, not the staff's fraud review queue). About
    the caller's own records (`mine`: "why is my order held up?"), any likely reading that can serve them will do:
    the other specialist could only say it is not theirs to do."""
    ranked = rank(text, tools, embed)
    best = next(((score, tool) for score, tool in ranked if tool.serves), None)
    likely = LIKELY_THRESHOLD if embed is not None else LEXICAL_THRESHOLD
    if best is None or best[0] < ranked[0][0] - SERVING_LEAD and not (mine and best[0] >= likely):
        return choice
    threshold = EMBED_THRESHOLD if embed is not None else LEXICAL_THRESHOLD
    return Choice(best[1], best[0], best[0] >= threshold or _likely(text, tools, best[1], best[0], embed))


def _likely(text: str, tools: list[ToolView], tool: ToolView, score: float, embed: Embed | None) -> bool:
    """Whether a request worded unlike any example is probably the tool's: close enough, in meaning too."""
    return embed is not None and score >= LIKELY_THRESHOLD and meaning(text, tools, tool, embed) >= LIKELY_THRESHOLD


def _bare_answer(text: str) -> bool:
    """A plain yes or no ("yes", "no thanks", "ok"), with nothing else in it."""
    opening = AFFIRMATIVE.match(text) or NEGATIVE.match(text)
    return read_answer(text) != "other" and bool(opening) and not content_stems(mask(text[opening.end() :]))


def _choosable(tools: list[ToolView]) -> list[ToolView]:
    """The tools a request may be given to: without a policy library another agent lends, which never competes with
    the specialist's own tools ("has my tent been sent yet?" is the order's business) and answers only what they
    decline, nor a tool lent only to read with for the specialist's writes (a product's variants)."""
    own = own_tools(tools)
    return [t for t in tools if t in own or (not t.lookup and _answerer([t]) is None)]


def _from_library(request: BaseMessage, tools: list[ToolView], messages: list[BaseMessage], today: date,
                  replies: Path) -> Turn | None:
    """A request no tool of the specialist fits goes to the shop's policy library when it is at hand: "I forgot
    my password" reached the accounts specialist, and the library says what to do (or that it has no answer)."""
    library = _answerer(tools)
    if library is None:
        return None
    return _decide(library, extract(library, _text(request), Memory(), today), tools, messages, replies)
