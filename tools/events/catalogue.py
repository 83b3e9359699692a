"""The event catalogue: every topic Shopcrew emits, its key and its payload (the one source of truth).

docs/events.md shows this catalogue (`python -m tools.events.docs` rewrites its topic section) and
tests/tools/test_event_catalogue.py fails when the code emits a topic that is not listed here, or this
lists one that nothing emits. To add a topic: write `event(...)` below (or add the target status to a
`status_moves(...)` entry), then regenerate the doc.
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


def status_moves(entity: str, key: str, targets: dict[str, str], /, **facts: str) -> list[Topic]:
    """The `<entity>.<target>` topics a StateMachine table emits (tools/transitions.py), one per target."""
    return [Topic(f"{entity}.{target}", key, when, {**MOVE, **facts}) for target, when in targets.items()]


ORDER_ID = "order id (`#W1234567`)"
MONEY = "decimal string, e.g. `12.50`"

TOPICS: dict[str, Topic] = {t.name: t for t in [
    event("config.changed", "config key", "staff changed a runtime setting",
           **{"from": "previous value (null when it was the default)", "to": "new value"}),
    event("customer.created", "customer id", "a customer account was created", email="the account's email"),
    event("customer.erased", "customer id", "a customer's personal data was anonymised on request"),
    *status_moves("article", "article slug", {
        "draft": "an archived article was reopened as a draft",
        "published": "a knowledge article was published (and indexed)",
        "archived": "a published article was withdrawn",
    }, version="article version (on publish)"),
    event("order.placed", ORDER_ID, "an order was placed (stock allocated, payment taken, fraud screened)",
           customer_id="customer id", total=MONEY, status="initial status: pending, or on_hold for fraud review"),
    event("order.items_modified", ORDER_ID, "items of a pending order were swapped for other variants",
           difference=f"price difference charged (+) or refunded (-), {MONEY}"),
    *status_moves("order", ORDER_ID, {
        "pending": "an order on hold was released for fulfilment",
        "on_hold": "an order was put on hold for review",
        "processed": "an order was processed (handed to fulfilment)",
        "delivered": "an order was delivered",
        "cancelled": "an order was cancelled (stock released, payment voided or refunded)",
        "return_requested": "a return of delivered items was requested",
        "exchange_requested": "an exchange of delivered items was requested",
    }, reason="why (cancellation or staff status change), when given",
        rma_number="RMA number (return_requested)", items="item ids concerned (return or exchange)",
        new_items="replacement item ids (exchange)", difference=f"exchange price difference, {MONEY}"),
    event("payment_method.added", "payment method id", "a payment method was added to a customer",
           customer_id="customer id", kind="card, paypal or gift_card"),
    event("payment_transaction.recorded", "payment id", "the payment ledger recorded a gateway answer",
           transaction_id="ledger row id (number)", order_id="order id",
           kind="authorize, capture, sale, void or refund", result="success or declined", amount=MONEY),
    *status_moves("payment", "payment id", {
        "authorized": "money was authorised on the payment",
        "captured": "authorised money was captured (or a sale went through)",
        "partially_refunded": "part of the captured money was refunded",
        "refunded": "all captured money was refunded",
        "voided": "an authorisation was voided",
        "failed": "the first attempt on a new payment was declined",
    }, captured=f"amount captured so far, {MONEY}", refunded=f"amount refunded so far, {MONEY}",
        reason="why (void)"),
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
        "released": "a reservation was released and its units given back",
        "expired": "a reservation expired and its units were given back",
        "consumed": "a reservation was shipped (consumed)",
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
