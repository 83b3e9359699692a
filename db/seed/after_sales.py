"""The demo shop's after-sales: RMAs in every open status (and some rejected or withdrawn), an RMA behind
each exchange, warranty claims and satisfaction surveys.

Added after the rest of the demo shop with its own random generator, so every other id, order and figure
stays as it was. Orders keep their statuses: open RMAs belong to the orders already in return or exchange,
ended ones (rejected, cancelled) to delivered orders. No money moves here (nothing is refunded yet), and
received parcels hold no unopened units, so stock levels stay as seeded while the ledger shows each
returned unit booked in and written off, as tools/after_sales/receiving.py does.
"""

import random
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from db.enums import (
    ItemCondition,
    MovementKind,
    OrderStatus,
    ReturnReason,
    ReturnResolution,
    RmaStatus,
    WarrantyStatus,
)
from db.models import (
    Customer,
    Exchange,
    ExchangeLine,
    Order,
    OrderLine,
    Payment,
    ProductVariant,
    ReturnLine,
    ReturnRequest,
    SatisfactionSurvey,
    Shipment,
    StockMovement,
    WarrantyClaim,
)
from db.seed.base import Rows, numbering_time, stable_uuid
from db.seed.people import NAMED
from tools.after_sales import rules

RANDOM_SEED = 20_261_203
R = RmaStatus
# Conditions found in seeded parcels, with what the warehouse did with them (never restocked: see above).
FOUND = [(condition, rules.DISPOSITIONS[condition], rules.DESTINATIONS[rules.DISPOSITIONS[condition]])
         for condition in (ItemCondition.OPENED, ItemCondition.USED, ItemCondition.DAMAGED, ItemCondition.DEFECTIVE)]
# Statuses of the other customers' open returns, in turn; the named customers' are fixed for the docs.
OPEN_CYCLE = [R.RECEIVED, R.INSPECTED, R.APPROVED, R.REQUESTED]
NAMED_STATUS = {"ava.martin@example.com": R.IN_TRANSIT, "chloe.dubois@example.com": R.REQUESTED}
EXCHANGE_REASONS = [ReturnReason.CHANGED_MIND, ReturnReason.NOT_AS_DESCRIBED, ReturnReason.WRONG_ITEM]
FAULTS = ["stopped charging after a few weeks", "two keys no longer register", "the zipper broke in normal use",
          "the display flickers once it warms up", "the hinge cracked without being dropped"]
COMMENTS = ["Fast delivery, well packed.", "Exactly as described.", "The parcel took longer than announced.",
            "Great product, I would buy again.", "", "Support answered quickly."]
# Who is asked, by email: the named customers' fixtures the docs cite.
CLAIMANT, SURVEYED = "emma.schmidt@example.com", "mateo.garcia@example.com"


class AfterSales:
    """The demo rows after-sales reads and completes, and this module's own random generator."""

    def __init__(self, rows: Rows, anchor: datetime):
        self.rows, self.anchor, self.rng = rows, anchor, random.Random(RANDOM_SEED)
        self.orders = {o["id"]: o for o in rows.of(Order)}
        self.lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for line in rows.of(OrderLine):
            self.lines[line["order_id"]].append(line)
        self.line_by_id = {line["id"]: line for line in rows.of(OrderLine)}
        self.variants = {v["id"]: v for v in rows.of(ProductVariant)}
        self.warehouse_of = {s["order_id"]: s["warehouse_id"] for s in rows.of(Shipment)}
        self.method_of = {p["order_id"]: p["method_id"] for p in rows.of(Payment)}
        self.named = {c["email"]: c["id"] for c in rows.of(Customer)[:len(NAMED)]}
        self.used: set[str] = set()

    def number(self, prefix: str, at: datetime) -> str:
        """A PREFIX-YYYYMMDD-XXXXXXXX number, dated on the numbering day's calendar."""
        return f"{prefix}-{numbering_time(self.anchor, at):%Y%m%d}-{self.rng.getrandbits(32):08X}"

    def between(self, start: datetime, share: float) -> datetime:
        """A moment `share` of the way from start to an hour before the anchor."""
        return start + (self.anchor - timedelta(hours=1) - start) * share

    def delivered(self, customer_id: str | None = None) -> list[dict[str, Any]]:
        """Delivered orders not used yet, of the customer or (None) of the customers not named, by id."""
        named = set(self.named.values())
        return sorted((o for o in self.orders.values() if o["status"] == OrderStatus.DELIVERED
                       and o["id"] not in self.used
                       and (o["customer_id"] == customer_id if customer_id else o["customer_id"] not in named)),
                      key=lambda o: o["id"])


def label_cost(order: dict[str, Any], reason: ReturnReason) -> Decimal:
    """The label a return pays, at the setting's default price (the after-sales rule, not a copy of it)."""
    key = rules.label_key(reason, order["shipping_address"]["country"])
    return Decimal("0.00") if key is None else Decimal(str(key.default)).quantize(Decimal("0.01"))


def complete_returns(seed: AfterSales) -> None:
    """Give the RMAs queued with the orders their label cost, refund amount and the columns added since."""
    by_rma = defaultdict(list)
    for line in seed.rows.of(ReturnLine):
        by_rma[line["rma_id"]].append(line)
    for rma in seed.rows.of(ReturnRequest):
        value = sum((seed.line_by_id[ln["order_line_id"]]["unit_price"] * ln["quantity"] for ln in by_rma[rma["id"]]),
                    Decimal("0"))
        label = min(value, label_cost(seed.orders[rma["order_id"]], rma["reason"]))
        rma.update(label_cost=label, refund_amount=value - label, warehouse_id=None, resolved_at=None)


def add_rma(seed: AfterSales, order: dict[str, Any], at: datetime, reason: ReturnReason, status: RmaStatus,
            resolution: ReturnResolution, lines: list[tuple[dict[str, Any], int]], notes: str = "") -> dict:
    """Queue an RMA of the order's lines, refunded to the order's method unless it is an exchange."""
    rma_id = stable_uuid("after-sales-rma", order["id"])
    exchange = resolution == ReturnResolution.EXCHANGE
    value = sum((line["unit_price"] * qty for line, qty in lines), Decimal("0"))
    label = Decimal("0.00") if exchange else min(value, label_cost(order, reason))
    rma = seed.rows.add(
        ReturnRequest, id=rma_id, rma_number=seed.number("RMA", at), order_id=order["id"],
        customer_id=order["customer_id"], status=status, reason=reason, resolution=resolution,
        refund_method_id=None if exchange else seed.method_of[order["id"]],
        refund_amount=None if exchange else value - label, notes=notes, received_at=None, inspected_at=None,
        created_at=at, updated_at=at, label_cost=label, warehouse_id=None, resolved_at=None)
    for line, qty in lines:
        seed.rows.add(ReturnLine, id=seed.rows.next_id(ReturnLine), rma_id=rma_id, order_line_id=line["id"],
                      variant_id=line["variant_id"], quantity=qty, condition=None, disposition=None)
    seed.used.add(order["id"])
    return rma


def exchange_rmas(seed: AfterSales) -> None:
    """Every exchange comes back under an RMA (requested, like the exchange itself)."""
    by_exchange = defaultdict(list)
    for line in seed.rows.of(ExchangeLine):
        by_exchange[line["exchange_id"]].append(line)
    for exchange in seed.rows.of(Exchange):
        lines = [(seed.line_by_id[ln["order_line_id"]], ln["quantity"]) for ln in by_exchange[exchange["id"]]]
        rma = add_rma(seed, seed.orders[exchange["order_id"]], exchange["created_at"],
                      seed.rng.choice(EXCHANGE_REASONS), R.REQUESTED, ReturnResolution.EXCHANGE, lines)
        exchange["rma_id"] = rma["id"]


def receive(seed: AfterSales, rma: dict[str, Any], lines: list[dict[str, Any]]) -> None:
    """The parcel arrived: each line's condition and disposition, the ledger rows, the lines marked returned."""
    rma["received_at"] = seed.between(rma["created_at"], 0.6)
    rma["warehouse_id"] = seed.warehouse_of[rma["order_id"]]
    for line in lines:
        condition, disposition, destination = seed.rng.choice(FOUND)
        line.update(condition=condition, disposition=disposition)
        seed.line_by_id[line["order_line_id"]]["quantity_returned"] += line["quantity"]
        if not seed.variants[line["variant_id"]]["track_stock"]:
            continue
        note = f"{condition} -> {disposition}"
        for kind, quantity, text in ((MovementKind.RETURN, line["quantity"], note),
                                     (MovementKind.WRITE_OFF, -line["quantity"], f"{note}: {destination}")):
            seed.rows.add(StockMovement, id=seed.rows.next_id(StockMovement), warehouse_id=rma["warehouse_id"],
                          variant_id=line["variant_id"], quantity=quantity, kind=kind, reference=rma["rma_number"],
                          note=text, actor="seed", created_at=rma["received_at"])


def advance_returns(seed: AfterSales) -> None:
    """Move the open returns along: the named customers' to fixed statuses, the others' in turn."""
    by_rma = defaultdict(list)
    for line in seed.rows.of(ReturnLine):
        by_rma[line["rma_id"]].append(line)
    emails = {customer_id: email for email, customer_id in seed.named.items()}
    others = 0
    for rma in seed.rows.of(ReturnRequest):
        if rma["resolution"] == ReturnResolution.EXCHANGE:
            continue
        if rma["customer_id"] in emails:
            status = NAMED_STATUS[emails[rma["customer_id"]]]
        else:
            status, others = OPEN_CYCLE[others % len(OPEN_CYCLE)], others + 1
        rma.update(status=status, updated_at=seed.between(rma["created_at"], 0.3 if status != R.REQUESTED else 0))
        if status in (R.RECEIVED, R.INSPECTED):
            receive(seed, rma, by_rma[rma["id"]])
        if status == R.INSPECTED:
            rma["inspected_at"] = rma["updated_at"] = seed.between(rma["created_at"], 0.8)


def ended_returns(seed: AfterSales) -> None:
    """Two rejected returns and one withdrawn by its customer, on delivered orders of other customers."""
    endings = [(R.REJECTED, "rejected: the item shows heavy use; if it is faulty, please file a warranty claim"),
               (R.REJECTED, "rejected: the photos show a different item than the one ordered"),
               (R.CANCELLED, "cancelled: withdrawn by the customer, who keeps the item")]
    for order, (status, note) in zip(seed.rng.sample(seed.delivered(), len(endings)), endings, strict=True):
        at = min(order["delivered_at"] + timedelta(days=seed.rng.randint(1, 5)), seed.anchor - timedelta(hours=3))
        rma = add_rma(seed, order, at, ReturnReason.CHANGED_MIND, status, ReturnResolution.REFUND,
                      [(seed.lines[order["id"]][0], 1)], notes=f"{seed.between(at, 0.5):%Y-%m-%d} {note}")
        rma["updated_at"] = seed.between(at, 0.5)


def claim(seed: AfterSales, order: dict[str, Any], status: WarrantyStatus, resolution: str = "") -> None:
    """Queue a warranty claim about the order's first item."""
    at = seed.between(order["delivered_at"], 0.5)
    line = seed.lines[order["id"]][0]
    seed.rows.add(WarrantyClaim, id=stable_uuid("warranty-claim", order["id"]), claim_number=seed.number("WC", at),
                  order_id=order["id"], customer_id=order["customer_id"], variant_id=line["variant_id"],
                  description=f"{line['name']}: {seed.rng.choice(FAULTS)}.", status=status, resolution=resolution,
                  created_at=at, updated_at=at)
    seed.used.add(order["id"])


def warranty_claims(seed: AfterSales) -> None:
    """A submitted claim of a named customer, an approved and a resolved one of others."""
    claim(seed, seed.delivered(seed.named[CLAIMANT])[0], WarrantyStatus.SUBMITTED)
    approved, resolved = seed.rng.sample(seed.delivered(), 2)
    claim(seed, approved, WarrantyStatus.APPROVED)
    claim(seed, resolved, WarrantyStatus.RESOLVED, "Repaired under warranty and sent back.")


def surveys(seed: AfterSales) -> None:
    """A named customer's survey and a handful of others', rating their delivered orders."""
    rated = [(seed.delivered(seed.named[SURVEYED])[0], 4, 8, "Quick delivery, the box was a bit dented.")]
    for order in seed.rng.sample(seed.delivered(), 8):
        rating = seed.rng.choices([5, 4, 3, 2, 1], weights=[40, 30, 15, 10, 5])[0]
        nps = None if seed.rng.random() < 0.2 else min(10, max(0, rating * 2 + seed.rng.randint(-2, 0)))
        rated.append((order, rating, nps, seed.rng.choice(COMMENTS)))
    for order, rating, nps, comment in rated:
        seed.rows.add(SatisfactionSurvey, id=seed.rows.next_id(SatisfactionSurvey), order_id=order["id"], rma_id=None,
                      customer_id=order["customer_id"], rating=rating, nps=nps, comment=comment,
                      created_at=seed.between(order["delivered_at"], seed.rng.uniform(0.1, 0.5)))


def add_after_sales(rows: Rows, anchor: datetime) -> None:
    """Queue the after-sales fixtures on top of the demo shop's rows."""
    seed = AfterSales(rows, anchor)
    complete_returns(seed)
    exchange_rmas(seed)
    advance_returns(seed)
    ended_returns(seed)
    warranty_claims(seed)
    surveys(seed)
