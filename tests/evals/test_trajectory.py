"""A turn's record names the specialist the request reached, or was routed to when none could act."""

from db.enums import RunOutcome
from evals.trajectory import Turn
from graph.crew import TurnResult
from graph.router import SUPERVISOR


def refused(routed: list[str]) -> TurnResult:
    return TurnResult(reply="That is a job for our backoffice specialist, who works for the shop's staff only.",
                      agent=SUPERVISOR, thread_id="t", outcome=RunOutcome.REFUSED, routed=routed)


def test_a_request_refused_for_the_callers_role_names_the_specialist_it_was_routed_to():
    turn = Turn.of("raise the refund threshold to 300", refused(["backoffice"]))
    assert turn.agent == "backoffice"
    assert turn.outcome == "refused"


def test_a_request_routed_nowhere_stays_with_the_supervisor():
    assert Turn.of("what's the weather", refused([])).agent == SUPERVISOR


def test_the_first_specialist_that_acted_wins_over_the_routing():
    assert Turn.of("refund it", refused(["backoffice"]), agent="payment").agent == "payment"
