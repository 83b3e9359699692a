"""Inputs and outputs of the payment tools."""

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from db.enums import PaymentMethodKind, PaymentStatus, TransactionKind, TransactionResult
from tools.customer.schemas import CustomerId
from tools.schemas import ROW_ID_MAX, Email, Money, OrderId, PositiveMoney, Schema

CardBrand = Literal["visa", "mastercard", "amex", "carte_bancaire", "discover"]


def PaymentId():  # noqa: N802  (reads like a type where it is used)
    """A payment by its id."""
    return Field(min_length=36, max_length=36, description="Payment id (a UUID), from get_order_payments.",
                 examples=["7f9c2a4e-1b2d-4c3e-9f00-123456789abc"])


def MethodId():  # noqa: N802
    """A saved payment method by its id."""
    return Field(min_length=3, max_length=64, description="Saved payment method id.",
                 examples=["credit_card_7815826", "gift_card_8506348"])


# --- gateways and methods -------------------------------------------------------------------


class GatewayOut(Schema):
    name: str = Field(description="Gateway name stored on payments.", examples=["sandbox"])
    display_name: str = Field(description="What the gateway is.")
    test_mode: bool = Field(description="True for a test gateway where no real money moves.")
    test_triggers: list[str] = Field(description="Documented inputs that make the test gateway decline.")
    method_kinds: list[PaymentMethodKind] = Field(description="Payment method kinds it accepts.")


class GatewayList(Schema):
    gateways: list[GatewayOut] = Field(description="Configured payment gateways.")


class NoInput(Schema):
    """A tool that takes no arguments."""


class AddMethodIn(Schema):
    customer_id: str | None = CustomerId()
    kind: PaymentMethodKind = Field(description="credit_card, paypal or gift_card (gift cards: staff only).")
    brand: CardBrand | None = Field(None, description="Card brand (cards only).", examples=["visa"])
    last_four: str | None = Field(
        None, pattern=r"^\d{4}$", description="Last four digits of the card (cards only; never the full number).",
        examples=["4242"],
    )
    paypal_email: Email | None = Field(None, description="PayPal account email (PayPal only).")
    initial_balance: Money | None = Field(
        None, ge=0, le=10000, description="Starting balance of a gift card (gift cards only).", examples=[50]
    )

    @model_validator(mode="after")
    def fields_match_kind(self) -> "AddMethodIn":
        """Each kind takes exactly its own fields (marketplace methods are made by marketplace imports only)."""
        if self.kind == PaymentMethodKind.MARKETPLACE:
            raise ValueError("a marketplace payment method is created when a channel's order is imported")
        needed = {
            PaymentMethodKind.CREDIT_CARD: {"brand", "last_four"},
            PaymentMethodKind.PAYPAL: {"paypal_email"},
            PaymentMethodKind.GIFT_CARD: {"initial_balance"},
        }[self.kind]
        given = {f for f in ("brand", "last_four", "paypal_email", "initial_balance") if getattr(self, f) is not None}
        if given != needed:
            raise ValueError(f"a {self.kind} needs exactly: {', '.join(sorted(needed))}")
        return self


class PaymentMethodOut(Schema):
    id: str = Field(description="Payment method id.", examples=["credit_card_7815826"])
    customer_id: str = Field(description="Owner's customer id.")
    kind: PaymentMethodKind = Field(description="credit_card, paypal or gift_card.")
    brand: str | None = Field(None, description="Card brand.")
    last_four: str | None = Field(None, description="Last four card digits.")
    paypal_email: str | None = Field(None, description="PayPal account email.")
    balance: Money | None = Field(None, description="Gift card balance.")
    active: bool = Field(description="False once removed or the account was erased.")
    created_at: datetime = Field(description="When it was saved.")


class MethodList(Schema):
    customer_id: str = Field(description="Whose methods these are.")
    methods: list[PaymentMethodOut] = Field(description="Active saved methods, oldest first.")


class CustomerMethodsIn(Schema):
    customer_id: str = Field(
        min_length=2, max_length=255, description="Customer id, email or full name; customers may say 'me'.",
        examples=["noah_brown_6181", "me"],
    )


# --- money movements ------------------------------------------------------------------------


class ChargeIn(Schema):
    order_id: OrderId
    method_id: str = MethodId()
    amount: PositiveMoney | None = Field(None, description="Amount; defaults to what the order still owes.")


class CaptureIn(Schema):
    payment_id: str = PaymentId()
    amount: PositiveMoney | None = Field(None, description="Amount to capture; defaults to all that is left.")


class VoidIn(Schema):
    payment_id: str = PaymentId()
    reason: str = Field("", max_length=500, description="Why the authorization is released.")


class RefundIn(Schema):
    payment_id: str | None = Field(None, min_length=36, max_length=36, description="Payment to refund.")
    order_id: OrderId | None = Field(None, description="Or the order whose payment to refund.")
    method_id: str | None = Field(None, max_length=64, description="With order_id: which method's payment.")
    amount: PositiveMoney | None = Field(None, description="Amount; defaults to all that can still be refunded.")
    reason: str = Field("", max_length=500, description="Why the money is given back.", examples=["damaged item"])

    @model_validator(mode="after")
    def one_target(self) -> "RefundIn":
        """Name the payment either by id or by order."""
        if (self.payment_id is None) == (self.order_id is None):
            raise ValueError("give either payment_id or order_id")
        return self


class TransactionRef(Schema):
    transaction_id: int = Field(ge=1, le=ROW_ID_MAX, description="Transaction id.", examples=[42])


class PaymentOut(Schema):
    id: str = Field(description="Payment id.")
    order_id: str = Field(description="Order number.")
    method_id: str = Field(description="Payment method id.")
    gateway: str = Field(description="Gateway it went through.")
    status: PaymentStatus = Field(description="Payment state.")
    currency: str = Field(description="ISO currency code.")
    amount_authorized: Money = Field(description="Total authorized.")
    amount_captured: Money = Field(description="Total captured (taken).")
    amount_refunded: Money = Field(description="Total refunded.")


class TransactionOut(Schema):
    id: int = Field(description="Transaction id (ledger order).")
    payment_id: str = Field(description="Payment it belongs to.")
    order_id: str = Field(description="Order number.")
    method_id: str = Field(description="Payment method id.")
    kind: TransactionKind = Field(description="authorize, capture, sale, void or refund.")
    result: TransactionResult = Field(description="success or declined.")
    amount: Money = Field(description="Amount of the operation.")
    currency: str = Field(description="ISO currency code.")
    gateway_reference: str = Field(description="The gateway's reference.")
    reason: str = Field(description="Refund or void reason, or the decline message.")
    created_at: datetime = Field(description="When it happened.")


class TransactionResultOut(Schema):
    transaction: TransactionOut = Field(description="The ledger row of the operation.")
    payment: PaymentOut = Field(description="The payment after the operation.")
    summary: str = Field(description="What happened, in a sentence.")


class HeldForApproval(Schema):
    approval_id: int = Field(description="The approval request holding the refund (GET /approvals/{approval_id}).")
    reason: str = Field(description="Why it needs a merchant or admin.")


class RefundOut(Schema):
    transaction: TransactionOut | None = Field(None, description="The refund's ledger row; null while it waits.")
    payment: PaymentOut | None = Field(None, description="The payment after the refund; null while it waits.")
    approval: HeldForApproval | None = Field(
        None, description="Set instead when the refund waits for a merchant or admin (see approvals.* settings).")
    summary: str = Field(description="What happened, in a sentence.")


class PaymentWithTransactions(PaymentOut):
    transactions: list[TransactionOut] = Field(description="Its ledger rows, oldest first.")


class PaymentEntry(Schema):
    """One line of an order's payment history, as the retail benchmark shows it."""

    transaction_type: Literal["payment", "refund"] = Field(description="payment or refund.")
    amount: Money = Field(description="Amount.")
    payment_method_id: str = Field(description="Payment method id.")


class OrderPaymentsOut(Schema):
    order_id: str = Field(description="Order number.")
    payments: list[PaymentWithTransactions] = Field(description="Payments, oldest first.")
    payment_history: list[PaymentEntry] = Field(description="Successful payments and refunds in ledger order.")
    captured_total: Money = Field(description="Money taken in all.")
    refunded_total: Money = Field(description="Money given back in all.")


# --- analytics ------------------------------------------------------------------------------


class AnalyticsIn(Schema):
    days: int = Field(30, ge=1, le=366, description="Look back this many days.", examples=[30])


class KindStats(Schema):
    kind: TransactionKind = Field(description="Transaction kind.")
    count: int = Field(description="Transactions of this kind.")
    succeeded: int = Field(description="Of which successful.")
    declined: int = Field(description="Of which declined.")
    amount: Money = Field(description="Sum of the successful ones.")


class TransactionAnalytics(Schema):
    days: int = Field(description="Window length in days.")
    since: datetime = Field(description="Start of the window.")
    total: int = Field(description="Transactions in the window.")
    declined: int = Field(description="Declined transactions.")
    success_rate: float = Field(description="Share of successful transactions, 0..1.")
    by_kind: list[KindStats] = Field(description="Counts and amounts per kind.")


class ReasonStats(Schema):
    reason: str = Field(description="Refund reason as written.")
    count: int = Field(description="Refunds with this reason.")
    amount: Money = Field(description="Amount refunded for it.")


class RefundAnalytics(Schema):
    days: int = Field(description="Window length in days.")
    since: datetime = Field(description="Start of the window.")
    refunds: int = Field(description="Successful refunds.")
    refunded: Money = Field(description="Amount refunded.")
    captured: Money = Field(description="Amount taken in the same window.")
    refund_rate: float = Field(description="Refunded / captured, 0 when nothing was captured.")
    average_refund: Money = Field(description="Mean refund amount.")
    top_reasons: list[ReasonStats] = Field(description="Most frequent reasons, at most 10.")


class DayRevenue(Schema):
    day: str = Field(description="Day (YYYY-MM-DD, UTC).")
    gross: Money = Field(description="Money taken.")
    refunded: Money = Field(description="Money given back.")
    net: Money = Field(description="gross - refunded.")


class MethodRevenue(Schema):
    kind: PaymentMethodKind = Field(description="Payment method kind.")
    gross: Money = Field(description="Money taken on this kind of method.")


class RevenueAnalytics(Schema):
    days: int = Field(description="Window length in days.")
    since: datetime = Field(description="Start of the window.")
    gross: Money = Field(description="Money taken (sales and captures).")
    refunded: Money = Field(description="Money given back.")
    net: Money = Field(description="gross - refunded.")
    orders_paid: int = Field(description="Distinct orders with money taken.")
    average_order_payment: Money = Field(description="gross / orders_paid.")
    by_day: list[DayRevenue] = Field(description="Per day with activity, oldest first.")
    by_method: list[MethodRevenue] = Field(description="Gross per method kind.")
