"""Reading a person's answer to "shall I go ahead?", and telling a correction of the last action apart."""

import re
from typing import Literal

from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage

AFFIRMATIVE = re.compile(
    r"^\s*(y|yes|yeah|yea|yep|yup|ya|sure|ok|okay|k|confirm(ed)?|i confirm|go ahead|do it|please do|proceed|correct|"
    r"that'?s right|oui|absolutely|of course|definitely|affirmative|alright|all right|sounds good|go for it|"
    r"please (?:go ahead|proceed|confirm)|let'?s do it|that works|fine by me|works for me|that'?s fine|that is fine|"
    r"go on|looks good|all good|sounds right|do that|make it so|👍)(?!\w)"
    # Words that say yes only alone: "fine." (not "fine, use the visa"), "perfect, thanks".
    r"|^\s*(?:please|go|right|fine|cool|great|perfect|approved|lovely)\s*[.!]*\s*(?:,?\s*(?:thanks|thank you|cheers))?"
    r"[.!]*\s*$",
    re.I,
)
# A yes with one of these is conditional or changes the request: it is not a plain yes.
HEDGES = re.compile(r"\b(but|however|instead|wait|actually|change|not|don'?t|no|cancel|stop)\b", re.I)
NEGATIVE = re.compile(
    r"^\s*(n|no|nope|nah|cancel|stop|don'?t|do not|never ?mind|abort|non|forget it|leave it|not now|hold off)\b",
    re.I,
)
# What follows a new value to name the old one it replaces: "30 not 40", "80 rather than 75".
NOT_THE_OLD = r"(?:not|rather\s+than|instead\s+of)\s+(?:the\s+)?[€$£]?\d[\w.,-]*"
# "actually make it 3", "no, I meant the blue one", "oops, it was PAR-1", "no wait, it's +33 6 11 22 33 55": a
# change to what the crew was just doing, not a new request (a "no" followed by a value, a slip owned up to, a
# value put in its place, "wait, no, cancel W6380018 instead": a number or a "my"/"the" thing in place of the
# action's own).
SLIP = r"(?:oh|ah|hmm|um|no|nope|oops|sorry|my bad|wait|hang on|hold on)[,.!]?\s+"
CORRECTION = re.compile(
    rf"^\s*(?:{SLIP})*(?:actually|i\s+meant|i\s+mean|make\s+(?:it|that|him|her|them)|change\s+(?:it|that)\s+to|"
    r"correction|wait,?\s+(?:make|change|use))\b"
    rf"|^\s*(?:{SLIP})+(?:it\s+(?:was|is|should\s+be)\b|it'?s\s+(?=[#+\d]|[A-Z]{1,3}-?\d)|wrong\s+\w+|(?=[#\d+])"
    r"|(?:only|just)\s+(?=[€$£]?\d)|[^.?!]*(?:\d|\bmy\b|\bthe\b)[^.?!]*\binstead\b)"
    # A value set against the one it replaces: "sorry, we agreed 30 not 40", "so it's 2 I need to send back, not 1",
    # after the sentences saying why ("my lead says we cap goodwill at 15. so 15, not 20").
    rf"|^(?:[^.?!]*[.?!]+\s+)*[^.?!]*?\d[^.?!]*?,?\s+{NOT_THE_OLD}"
    # A pause before more words is no refusal: "no wait, he paid for express, it has to go chronopost" (unless the
    # words after it refuse: "no wait, cancel that").
    r"|^\s*(?:(?:no|nope)[,.!]?\s*(?:wait|hang on|hold on)\b[,.!]?|(?:wait|hang on|hold on)[,.!])\s+"
    r"(?!(?:no\b|cancel|stop|don'?t|do not|forget|never ?mind|leave|scrap|abort))\w",
    re.I,
)
# "and Berlin?", "what about #W7749532?", "same for the blue one", "the hoodie from #W3746945. same again please", "and
# if it went to Canada instead?": the last request again for another value, named by a name, a number or "one". A
# question or a request of its own after the opening ("and where is my refund?", "and cancel it") is none, nor is a
# thing of its own ("and the refund?").
FOR_ANOTHER = re.compile(
    r"^\s*(?i:and|and for|what about|how about|same (?:for|with))\s+"
    r"(?!(?i:what|how|when|where|why|which|who|can|could|would|will|should|is|are|was|do|does|did|please|pls|also|"
    r"then|thanks|thank|cheers|bye|ok|okay|yes|no|i|we|you|it|that|this|cancel|return|refund|send|change|show|give|"
    r"tell|check|add|remove|make|put|get)\b)"
    r"(?=[^?.!,]*(?:\b[A-Z]|\d|\bones?\b))"
    r"[^\s?.!,]+(?:\s+[^\s?.!,]+){0,3}\s*[?.!]*\s*$"
    # Or the same asked of another case: "and if it went to my cousin in Canada instead?".
    r"|^\s*(?i:and|but|what)\s+(?i:if)\b[^.!?]*\b(?i:instead)\s*[?.!]*\s*$"
    # Or the other record named first, then "same again please" / "do the same for her".
    r"|.*?\b(?i:same again|(?:do )?the same (?:for|with) (?:this|that|it|her|him|them|this one|that one)|do the same)"
    r"(?i:\s*,?\s*(?:please|pls|thanks))?\s*[.!]*\s*$",
)
# The answer the pending action gets when the person replied with something else than yes or no (a value, a
# correction, another request): the specialist that asked reads the reply next, as an answer to its question.
ANSWERED_OTHERWISE = "The person answered with something other than yes or no, so it was not carried out."


def answered_otherwise(earlier: list[BaseMessage]) -> bool:
    """Whether the message after `earlier` replied to "shall I go ahead?" with something else than yes or no: the
    pending action's answer (a tool result carrying ANSWERED_OTHERWISE) came after the last request."""
    last = next((m for m in reversed(earlier) if isinstance(m, (ToolMessage, HumanMessage))), None)
    return isinstance(last, ToolMessage) and ANSWERED_OTHERWISE in last.text


def read_answer(text: str) -> Literal["yes", "no", "other"]:
    """'yes' only for an explicit, unconditional yes; 'no' for a refusal; 'other' for anything else."""
    opening = AFFIRMATIVE.match(text)
    # A question of its own after the opening asks rather than agrees ("ok the steel one, how much is that?").
    asks = text.rstrip().endswith("?") and len(re.findall(r"\w+", text[opening.end():] if opening else "")) >= 3
    if opening and not HEDGES.search(text) and not asks:
        return "yes"
    if NEGATIVE.match(text) and not CORRECTION.match(text):  # "no, I meant the blue one" changes, not refuses
        return "no"
    return "other"


# "the gift-wrap one", "the carrier tracking delay one": a record named by what it is about, the words captured (not
# "the VAT for one of my orders").
ONE_NAMED = r"\bthe\s+((?:(?!(?:for|of|to|in|on|at|with|from|by|and|or|but|is|was)\b)[\w-]+\s+){1,3})one\b"
# "that one", "the gift-wrap one": one record of several shown, pointed at.
ONE_POINTED = re.compile(rf"\b(?:that|this)\s+one\b|{ONE_NAMED}", re.I)
# "the second one", "that order", "the same one", "approve it", "the gift-wrap one": a follow-up about what the last
# reply showed.
REFERENCE = re.compile(
    rf"\bthe\s+(?:first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)\b|{ONE_POINTED.pattern}|"
    r"\b(?:that|this|the\s+same)\s+(?:same\s+)?(?!(?:is|was|isn't|wasn't|does|doesn't|helps?)\b)\w+\b|"
    r"(?<!\bis )(?<!\bwould )\b(?:it|its|them)\b(?!\s+(?:possible|\w+ble)\b)",
    re.I,
)
# An id of its own ("#W2611340", "QI-DEMO0001", "request 12") makes a message stand on its own.
OWN_ID = re.compile(r"#?\bW\d{5,}\b|\b[A-Z]{2,}-[A-Z0-9]+(?:-[A-Z0-9]+)*\b|\b[\w.+-]+@[\w-]+\.[\w.]+\b")


def refers_back(text: str) -> bool:
    """Whether a message points at something an earlier reply named rather than naming it itself."""
    return bool(REFERENCE.search(text)) and not OWN_ID.search(text)
