"""Fixtures for the local model's tests: the model (pinned date) and the fake tools."""

from datetime import date

import pytest

from graph.models.local import LocalChatModel
from tests.graph.models.fakes import handoff_tools, shop_tools

TODAY = date(2026, 3, 18)


@pytest.fixture
def model() -> LocalChatModel:
    """The local model, unbound, with a fixed date so relative periods are stable."""
    return LocalChatModel(today=TODAY)


@pytest.fixture
def tools():
    return shop_tools()


@pytest.fixture
def shop(model, tools):
    """The model bound to the shop's fake tools."""
    return model.bind_tools(tools)


@pytest.fixture
def router(model):
    """The model bound to sixteen hand-off tools, as the crew's router binds it."""
    return model.bind_tools(handoff_tools())
