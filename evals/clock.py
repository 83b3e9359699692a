"""The day every evaluation runs on, whatever the calendar says.

The demo shop's dates are offsets back from the day it is seeded, and the cases speak of its records as they were
on the day they were written ("the order I placed on Wednesday", "the lamp I bought in September", a return still
inside its 30 days). Run on another day, the same cases would name other records, and a figure would move with the
calendar rather than with the code. So templates are seeded, and cases run and checked, with the clock travelled
(time-machine) to one fixed moment that then ticks on as usual.
"""

from contextlib import AbstractContextManager
from datetime import timedelta

import time_machine

from db.seed.base import NUMBERING_DAY

# The seed's numbering day, so an evaluated shop's reference numbers carry the dates of their own records.
EVAL_MOMENT = NUMBERING_DAY + timedelta(hours=10)


def on_eval_day() -> AbstractContextManager:
    """The clock at EVAL_MOMENT for the block (wall-clock time only: durations are still measured truly)."""
    return time_machine.travel(EVAL_MOMENT, tick=True)
