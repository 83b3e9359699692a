"""Whether a question asks how the shop works, for the policy library to answer, rather than for the asker's
records or an action: "do you ship to Switzerland?", "can I pay cash on delivery?", "what should I do?"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from graph.models.local.entities import names_a_record
from graph.models.local.ids import FIRST_PERSON
from graph.models.local.kinds import REFERENCE_KINDS, kind_of
from graph.models.local.records import ONESELF, OWN_KINDS
from graph.models.local.text import SENTENCE_BREAK
from graph.models.local.toolview import ToolView

if TYPE_CHECKING:  # extract reads questions with reading, which reads policy: the type only, to break the cycle
    from graph.models.local.extract import Extraction

# Verbs of looking up, learning or being told: wanting or telling us to do one of these asks to read.
LOOKING = "know|see|check|find|look|understand|ask|view|get|track|hear|learn|read|review|confirm|make sure|be sure"

# A request put to the shop to act: "could you change ...", "please update ..." (not "can you tell me ...").
# Staff speak for the shop: "can we approve it ...?" asks us to act as much as "can you".
TO_YOU = re.compile(rf"^(?:please|pls|(?:can|could|would|will) (?:you|u)(?: please)?|(?:can|could) we)\s+"
                    rf"(?!(?:{LOOKING}|tell|explain|show)\b)[a-z]{{3,}}\b", re.I)

# Any question, for a tool that answers questions: "...?" or an interrogative opening.
ASKS = re.compile(
    r"\?\s*$|^\s*(how|hows|what|what's|whats|wat|when|where|where's|wheres|why|which|who|can i|could i|do you|does"
    r"|is|are)\b"
    r"|[,;]\s*(?:what|how|which) (?:should|shall|can|do) (?:i|we)\b", re.I  # "..., what should i do"
)
# A question put to the shop about how it works ("do you ship to...", "how long is the warranty..."), not asked
# by staff about the shop's own records ("do we have parcels stuck?").
TO_THE_SHOP = re.compile(
    r"^\s*(?:(?:do|does|will|can|could|would)\s+(?:you|it|they|one)\b|how\s+(?:long|soon|often|far)\b)"
    r"(?!.*\b(?:we|our|us)\b)", re.I)
# "What payment methods do you take?" asks what the shop accepts, "when do you take the money from my card?" when it
# does: no list of the asker's own saved methods answers either ("which carriers do you use?" is answered by the
# shop's list of carriers).
WHAT_YOU_TAKE = re.compile(r"^\s*(?:what|which|when)\s+(?:[\w-]+\s+){0,3}(?:do|does|will|can)\s+you\b", re.I)
# Asking whether one may do something ("can I pay cash on delivery?") asks what the shop allows; asking to see
# something ("can I see my orders?") is a request to read.
PERMISSION = re.compile(r"^\s*(?:can|may|could)\s+i\s+(?!(?:see|view|get|have|check|find|look|know|show)\b)\w", re.I)
# A question about a rule names the condition it holds under ("...once it's processed?", "...after 30 days?"),
# unlike a request put as a question ("can you change where my order ships to?"); "when will it come?" and "any
# idea when my socks will get here?" ask when.
# (Not an "if" of politeness, which sets none: "I'd prefer them in black, if that is possible".)
CONDITION = re.compile(r"\b(?:once|if(?! (?:(?:that|it|this)(?:'s|\s+is)? (?:possible|ok|okay|alright|fine)|possible"
                       r"|you (?:can|could|don'?t mind|would)|not too much (?:trouble|bother))\b)"
                       r"|after(?!\s+all\b)|before|until|within|ever)\b"  # "after all" says "anyway"
                       r"|\bwhen\b(?!\s+(?:will|would|is|are|was|were|does|do|did|can|could|has|have)\b)"
                       r"(?![^,.?]*\b(?:will|would)\b)", re.I)
# What points at the asker's own record, or one they speak of: "it", "them", "my order", "that one", "its tracking",
# "his parcel".
POINTING = re.compile(r"\b(?:it|its|them|my|our|his|him|her|me|us|their|that|this|these|those)\b", re.I)
# A question about a rule by its words ("is there a limit...", "how does that work?"), or about what would happen.
RULE = re.compile(r"\b(?:limits?|maximum|minimum|allowed|polic(?:y|ies)|rules?)\b|\bhow (?:does|do) \w+ work\b"
                  r"|\bwhat (?:should|shall|can|do) (?:i|we) do\b|\bhow (?:long|much time) do (?:i|we) have\b"
                  r"|\b(?:what|which)(?: \w+)? should (?:i|we) (?:take|get|choose|pick|buy)\b", re.I)
# Speaking of the shop's own ("when is your support team around?") rather than of anything of the asker's.
THE_SHOPS = re.compile(r"\b(?:you|your|yours)\b", re.I)
IF_CLAUSE = re.compile(r"\b(?:if|in case|unless)\b", re.I)


def about_rules(said: str, tool: ToolView, extraction: Extraction) -> bool:
    """A question about how things go, naming no record of the asker's ("what's your warranty on keyboards?",
    "can I change my order after it ships?"), that the tool could only meet by acting or by asking for a record's
    number: the policy library answers it."""
    if PERMISSION.match(said) and a_listing(tool) and not names_a_record(said):
        return True  # no listing of the asker's records says what they may do
    if put_to_us(said):
        return False
    # A condition or rule counts in the question itself: the story before it tells what happened ("PayPal froze my
    # account after some security check. can I save a bank card here?").
    asked = " ".join(s for s in SENTENCE_BREAK.split(said) if "?" in s or ASKS.match(s)) or said
    general = ASKS.search(said) and not names_a_record(said) and (
        not FIRST_PERSON.search(said) or CONDITION.search(asked) or RULE.search(asked))
    if not general:
        return False
    # A write given the values it takes ("can you move 5 over from Paris to Berlin?") is asked for, not asked about.
    if tool.confirm and not extraction.problems and sum(
            kind_of(f) != "free_text" for f in tool.fields if f.name in extraction.args) > 1:
        return False
    # A write that computes figures ("how did we sell last month?": a sales report) answers such a question.
    if tool.confirm or any(kind_of(f) in REFERENCE_KINDS for f in extraction.missing):
        return True
    if tool.mutates:
        return False
    # A listing of the asker's own records does not answer a question put to the shop ("do you deliver on
    # saturdays?" is no list of parcels), nor does one that takes nothing from it; "do you have the Keycap Hoodie in
    # size L?" filters the catalogue's variants.
    own = any(kind_of(f) in OWN_KINDS for f in tool.records)
    taken = {k: v for k, v in extraction.args.items() if v != ONESELF}
    if a_listing(tool) and TO_THE_SHOP.search(said) and (own or not taken):
        return True
    if a_listing(tool) and WHAT_YOU_TAKE.match(said) and not taken and owned(tool):
        return True
    # Nor does it answer a question about the shop's own that says nothing of the asker's.
    yours = THE_SHOPS.search(said) and not FIRST_PERSON.search(said)
    if a_listing(tool) and (own or owned(tool)) and not taken and yours:
        return True
    # Nor does a reading of the asker's records, named by nothing but whose they are, answer what a rule or a "what
    # if" says ("will I lose my points if I don't order for a while?", "if I delete my account what happens to my
    # gift card balance?", "is there a limit on how many addresses I can save?").
    return not taken and bool(RULE.search(said) or IF_CLAUSE.search(said))


def a_listing(tool: ToolView) -> bool:
    """A reading tool that lists records and needs nothing but whose they are (the asker's own, for a customer)."""
    return bool(tool.records) and not tool.mutates and all(
        kind_of(f) == "customer" and ONESELF in f.examples for f in tool.required)


def owned(tool: ToolView) -> bool:
    """Whether the tool's records belong to a customer (it takes whose they are)."""
    return any(kind_of(f) == "customer" for f in tool.fields)


def put_to_us(said: str) -> bool:
    """Whether a clause asks the shop to act on something of the asker's ("can you stop it before it goes out?"):
    a request with a deadline, not a question about the rule a condition names."""
    return any(TO_YOU.match(c) and POINTING.search(c) for c in re.split(r"[,.;!?]\s*", said))
