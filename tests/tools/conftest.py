"""Fixtures shared by the tool tests."""

import pytest

from db.base import utcnow
from tests.tools import risk_helpers


@pytest.fixture(autouse=True)
def _risk_today(request, monkeypatch):
    """The risk tools judge days by the clock when they run, and the risk tests build their history back from
    `risk_helpers.TODAY`: each test reads today afresh, so a run that crosses midnight (UTC) stays right."""
    today = utcnow().date()
    if getattr(request.module, "TODAY", None) is risk_helpers.TODAY:
        monkeypatch.setattr(request.module, "TODAY", today)
    monkeypatch.setattr(risk_helpers, "TODAY", today)
