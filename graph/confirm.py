"""Reading a person's answer to "shall I go ahead?", and telling a correction of the last action apart."""

import re
from typing import Literal

AFFIRMATIVE = re.compile(
    r"^\s*(y|yes|yeah|yea|yep|yup|ya|sure|ok|okay|k|confirm(ed)?|i confirm|go ahead|do it|please do|proceed|correct|"
    r"that'?s right|oui|absolutely|of course|definitely|affirmative|alright|all right|sounds good|go for it|"
    r"please (?:go ahead|proceed|confirm)|let'?s do it|that works|fine by me|👍)(?!\w)",
    re.I,
)
# A yes with one of these is conditional or changes the request: it is not a plain yes.
HEDGES = re.compile(r"\b(but|however|instead|wait|actually|change|not|don'?t|no|cancel|stop)\b", re.I)
NEGATIVE = re.compile(
    r"^\s*(n|no|nope|nah|cancel|stop|don'?t|do not|never ?mind|abort|non|forget it|leave it|not now|hold off)\b",
    re.I,
)
# "actually make it 3", "no, I meant the blue one": a change to what the crew was just doing, not a new request.
CORRECTION = re.compile(
    r"^\s*(?:no,?\s+)?(?:actually|sorry,?\s+i\s+meant|i\s+meant|make\s+it|change\s+it\s+to|correction|"
    r"wait,?\s+(?:make|change|use))\b",
    re.I,
)


def read_answer(text: str) -> Literal["yes", "no", "other"]:
    """'yes' only for an explicit, unconditional yes; 'no' for a refusal; 'other' for anything else."""
    if AFFIRMATIVE.match(text) and not HEDGES.search(text):
        return "yes"
    if NEGATIVE.match(text) and not CORRECTION.match(text):  # "no, I meant the blue one" changes, not refuses
        return "no"
    return "other"
