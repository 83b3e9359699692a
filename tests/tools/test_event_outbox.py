"""The outbox shares the tool's transaction: a failed tool leaves no event; a committed one reaches handlers."""

import pytest
from sqlalchemy import func, select

from db.enums import Role
from db.models import AuditEvent, Customer, OutboxEvent
from tests.tools.event_helpers import Clock, dispatcher, handled, recorder
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Conflict
from tools.events.registry import HandlerRegistry
from tools.registry import REGISTRY, tool
from tools.schemas import Message, Schema


class BreakIn(Schema):
    email: str


@pytest.fixture
def breaking_tool():
    @tool(agent="customer", method="POST", path="/test/break-after-writing", roles={Role.ADMIN}, mutates=True)
    async def create_then_fail(ctx: ToolContext, params: BreakIn) -> Message:
        """Create a customer, audit it, emit its event, then refuse (as a late check would)."""
        ctx.session.add(Customer(id="c-broken", email=params.email, first_name="Bo", last_name="Ken",
                                 created_at=ctx.now()))
        audit(ctx, "customer", "c-broken", "created")
        emit(ctx, "customer.created", "c-broken", {"email": params.email})
        await ctx.session.flush()  # the rows reached the database inside the transaction
        raise Conflict("a late check refused the change")

    yield
    REGISTRY.unregister("create_then_fail")


async def count(sessions, model) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(model))


async def test_a_tool_that_fails_after_writing_leaves_neither_rows_nor_events(sessions, call, admin, breaking_tool):
    with pytest.raises(Conflict):
        await call(admin, "create_then_fail", email="bo@example.com")
    assert [await count(sessions, m) for m in (Customer, AuditEvent, OutboxEvent)] == [0, 0, 0]
    assert not await dispatcher(sessions, HandlerRegistry(), Clock()).drain()


async def test_a_committed_tool_call_reaches_the_handlers_of_its_topic(sessions, call, support):
    registry = HandlerRegistry()
    recorder(registry, "test.welcome", "customer.created")
    created = await call(support, "create_customer", email="new@example.com", first_name="New", last_name="Person")
    report = await dispatcher(sessions, registry, Clock()).drain()
    assert report.delivered == 1
    assert [key for key, _ in await handled(sessions, "test.welcome")] == [created.id]
