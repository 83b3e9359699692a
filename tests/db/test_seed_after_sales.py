"""The demo shop's after-sales fixtures: coherent with the orders, the stock ledger and the after-sales rules,
and usable by the tools as docs/demo-data.md describes them."""

from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, selectinload

from api.auth import principal_for_key
from db.engine import sync_url
from db.enums import OrderStatus, ReturnReason, RmaStatus
from db.models import (
    Exchange,
    Order,
    OrderLine,
    ReturnRequest,
    SatisfactionSurvey,
    StockMovement,
    WarrantyClaim,
)
from db.seed import after_sales as seeded
from db.seed.keys import demo_key
from db.seed.run import seed_database
from tools.after_sales import rules
from tools.errors import Conflict

OPEN = {RmaStatus.REQUESTED, RmaStatus.APPROVED, RmaStatus.IN_TRANSIT, RmaStatus.RECEIVED, RmaStatus.INSPECTED}


@pytest.fixture
def demo(database_url, sessions):
    """The demo shop in the shared test database (emptied afterwards by the sessions fixture)."""
    seed_database(database_url, reset=True)
    engine = create_engine(sync_url(database_url))
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_seed_rules_are_the_after_sales_rules():
    order = {"shipping_address": {"country": "DE"}}
    assert seeded.label_cost(order, ReturnReason.CHANGED_MIND) == Decimal(str(rules.LABEL_EU.default))
    assert seeded.label_cost(order, ReturnReason.PRODUCT_DEFECT) == 0
    assert seeded.label_cost({"shipping_address": {"country": "US"}}, ReturnReason.CHANGED_MIND) == 0


def test_every_open_return_or_exchange_has_its_rma(demo):
    s = demo
    rmas = s.scalars(select(ReturnRequest).options(selectinload(ReturnRequest.lines))).all()
    statuses = Counter(r.status for r in rmas)
    assert set(statuses) == OPEN | {RmaStatus.REJECTED, RmaStatus.CANCELLED}
    orders = {o.id: o for o in s.scalars(select(Order))}
    for status in (OrderStatus.RETURN_REQUESTED, OrderStatus.EXCHANGE_REQUESTED):
        waiting = [o for o in orders.values() if o.status == status]
        mine = [r for r in rmas if orders[r.order_id].status == status]
        assert sorted(r.order_id for r in mine) == sorted(o.id for o in waiting)
        assert all(r.status in OPEN and (r.resolution == "exchange") == (status == "exchange_requested")
                   for r in mine)
    assert all(r.status in rules.ENDED for r in rmas if orders[r.order_id].status == OrderStatus.DELIVERED)
    exchanges = s.scalars(select(Exchange)).all()
    assert exchanges and all(e.rma_id in {r.id for r in rmas} for e in exchanges)


def test_received_returns_are_in_the_ledger_and_on_the_lines(demo):
    s = demo
    received = s.scalars(select(ReturnRequest).options(selectinload(ReturnRequest.lines))
                         .where(ReturnRequest.status.in_([RmaStatus.RECEIVED, RmaStatus.INSPECTED]))).all()
    assert received and all(r.received_at and r.warehouse_id for r in received)
    lines = {ln.id: ln for ln in s.scalars(select(OrderLine))}
    for rma in received:
        moves = s.execute(select(StockMovement.kind, StockMovement.quantity)
                          .where(StockMovement.reference == rma.rma_number)).all()
        assert sum(q for _, q in moves) == 0 and {k for k, _ in moves} <= {"return", "write_off"}
        for line in rma.lines:
            assert rules.DISPOSITIONS[line.condition] == line.disposition != "restock"
            assert lines[line.order_line_id].quantity_returned >= line.quantity
    returned = sum(ln.quantity_returned for ln in lines.values())
    assert returned == sum(ln.quantity for r in received for ln in r.lines)


def test_amounts_follow_the_label_rule(demo):
    s = demo
    for rma in s.scalars(select(ReturnRequest).options(selectinload(ReturnRequest.lines))):
        if rma.resolution == "exchange":
            assert rma.refund_amount is None and rma.label_cost == 0
            continue
        value = sum(s.get(OrderLine, ln.order_line_id).unit_price * ln.quantity for ln in rma.lines)
        assert rma.refund_amount + rma.label_cost == value
        country = s.get(Order, rma.order_id).shipping_address["country"]
        assert (rma.label_cost == 0) == (rules.label_key(rma.reason, country) is None)


async def test_fixtures_work_with_the_tools(demo, call, sessions):
    s = demo
    support = await _principal(sessions, "staff:sam.support")
    chloe = await _principal(sessions, "customer:chloe.dubois@example.com")
    mateo = await _principal(sessions, "customer:mateo.garcia@example.com")
    mine = await call(chloe, "get_rma", rma_number="#W8646154")
    assert (mine.status, mine.resolution) == ("requested", "refund")
    inspected = s.scalar(select(ReturnRequest).where(ReturnRequest.status == RmaStatus.INSPECTED,
                                                     ReturnRequest.resolution == "refund"))
    out = await call(support, "resolve_return", rma_number=inspected.rma_number)
    assert out.status == "refunded"
    with pytest.raises(Conflict):
        await call(mateo, "submit_survey", order_id="#W4974208", rating=5)
    claim = s.scalar(select(WarrantyClaim).where(WarrantyClaim.order_id == "#W3321921"))
    assert (await call(support, "get_warranty_claim", claim_number="#W3321921")).claim_number == claim.claim_number
    assert (await call(support, "list_surveys")).total == s.scalar(select(func.count(SatisfactionSurvey.id))) == 9


async def _principal(sessions, label: str):
    """The principal a demo API key acts as."""
    async with sessions() as session:
        return await principal_for_key(session, demo_key(label))
