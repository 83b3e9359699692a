"""How a request is worded: the clause that asks, whether it is put as a command, what it asks for by name, and which
of the tools can serve it."""

import re

from graph.confirm import ONE_NAMED
from graph.models.local.dates import MONTHS, WEEKDAYS
from graph.models.local.entities import ORDER_ID, mask, names_a_record
from graph.models.local.ids import FIRST_PERSON
from graph.models.local.kinds import kind_of
from graph.models.local.policy import ASKS, CONDITION, LOOKING, RULE, TO_THE_SHOP, TO_YOU, WHAT_YOU_TAKE
from graph.models.local.similarity import (
    EMBED_THRESHOLD,
    LEXICAL_THRESHOLD,
    LIKELY_THRESHOLD,
    Choice,
    Embed,
    acted_on,
    bought,
    choose,
    meaning,
    names_records,
    numbered_by_format,
    rank,
    referenced,
    set_index,
    worded_apart,
)
from graph.models.local.text import (
    ASKS_FOR,
    DASH_BREAK,
    LEAD_IN,
    NAMED_SUBJECT,
    PRONOUNS,
    SENTENCE_BREAK,
    STATING,
    STOPWORDS,
    TELLING,
    a_command,
    content_stems,
    last_ask_start,
    reports,
    stem,
    words,
)
from graph.models.local.toolview import ToolView, own_tools

# The router's tools are handoffs to specialists, named with this prefix.
HANDOFF = "transfer_to_"

# The lead clause of a request, before a comma or a full stop ("refund 20 on W5520538, the box was dented").
LEAD_CLAUSE = re.compile(rf"\s*[,.;]\s+|{DASH_BREAK}")

# What opens a clause drawn from the ones before it: "..., so just give him 10 euros back", "so let's just ...".
CONSEQUENCE = re.compile(r"^\s*(?:so|then)\s+(?:(?:just|please|pls|let's|let\s+us)\s+)*", re.I)

# What the speaker promised a customer the shop would do is what they ask us to do: "so I told her we'd give her
# 15 euros back", "so we agreed to swap it", "so I promised him we would refund the postage", "so we agreed he gets
# a bit of money back".
PROMISED = re.compile(r"(?:i|we)\s+(?:(?:told|promised|assured)\s+(?:her|him|them|the\s+customer)\s+(?:that\s+)?"
                      r"(?:we|i)(?:'d|'ll|\s+would|\s+will|\s+could|\s+can)|agreed\s+(?:with\s+(?:her|him|them)\s+)?"
                      r"(?:to|(?:that\s+)?(?:he|she|they)\s+(?:gets?|can\s+have|(?:would|will|should)\s+get))"
                      r"|promised\s+to)\s+", re.I)

# What a customer would keep a thing for is what they ask of us: "she's happy to keep it if we give her a little
# something back", "he'll keep them as long as you refund the postage".
KEEPS_IF = re.compile(r"\b(?:happy|fine|ok|okay|willing|glad|prepared|will|'ll)\s+(?:to\s+)?keep\s+"
                      r"(?:it|them|the\s+[\w-]+)\s+(?:if|as\s+long\s+as|provided(?:\s+that)?)\s+(?=(?:we|you)\b)", re.I)

# Two readings of a whole request this close are told apart by its lead clause, when that is a command.
LEAD_CLOSE = 0.05

# The words a statement's clause opens with, as its subject or the subject's determiner.
SUBJECTS = PRONOUNS | frozenset({"i", "you", "we", "it", "it's", "its", "that", "this", "there", "the", "a", "an", "my",
                                 "his", "her", "our", "their", "your", "what", "when", "if"})

# A request split at these words may hold two jobs for two specialists ("cancel it and tell me when...").
CLAUSES = re.compile(r"\s*(?:[;]|,?\s+\b(?:and then|and also|and|then|also|plus)\b)\s+", re.I)

# What is asked for to read, not made: "I'd like a list of ...", "I need a copy of ...".
NOT_MADE = "list|copy|look|summary|overview|update|status|word"

# "I need to write off some stock", "we want to refund a customer", "I need a return authorisation": the person
# says they mean to act, or asks for a thing made for them, so a change is what they ask for (its details are
# asked next), not a listing that merely shares its words ("I'd like a list of..." still reads). So does wanting
# something of theirs done to ("I need my order #W1 shipped somewhere else", "I'd like the address changed").
WANTS = re.compile(
    r"^\s*(?:(?:hi|hello|hey)\b[,!.]?\s*)?(?:i|we)\s*(?:need|want|have|must|would like|'d like|d like)\s+(?:to\s+"
    rf"(?!(?:{LOOKING})\b)"
    rf"|an?\s+(?!(?:{NOT_MADE})\b)"
    r"|(?:my|our|the|this|that|it|them)\b(?:\s+[\w#'-]+){0,4}?\s+[a-z]{3,}(?:ed|en)\b)",
    re.I,
)

# A specialist that cannot act for the caller takes a request only this far ahead of one that can.
SERVING_LEAD = 0.1

# A question about how things go goes to the policy library first when it reads at most this much worse there
# than with the best specialist: each specialist would only have consulted the library for it.
LIBRARY_LEAD = 0.1

# "...titled Holiday hours: we are closed on 25 December": a name given before a colon ends there, and what
# follows is the content the request carries ("hello, quick question: ..." names nothing: the question follows).
COLON = re.compile(r"^([^:\n]*\b(?:named|called|titled)\b[^:\n]*?):\s+\S", re.I)
# So do words to pass on after a colon: "answer the gift-wrap one: sorry, we don't gift-wrap, but ...".
SAY_COLON = re.compile(r"^((?:(?:please|pls|can you|could you)\s+)?(?:answer|reply|respond|write|tell|say|message)\b"
                       r"[^:\n]*?):\s+\S", re.I)

# A tool lent to every specialist (handing the conversation to a person) takes a request only when it fits it
# clearly better than the specialist's own tools: "wat is ur retrun polcy" is a policy question, not a complaint.
SHARED_LEAD = 0.2

# The words that single out one record before what it holds ("the stove order").
DETERMINERS = frozenset({"the", "my", "this", "that", "our"})

# A record named by what it holds or concerns ("the order with the camp stove", "the return for my jacket"), or by
# what the speaker did with it ("the order I placed on Wednesday").
PARTICULAR = re.compile(r"\bthe\s+([a-z]+)\s+(?:(with|of|for|containing|from)\s+(?:the|my)\b"
                        r"|(?:that\s+|which\s+)?(?:i|we)(?:'ve|\s+have)?\s+[a-z]+ed\b)", re.I)

# A question about what happened: "did the refund go through?", "has it arrived?".
WHAT_HAPPENED = re.compile(r"^(?:did|has|have|was|were)\s+(?!(?:i|we)\s+to\b)", re.I)

# The thing a request asks for, after its lead ("I need", "can I speak to", "get me"): "a human", "a manager".
# Through the ways of being put in touch ("put me through to a real person") and the words that only insist on it.
THING_ASKED = re.compile(r"\s*(?:(?:to\s+)?(?:speak|talk|chat)\s+(?:to|with)\s+|through\s+to\s+|in\s+touch\s+with\s+)?"
                         r"(?:an?\s+(?:(?:real|actual|live|proper)\s+)?([a-z][\w'-]+)|(some(?:one|body)))", re.I)

# A record's noun before the order it is on: "the lamp claim on W3321921", "the return for #W1".
RECORD_ON = re.compile(rf"\b([a-z]{{3,}})\s+(?:on|for|of)\s+(?:order\s+)?{ORDER_ID.pattern}")
# The record a request puts something on, at the end of the clause that asks ("can you log it on the inspection?",
# "can you add that to the inspection as a major defect?"): whoever keeps those records, whatever the story before
# it names.
PUT_ON = re.compile(r"(?:\b(?:on|onto|against)|\b(?:add|log|put|record|note)\s+(?:it|that|this|them|these|those)\s+to)"
                    r"\s+(?:the|that|this|my|our|his|her|their)\s+([a-z]{3,})(?:\s+as\s+[^,.;!?]*)?\s*[?.!]*\s*$", re.I)

# Where a request's clauses part: sentences, commas, "and" / "but" / "so", and "about" before what it concerns
# ("please have someone contact me about my exchange").
ASK_CLAUSES = re.compile(r"[,.;!?]+\s+|\s+(?:and|but|so|about|regarding|concerning)\s+", re.I)

# The last thing of a list that ends its sentence ("cancel my order with the keyboard and the keycaps. my flatmate
# ..."): part of the clause before the "and", no job of its own.
LISTED = re.compile(r"^(?:the|a|an|my|our|his|her|their|some|\d+)\s+[\w'-]+(?:\s+[\w'-]+){0,3}[.!?]+(?:\s+|$)", re.I)

# When something happened, opening a sentence that then tells it: "back in august", "last week", "a couple of days
# ago", "on monday", "yesterday".
WHEN_TOLD = re.compile(
    r"^\s*(?:(?:back\s+)?(?:in|on|during|around)\s+(?:early\s+|late\s+|mid[\s-]+)?"
    rf"(?:{'|'.join(sorted(MONTHS, key=len, reverse=True))}|{'|'.join(WEEKDAYS)}|the\s+summer|the\s+spring)\b"
    r"|(?:last|this|yesterday|earlier)\b(?:\s+(?:week|month|year|morning|night|evening|afternoon|weekend))?"
    r"|(?:a\s+(?:few|couple(?:\s+of)?)|two|three|\d+|several|some)\s+(?:days?|weeks?|months?)\s+ago"
    r")\s*,?\s*", re.I)

# A greeting alone ("Hiya, the earbuds ...") asks for nothing.
GREETING = re.compile(r"\s*(?:hi|hello|hey|hiya|morning|evening|good (?:morning|afternoon|evening)|dear \w+)"
                      r"(?: there| all| team)?\s*[,!.]*\s*", re.I)

# A clause joined on to what came before: "and ...", "but ...", "because ...".
JOINED = re.compile(r"^\s*(?:and|but|or|because|cause|cos|coz|since|as|though|although|while)\s+", re.I)
# A word that only takes up the conversation: "ok the one about the late carrier feed: ..." tells, asks nothing.
TAKING_UP = re.compile(r"^\s*(?:(?:ok|okay|alright|right|well|oh|ah|so)\b[,!.]?\s*)+", re.I)
# A clause saying more of what came before: "which is why shipping and billing don't match".
RELATIVE = re.compile(r"^\s*(?:which|who)\s+(?:is|was|are|were|means|meant|explains)\b(?![^?]*\?\s*$)", re.I)

# A verb acting on "one", standing for a thing named before: "sort one out", "could you add one?", "send me one".
STANDS_FOR_ONE = re.compile(r"\b(?:sort|get|send|add|make|issue|raise|give|book|open|set|put|do|save|store|use)\s+"
                            r"(?:(?:me|us|her|him|them)\s+)?(?P<one>(?:(?:a|the)\s+new\s+|another\s+)?one)\b(?!\s+of\b)",
                            re.I)

# The thing a story says is missing or wanted, that "one" then stands for: "there's no phone number on my account",
# "accounting wants a proper invoice with VAT on it".
THING_NAMED = re.compile(r"\b(?:no|a|an|any|another)\s+((?:[a-z-]+\s+){0,2}?[a-z-]+)"
                         r"(?=\s+(?:on|in|for|with|to|from|at|and|but)\b|\s*[.,;!?]|\s*$)", re.I)


def one_named(ask: str, story: str) -> str | None:
    """The ask with the "one" it acts on put as the thing the story named last ("could you add one?" after "there's
    no phone number on my account": "could you add a phone number?"), or None."""
    acting = STANDS_FOR_ONE.search(ask)
    named = list(THING_NAMED.finditer(story))
    if acting is None or not named:
        return None
    return f"{ask[: acting.start('one')]}a {named[-1].group(1)}{ask[acting.end('one'):]}"


# A remark after the question is short: a longer last sentence may be the story the question leads into.
AFTERWORD_WORDS = 8

# A second specialist is added only when its part of the request clearly belongs to it: a score well
# above the in-scope threshold and a clear lead over the next specialist (calibrated like the threshold).
SPLIT_LIFT = 0.2

SPLIT_LEAD = 0.1


def handoffs_for(text: str, tools: list[ToolView], embed: Embed | None, first: ToolView, threshold: float) -> list[str]:
    """Extra specialists for a request that has a clear second job for another one, in order of mention."""
    # A clause says a job in two words of its own, or in one beside a record's id ("where is order W2362044?").
    # Read as the speaker's records first: "the tent, hoodie and arm I sent back" is one return, not a tent as well.
    clauses = [LISTED.sub("", c) for c in CLAUSES.split(bought(text, tools))]
    if any(PREFERS.match(c) for c in clauses):
        return [first.name]  # "I'd like to send back the planter, and I'd rather have store credit": one job, and how
    clauses = [c for c in clauses if len(content_stems(mask(c))) >= 2 - names_a_record(c) and asks_something(c)]
    chosen = [first.name]
    for clause in clauses:
        (score, best), (runner_up, _) = rank(clause, tools, embed)[:2]
        if best.name not in chosen and score >= threshold + SPLIT_LIFT and score - runner_up >= SPLIT_LEAD:
            chosen.append(best.name)
    return chosen


# A label before what follows ("Quick one: the stand is too big", "FYI - DPD are late"): the rest asks or tells.
LABEL = re.compile(r"^\s*(?:(?:quick|small|short|another|just\s+a)\s+)?"
                   r"(?:one|question|q|thing|update|fyi|heads[- ]up|ps)\s*(?::|\s-|\s–)\s*", re.I)
# A clause opening with a verb in -ing leaves out "I'm" and tells ("Thinking of getting my dad a DAC amp"), unless the
# verb says what the speaker wants ("wondering if you could ...", "looking for a gift").
WANTING = frozenset({"wondering", "hoping", "looking", "trying", "needing", "wanting", "waiting"})


def asks_something(clause: str) -> bool:
    """Whether a clause asks for something (a question, a command, a wish) rather than tells what happened ("the
    keyboard I bought in the summer has started playing up"): what is told is the other request's story."""
    clause = LABEL.sub("", clause)
    if RELATIVE.match(clause) or GREETING.fullmatch(clause):
        return False
    # "back in august i cancelled an order": when it happened, then who did what, tells; so does a clause joined on
    # to tell more ("and it's definitely her own card"), while "and cancel the other one" still asks.
    told = WHEN_TOLD.sub("", JOINED.sub("", TAKING_UP.sub("", LEAD_IN.sub("", clause))))
    first = next(iter(words(told)), "")
    # A name joined on tells as it does first ("while Paris is sitting on over a hundred of them").
    # A wish taken up from the story asks as well ("so I'd like to add her flat as a second address").
    wish = TAKING_UP.sub("", clause)
    return bool(ASKS.search(clause) or ASKS_FOR.match(wish) or WANTS.match(wish)) or (
        first.isalpha() and first not in SUBJECTS and not NAMED_SUBJECT.match(told) and not (
            first.endswith("ing") and first not in WANTING) and first not in TELLING)


def our_part(text: str, tools: list[ToolView], embed: Embed | None) -> str:
    """The clause of a two-job request that best fits these tools (the whole text if it has one clause)."""
    clauses = [c for c in CLAUSES.split(text) if c.strip()]
    if len(clauses) < 2:
        return text
    # Judged by the specialist's own tools: one lent to it (the payment methods an order may use) belongs to the
    # specialist that answered the other part.
    own = own_tools(tools)
    return max(clauses, key=lambda c: choose(c, own, embed).score)


def gist_of(text: str) -> str:
    """The request before a colon that introduces its content after a name ("write a help article titled Holiday
    hours: we are closed on ..."), when it has words enough to be a request; else the whole text."""
    head = COLON.match(text) or SAY_COLON.match(text)
    # A head that tells ("Camille Fournier just called about order W9220113: ...") introduces a story, not content.
    return head.group(1) if head and a_command(head.group(1)) and len(content_stems(mask(head.group(1)))) >= 2 \
        else text


def asking_part(text: str, tools: list[ToolView], embed: Embed | None) -> str:
    """What the model ranks tools on: for the router, the request's gist when it alone is clear (the content after a
    colon, an article's body or a note, is what the request carries, not whose job it is); then, when two readings
    are about as close, the clause that says the job; else the whole text. What the tool's fields take is read from
    the whole text. For a specialist, a record pointed at as "the birthday one" is read as "the one": the words tell
    it from the others listed, they say nothing of what is asked of it."""
    if all(t.name.startswith(HANDOFF) for t in tools):
        return _without_purpose(_asking_part(text, tools, embed), tools, embed)
    if (gist := gist_of(plain := _unnamed_one(text))) != plain and choose(gist, tools, embed).confident:
        return gist
    return _unnamed_one(_asking_part(text, tools, embed))


# What a command is for, after it: "can you change my main address so parcels go to the new place?".
PURPOSE = re.compile(r",?\s+so\s+(?:that\s+)?(?=\w)", re.I)


def _without_purpose(part: str, tools: list[ToolView], embed: Embed | None) -> str:
    """A command without what it is for, when the command alone is clear: the purpose's words ("parcels go to the new
    place") say why, and would draw the request to whoever they speak of. (The specialist reads them: "change order
    W1 so it goes to my Milan address" says which change.)"""
    purpose = PURPOSE.search(part)
    if purpose is None or not ASKS_FOR.match(part):
        return part
    command = part[: purpose.start()]
    return command if len(content_stems(mask(command))) >= 2 and choose(command, tools, embed).confident else part


# "the new one", "the other one": no record told from others by what it is about.
RELATIVE_ONE = frozenset({"new", "old", "other", "same", "first", "last", "next", "right", "wrong", "current",
                          "default", "main"})


def _unnamed_one(text: str) -> str:
    """The request with a record pointed at as "the birthday one" read as "the one"."""
    return re.sub(ONE_NAMED, lambda m: m.group(0) if set(words(m.group(1))) & RELATIVE_ONE else "the one", text,
                  flags=re.I)


def _asking_part(text: str, tools: list[ToolView], embed: Embed | None) -> str:
    routing = all(t.name.startswith(HANDOFF) for t in tools)
    if (gist := gist_of(text)) != text and choose(gist, tools, embed).confident:
        return gist
    if routing and (ask := story_then_ask(text, least=1)) and (named := one_named(ask, text[: text.rfind(ask)])) \
            and choose(named, tools, embed).confident:
        # "... there's no phone number on my account. could you add one?": a phone number is what is asked for, of
        # whoever keeps them (the specialist then reads the whole, whose story names the record it is for).
        return named
    if (kept := KEEPS_IF.search(text)) and _alone(wish := LEAD_CLAUSE.split(text[kept.end():])[0], text, tools, embed):
        # The keeping says why; what it is kept for is the job ("... so the keyboard arrived scuffed. she's happy to
        # keep it if we give her a little something back" asks for money back, not a return).
        return wish
    # A lead clause put as a command says the job to the router ("refund 20 on W5520538, the keyboard box was dented"
    # reads like a return too); a specialist reads the whole command, whose other clauses may name its record ("stop
    # selling the black cap, AP-CAP-01" is about one variant). Else the one clause put as a request says it ("I changed
    # my mind, I'm keeping the lamp, please cancel my return on W9653244").
    clauses = LEAD_CLAUSE.split(text)
    asked = [c for c in clauses if ASKS_FOR.match(c) or so_command(c)]
    # Or, none put so, a last clause put as a command after a report says the job to the router ("found 2 lamps with
    # the paint chipped — log it as minor"); a specialist reads its other clauses too ("I'd love one more of the fig
    # candles, charge my credit card" orders one).
    after_report = routing and len(clauses) > 1 and not asked and a_command(clauses[-1]) and reports(clauses[0]) \
        and not clauses[-1].rstrip().endswith("?")
    clause = clauses[0] if routing and a_command(clauses[0]) else asked[0] if len(asked) == 1 else (
        clauses[-1] if after_report else text)
    if routing and clause is text and len(asked) > 1 and (clearest := _clearest(asked, text, tools, embed)):
        # Of several clauses put as requests, one far clearer than the rest says whose job it is ("I want them on
        # the marketplace as well. can we start with one colour?": the second says how to begin it).
        return clearest
    if after_report and _alone(clause, text, tools, embed):
        # What the report's words are about (the lamps of a batch) is not what is asked of them ("pop that on the
        # inspection i've got running"), when the command is clear by itself.
        return clause
    last_asked = clause if clause is clauses[-1] and clause in asked else None
    if routing and clause is not text and clause is not clauses[0] and so_command(clause) \
            and _alone(clause, text, tools, embed):
        # What the story leads to ("she's happy to keep it, so just give her 15 euros back") is the request itself:
        # the story's words (the keyboard, posting it back) say only why.
        return clause
    if len(clauses) > 1 and clause == text and clauses[-1].rstrip().endswith("?") and not any(
            c.rstrip().endswith("?") for c in clauses[:-1]) and len(content_stems(mask(clauses[-1]))) >= 3 \
            and not choose(text, tools, embed).confident:
        # A story, then the one question it leads to ("stuck at home all morning for the monitor arms. is dpd
        # coming today or not??"): the question is what is asked, when it is clear by itself and the whole is not.
        # A question of few words leans on the story ("i always forget to water my plants, anything that helps?").
        question = choose(clauses[-1], tools, embed)
        return clauses[-1] if question.confident else text
    if routing and (ask := story_then_ask(text, least=1)) and _alone(ask, text, tools, embed) and (
            not (asked := ask.rstrip().endswith("?")) and not TAKES_UP_NAMED.search(ask)
            or (POLITE_COMMAND.match(ask) or not asked) and _close_reading(ask, text, tools, embed)):
        # A command after a story is the job, however few its words ("... and it's definitely her own card. please
        # let it go through"): the story says only why. Put as a question ("... Can you let it go through?"), it is
        # one of the readings the story leaves closest ("can you switch that on?" after a story of free delivery
        # is no order's).
        return ask
    if not routing and about_words(text) and (ask := story_then_ask(text, least=1) or last_asked) and a_command(ask) \
            and not ask.rstrip().endswith("?") and choose(ask, tools, embed).tool.mutates \
            and _alone(ask, text, tools, embed):
        # A short command after a story about a record shown before ("ok the one about carrier tracking: Colissimo
        # confirmed their feed is back to normal. Close it out with that note."; "the late tracking one, the carriers
        # fixed it, you can close that"): its own words say the write the story's words would draw elsewhere. (A
        # story naming its record tells what was done to it, which may be the job: "the stand that came back on
        # RMA-... has been checked. please settle it" is received first.)
        return ask
    if (ask := story_then_ask(text)) and _alone(ask, text, tools, embed) and (
            choose(ask, tools, embed).tool in [t for _, t in rank(text, tools, embed)[:2]] if routing
            else not ask.rstrip().endswith("?") or POLITE_COMMAND.match(ask)):
        # Whose job a question is, the router reads from it, among the two readings the whole story leaves closest;
        # the specialist answers it with the story's details. A command says the specialist's job too ("... while
        # Berlin is sitting on 90 of them. move 25 over from BER-1 to PAR-1 pls", "... can you settle that return?").
        return ask
    if not routing and (ask := story_then_ask(text, least=2)) and ASKS_FOR.match(ask) and ask.endswith("?") \
            and choose(ask, tools, embed).tool.mutates and _alone(ask, text, tools, embed):
        # A short request put to us as a question after the story ("Berlin's down to 3 of the kettles and Lyon has
        # loads of them sitting around. can we move some across?"): the job is the write it asks for; the story's
        # words (the stock each place holds) say which records, not what to do with them. (A command after a story
        # naming its record may leave the story's job first: "the stand that came back on RMA-... has been checked.
        # please settle it" is received first, when it is not yet.)
        return ask
    if len(clauses) == 1 or clause == text:
        return text
    if not routing and asked and clause is asked[0] and re.search(r"[.!?]\s*$", text[:text.find(clause)]) and not any(
            asks_something(c) for c in clauses if c is not clause) and len(
            content_stems(mask(clause))) >= 3 and _alone(clause, text, tools, embed):
        # Sentences of what happened, then one that asks ("Chloé Dubois phoned about her return on order 8646154.
        # ... Can we approve it so she can post everything back?"): the story names the records, the sentence the
        # job, among the specialist's tools; whose job it is, the router reads from the whole. (A clause of the
        # story's own sentence leans on it: "the t-shirt is tight, could I get a large?")
        return clause
    (first, best), (second, other) = (rank(text, tools, embed) + [(0.0, None)] * 2)[:2]
    led = choose(clause, tools, embed) if first - second < LEAD_CLOSE else None
    return clause if led is not None and led.confident and led.tool in (best, other) else text


def _clearest(parts: list[str], text: str, tools: list[ToolView], embed: Embed | None) -> str | None:
    """The part read far more surely than every other (by SPLIT_LEAD), when it is clear by itself."""
    (first, part), (second, _) = sorted(((choose(p, tools, embed).score, p) for p in parts), reverse=True)[:2]
    return part if first - second >= SPLIT_LEAD and _alone(part, text, tools, embed) else None


def _close_reading(part: str, text: str, tools: list[ToolView], embed: Embed | None) -> bool:
    """Whether the tool the part reads as is one the whole request reads as nearly as well as its best."""
    ranked = rank(text, tools, embed)
    chosen = choose(part, tools, embed).tool
    return any(t is chosen and score >= ranked[0][0] - COMMAND_CLOSE for score, t in ranked)


def _alone(part: str, text: str, tools: list[ToolView], embed: Embed | None) -> bool:
    """Whether a part of the request is clear by itself, to a tool taking the records the whole names by number (the
    order the story gives is the one a "could I get a large instead?" is about) in their formats. A part acting on
    "one" of what the story named ("... wants a proper invoice with VAT on it. could you sort one out for order
    W8498068?") is not."""
    if STANDS_FOR_ONE.search(part):
        return False
    choice = choose(part, tools, embed)
    if not choice.confident:
        return False
    takes = choice.tool.takes if choice.tool.takes is not None else frozenset(kind_of(f) for f in choice.tool.fields)
    # Nor one whose tool refuses the format of a number the story gives ("... no point in inspection QI-DEMO0005 any
    # more. cancel it": the inspection's, not an order's).
    return all(kinds & takes for kinds in referenced(text)) and all(
        choice.tool.name in names for names in numbered_by_format(text, tools))


# A command standing for people or things the story named ("we've had it with Colis Privé ... stop offering them"):
# what it acts on is the story's, so it is read with the story.
TAKES_UP_NAMED = re.compile(r"\b(?:them|him|her|those)\b", re.I)
# How far below the whole story's best reading a command put as a question may pick another.
COMMAND_CLOSE = 0.12
# A command put as a question: "can you ...?", "could someone ...?", "can we get it boxed up?" (not "can I ...?" or
# "can we ...?" alone, which may ask what is allowed).
POLITE_COMMAND = re.compile(
    r"^\s*(?:please\s+)?(?:can|could|would|will)\s+(?:you|someone|somebody|we\s+(?:get|have)\b)\b", re.I)


# A wish for how it is done, after the question: "I'd rather have store credit", "ideally by Friday".
PREFERS = re.compile(r"^\s*(?:\w+,?\s+)?(?:(?:i|we)(?:'d|\s+would)\s+(?:rather|prefer)|preferably|ideally)\b", re.I)


# A listed record named by what it is about: "the one about carrier tracking arriving late", "the delay one".
ONE_ABOUT = re.compile(r"\bthe\s+one\s+(?:about|on|for|regarding|with)\s+([^.,;:!?]+?)"
                       rf"(?:\s+(?:is|was|can|has)\b|[.,;:!?]|$)|{ONE_NAMED}", re.I)


def about_words(said: str) -> str | None:
    """The words a request names a listed record by when it calls it "the one about ..." or "the ... one"."""
    about = ONE_ABOUT.search(said)
    return (about.group(1) or about.group(2)).strip() if about else None


def story_then_ask(text: str, least: int = 3) -> str | None:
    """The last sentence, when it is the one question or command after sentences that only tell ("A reseller in
    Munich wants 5 of the Lowline boards (KB-LOW-06). What have we got in Berlin, and where else is there stock?",
    "Paris Nord has run dry on the Pocket Pods while Berlin is sitting on 90. move 25 over from BER-1 to PAR-1 pls"),
    and says enough by itself to be read alone (`least` content words). A short remark after it leaves it the
    question ("... did the money ever go back to my paypal? i honestly cant remember seeing it")."""
    text = without_afterword(text.strip())
    sentences = SENTENCE_BREAK.split(text)
    if len(sentences) >= 3 and PREFERS.match(sentences[-1]) and sentences[-2].rstrip().endswith("?"):
        # "... Could I send it back? Honestly I'd rather have shop credit than my money back.": the wish after the
        # question says how it is wanted, so both are the ask.
        ask = story_then_ask(text[: len(text) - len(sentences[-1])].rstrip(), least)
        return f"{ask} {sentences[-1]}" if ask else None
    start = last_ask_start(text)
    if start is None:
        return None
    ask = text[start:].rstrip()
    return ask if only_tells(text[:start]) and len(content_stems(mask(ask))) >= least else None


def only_tells(text: str) -> bool:
    """Whether every sentence tells, none asks."""
    return all(not s.rstrip().endswith("?") and not any(asks_something(c) for c in LEAD_CLAUSE.split(s))
               for s in SENTENCE_BREAK.split(text) if s)


def without_afterword(text: str) -> str:
    """The request without a short last sentence that only tells, after two or more ("thanks in advance", "i
    honestly cant remember seeing it")."""
    sentences = SENTENCE_BREAK.split(text)
    last = sentences[-1]
    if len(sentences) < 3 or len(words(last)) > AFTERWORD_WORDS or not only_tells(last):
        return text
    return text[: len(text) - len(last)].rstrip()


def so_command(clause: str) -> bool:
    """Whether a clause draws a request from what came before ("he's happy to keep it, so just give him 10 euros
    back"): "so" or "then", and a command."""
    lead = CONSEQUENCE.match(clause)
    if lead is None:
        return False
    rest = clause[lead.end():]
    first, second = (words(rest) + ["", ""])[:2]
    # Its first word is a verb, not a subject ("so it never came", "so the order is late", "so that ..."), or it
    # says what the speaker wants ("so I'd like to get going on it now").
    return first.isalpha() and first not in SUBJECTS and second not in STATING or bool(
        ASKS_FOR.match(rest) or WANTS.match(rest) or PROMISED.match(rest))


def lent_when_clear(text: str, tools: list[ToolView], embed: Embed | None) -> list[ToolView]:
    """The tools, without those lent by other agents unless the request clearly asks for one of them."""
    own = own_tools(tools)
    lent = [t for t in tools if t not in own]
    if not lent or len(lent) == len(tools):
        return tools
    text = gist_of(text)  # what a colon introduces is carried, not asked for ("answer her: no gift cards, sorry")
    ranked = rank(text, tools, embed)
    best_lent = max(s for s, t in ranked if t in lent)
    best_own = max(s for s, t in ranked if t not in lent)
    if best_lent - best_own >= SHARED_LEAD:
        return tools
    # Ahead by less, it still takes a request in words only it uses ("I need a human to sort out my order W1").
    first = ranked[0][1]
    return tools if first in lent and worded_apart(text, tools, first, own) else [t for t in tools if t not in lent]


def clear_clause(text: str, tools: list[ToolView], embed: Embed | None) -> ToolView | None:
    """The tool the clauses of a request clearly point to when only one clause points clearly anywhere."""
    threshold = EMBED_THRESHOLD if embed is not None else LEXICAL_THRESHOLD
    clauses = [c for c in ASK_CLAUSES.split(text) if content_stems(mask(c))]
    clear = set()
    for clause in clauses if len(clauses) > 1 else []:
        (score, best), (second, _) = rank(clause, tools, embed)[:2]
        if score >= threshold and score - second >= SPLIT_LEAD:
            clear.add(best.name)
    return next(t for t in tools if t.name in clear) if len(clear) == 1 else None


# Whom a request hands itself over to, or has fetched: "escalate order W1 to a manager", "can you hand this over to a
# supervisor", "please get a real person to check it", "forward this request to the person responsible".
HANDED_TO = re.compile(r"\b(?:escalate|hand|pass|forward|refer|transfer|bump|send)\b[^.;!?]*?\bto\s+(?:an?|the|your)\s+"
                       r"(?:(?:real|actual|live|proper)\s+)?([a-z][\w'-]+)"
                       r"|\b(?:get|find|fetch)\s+(?:(?:me|us|her|him|them)\s+)?an?\s+(?:(?:real|actual|live|proper)\s+)?"
                       r"([a-z][\w'-]+)", re.I)


def wanted_in(clause: str) -> str | None:
    """The word after the article of a clause that asks for a thing ("person" of "I want a person to review it", and
    of "I want an actual person to chase DPD": the words that only insist on it are passed over, as in THING_ASKED)."""
    asks = WANTS.match(clause)
    if asks is None or not re.search(r"\ban?\s+$", asks.group(0), re.I):
        return None
    thing = re.match(r"(?:(?:real|actual|live|proper)\s+)?([\w'-]+)", clause[asks.end():], re.I)
    return thing.group(1) if thing else None


def handed_to(clause: str) -> str | None:
    """Whom a clause that asks hands the request over to, or has fetched ("manager" of "escalate order W1 to a
    manager", "person" of "so please get a real person to check it")."""
    command = re.sub(r"^\s*(?:so|and|then|but)\s+", "", clause, flags=re.I)
    handed = HANDED_TO.search(command) if ASKS_FOR.match(command) or a_command(command) else None
    return (handed.group(1) or handed.group(2)) if handed else None


def holds_library(tool: ToolView) -> bool:
    """Whether a hand-off's specialist holds the policy library (a tool that takes the question itself)."""
    return bool(tool.takes) and "question" in tool.takes


def library_first(text: str, tools: list[ToolView], embed: Embed | None) -> ToolView | None:
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
    library = next(((s, t) for s, t in ranked if holds_library(t)), None)
    if library is None or library[0] < ranked[0][0] - LIBRARY_LEAD:
        return None
    return library[1]


# A wish for something of the speaker's to be otherwise ("I'd like my account to be in my new name now").
WISH = re.compile(r"^\s*(?:i'?d like|i would like|i (?:need|want))\s+(?:my|our|the|it|them|this|that)\b", re.I)


def acting_instead(text: str, tools: list[ToolView], embed: Embed | None, best: ToolView | None) -> ToolView | None:
    """The specialist that can act, for a request put to the shop to do something for the asker, or a question about
    what happened to the asker's own, that reads most like a question to the policy library ("I just got married!
    could you change the last name on my account to Lambert?" is nearest to "how can I change my name on my
    account?"; "i cancelled the desk mat, did the refund go through?"; "I'd like to save a card on my account so I
    don't have to go through paypal every time"): the library says how things are done, and
    knows nothing of anyone's records. The specialist must be a likely reading by itself."""
    if best is None or not holds_library(best):
        return None
    clauses = [c.strip() for c in ASK_CLAUSES.split(text)]
    if not any(TO_YOU.match(c) or WHAT_HAPPENED.match(c) or WISH.match(c) or WANTS.match(c) for c in clauses) \
            or not FIRST_PERSON.search(text) \
            or CONDITION.search(text) or RULE.search(text):
        return None
    acting = next(((s, t) for s, t in rank(text, tools, embed) if t is not best and t.acts), None)
    return acting[1] if acting and is_likely(text, tools, acting[1], acting[0], embed) else None


def thing_asked(clause: str) -> str | None:
    """The thing a clause led by a request asks for: "human" of "can I speak to a human", "manager" of "get me a
    manager"."""
    lead = ASKS_FOR.match(clause)
    found = THING_ASKED.match(clause, lead.end()) if lead else None
    return (found.group(1) or found.group(2)) if found else None


def asked_by_name(text: str, tools: list[ToolView]) -> ToolView | None:
    """The one specialist whose own words name the thing a clause asks for: "I need a human to sort out my order"
    asks for a person, whatever the order it is about. So does the noun of a record named on an order: "the lamp
    claim on W3321921 checks out" is about a warranty claim, whatever else the order holds, and so does the record a
    request puts something on ("..., can you log it on the inspection?"). (A product on an order,
    "the Lowline keyboards on W5291537", is no record the tools act on: it names what the order holds.)"""
    on = [m.group(1) for m in RECORD_ON.finditer(text) if stem(m.group(1)) in record_stems(tools)]
    put_on = {m.group(1).lower() for c in ASK_CLAUSES.split(text) if ASKS_FOR.match(c) and (m := PUT_ON.search(c))}
    keeping = [t for t in tools if put_on & acted_on([t])]
    return keeping[0] if len(keeping) == 1 else named_apart(asked_things(text) + on, tools)


def asked_things(text: str) -> list[str]:
    """What the request's clauses ask for by name ("person" of "..., put me through to a real person please")."""
    return [thing for c in ASK_CLAUSES.split(text) if (thing := wanted_in(c.strip()) or thing_asked(c.strip()))]


def named_apart(things: list[str], tools: list[ToolView]) -> ToolView | None:
    """The one tool whose own words, and no other's, name one of the things."""
    named = [t for t in tools for thing in things if worded_apart(thing, tools, t, [o for o in tools if o is not t])]
    return named[0] if len({t.name for t in named}) == 1 else None


def asked_in_clause(text: str, tools: list[ToolView], embed: Embed | None) -> ToolView | None:
    """A lent tool that one clause of the request asks for in words only it uses: in "my refund never came, I want to
    speak to a manager" the person asks for a manager, and the refund is what the case is about."""
    own = own_tools(tools)
    lent = [t for t in tools if t not in own]
    threshold = EMBED_THRESHOLD if embed is not None else LEXICAL_THRESHOLD
    likely = LIKELY_THRESHOLD if embed is not None else LEXICAL_THRESHOLD
    clauses = [c for c in ASK_CLAUSES.split(gist_of(text)) if c.strip()]
    if not lent:
        return None
    weighed = [(clause, rank(clause, tools, embed)) for clause in clauses if len(content_stems(mask(clause))) >= 2]
    # A question or request clearly the specialist's own ("what do you get once you hit platinum?", "please pass this
    # to an actual person") leaves a remark beside it ("trying to work out if it's worth it", "going back and forth
    # about my gift card") no lent tool to take, unless that remark asks for one.
    own_clear = any((ASKS.search(clause) or ASKS_FOR.match(clause) or WANTS.match(clause)) and ranked[0][1] in own
                    and ranked[0][0] >= threshold for clause, ranked in weighed)
    for clause, ranked in weighed:
        if STANDS_FOR_ONE.search(clause):
            continue  # "could you sort one out for order W8498068?" acts on what another clause named
        # What a clause asks for by name, in a word only a lent tool uses, is that tool's if it is a likely reading:
        # "I want a person to review it" asks for a person, whatever else the review resembles.
        thing = wanted_in(clause) or handed_to(clause)
        if thing and (named := next((t for s, t in ranked if t in lent and s >= likely
                                     and worded_apart(thing, tools, t, own)), None)):
            return named
        if len(clauses) < 2:
            continue  # otherwise a request of one clause is weighed whole (`lent_when_clear`)
        score, first = ranked[0]
        best_own = max(s for s, t in ranked if t in own)
        # A clause put as a request ("I need someone from billing to call me"), or one as clear as a lent tool
        # must be in a whole request (SHARED_LEAD): "I'm buying a gift for someone" mentions a person, asks for none.
        asks = bool(WANTS.match(clause) or ASKS_FOR.match(clause))
        if first in lent and score >= threshold and (asks or (score - best_own >= SHARED_LEAD and not own_clear)) \
                and worded_apart(clause, tools, first, own):
            return first
    return None


def names_particular(said: str, tools: list[ToolView]) -> bool:
    """Whether the request speaks of one record by what it holds ("why is the order with the camp stove held
    up?", "why hasn't the stove order moved?", "when will my socks get here?"): a question about that record, not
    about how things go. What it holds is a word no tool uses, beside the record's noun or after "my"."""
    one = PARTICULAR.search(said)
    return (one is not None and one.group(1).lower() in acted_on(tools)) or named_by_content(said, tools)


def record_stems(tools: list[ToolView]) -> set[str]:
    """The stems of the records the tools act on ("claim", "return"), to compare with a request's words."""
    return {stem(r) for r in acted_on(tools)}


def named_by_content(said: str, tools: list[ToolView]) -> bool:
    """Whether one record is named by what it holds before its noun: "the stove order", "my laptop stand return"."""
    said_words = words(mask(said))
    things = things_named(said, tools)
    records = record_stems(tools)
    return any(the in DETERMINERS and a in things and stem(b) in records
               for the, a, b in zip(said_words, said_words[1:], said_words[2:], strict=False))


def things_named(said: str, tools: list[ToolView]) -> set[str]:
    """The request's words naming something no tool's texts speak of (a product, most often)."""
    known = set_index(tools).known
    return {w for w in words(mask(said))
            if len(w) >= 3 and w.isalpha() and w not in STOPWORDS and stem(w) not in known}


def serving(text: str, tools: list[ToolView], embed: Embed | None, choice: Choice, mine: bool = False) -> Choice:
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
    return Choice(best[1], best[0], best[0] >= threshold or is_likely(text, tools, best[1], best[0], embed))


def is_likely(text: str, tools: list[ToolView], tool: ToolView, score: float, embed: Embed | None) -> bool:
    """Whether a request worded unlike any example is probably the tool's: close enough, in meaning too."""
    return embed is not None and score >= LIKELY_THRESHOLD and meaning(text, tools, tool, embed) >= LIKELY_THRESHOLD
