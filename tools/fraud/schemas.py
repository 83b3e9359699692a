"""Inputs and outputs of the fraud tools."""

from datetime import datetime

from pydantic import Field, model_validator

from db.enums import BlockedKind, FraudLevel, OrderStatus
from tools.schemas import Email, Money, Number, OrderId, Page, Schema

# An IPv4 or IPv6 address as written; the service checks it properly.
IP_PATTERN = r"^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*)$"


def customer_field(description: str = "Customer id, email or full name."):
    """A customer named by id, email or full name."""
    return Field(min_length=2, max_length=255, description=description, examples=["ava_martin_1001"])


class ScoreOrderIn(Schema):
    order_id: OrderId


class ScoreCustomerIn(Schema):
    customer_id: str = customer_field()


class SignalsOut(Schema):
    amount: Money = Field(description="Amount scored: the order total, or a customer's orders in the last 24 h.")
    orders_last_24h: int = Field(description="Other orders of the customer in the 24 hours before.")
    ip_blocked: bool = Field(description="True when the client IP is on the blocklist.")
    countries_differ: bool = Field(description="True when the billing country differs from the shipping one.")
    account_under_a_day: bool = Field(description="True when the account was less than a day old.")
    payment_methods_added_7d: int = Field(description="Payment methods saved in the 7 days before.")
    blocked_entity: str | None = Field(None, description="The blocked email, customer or card kind, if any.")


class ThresholdsOut(Schema):
    flag: int = Field(description="Score from which an order is flagged (fraud.flag_threshold).")
    review: int = Field(description="Score from which an order is held for review (fraud.review_threshold).")
    block: int = Field(description="Score from which an order is refused (fraud.block_threshold).")


class FraudScoreOut(Schema):
    check_id: int = Field(description="Id of the stored fraud check.")
    subject: str = Field(description="order or customer.")
    order_id: str | None = Field(None, description="The order scored, for an order.")
    customer_id: str = Field(description="The customer scored (or who placed the order).")
    email: str = Field(description="The customer's email.")
    score: int = Field(ge=0, le=100, description="Fraud score, 0 to 100.")
    level: FraudLevel = Field(description="low, medium, high or critical.")
    decision: str = Field(description="approve, flag, review or block.")
    factors: dict[str, Number] = Field(description="Points each rule added, e.g. {'new_account': 15}.")
    signals: SignalsOut = Field(description="What was measured.")
    thresholds: ThresholdsOut = Field(description="The thresholds in force.")
    checked_at: datetime = Field(description="When the check was made.")


class EntityIn(Schema):
    """Exactly one of email, ip, customer_id or payment_method_id."""

    email: Email | None = Field(None, description="An email address to block or unblock.")
    ip: str | None = Field(None, pattern=IP_PATTERN, max_length=64, description="A client IP address.",
                           examples=["203.0.113.7"])
    customer_id: str | None = Field(None, min_length=2, max_length=255, examples=["ava_martin_1001"],
                                    description="A customer account id (first_last_1234) to block as a whole.")
    payment_method_id: str | None = Field(None, min_length=2, max_length=64, examples=["credit_card_1001"],
                                          description="A saved payment method (card) id.")

    @model_validator(mode="after")
    def exactly_one(self) -> "EntityIn":
        given = [name for name in ("email", "ip", "customer_id", "payment_method_id") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError("give exactly one of email, ip, customer_id or payment_method_id")
        return self

    def target(self) -> tuple[BlockedKind, str]:
        """The blocklist kind and the raw value given."""
        if self.email:
            return BlockedKind.EMAIL, self.email
        if self.ip:
            return BlockedKind.IP, self.ip
        if self.customer_id:
            return BlockedKind.CUSTOMER, self.customer_id
        return BlockedKind.CARD, self.payment_method_id or ""


class BlockIn(EntityIn):
    reason: str = Field(min_length=3, max_length=500, description="Why it is blocked.",
                        examples=["chargeback fraud"])
    expires_in_days: int | None = Field(None, ge=1, le=3650,
                                        description="Lift the block automatically after this many days.")


class UnblockIn(EntityIn):
    reason: str = Field(min_length=3, max_length=500, description="Why the block is lifted (for the audit trail).",
                        examples=["identity verified"])


class BlockEntryOut(Schema):
    id: int = Field(description="Entry id.")
    kind: BlockedKind = Field(description="email, ip, customer or card.")
    value: str = Field(description="What is blocked.")
    reason: str = Field(description="Why.")
    blocked_by: str = Field(description="Who blocked it.")
    created_at: datetime = Field(description="When it was (last) blocked.")
    expires_at: datetime | None = Field(None, description="When the block lapses (none: permanent).")
    unblocked_at: datetime | None = Field(None, description="When it was unblocked, if it was.")
    status: str = Field(description="active, expired or unblocked.")


class BlockOut(Schema):
    entry: BlockEntryOut
    was_active: bool = Field(description="True when it was already blocked (its entry was renewed).")
    message: str = Field(description="What happened, in a sentence.")


class BlocklistIn(Page):
    kind: BlockedKind | None = Field(None, description="Only entries of this kind.")
    include_inactive: bool = Field(False, description="Also list expired and unblocked entries.")


class BlocklistOut(Schema):
    entries: list[BlockEntryOut]
    total: int = Field(description="How many entries match in all.")


class HistoryIn(Page):
    customer_id: str = customer_field()


class CheckOut(Schema):
    id: int = Field(description="Fraud check id.")
    created_at: datetime = Field(description="When the check was made.")
    source: str = Field(description="checkout (an order being placed), rescore or customer.")
    order_id: str | None = Field(None, description="The order; none when the order was refused and never created.")
    refused: bool = Field(description="True when this check refused an order at checkout.")
    score: int = Field(description="Fraud score, 0 to 100.")
    level: FraudLevel = Field(description="low, medium, high or critical.")
    decision: str = Field(description="approve, flag, review or block.")
    factors: dict[str, Number] = Field(description="Points each rule added.")
    amount: Money | None = Field(None, description="Amount scored.")
    client_ip: str | None = Field(None, description="Client IP of the request, if known.")
    reviewed_by: str | None = Field(None, description="Who reviewed the held order.")
    reviewed_at: datetime | None = Field(None, description="When it was reviewed.")
    review_outcome: str | None = Field(None, description="released or rejected.")
    summary: str = Field(description="The check in a sentence.")


class HistoryOut(Schema):
    customer_id: str = Field(description="Customer id.")
    email: str = Field(description="Customer email.")
    blocked: bool = Field(description="True when the customer's email, account or a method is blocked now.")
    block_entries: list[BlockEntryOut] = Field(description="The active entries that block the customer.")
    refused_attempts: int = Field(description="Orders refused at checkout, in all.")
    checks: list[CheckOut] = Field(description="Fraud checks, newest first.")
    total: int = Field(description="How many checks the customer has in all.")


class QueueIn(Page):
    pass


class HeldOrderOut(Schema):
    order_id: str = Field(description="Order number.")
    customer_id: str = Field(description="Customer id.")
    email: str = Field(description="Customer email.")
    total: Money = Field(description="Order total.")
    currency: str = Field(description="Currency.")
    placed_at: datetime = Field(description="When it was placed.")
    score: int | None = Field(None, description="Score of its latest fraud check.")
    level: FraudLevel | None = Field(None, description="Level of its latest fraud check.")
    factors: dict[str, Number] = Field(default_factory=dict, description="Points of its latest fraud check.")


class QueueOut(Schema):
    orders: list[HeldOrderOut]
    total: int = Field(description="How many orders are on hold in all.")


class ReleaseIn(Schema):
    order_id: OrderId
    note: str = Field(min_length=3, max_length=500, description="Why it is released (for the audit trail).",
                      examples=["customer confirmed by phone"])


class RejectIn(Schema):
    order_id: OrderId
    reason: str = Field(min_length=3, max_length=500, description="Why the order is rejected (sent to the audit).",
                        examples=["stolen card confirmed"])


class ReviewOut(Schema):
    order_id: str = Field(description="Order number.")
    status: OrderStatus = Field(description="The order's status now: pending (released) or cancelled (rejected).")
    outcome: str = Field(description="released or rejected.")
    reviewed_by: str = Field(description="Who reviewed it.")
    reviewed_at: datetime = Field(description="When.")
    check_id: int | None = Field(None, description="The fraud check that held the order, now marked reviewed.")
    refunded: Money = Field(description="Amount refunded to the customer (rejections).")
    message: str = Field(description="What happened, in a sentence.")
