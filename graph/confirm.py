"""Reading a person's answer to "shall I go ahead?"."""

import re
from typing import Literal

AFFIRMATIVE = re.compile(
    r"^\s*(y|yes|yeah|yep|yup|sure|ok|okay|confirm(ed)?|i confirm|go ahead|do it|please do|proceed|correct|"
    r"that'?s right|oui|absolutely|of course)\b",
    re.I,
)
# A yes with one of these is conditional or changes the request: it is not a plain yes.
HEDGES = re.compile(r"\b(but|however|instead|wait|actually|change|not|don'?t|no|cancel|stop)\b", re.I)
NEGATIVE = re.compile(r"^\s*(n|no|nope|nah|cancel|stop|don'?t|do not|never ?mind|abort|non)\b", re.I)


def read_answer(text: str) -> Literal["yes", "no", "other"]:
    """'yes' only for an explicit, unconditional yes; 'no' for a refusal; 'other' for anything else."""
    if AFFIRMATIVE.match(text) and not HEDGES.search(text):
        return "yes"
    if NEGATIVE.match(text):
        return "no"
    return "other"
