"""One turn of the local model: answer tool results, or pick a tool and fill its arguments, or ask, or decline."""


import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from graph.confirm import AFFIRMATIVE, CORRECTION, FOR_ANOTHER, NEGATIVE, answered_otherwise, read_answer
from graph.models.local import gates, questions
from graph.models.local.addresses import saved_address_words
from graph.models.local.corrections import (
    everywhere,
    in_place,
    names_the_same,
    old_named,
    part_swapped,
    restates_pending,
    without_old,
)
from graph.models.local.dates import days_of_month
from graph.models.local.entities import mask
from graph.models.local.extract import ORDINAL, Extraction, extract
from graph.models.local.fit import (
    FIT_CANDIDATES,
    QUESTION,
    best_fit,
    filled_first,
    onward_first,
    ordered_first,
    title_words,
)
from graph.models.local.freetext import QUERY_NAMES
from graph.models.local.history import (
    FREE_KINDS,
    answers_question,
    asked_before,
    asked_tool,
    chain_of,
    found_any,
    last_reply,
    last_words,
    listed_by,
    listed_in,
    request_at,
    result_lists,
    said_in,
    text_of,
    texts_asked,
)
from graph.models.local.ids import FIRST_PERSON
from graph.models.local.kinds import REFERENCE_KINDS, kind_of
from graph.models.local.memory import Memory, remember
from graph.models.local.policy import ASKS, CONDITION, PERMISSION, RULE, about_rules, put_to_us
from graph.models.local.reading import (
    ASK_CLAUSES,
    HANDOFF,
    LABEL,
    PARTICULAR,
    POLITE_COMMAND,
    WANTS,
    about_words,
    acting_instead,
    asked_by_name,
    asked_in_clause,
    asked_things,
    asking_part,
    clear_clause,
    handoffs_for,
    holds_library,
    is_likely,
    lent_when_clear,
    library_first,
    named_apart,
    named_by_content,
    names_particular,
    only_tells,
    our_part,
    serving,
    story_then_ask,
    things_named,
)
from graph.models.local.records import (
    ONESELF,
    OWN_KINDS,
    lister,
    record_noun,
    row_words,
    same_record_value,
    single_out,
    titled_lister,
)
from graph.models.local.reply import answer
from graph.models.local.schema import FieldSpec
from graph.models.local.similarity import (
    CLOSE_READINGS,
    EMBED_THRESHOLD,
    LEXICAL_THRESHOLD,
    LIKELY_THRESHOLD,
    Embed,
    acted_on,
    action_words,
    alike,
    choose,
    meaning,
    names_records,
    numbered_by_format,
    rank,
    record_penalty,
    referenced,
    worded_apart,
    worded_for,
)
from graph.models.local.text import SENTENCE_BREAK, STOPWORDS, content_stems, stem, words
from graph.models.local.toolview import ToolView, own_tools
from graph.models.local.values import person_spoken_of

# The choice a reason or kind offers for what its other choices do not name.
OTHER = "other"

# A write the record's state forbids gives way to one it allows that scores at most this much lower.
ALTERNATIVE_MARGIN = 0.1

# A product or record named in words (not an id or a code): worth searching for when it matched nothing exactly.
NAME_LIKE = re.compile(r"[A-Za-zÀ-ÿ][\w'À-ÿ-]*(?:\s+[\w'À-ÿ-]+){1,5}")

# Asking what would follow from an action ("what happens to my orders if I delete my account?") is asking
# about it, never asking for it.
HYPOTHETICAL = re.compile(r"\bwhat(?:'s| is| would| will)? (?:happens?|happen|if)\b|\bwhat if\b", re.I)

# A question about where, when or why one thing is: "where is the parcel right now", "when will it come?".
ABOUT_ONE = re.compile(r"^(?:where|when|why)\b", re.I)

# The asker's own: "my order", "mine".
OWNED = re.compile(r"\b(?:my|mine)\b", re.I)

# A question of how a thing is done ("how do I report a fraudulent charge on my card?") asks for the procedure.
MANNER = re.compile(r"^\s*how\s+(?:do|does|can|could|should|would)\b", re.I)

# Our question for one detail that offered a single choice: "... I need the payment method to use (credit_card_1
# (original payment)). What is it?"
ONE_CHOICE = re.compile(r"\((?:yours: )?([^\s(),]+)(?: \([^()]*\))?\)\. What is it\?$")

# How close in meaning to a search a request nothing else fits must be for the search to take it: loose
# catalogue requests ("anything from Hearth?" 0.29, "do u have the daypack in orange" 0.31) against unrelated ones
# ("tell me a joke" 0.24, "book me a flight to London" 0.22) reaching a specialist with a search tool.
SEARCH_THRESHOLD = 0.27

# Records a request names by an id of their own shape (a product named in words is searched for instead).
NAMED_RECORDS = REFERENCE_KINDS - {"item", "item_list"}

# A record left unnamed: "one of my orders" (and what follows it, which may yet say which).
ONE_OF = re.compile(r"\bone of (?:my|our|the|his|her|their) (\w+?)s\b([^.?!]*)", re.I)
# Other words people call a record by ("my purchases": orders), and a clause saying what a record is for.
RECORD_WORDS = {"order": ("purchase",)}
WHAT_FOR = re.compile(r"^\s*,?\s*(?:for|so|because|as)\b", re.I)

# A sentence introducing the writer ("Hi, I'm Daiki Silva." / "I am Ada, the shop's admin, writing from my
# customer account.") says who asks, not what for: the router reads the sentences after it.
INTRODUCTION = re.compile(
    r"^\s*(?:(?:hi|hello|hey|dear \w+)[,!.]?\s+)?(?:i am|i'm|im|this is|my name is)\s+"
    r"(?-i:[A-Z])[^.!?\n]*[.!?\n]\s*",  # a name, in capitals: "I'm working in Barcelona ..." introduces no one
    re.I,
)


@dataclass
class Turn:
    """What the model says: text, or tool calls as (name, args) pairs."""

    content: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    declined: bool = False  # no tool here fits the request


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
        texts.append(answer(name, description, call.get("args", {}), text_of(result), replies))
    return Turn("\n\n".join(t for t in texts if t))


def _restrict(tools: list[ToolView], tool_choice: Any) -> list[ToolView]:
    """The tools a tool_choice naming one tool ("name" or {"function": {"name"}}) leaves."""
    if not isinstance(tool_choice, (str, dict)) or tool_choice in ("any", "required", "auto", "none"):
        return tools
    name = tool_choice if isinstance(tool_choice, str) else tool_choice.get("function", tool_choice).get("name")
    return [t for t in tools if t.name == name] or tools


def _understand(messages: list[BaseMessage], current: int, tools: list[ToolView], embed: Embed | None, today: date):
    """The request text to act on, the tool it is closest to, and the tool our question was for (if any)."""
    text = text_of(messages[current])
    if all(t.name.startswith(HANDOFF) for t in tools) and len(content_stems(rest := INTRODUCTION.sub("", text))) >= 3:
        text = rest
    if isinstance(messages[-1], AIMessage):
        # Another specialist already answered part of this request: take the part that is ours.
        text = our_part(text, tools, embed)
    choice = choose(asking_part(text, tools, embed), tools, embed)
    chain = chain_of(messages, current)
    follows = not choice.confident or len(content_stems(mask(text))) < 3 or CORRECTION.match(text)
    if len(chain) > 1 and (follows or answers_question(messages, chain, tools, today)):
        # An answer to our question ("#W2611340", "by mistake") continues the request that raised it, and so do
        # the answers and corrections before it: all of them, in order, ahead of the request itself.
        text = ", ".join(text_of(messages[i]) for i in chain[1:]) + f"\n{text_of(messages[chain[0]])}"
        return text, choose(text, tools, embed), asked_tool(messages, current, tools)
    return text, choice, None


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
    particular = names_particular(text, tools)
    mine = (FIRST_PERSON.search(text) or particular) and plain
    if handoffs and choice.tool is not None and not choice.tool.serves and not forced and (
            not ASKS.search(text) or mine):
        # A record of the asker's own ("my order", "the order with the camp stove"), asked about, not how to do a
        # thing: whoever can read it.
        owned = (OWNED.search(text) or particular) and plain and not MANNER.match(text)
        choice = serving(text, tools, embed, choice, mine=bool(owned))
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
            # Likewise what another specialist does ("we agreed on a goodwill refund for the scratched bottles").
            said = {w.lower() for w in re.findall(r"[\w'-]+", text)}
            kinds, formats = referenced(text), numbered_by_format(text, tools)
            holding = [t for _, t in ranked if t not in named and (
                said & action_words([t]) - action_words(named[:1])
                or record_penalty(named[0], kinds, formats) > record_penalty(t, kinds, formats))]
            return Turn(calls=[((holding or named)[0].name, {})])
    if not (choice.confident or forced or asked) and (clear := clear_clause(text, tools, embed)) and (
            handoffs or clear.mutates):
        # Said with other words around it ("the chair I got is broken and nobody helps, escalate this please"; "some
        # feedback on the order...: it turned up late but works fine. I'd give it 4 out of 5"): the one clause that
        # is clearly somebody's job, or a write's (a specialist's reads have their own ways to find what is asked).
        return Turn(calls=[(clear.name, {})]) if handoffs else (clear, extract(clear, text, memory, today))
    if not (choice.confident or forced or asked) and handoffs and embed is not None and worded:
        (best_score, best), (second_score, second) = (rank(text, tools, embed) + [(0.0, choice.tool)])[:2]
        if is_likely(text, tools, best, best_score, embed):
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
    named = None if choice.confident or forced or asked or handoffs else named_apart(asked_things(text), tools)
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
        if not handoffs and (commanded := _commanded(text, tools, embed, memory, today)) is not None:
            return commanded
        if not handoffs and (listed := _anything_listed(text, tools, embed, memory, today)) is not None:
            return listed
        # A request naming a record ("when will my oder W5794363 arive") that nothing fits reads that record.
        if not handoffs and (reader := _reader(text, tools, embed, memory, today)) is not None:
            return reader
        # Likewise a tool that searches by words takes a request naming something nothing else fits: one that
        # reads like a search ("got any coffee mugs?"), or one the router sent here that may name what the search
        # knows and the model does not ("does the camping stove run on gas?"). The search is only a look: when it
        # finds nothing for a request unlike a search, the request is declined (`_probe_found_nothing`). A model
        # holding several domains' tools was chosen by no router: it looks only for requests that read like a search.
        if not handoffs and (ordered := ordered_first(text, tools, embed, memory, today)):
            return ordered
        if not handoffs and (onward := onward_first(text, tools, embed, memory, today)):
            return onward
        searcher = None if handoffs or embed is None else _searcher(tools)
        if searcher is not None and (_one_domain(tools) or meaning(text, tools, searcher, embed) >= SEARCH_THRESHOLD):
            found = extract(searcher, text, memory, today)
            if not found.missing and not found.problems:
                return searcher, found
        if not handoffs and not QUESTION.match(text) and (filled := filled_first(text, tools, embed, memory, today)):
            return filled
        ranked = rank(text, tools, embed)
        library = next((t for t in tools if holds_library(t) and t.serves), None) if handoffs else None
        if library and ASKS.search(text) and embed is not None and ranked[0][0] >= LIKELY_THRESHOLD:
            # A question about the shop's work that no specialist fits ("the pallets came crushed and the driver wants
            # a signature, what am I supposed to do?") is put to the policy library, which says itself when it has no
            # answer; one far from all of it ("what's the weather in Paris?") is declined with what we can do.
            return Turn(calls=[(library.name, {})])
        return Turn(questions.out_of_scope([t for _, t in ranked]), declined=not handoffs)
    if handoffs:
        threshold = EMBED_THRESHOLD if embed is not None else LEXICAL_THRESHOLD
        by_name = {t.name: t for t in tools}
        instead = acting_instead(text, tools, embed, choice.tool)
        first = asked_by_name(text, tools) or library_first(text, tools, embed) or instead or choice.tool
        names = handoffs_for(asking_part(text, tools, embed), tools, embed, first, threshold)
        if first is instead:
            # The policy library the request read most like was passed over for the one that acts: not asked too.
            names = [n for n in names if n != choice.tool.name]
        return Turn(calls=[(n, extract(by_name[n], text, memory, today).args) for n in names])
    asking = asking_part(text, tools, embed)
    tool, extraction = best_fit(text, rank(asking, tools, embed), memory, today, asking)
    if tool is _searcher(tools) and ASKS.search(text) and (answerer := _answerer(tools)) is not None:
        # A question over the same documents is answered, not searched ("how long does a refund take?").
        return answerer, extract(answerer, text, memory, today)
    if asked is not None and asked is not tool:
        # The answer to our question goes to the tool that asked, unless it supplies nothing for it.
        # Compared with what was known when we asked: a record read since (for the write's precondition) would
        # fill both alike and hide what the answer gave.
        known = remember(messages[:current])
        again = extract(asked, text, known, today)
        before = extract(asked, text_of(messages[asked_before(messages, current)]), known, today)
        # "it's order W7075964" after we found that order and asked for the reason: a restatement, still ours.
        stated = extract(asked, text_of(messages[current]), Memory(), today).args
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
    chain = chain_of(messages, current)
    earlier = ", ".join(text_of(messages[i]) for i in chain[1:-1]) + f"\n{text_of(messages[chain[0]])}"
    # What our question asked for, as it was then: a record read since would seem to have answered part of it.
    wanted = extract(tool, earlier, remember(messages[:current]), today).missing
    # A text our question named is wanted even when the thread's words seemed to fill it ("the description").
    wanted += [f for f in texts_asked(tool, last_words(messages, current)) if f not in wanted]
    free = [f for f in wanted if kind_of(f) in FREE_KINDS]
    said = text_of(messages[current])
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
    if not (FIRST_PERSON.search(text) or names_particular(text, tools)) or not things_named(text, tools):
        return None
    for _, tool in rank(text, tools, embed)[:FIT_CANDIDATES]:
        if tool.mutates:
            continue
        extraction = extract(tool, text, memory, today)
        field = _own_field(tool, extraction, text, tools)
        if field is not None and lister(field, tool, text, tools, set()) is not None:
            return tool, extraction
    return None


def _commanded(
    text: str, tools: list[ToolView], embed: Embed | None, memory: Memory, today: date
) -> tuple[ToolView, Extraction] | None:
    """The closest tool, when it is a write the request's last clause asks done in a word only it uses ("... found
    2 more units where the dimmer doesn't respond. can you log them"): the story names the record, the command
    the job, though too few words for the whole to read clearly."""
    clause = [c for c in ASK_CLAUSES.split(text.strip()) if c.strip()][-1]
    if not POLITE_COMMAND.match(clause):
        return None
    best = rank(text, tools, embed)[0][1]
    if not best.mutates or not worded_apart(clause, tools, best, [t for t in tools if t.mutates and t is not best]):
        return None
    return best, extract(best, text, memory, today)


# "Is anything flagged on the system side?", "are there any returns waiting?", "anything new from the buyers?"
ANYTHING = re.compile(r"^\s*(?:(?:is|are)\s+there\s+any|(?:is|are)\s+(?:anything|any)\b|any(?:thing)?\b)", re.I)
# How many of the closest readings a question whether anything is so may be put to.
ANYTHING_CANDIDATES = 3


def _anything_listed(
    text: str, tools: list[ToolView], embed: Embed | None, memory: Memory, today: date
) -> tuple[ToolView, Extraction] | None:
    """The closest reading that needs nothing more, for a question whether anything is so: a listing answers it
    when nothing fits clearly ("Is anything flashing red on the system side?" is no question for the library)."""
    question = next((s for s in SENTENCE_BREAK.split(text.strip()) if ANYTHING.match(s)), None)
    if question is None:
        return None
    for _, tool in rank(question, tools, embed)[:ANYTHING_CANDIDATES]:
        found = extract(tool, text, memory, today)
        if not tool.mutates and tool.records and not found.missing and not found.problems:
            return tool, found
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
            replies: Path, lookups: list[ToolView] | None = None, understood: tuple[Embed, date] | None = None,
            today: date | None = None) -> Turn:
    """The write's precondition first (read the record, or say why it cannot be done), then ask or act.

    `understood` (the embedder and today), when given, lets a write the record's state forbids give way to a close
    reading of the request that the state allows. `today` tells a record of theirs by when it was made ("the DAC I
    bought last week")."""
    today = today or (understood[1] if understood else None)
    refused, read = gates.first_step(tool, extraction.args, messages, tools, replies)
    if refused and understood and (instead := _allowed_instead(tool, extraction, tools, messages, *understood)):
        return _decide(*instead, tools, messages, replies, lookups, today=today)
    if refused:
        return Turn(refused)
    if read is not None:
        return Turn(calls=[read])
    if (variants := _variants_read(tool, extraction, lookups or tools, messages)) is not None:
        return Turn(calls=[variants])
    if extraction.missing and (product := _product_read(extraction, lookups or tools, messages)) is not None:
        return Turn(calls=[product])
    # The record the person calls theirs is found first; what else they name is looked up once it is known.
    if extraction.missing and (own := _own_record(tool, extraction, lookups or tools, messages, replies, today)):
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
    extraction = _why_told_before(extraction, messages)
    if extraction.missing or extraction.problems:
        current = request_at(messages)
        said = said_in(messages, current) if current is not None else ""
        return Turn(questions.clarify(tool, extraction, remember(messages), said))
    return Turn(calls=[(tool.name, extraction.args)])


# A field that takes why a write is made ("Why it is released (for the audit trail)").
WHY = re.compile(r"\b(?:why|reason)\b", re.I)
# Content words a message must have to tell why.
TOLD_WORDS = 6


def _why_told_before(extraction: Extraction, messages: list[BaseMessage]) -> Extraction:
    """The extraction with why the write is made taken from what the person told earlier in the conversation, when
    that is all it lacks: "I just had Tom Miller on the phone ... the other delivery address is his mum's, it's a
    christmas present" says why "ok, release it" releases his order."""
    why = [f for f in extraction.missing if kind_of(f) == "free_text" and WHY.search(f.description)]
    current = request_at(messages)
    if not why or len(why) != len(extraction.missing) or extraction.problems or current is None:
        return extraction
    told = next((text for m in reversed(messages[:current]) if isinstance(m, HumanMessage)
                 and only_tells(text := text_of(m)) and len(content_stems(text)) >= TOLD_WORDS), None)
    if told is None:
        return extraction
    return replace(extraction, args={**extraction.args, **{f.name: told for f in why}}, missing=[])


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
    "I'd like to swap something I got" about a delivered order is an exchange, not a change of a pending order.
    After a story, one the sentence that asks names before any other tool is it: "the stand that came back on RMA-1
    has been checked, it's defective. please settle it" tells of a parcel received, and asks for the return to be
    settled (a return still only requested is not withdrawn instead)."""
    record = gates.latest_state(tool.precondition, extraction.args, messages, tools)
    state = None if record is None else str(record.get(tool.precondition.state))
    others = [t for t in tools if t is not tool and t.mutates and t.precondition
              and t.precondition.read == tool.precondition.read and state in t.precondition.allowed]
    if not others:
        return None
    said = said_in(messages, request_at(messages))
    # A short ask says enough here ("please settle it with the customer"): the record's state narrowed the writes.
    if (ask := story_then_ask(said, least=2)) and (named := rank(ask, tools, embed)[0][1]) in others:
        return named, extract(named, said, remember(messages), today)
    if ask and named is tool:
        return None  # the sentence that asks names this very write ("... can you settle that return?"): no other
    scores = {t.name: score for score, t in rank(said, [tool, *others], embed)}
    best = max(others, key=lambda t: scores[t.name])
    if scores[best.name] < scores[tool.name] - ALTERNATIVE_MARGIN:
        return None
    return best, extract(best, said, remember(messages), today)


def _own_field(tool: ToolView, extraction: Extraction, said: str, tools: list[ToolView]) -> FieldSpec | None:
    """The record a person calls theirs without its number ("my return", "the tent I ordered", "the order with the
    camp stove", "the stove order"), or someone's the speaker names ("Luca Jansen phoned about his order"). What a
    record is for names no one's own ("the order for the customer", from staff)."""
    holding = (one := PARTICULAR.search(said)) is not None and (one.group(2) or "").lower() in ("with", "containing")
    if not (FIRST_PERSON.search(said) or holding or named_by_content(said, tools) or person_spoken_of(said)):
        return None
    return next((f for f in extraction.missing if kind_of(f) in OWN_KINDS), None)


def _own_record(tool: ToolView, extraction: Extraction, tools: list[ToolView], messages: list[BaseMessage],
                replies: Path, today: date | None = None) -> Turn | None:
    """A record the person calls theirs without its number: list their records of that kind, then act on the one
    the request's words (or the write's allowed states) single out. None leaves the question to be asked, now
    naming the records listed."""
    current = request_at(messages)
    if current is None:
        return None
    chain = chain_of(messages, current)
    said = said_in(messages, current)
    field = _own_field(tool, extraction, said, tools)
    first = text_of(messages[chain[0]])
    if field is None or (tool.mutates and ASKS.search(first) and CONDITION.search(first) and not put_to_us(first)):
        return None  # "can I still cancel an order once it's processed?" asks about the rule, not for an order
    since = messages[chain[0]:]
    listed = listed_in(since, field)
    if listed is None:
        called = {c["name"] for m in since if isinstance(m, AIMessage) for c in m.tool_calls}
        found = lister(field, tool, said, tools, called)
        return Turn(calls=[found]) if found else None
    if len(chain) == 1 and _one_of_theirs(said, field):
        return None  # "an invoice for one of my orders": which one is theirs to say, asked with the ones listed
    by_name = {t.name: t for t in tools}
    own_words = [tool, by_name[listed[0]]] if listed[0] in by_name else [tool]
    known = {s for t in own_words for s in content_stems(" ".join([t.description, *t.examples]))}
    gate = tool.precondition if tool.precondition and field.name in tool.precondition.given else None
    value = single_out(listed[1], field, said, known, gate.allowed if gate else None, gate.state if gate else "",
                       today=today, purpose=tool.description if tool.mutates else "")
    if value is None:
        return None
    args = {**extraction.args, field.name: value}
    rest = [f for f in extraction.missing if f is not field]
    return _decide(tool, Extraction(args=args, missing=rest, problems=extraction.problems), tools, messages, replies,
                   today=today)


def _one_of_theirs(said: str, field: FieldSpec) -> bool:
    """Whether the request leaves its record unnamed on purpose: "one of my orders" ("purchases"), nothing said
    after it but what for ("..., for my tax return")."""
    one = ONE_OF.search(said)
    noun = stem(record_noun(field))
    return one is not None and stem(one.group(1)) in {noun, *map(stem, RECORD_WORDS.get(noun, ()))} and (
        not one.group(2).strip() or bool(WHAT_FOR.match(one.group(2))))


def _titled_record(tool: ToolView, extraction: Extraction, tools: list[ToolView], messages: list[BaseMessage],
                   replies: Path) -> Turn | None:
    """A record named by its title rather than its number ("the shipping rates article", "the late tracking updates
    alert"): list the records of that kind, then act on the one whose title the words between "the" and the
    record's noun fit best. None leaves the question to be asked."""
    current = request_at(messages)
    if current is None:
        return None
    since = messages[chain_of(messages, current)[0]:]
    said = said_in(messages, current)
    # Or by the day it is about ("the orders alert for the 1st of December"), when its records carry one.
    dated = bool(days_of_month(said))
    for wanted in extraction.missing:
        # Named by its title, every word of it; or as "the one about ...", by the words it shares with one record.
        named = title_words(wanted, said)
        about = None if named else about_words(said)
        found = titled_lister(wanted, tool, tools, dated) if named or about or dated else None
        if found is None:
            continue
        lister_tool, args, key = found
        rows = listed_by(since, lister_tool.name)
        if rows is None:
            return Turn(calls=[(lister_tool.name, args)])
        rows = [{**row, wanted.name: row[key]} for row in rows if isinstance(row, dict) and row.get(key) is not None]
        # Every word of the title must fit the record: "the knowledge base article" says what an article is, it
        # names none of them.
        title = [w for w in words(named or about or "") if len(w) >= 3 and w not in STOPWORDS]
        fits = all if named else any
        rows = [row for row in rows if not title or fits(any(alike(w, t) for t in row_words(row)) for w in title)]
        value = single_out(rows, wanted, said if dated else named or about, set())
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
    current = request_at(messages)
    if current is None or not any(f in parts for f in extraction.missing):
        return None
    said = said_in(messages, current)
    if not (named := saved_address_words(said)):
        return None
    since = messages[chain_of(messages, current)[0]:]
    lacking = next(f for f in parts if f in extraction.missing)
    listed = listed_in(since, lacking)
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


# Asking whether a thing may be done: "can the other two go back?", "could it be sent to my office instead?".
MAY_IT = re.compile(r"^\s*(?:can|could|may)\s+(?!you\s+tell\b)\w", re.I)

# Asking how to do a thing oneself: "how do I send the extra one back?", "how can we return it?".
HOW_DO_I = re.compile(r"(?:^|[.!?,]\s*)how\s+(?:do|can|could|should)\s+(?:i|we)\s+(?!know\b|tell\b|find\s+out\b)\w+",
                      re.I)


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
    said = said_in(messages, request_at(messages))
    field = _own_field(tool, extraction, said, tools)
    found = lister(field, tool, said, lookups, set()) if field is not None else None
    dated = bool(days_of_month(said))
    titled = [t for f in extraction.missing if (t := titled_lister(f, tool, lookups, dated))]
    # Or the variants of the product a write names in words (`_product_read`).
    variants = _variants_reader(lookups) if tool.mutates else None
    read = {t[0].name for t in titled} | ({variants[0].name} if variants else set())
    if saved_address_words(said):
        read |= {t.name for t in _address_listings(tool, lookups)}
    # A write that took its record from the listing goes on when asked for ("can you stop it before it goes out?"),
    # or asked how to do ("how do I send the extra one back?"), not on a question ("how much did you refund me for
    # the one with the keyboard?").
    # So is a write asked for as whether it may be done ("can the other two go back?").
    asked_to_act = not ASKS.search(said) or put_to_us(said) or bool(HOW_DO_I.search(said)) or tool.mutates and any(
        MAY_IT.match(c) for c in ASK_CLAUSES.split(said))
    if (found is None or found[0] != call["name"]) and call["name"] not in read and not (
            asked_to_act and _took_from(call["name"], tool, extraction, messages)):
        return None
    return _decide(tool, extraction, tools, messages, replies, lookups, today=today)


def _took_from(listing: str, tool: ToolView, extraction: Extraction, messages: list[BaseMessage]) -> bool:
    """Whether the request, planned again, takes its record from the listing just made for it: the one order a
    customer's listing showed, for "I don't need that order at all now, can you stop it?"."""
    rows = listed_by(messages, listing) or []
    shown = {str(v) for row in rows if isinstance(row, dict) for v in row.values() if isinstance(v, (str, int))}
    kinds = {f.name: kind_of(f) for f in tool.fields}
    # Or the record the request points at among those listed ("the late tracking one": alert 1).
    return tool.name != listing and any(
        str(v) in shown for k, v in extraction.args.items()
        if kinds.get(k) in OWN_KINDS and isinstance(v, str) or k in extraction.from_row)


def _replanned(
    messages: list[BaseMessage], tools: list[ToolView], embed: Embed | None, today: date
) -> tuple[dict, ToolView, Extraction] | None:
    """The one call the model made for the current request, and that request planned again with its result at hand
    (a tool and its arguments; None when the model made several calls, or the plan is a reply)."""
    at = last_reply(messages)
    current = request_at(messages)
    if at is None or current is None or current > at or len(messages[at].tool_calls) != 1:
        return None
    # A value given in place of a yes that a look-up was made for ("to my gift card") goes on with the pending action,
    # as the last action asked again for another record does ("the hoodie from #W3746945. same again please").
    text = text_of(messages[current])
    again = answered_otherwise(messages[:current]) and not CORRECTION.match(text) or bool(FOR_ANOTHER.match(text))
    planned = (again and _corrected(messages, current, tools, embed, today, seen=messages)) or _plan(
        messages, current, tools, embed, today, forced=False)
    if isinstance(planned, Turn):
        return None
    return messages[at].tool_calls[0], *_as_wished(planned, messages, current, tools, embed, today)


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
    at = last_reply(messages)
    if at is None or len(messages[at].tool_calls) != 1 or not text_of(messages[-1]).startswith("Error[not_found]"):
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
    at = last_reply(messages)
    current = request_at(messages)
    own = _choosable(tools)
    searcher = _searcher(own)
    if at is None or current is None or embed is None or searcher is None or len(messages[at].tool_calls) != 1:
        return None
    if messages[at].tool_calls[0]["name"] != searcher.name or found_any(text_of(messages[-1])):
        return None
    text = text_of(messages[current])
    if choose(text, own, embed).confident or meaning(text, own, searcher, embed) >= SEARCH_THRESHOLD:
        return None
    declined = Turn(questions.out_of_scope([t for _, t in rank(text, own, embed)]))
    return _from_library(messages[current], tools, messages, today, replies) or declined


def _one_hit_in_full(messages: list[BaseMessage], tools: list[ToolView], embed: Embed | None) -> Turn | None:
    """A search that found exactly one record is followed by reading that record in full, with the closest reading
    tool whose required fields the hit holds: "which scents does the soy candle come in?" finds the candle, and its
    details show the scents. So is any listing, for a question about where, when or why one thing is: "... where is
    the parcel right now" lists the one parcel out for delivery, and tracking it says where."""
    at = last_reply(messages)
    current = request_at(messages)
    if at is None or current is None or len(messages[at].tool_calls) != 1:
        return None
    by_name = {t.name: t for t in tools}
    listing = by_name.get(messages[at].tool_calls[0]["name"])
    searcher = _searcher(tools)
    about_one = any(ABOUT_ONE.match(c.strip()) for c in ASK_CLAUSES.split(text_of(messages[current])))
    if listing is None or not (listing is searcher or (about_one and listing.records and not listing.mutates)):
        return None
    lists = [rows for rows in result_lists(text_of(messages[-1])) or [] if rows]
    if len(lists) != 1 or len(lists[0]) != 1 or not isinstance(hit := lists[0][0], dict):
        return None
    readers = [t for _, t in rank(text_of(messages[current]), tools, embed)
               if t is not listing and not t.mutates and t.required
               and all(same_record_value(hit, f) is not None for f in t.required)]
    return Turn(calls=[(readers[0].name, {f.name: same_record_value(hit, f) for f in readers[0].required})]
                ) if readers else None


def _one_domain(tools: list[ToolView]) -> bool:
    """Whether the tools are one specialist's (the router chose it for this request), not a mix of domains."""
    return len({t.agent for t in own_tools(tools) if t.agent}) == 1


def _after_precondition(
    messages: list[BaseMessage], tools: list[ToolView], embed: Embed | None, today: date, replies: Path,
    lookups: list[ToolView] | None = None,
) -> Turn | None:
    """After the read a write's precondition asked for: refuse, ask for what the write lacks, or make it."""
    # The read a wished write asked for leads to that write, whatever the request reads like now its result is at
    # hand (found once: both steps below take it).
    wished = _wished_after(messages, tools, embed, today)
    replanned = _replanned(messages, tools, embed, today) or wished
    if replanned is None:
        return None
    call, tool, extraction = replanned
    at = last_reply(messages)
    result = next((m for m in messages[at + 1 :] if isinstance(m, ToolMessage) and m.tool_call_id == call["id"]), None)
    if result is None or text_of(result).startswith("Error"):
        return None
    gate = tool.precondition
    # The saved records a write's words named ("my visa"), read for it: the write goes on with them.
    named = [f.name for f in tool.fields if kind_of(f) == "payment_method"]
    called = next((t for t in lookups or tools if t.name == call["name"]), None)
    if tool.mutates and named and called is not None and _lookup(named, [called], messages[:at]) is called:
        return _decide(tool, extraction, tools, messages, replies, lookups, today=today)
    # The variants of the lines a write replaces, read for it: the write goes on with the ids of the options named.
    replaces = any(f.name.startswith("new_") and kind_of(f) == "item_list" for f in tool.fields)
    if tool.mutates and replaces and called is not None and _variants_reader([called]) is not None:
        return _decide(tool, extraction, tools, messages, replies, lookups, understood=(embed, today))
    if (gate is None or gate.read != call["name"]) and wished:
        call, tool, extraction = wished
        gate = tool.precondition
    if gate is None or gate.read != call["name"] or tool.name == call["name"]:
        return None
    if not all(gates.same(call["args"].get(f), extraction.args.get(f)) for f in gate.given):
        return None
    # "..., can I still send it back?" asks whether one may: the read answers it, and a write that asks for no
    # confirmation is not made on a question.
    clauses = ASK_CLAUSES.split(said_in(messages, request_at(messages)))
    if not tool.confirm and any(PERMISSION.match(c) for c in clauses):
        return None
    return _decide(tool, extraction, tools, messages, replies, lookups, understood=(embed, today))


def _correction(
    messages: list[BaseMessage], current: int, tools: list[ToolView], embed: Embed | None, today: date, replies: Path,
    lookups: list[ToolView] | None = None,
) -> Turn | None:
    """'actually make it 3', or a value given in place of a yes: the last call made again with the values the
    message gives in place of the old ones."""
    corrected = _corrected(messages, current, tools, embed, today)
    if corrected is None:
        return None
    tool, extraction = corrected
    # A record named in words the conversation never showed ("to my gift card") is looked up with any tool at hand.
    return _decide(tool, extraction, tools, messages, replies, lookups if extraction.unseen else None)


def _corrected(
    messages: list[BaseMessage], current: int, tools: list[ToolView], embed: Embed | None, today: date,
    seen: list[BaseMessage] | None = None,
) -> tuple[ToolView, Extraction] | None:
    """The call a correction or a value given in place of a yes makes again, with its new values. `seen`: the
    messages whose records the words may name (the conversation before the message; a look-up made for it too)."""
    text = text_of(messages[current])
    # "and Berlin?" asks the last call again with another value, as a correction changes it.
    corrects = bool(CORRECTION.match(text) or FOR_ANOTHER.match(text))
    if not corrects and not answered_otherwise(messages[:current]):
        return None
    old = old_named(text)
    text = without_old(text)
    last = next((m for m in reversed(messages[:current]) if isinstance(m, AIMessage) and m.tool_calls), None)
    by_name = {t.name: t for t in tools}
    if last is None or last.tool_calls[-1]["name"] not in by_name:
        return None
    call = last.tool_calls[-1]
    tool = by_name[call["name"]]
    if tool.precondition and call["name"] == tool.precondition.read:
        return None  # a read made for a write's precondition is not the action being corrected
    earlier = messages[:current]
    # A part of a value put right ("it's brightdesk.com not .fr") gives that value whole.
    swapped = part_swapped(tool, call["args"], text)
    if not corrects and not swapped and (names_the_same(tool, text, call["args"], earlier, today)
                         or restates_pending(text, tool, call["args"], earlier, tools)):
        # "it's #W7137149" or "the original payment method" in place of a yes, naming what the action already
        # holds: the same question again.
        return tool, Extraction(args=dict(call["args"]))
    # Only what the message itself says: memory only turns its words into ids ("my mastercard"), and a value
    # recalled from memory alone, with no word of the message behind it, is no change.
    memory = remember(earlier if seen is None else seen)
    said = extract(tool, text, Memory(), today).args
    recalled = extract(tool, "", memory, today).args
    found = extract(tool, text, memory, today)
    given = {k: v for k, v in found.args.items() if k in said or recalled.get(k) != v}
    if all(gates.same(call["args"].get(k), v) for k, v in given.items()):
        given |= swapped  # the words gave no new value of their own
    # A detail the pending action left to its default ("to the original payment method", "to my gift card" for a
    # return's refund), shown in the conversation or still to be looked up, is the pending action's.
    unseen = [name for name in found.unseen if name not in call["args"]]
    added = (given.keys() | set(unseen)) - call["args"].keys()
    # A value put in place of a pending one without asking anything ("just the stand, the chair is staying") changes
    # the action, however much its words read like another request.
    changed = not ASKS.search(text) and any(
        k in call["args"] and str(v) != str(call["args"][k]) for k, v in given.items())
    if not corrects and (choice := choose(text, tools, embed)).confident and choice.tool is not tool and not (
            added or changed):
        return None  # a new request instead of a yes, not a change to the pending one
    if corrects:
        # "actually make it 350" is no new summary or key: words kept as free text stay as they were.
        # Nor is a bare value a text of its own ("no, make that 24.90" gives no description).
        kinds = {f.name: kind_of(f) for f in tool.fields}
        given = {k: v for k, v in given.items()
                 if kinds[k] not in FREE_KINDS or (k not in call["args"] and content_stems(mask(str(v))))}
    if replaced := extract(tool, old, Memory(), today).args:
        # "it's 28, not 30" changes what held 30, whatever else its words name ("we recounted": no new kind).
        given = {k: v for k, v in given.items() if k in replaced}
    given = in_place(tool, call["args"], given, text)
    if not given and not corrects and unseen:
        return tool, Extraction(args=dict(call["args"]), unseen=unseen)
    if not given and not corrects and not ASKS.search(text):
        # A remark in place of a yes that changes nothing and asks for nothing else ("too small for the four of
        # us"): the same question again, so what was nearly done is not lost.
        return tool, Extraction(args=dict(call["args"]))
    if not given:
        return None
    args = everywhere(call["args"], given)
    return tool, Extraction(args=args, missing=[f for f in tool.required if f.name not in args])


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
        current = request_at(messages)
        planning = candidates if current is None else lent_when_clear(text_of(messages[current]), candidates, embed)
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
    current = request_at(messages)
    if current is None:
        return Turn("Hello! How can I help you today?")
    if (unlabelled := LABEL.sub("", text_of(messages[current]))) and unlabelled != text_of(messages[current]):
        # A label says nothing of itself ("quick one - how much is left on my gift card?" holds no number one):
        # the request is what follows it.
        messages = [*messages[:current], HumanMessage(unlabelled), *messages[current + 1 :]]
    forced = tool_choice not in (None, "auto", "none", False)
    polite = questions.small_talk(text_of(messages[current]))
    if polite and not forced:
        return Turn(polite)
    if not tools or tool_choice in ("none", False):
        return Turn(polite or questions.NO_TOOLS)
    bound = _restrict(tools, tool_choice)
    if not forced and not all(t.name.startswith(HANDOFF) for t in tools) and _bare_answer(text_of(messages[current])):
        # A yes or no reaches us only when no action waits for one (a pending action takes it first): it answers
        # none of our question's details, so the question stands ("we have a new colleague" / "yes").
        asked = last_words(messages, current)
        offered = ONE_CHOICE.search(asked)
        if not (offered and AFFIRMATIVE.match(text_of(messages[current]))):
            return Turn(asked if asked.endswith("?") else questions.NOTHING_PENDING)
        # A yes to a question that offered one choice takes it ("the payment method to use (credit_card_1 (original
        # payment))" / "yes").
        messages = [*messages[:current], HumanMessage(offered.group(1)), *messages[current + 1 :]]
    candidates = _choosable(bound)
    ours = text_of(messages[current])
    if isinstance(messages[-1], AIMessage):
        # Another specialist answered part of the request: only our part is ours to weigh.
        ours = our_part(ours, candidates, embed)
    tools = lent_when_clear(text_of(messages[current]), candidates, embed)
    specialist = not all(t.name.startswith(HANDOFF) for t in tools)
    # A correction changes the pending action before any clause of it is read as a request of its own ("hang on, I
    # mixed it up with another call. We agreed 12, not 15": no call asked for).
    corrects = specialist and CORRECTION.match(ours)
    if corrects and (fixed := _correction(messages, current, tools, embed, today, replies, lookups=bound)):
        return fixed
    if not forced and (asked := asked_in_clause(ours, candidates, embed)) is not None:
        memory = remember(messages[:current] + messages[current + 1 :])
        return _decide(asked, extract(asked, text_of(messages[current]), memory, today), candidates, messages, replies,
                       lookups=bound, today=today)
    if specialist and not corrects and (fixed := _correction(
        messages, current, tools, embed, today, replies, lookups=bound
    )):
        return fixed
    planned = _plan(messages, current, tools, embed, today, forced)
    if isinstance(planned, Turn) and not planned.declined:
        return planned
    if isinstance(planned, Turn):
        return _from_library(messages[current], bound, messages, today, replies) or planned
    tool, extraction = planned if forced else _as_wished(planned, messages, current, tools, embed, today)
    said = said_in(messages, current)
    if tool.confirm and not forced and (HYPOTHETICAL.search(said) or not worded_for(said, tools, tool)):
        declined = Turn(questions.out_of_scope([t for t in tools if t is not tool and not t.mutates]))
        return _from_library(messages[current], bound, messages, today, replies) or declined
    if not forced and about_rules(said, tool, extraction) and not names_particular(said, tools) and (
            library := _from_library(messages[current], bound, messages, today, replies)):
        return library
    return _decide(tool, extraction, tools, messages, replies, lookups=bound, understood=(embed, today))


def _as_wished(planned: tuple[ToolView, Extraction], messages: list[BaseMessage], current: int,
               tools: list[ToolView], embed: Embed | None, today: date) -> tuple[ToolView, Extraction]:
    """The write a wish means when its closest reading is that write's precondition ("I'd like to return a tent"
    reads like checking what can still come back; the return it asks for reads that first anyway)."""
    read, reading = planned
    return _wished_write(read, reading, messages, current, tools, embed, today) or planned


def _wished_after(messages: list[BaseMessage], tools: list[ToolView], embed: Embed | None,
                  today: date) -> tuple[dict, ToolView, Extraction] | None:
    """The one call just made, when it is the read of a write the request wishes for, with that write."""
    at, current = last_reply(messages), request_at(messages)
    if at is None or current is None or current > at or len(messages[at].tool_calls) != 1:
        return None
    call = messages[at].tool_calls[0]
    read = next((t for t in tools if t.name == call["name"]), None)
    wished = read and _wished_write(read, Extraction(args=dict(call["args"])), messages, current, tools, embed, today)
    return (call, *wished) if wished else None


def _wished_write(read: ToolView, reading: Extraction, messages: list[BaseMessage], current: int,
                  tools: list[ToolView], embed: Embed | None, today: date) -> tuple[ToolView, Extraction] | None:
    """The write gated by a read that a wish asks for, with the record the read was for (`_as_wished`)."""
    said = said_in(messages, current)
    writes = [t for t in tools if t.mutates and t.precondition and t.precondition.read == read.name]
    # The clauses that wish, which must name the write.
    wish = " ".join(c for c in ASK_CLAUSES.split(said) if WANTS.match(c))
    if read.mutates or not writes or not wish:
        return None
    best = rank(wish, writes, embed)[0][1]
    # By a word of its own, apart from the other writes the read gates ("I'd like to rate an order" names none).
    others = [w for w in writes if w is not best]
    if not (worded_apart(wish, tools, best, others) if others else worded_for(wish, tools, best)):
        return None
    # The record the read was for is the write's too (the order singled out of a listing).
    extraction = extract(best, said, remember(messages[:current] + messages[current + 1 :]), today)
    taken = {k: v for k, v in reading.args.items() if k in best.precondition.given}
    return best, Extraction(args={**extraction.args, **taken}, missing=[
        f for f in extraction.missing if f.name not in taken], problems=extraction.problems, spans=extraction.spans)


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
    return _decide(library, extract(library, text_of(request), Memory(), today), tools, messages, replies)
