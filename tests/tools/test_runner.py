"""The runner's unit of work: rows kept on rollback are written once, whether the call fails or succeeds."""

import pytest
from pydantic import Field
from sqlalchemy import select

from db.enums import AlertSeverity
from db.models import RiskAlert, SystemAlert
from tools.context import ALL_ROLES, ToolContext
from tools.errors import Conflict
from tools.registry import REGISTRY, tool
from tools.schemas import Message, Schema


class NoteIn(Schema):
    fail: bool = Field(description="Refuse after writing.")


@pytest.fixture
def keeping_tool():
    @tool(agent="monitoring", method="POST", path="/test/keep", roles=ALL_ROLES, mutates=True)
    async def keep_note(ctx: ToolContext, params: NoteIn) -> Message:
        """Write one row that must last and one that must not, then maybe refuse."""
        ctx.keep_on_rollback(SystemAlert(source="test", title="kept", severity=AlertSeverity.INFO))
        ctx.session.add(RiskAlert(metric="orders", severity=AlertSeverity.INFO, value=1))
        await ctx.session.flush()  # both rows reach the database inside the doomed transaction
        if params.fail:
            raise Conflict("refused after writing")
        return Message(message="done")

    yield
    REGISTRY.unregister("keep_note")


@pytest.mark.parametrize("fail", [True, False])
async def test_rows_kept_on_rollback_survive_it(sessions, call, admin, keeping_tool, fail):
    if fail:
        with pytest.raises(Conflict):
            await call(admin, "keep_note", fail=True)
    else:
        await call(admin, "keep_note", fail=False)
    async with sessions() as s:
        kept = (await s.execute(select(SystemAlert.title))).scalars().all()
        others = (await s.execute(select(RiskAlert))).scalars().all()
    assert kept == ["kept"] and len(others) == (0 if fail else 1)
