"""Monitoring and marketplace requests through the whole crew with the local model, on the seeded demo shop."""

import shutil

import pytest
import pytest_asyncio
from sqlalchemy import select

from db.enums import RunOutcome
from db.migrate import upgrade
from db.models import AgentRun, MarketplaceOrder, Order
from db.seed.marketplace import write_feeds
from db.seed.run import seed_database
from graph.crew import Crew
from shopcrew.settings import Settings
from tools.principals import principal_for_label

AVA = "customer:ava.martin@example.com"
ADMIN, MERCHANT, SUPPORT = "staff:ada.admin", "staff:mia.merchant", "staff:sam.support"

READ_CASES = [
    (ADMIN, "system health", "monitoring", "get_system_overview", ["warning"]),
    (SUPPORT, "show the open system alerts", "monitoring", "list_system_alerts", ["Carrier tracking"]),
    (MERCHANT, "list our marketplace connections", "marketplace", "list_marketplace_connections",
     ["Sandbox demo channel"]),
    (SUPPORT, "any unread messages from marketplace buyers?", "marketplace", "list_unread_marketplace_messages",
     ["gift-wrap"]),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A migrated, seeded demo shop with its sandbox marketplace feed beside it."""
    path = tmp_path_factory.mktemp("ops") / "shop.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    result = seed_database(url)
    write_feeds(path.parent / "marketplace", result.feeds)
    return path


@pytest_asyncio.fixture
async def crew(template, tmp_path):
    """A crew on a private copy of the demo shop and its feed."""
    path = tmp_path / "shop.db"
    shutil.copy(template, path)
    shutil.copytree(template.parent / "marketplace", tmp_path / "marketplace")
    async with Crew.open(Settings(database_url=f"sqlite:///{path}", data_dir=tmp_path)) as opened:
        yield opened


async def ask(crew: Crew, label: str, text: str, thread: str | None = None):
    async with crew.sessions() as session:
        principal = await principal_for_label(session, label)
    return await crew.ask(principal, text, thread)


@pytest.mark.parametrize("label, text, agent, tool, words", READ_CASES, ids=[c[1] for c in READ_CASES])
async def test_staff_requests_reach_the_right_tool(crew, label, text, agent, tool, words):
    result = await ask(crew, label, text)
    assert (result.agent, result.tool_calls[0]["name"], result.tool_calls[0]["ok"]) == (agent, tool, True), result
    assert all(word.lower() in result.reply.lower() for word in words), result.reply


async def test_import_asks_first_and_places_each_channel_order_once(crew):
    first = await ask(crew, MERCHANT, "import the new orders from the sandbox channel", "i1")
    assert first.pending_confirmation["name"] == "import_marketplace_orders"
    done = await ask(crew, MERCHANT, "yes", "i1")
    assert "SBX-1001" in done.reply and "SBX-1003" in done.reply
    await ask(crew, MERCHANT, "import the sandbox channel orders again", "i2")
    again = await ask(crew, MERCHANT, "yes", "i2")
    assert again.tool_calls[0]["ok"]
    async with crew.sessions() as s:
        rows = (await s.execute(select(MarketplaceOrder.external_id, MarketplaceOrder.status))).all()
        placed = (await s.execute(select(Order.id).where(Order.channel == "marketplace"))).scalars().all()
    assert sorted(rows) == [("SBX-1001", "imported"), ("SBX-1002", "imported"), ("SBX-1003", "failed"),
                            ("SBX-1004", "failed")]
    assert len(placed) == 2


async def test_staff_are_told_when_an_action_is_for_another_role(crew):
    result = await ask(crew, "staff:wendy.warehouse", "push stock to the sandbox channel")
    assert result.agent == "marketplace" and result.tool_calls[0]["name"] == "needs_other_role_warehouse"
    assert "nothing was done" in result.reply and result.pending_confirmation is None


async def test_a_split_request_says_what_was_not_done(crew):
    result = await ask(crew, AVA, "how many loyalty points do I have and also show me the open system alerts", "s1")
    assert result.agent == "customer" and result.tool_calls[0]["name"] == "get_loyalty"
    assert "points" in result.reply and "monitoring specialist" in result.reply
    assert "Carrier tracking" not in result.reply
    async with crew.sessions() as s:
        run = await s.scalar(select(AgentRun).where(AgentRun.thread_id == "s1"))
    assert (run.agent, run.outcome) == ("customer", RunOutcome.ANSWERED)


async def test_a_refused_request_is_recorded_under_its_specialist(crew):
    result = await ask(crew, AVA, "show the system alerts", "r1")
    assert result.agent == "supervisor" and "staff only" in result.reply and result.tool_calls == []
    async with crew.sessions() as s:
        run = await s.scalar(select(AgentRun).where(AgentRun.thread_id == "r1"))
    assert (run.agent, run.outcome) == ("monitoring", RunOutcome.REFUSED)


async def test_a_value_given_in_place_of_yes_asks_again_for_the_changed_action_only(crew):
    wendy = "staff:wendy.warehouse"
    first = await ask(crew, wendy, "schedule a quality inspection of HM-MUG-03")
    assert first.pending_confirmation["args"] == {"sku": "HM-MUG-03"}
    again = await ask(crew, wendy, "check 12 units", first.thread_id)
    assert again.pending_confirmation["args"] == {"sku": "HM-MUG-03", "sample_size": 12}
    assert again.reply.startswith("Please confirm: schedule a quality inspection"), again.reply
    assert "sample size: 12" in again.reply
    done = await ask(crew, wendy, "yes", first.thread_id)
    assert "12 units of Stoneware Mug (HM-MUG-03)" in done.reply
