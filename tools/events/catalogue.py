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

RMA = "RMA number (`RMA-YYYYMMDD-XXXXXXXX`)"
RMA_FACTS = {"rma_number": RMA, "order_id": "order id"}
ALERT_NOTE = {"note": "what the person who moved it said, when they said something"}


def alert_moves(entity: str, key: str) -> list[Topic]:
    """The moves of an alert table (tools/alerts.py), the same for every kind of alert."""
    return status_moves(entity, key, {
        "acknowledged": to("someone is looking at the alert", **ALERT_NOTE),
        "resolved": to("the alert was dealt with", **ALERT_NOTE),
        "dismissed": to("the alert was a false alarm", **ALERT_NOTE),
    })


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
    # After-sales (tools/after_sales/)
    event("rma.requested", "RMA id", "a customer asked to return or exchange delivered items",
           rma_number=RMA, order_id="order id", customer_id="customer id", reason="return reason",
           resolution="refund, exchange or store_credit", units="units asked to return (number)",
           exchange_id="exchange id, for an exchange", price_difference=f"exchange price difference, {MONEY}",
           refund_amount=f"expected refund, for a refund, {MONEY}", label_cost=f"return label cost, {MONEY}"),
    *status_moves("rma", "RMA id", {
        "approved": to("staff approved the return"),
        "rejected": to("staff rejected the return", note="why"),
        "cancelled": to("the return was withdrawn", note="why, when given"),
        "in_transit": to("the parcel is on its way back", note="why the move happened, when not a carrier scan"),
        "received": to("the warehouse received the returned units", warehouse="warehouse code",
                       lines="per line: item, quantity, condition and disposition"),
        "inspected": to("the returned units were inspected", note="inspection note, when given"),
        "refunded": to("money went back to the customer", amount=MONEY, method_id="payment method refunded to"),
        "exchanged": to("the replacement items were sent", exchange_id="exchange id",
                        price_difference=f"price difference, {MONEY}"),
        "closed": to("the return ended in store credit", resolution="store_credit", amount=MONEY,
                     gift_card="gift card id credited"),
    }, **RMA_FACTS),
    *status_moves("exchange", "exchange id", {
        "completed": to("the replacement items shipped", units_shipped="units shipped (number)"),
        "cancelled": to("the exchange was cancelled with its RMA"),
    }, **RMA_FACTS),
    event("survey.submitted", "survey id", "a customer rated a delivered order",
           order_id="order id", rating="1-5 (number)", nps="0-10 when given (number)"),
    *status_moves("warranty_claim", "claim id", {
        "submitted": to("a rejected claim was reopened with more information"),
        "approved": to("staff accepted the claim"),
        "rejected": to("staff refused the claim", resolution="what was decided"),
        "resolved": to("the claim was settled (repair, replacement or refund)", resolution="what was decided"),
    }, claim_number="claim number", order_id="order id"),
    event("warranty_claim.submitted", "claim id", "a customer claimed under the two-year warranty",
           claim_number="claim number", order_id="order id", item_id="item (variant) id"),
    # Backoffice (tools/backoffice/)
    event("approval_request.requested", "approval request id", "an action above a configured limit waits for staff",
           kind="refund, discount or partial_refund", subject="what the action is about", tool="tool to run"),
    *status_moves("approval_request", "approval request id", {
        "approved": to("staff approved and the stored action ran once", tool="tool that ran",
                       comment="approver's comment"),
        "failed": to("staff approved but the stored action was refused", tool="tool that ran",
                     comment="approver's comment"),
        "rejected": to("staff rejected the request", comment="why"),
    }),
    event("report.created", "report id", "a sales report was computed and stored",
           kind="report kind", revenue=MONEY, orders="orders in the range (number)"),
    event("staff_user.created", "staff user id", "an admin added a staff user", username="user name", role="role"),
    event("staff_user.updated", "staff user id", "a staff user's role or details changed",
           username="user name", changed="names of the fields changed"),
    event("staff_user.deactivated", "staff user id", "a staff user was removed (deactivated, keys revoked)",
           username="user name", revoked_keys="API keys revoked (number)"),
    event("api_key.issued", "API key id", "an API key was issued (shown once)",
           staff_user_id="staff user id", prefix="the key's public prefix"),
    event("api_key.revoked", "API key id", "an API key was revoked", staff_user_id="staff user id"),
    # Documents (tools/documents/)
    event("document.generated", "document id", "a PDF or other document was generated and stored",
           kind="document kind", format="file format", order_id="order id, when about an order",
           sha256="SHA-256 of the file"),
    event("invoice.issued", "invoice id", "an invoice was issued with the next consecutive number",
           number="invoice number", order_id="order id", total=MONEY),
    *status_moves("invoice", "invoice id", {
        "sent": to("the invoice was sent to the customer"),
        "voided": to("the invoice was voided", reason="why"),
    }, number="invoice number"),
    event("credit_note.issued", "credit note id", "a credit note was issued against an invoice",
           number="credit note number", invoice_number="invoice number", order_id="order id", amount=MONEY,
           refund_transaction_id="payment ledger row of the refund, when there was one"),
    # Fraud and risk (tools/fraud/, tools/risk/)
    event("blocked_entity.blocked", "blocklist entry id", "an email, IP, card or address was blocked",
           kind="email, ip, card_fingerprint or address", value="the blocked value",
           expires_at="when the block ends (null: never)"),
    event("blocked_entity.unblocked", "blocklist entry id", "a block was lifted",
           kind="email, ip, card_fingerprint or address", value="the value unblocked"),
    event("order.fraud_reviewed", ORDER_ID, "staff released or rejected an order held for fraud review",
           outcome="released or rejected", check_id="fraud check reviewed", reviewer="who reviewed it"),
    event("risk_alert.raised", "risk alert id", "an anomaly detector flagged a metric's day",
           metric="metric name", day="ISO date", value="the day's value", severity="warning or critical"),
    *alert_moves("risk_alert", "risk alert id"),
    # Marketplace (tools/marketplace/)
    event("marketplace_connection.created", "connection id", "a sales channel was connected",
           channel="channel kind", name="connection name", status="connection status",
           credential_fields="names of the stored credentials (never their values)"),
    event("marketplace_connection.updated", "connection id", "a channel connection's settings changed",
           channel="channel kind", name="connection name", status="connection status",
           credential_fields="names of the stored credentials (never their values)"),
    event("marketplace_connection.deleted", "connection id", "a channel was disconnected and its offers ended",
           channel="channel kind", offers_ended="offers ended (number)"),
    event("marketplace_connection.orders_imported", "connection id", "a channel's order feed was imported",
           fetched="orders in the feed (number)", imported="new orders placed (number)",
           failed="orders refused (number)", already_imported="orders seen before (number)"),
    event("marketplace_connection.stock_pushed", "connection id", "stock levels were pushed to a channel",
           offers="offers updated (number)", units="units offered in all (number)"),
    event("marketplace_connection.prices_pushed", "connection id", "channel prices were pushed to a channel",
           offers="offers updated (number)"),
    event("marketplace_connection.messages_fetched", "connection id", "buyer messages were fetched",
           new="new messages stored (number)"),
    event("marketplace_order.imported", "marketplace order id", "a channel order became a shop order",
           connection_id="connection id", external_id="the channel's order id", order_id="shop order id",
           total=MONEY),
    event("marketplace_order.import_failed", "marketplace order id", "a channel order could not be placed",
           connection_id="connection id", external_id="the channel's order id", error="error code"),
    event("marketplace_listing.offered", "listing id", "a variant was offered on a channel",
           connection_id="connection id", sku="SKU", price=MONEY, quantity="units offered (number)"),
    event("marketplace_message.sent", "message id", "a reply was sent to a buyer on a channel",
           connection_id="connection id", order_ref="the channel's order id, when about an order"),
    # Monitoring (tools/monitoring/, tools/quality/reactions.py)
    event("system_alert.raised", "alert id", "a system alert was raised (tool failures, latency, quality)",
           severity="info, warning or critical", source="what raised it", agent="agent concerned, when one is"),
    *alert_moves("system_alert", "alert id"),
    # Quality (tools/quality/)
    event("inspection.scheduled", "inspection id", "a quality inspection was scheduled",
           inspection_number="inspection number", product_id="product id",
           batch_reference="SKU batch, RMA or receipt inspected", sample_size="units to inspect (number)"),
    *status_moves("inspection", "inspection id", {
        "in_progress": to("the inspector started"),
        "cancelled": to("a scheduled inspection was cancelled"),
        "completed": to("the inspection was completed and scored from its defects",
                        inspection_number="inspection number", product_id="product id", supplier="supplier",
                        score="score computed from the defects", result="pass, conditional or fail"),
    }),
    event("inspection.failed", "inspection id", "a completed inspection failed",
           inspection_number="inspection number", product_id="product id", supplier="supplier",
           score="score computed from the defects", result="fail"),
    # Support (tools/support/)
    event("support_case.opened", "case number", "a conversation was handed to a person",
           customer_id="customer id, when a customer", topic="what it is about", queue="support queue"),
    event("support_case.closed", "case number", "a support case was closed", customer_id="customer id"),
    # Transport and fulfilment (tools/transport/, tools/warehouse/)
    event("carrier.created", "carrier code", "a carrier was configured", name="carrier name"),
    event("carrier.updated", "carrier code", "a carrier's config or rates changed",
           fields="names of the fields changed", rates_set="rate rows set (number)",
           zones_removed="zones whose rates were removed"),
    event("carrier.deleted", "carrier code", "a carrier without shipments was deleted", name="carrier name"),
    event("carrier.deactivated", "carrier code", "a carrier with shipments was deactivated instead of deleted",
           name="carrier name"),
    event("shipment.created", "shipment id", "a shipment was created for an order with a tracking number",
           order_id="order id", carrier="carrier code", tracking_number="tracking number", cost=MONEY),
    *status_moves("shipment", "shipment id", {
        "picking": to("the warehouse started picking"),
        "packed": to("the shipment was packed from its pick list (reservations consumed)"),
        "shipped": to("the carrier took the parcel"),
        "in_transit": to("the carrier scanned the parcel in transit"),
        "out_for_delivery": to("the parcel is out for delivery"),
        "delivered": to("the parcel was delivered"),
        "exception": to("the carrier reported a problem"),
    }, order_id="order id", tracking_number="tracking number"),
    event("receipt.received", "receipt reference", "inbound goods were received into stock",
           warehouse_id="warehouse id (number)", supplier="supplier", reference="receipt reference",
           variant_id="variant id", product_id="product id", quantity="units received (number)",
           movement_id="stock movement id"),
]}


def topic(name: str) -> Topic:
    """The catalogued topic (KeyError naming the catalogue when it is missing)."""
    try:
        return TOPICS[name]
    except KeyError:
        raise KeyError(f"topic {name!r} is not in tools/events/catalogue.py") from None
