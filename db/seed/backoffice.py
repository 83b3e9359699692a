"""Back-office fixtures of the demo shop: a few changed settings and one refund waiting for approval.

Added after the demo shop is written, with a random generator of their own, so nothing else moves. The
demo's stored sales report is computed from these rows by the report service itself
(tools/backoffice/seed.py, run by `shopcrew seed` and the eval template), never by a second copy of its rule.
"""

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from db.enums import ApprovalStatus, OrderStatus
from db.models import ApprovalRequest, Customer, Order, Payment, SystemConfig
from db.seed.base import Rows, ago, money, stable_uuid, write
from db.seed.demo import Demo
from db.seed.people import NAMED

RANDOM_SEED = 50_050
CHANGED_BY = "staff:ada.admin"
# (key, value, description, days before the seeding day it was changed)
SETTINGS = (
    ("inventory.reservation_ttl_minutes", 45, "Minutes a stock hold without an order lasts.", 12),
    ("approvals.refund_threshold", 400, "Refunds above this amount by support staff wait for approval.", 5),
)
REQUESTER = "staff:sam.support"
PARTIAL_SHARE = Decimal("0.30")  # of the order's total: above the default 20 % partial-refund limit
# The stored sales report: the 30 UTC days before the seeding day, asked for by the merchant.
REPORT_ID = stable_uuid("report", "demo-sales-30-days")
REPORT_DAYS = 30
REPORT_BY = "staff:mia.merchant"


def add_backoffice(session: Session, demo: Demo) -> None:
    """Write the changed settings and the pending refund approval of the demo shop."""
    rows = Rows()
    for key, value, description, days in SETTINGS:
        at = ago(demo.anchor, days=days)
        # created_at is the seeding day itself: the demo report's window is counted back from it.
        rows.add(SystemConfig, key=key, value=value, description=description, updated_by=CHANGED_BY,
                 created_at=demo.anchor, updated_at=at)
    rows.add(ApprovalRequest, id=rows.next_id(ApprovalRequest), **pending_refund(demo))
    write(session, rows)


def pending_refund(demo: Demo) -> dict[str, Any]:
    """A partial refund on a named customer's delivered order that support asked for and a manager must decide."""
    rng = random.Random(RANDOM_SEED)
    named = {c["id"] for c in demo.rows.of(Customer)[:len(NAMED)]}
    delivered = [o for o in demo.rows.of(Order) if o["status"] == OrderStatus.DELIVERED and o["customer_id"] in named]
    order = rng.choice(sorted(delivered, key=lambda o: o["id"]))
    payment = next(p for p in demo.rows.of(Payment) if p["order_id"] == order["id"])
    amount = money(order["total"] * PARTIAL_SHARE)
    share = (amount * 100 / payment["amount_captured"]).quantize(Decimal("0.1"))
    at = ago(demo.anchor, days=1)
    return {
        "kind": "refund", "subject": order["id"], "status": ApprovalStatus.PENDING,
        "reason": f"this partial refund takes {share}% of the {payment['amount_captured']} captured; "
                  "above 20% needs a merchant or admin",
        "tool_name": "refund_payment",
        "arguments": {"payment_id": payment["id"], "amount": str(amount), "reason": "goodwill: late delivery"},
        "payload": {"payment_id": payment["id"], "amount": str(amount), "currency": "EUR",
                    "captured": str(payment["amount_captured"]), "already_refunded": "0.00"},
        "requested_by": REQUESTER, "decided_by": None, "decided_at": None, "comment": "", "result": None,
        "created_at": at, "updated_at": at,
    }


def report_window(anchor_day: date) -> tuple[date, date]:
    """(first, last) UTC day of the demo report: the REPORT_DAYS days before the seeding day."""
    return anchor_day - timedelta(days=REPORT_DAYS), anchor_day - timedelta(days=1)


def docs_section(demo: Demo) -> str:
    """The back-office part of docs/demo-data.md."""
    settings = "\n".join(f"| `{key}` | {value} | {CHANGED_BY}, {days} days before seeding |"
                         for key, value, _description, days in SETTINGS)
    held = pending_refund(demo)
    return (
        "## Back office\n\n"
        "Settings changed from their defaults (every other declared setting keeps its default; "
        "`list_config` / `GET /api/v1/config` shows them all):\n\n"
        "| setting | value | changed by |\n|---|---|---|\n" + settings + "\n\n"
        f"Approval queue: request `1` is pending: {REQUESTER} asked for a partial refund of "
        f"{held['arguments']['amount']} EUR on order `{held['subject']}` ({held['reason']}). A merchant or admin "
        "approves it (`approve_request`, the refund then runs once) or rejects it.\n\n"
        f"Stored report: sales report `{REPORT_ID}` ({REPORT_BY}) covers the {REPORT_DAYS} UTC days before the "
        "seeding day; `shopcrew seed` computes it with the report service after the shop is written."
    )
