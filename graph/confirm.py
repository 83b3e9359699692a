"""Reading a person's answer to "shall I go ahead?"."""

import re
from typing import Literal

YES = re.compile(
    r"^\s*(y|yes|yeah|yep|sure|ok|okay|confirm(ed)?|go ahead|do it|please do|proceed|oui)\b[\s.!]*"
    r"(please)?[\s.!]*$",
    re.I,
)
NO = re.compile(r"^\s*(n|no|nope|nah|cancel|stop|don'?t|do not|never ?mind|abort|non)\b", re.I)


def read_answer(text: str) -> Literal["yes", "no", "other"]:
    """'yes' only for an explicit yes; 'no' for a refusal; 'other' for anything else (a new request)."""
    if YES.match(text):
        return "yes"
    if NO.match(text):
        return "no"
    return "other"
