"""The alert state machine (DESIGN 5), shared by system alerts and risk alerts so both follow one table."""

from db.enums import AlertStatus
from tools.transitions import StateMachine

A = AlertStatus
# Staff may close an alert straight from open when the cause is obvious; acknowledging first is optional.
ALERT_MOVES = {
    A.OPEN: {A.ACKNOWLEDGED, A.RESOLVED, A.DISMISSED},
    A.ACKNOWLEDGED: {A.RESOLVED, A.DISMISSED},
}


def alert_machine(entity: str) -> StateMachine:
    """The alert table for one kind of alert (its name goes into audit rows and event topics)."""
    return StateMachine(entity, ALERT_MOVES)
