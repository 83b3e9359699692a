"""The event catalogue: every topic Shopcrew emits, its key and its payload (the one source of truth).

docs/events.md shows this catalogue (`python -m tools.events.docs` rewrites its topic section) and
tests/tools/test_event_catalogue.py fails when the code emits a topic that is not listed here, or this
lists one that nothing emits. To add a topic: write `event(...)` below (or add the target status to a
`status_moves(...)` entry with `to(...)`), then regenerate the doc.
"""

from dataclasses import dataclass, field

TOPIC_PATTERN = r"^[a-z][a-z_]*\.[a-z][a-z_]*$"


@dataclass(frozen=True)
class Topic:
    """One event topic: `<aggregate>.<past_event>`, what its key is, when it is emitted, its payload fields."""

    name: str
    key: str
    when: str
    payload: dict[str, str] = field(default_factory=dict)

    @property
    def aggregate(self) -> str:
        """The part before the dot: the kind of record the event is about."""
        return self.name.split(".", 1)[0]


def event(name: str, key: str, when: str, /, **payload: str) -> Topic:
    """A topic emitted by an explicit `emit(ctx, name, key, payload)`."""
    return Topic(name, key, when, payload)


MOVE = {"from": "status before the move", "to": "status after the move (the topic's last part)"}


def to(when: str, /, **facts: str) -> tuple[str, dict[str, str]]:
    """One target status of a `status_moves` entry: when the move happens, and the facts it adds."""
    return when, facts


def status_moves(entity: str, key: str, targets: dict[str, tuple[str, dict[str, str]]], /,
                 **common: str) -> list[Topic]:
    """The `<entity>.<target>` topics a StateMachine table emits (tools/transitions.py), one per target."""
    return [Topic(f"{entity}.{target}", key, when, {**MOVE, **common, **facts})
            for target, (when, facts) in targets.items()]


ORDER_ID = "order id (`#W1234567`)"
MONEY = "decimal string, e.g. `12.50`"
REASON = "why, when staff gave a reason"
AMOUNTS = {"captured": f"amount captured so far, {MONEY}", "refunded": f"amount refunded so far, {MONEY}"}

TOPICS: dict[str, Topic] = {t.name: t for t in [
    event("config.changed", "config key", "staff changed a runtime setting",
           **{"from": "previous value (null when it was the default)", "to": "new value"}),
    event("customer.created", "customer id", "a customer account was created", email="the account's email"),
    event("customer.erased", "customer id", "a customer's personal data was anonymised on request"),
    *status_moves("article", "article slug", {
        "draft": to("an archived article was reopened as a draft"),
        "published": to("a knowledge article was published (and indexed)", version="article version (number)"),
        "archived": to("a published article was withdrawn"),
    }),
    event("order.placed", ORDER_ID, "an order was placed (stock allocated, payment taken, fraud screened)",
           customer_id="customer id", total=MONEY, status="initial status: pending, or on_hold for fraud review"),
    event("order.items_modified", ORDER_ID, "items of a pending order were swapped for other variants",
           difference=f"price difference charged (+) or refunded (-), {MONEY}"),
    *status_moves("order", ORDER_ID, {
        "pending": to("an order on hold was released for fulfilment", reason=REASON),
        "on_hold": to("an order was put on hold for review", reason=REASON),
        "processed": to("an order was processed (handed to fulfilment)", reason=REASON),
        "delivered": to("an order was delivered", reason=REASON),
        "cancelled": to("an order was cancelled (stock released, payment voided or refunded)",
                        reason="why it was cancelled"),
        "return_requested": to("a return of delivered items was requested", rma_number="RMA number",
                               items="item ids returned"),
        "exchange_requested": to("an exchange of delivered items was requested", items="item ids exchanged",
                                 new_items="replacement item ids", difference=f"price difference, {MONEY}"),
    }),
    event("payment_method.added", "payment method id", "a payment method was added to a customer",
           customer_id="customer id", kind="card, paypal or gift_card"),
    event("payment_transaction.recorded", "payment id", "the payment ledger recorded a gateway answer",
           transaction_id="ledger row id (number)", order_id="order id",
           kind="authorize, capture, sale, void or refund", result="success or declined", amount=MONEY),
    *status_moves("payment", "payment id", {
        "authorized": to("money was authorised on the payment", **AMOUNTS),
        "captured": to("authorised money was captured (or a sale went through)", **AMOUNTS),
        "partially_refunded": to("part of the captured money was refunded", **AMOUNTS),
        "refunded": to("all captured money was refunded", **AMOUNTS),
        "voided": to("an authorisation was voided", reason="why it was voided"),
        "failed": to("the first attempt on a new payment was declined", **AMOUNTS),
    }),
    event("product.created", "product id", "a product was added to the catalogue", name="product name"),
    event("product.updated", "product id", "a product or its variants changed",
           fields="names of the product fields changed", variants="variant id -> changed fields and values",
           added="SKUs of variants added"),
    event("product.archived", "product id", "a product was withdrawn from sale", name="product name"),
    event("stock.ran_low", "variant id", "an outbound movement took a stock level to its reorder point or below",
           warehouse_id="warehouse id (number)", variant_id="variant id", on_hand="units on hand (number)",
           reorder_point="reorder point (number)", severity="low or critical",
           suggested_reorder="units to order to reach max stock (number)"),
    *status_moves("stock_reservation", "reservation id", {
        "released": to("a reservation was released and its units given back"),
        "expired": to("a reservation expired and its units were given back"),
        "consumed": to("a reservation was shipped (consumed)"),
    }, variant_id="variant id", quantity="units (number)"),
    event("warehouse.created", "warehouse id", "a warehouse was created", code="warehouse code"),
    event("warehouse.deleted", "warehouse id", "an empty warehouse without history was deleted",
           code="warehouse code"),
    event("warehouse.deactivated", "warehouse id", "a warehouse with history was deactivated instead of deleted",
           code="warehouse code"),
]}


def topic(name: str) -> Topic:
    """The catalogued topic (KeyError naming the catalogue when it is missing)."""
    try:
        return TOPICS[name]
    except KeyError:
        raise KeyError(f"topic {name!r} is not in tools/events/catalogue.py") from None
