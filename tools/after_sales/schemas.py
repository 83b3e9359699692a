"""Inputs and outputs of the after-sales tools."""

from datetime import date, datetime
from typing import Literal

from pydantic import Field, model_validator

from db.enums import (
    Disposition,
    ExchangeStatus,
    ItemCondition,
    OrderStatus,
    ReturnReason,
    ReturnResolution,
    RmaStatus,
    WarrantyStatus,
)
from tools.after_sales.rules import ReturnState, WarrantyState
from tools.schemas import Money, OrderId, Page, Schema

ORDER_REF = r"#?[Ww]?\d{5,9}"


def RmaRef():  # noqa: N802  (reads like a type where it is used)
    """An RMA by its number, or by the number of its order (its latest return)."""
    return Field(pattern=rf"^(?:[Rr][Mm][Aa]-\d{{8}}-[A-Za-z0-9]{{8}}|{ORDER_REF})$",
                 description="RMA number (RMA-YYYYMMDD-XXXXXXXX), or the order number for its latest return.",
                 examples=["RMA-20261101-AB12CD34", "#W8646154"])


def ClaimRef():  # noqa: N802
    """A warranty claim by its number, or by the number of its order (its latest claim)."""
    return Field(pattern=rf"^(?:[Ww][Cc]-\d{{8}}-[A-Za-z0-9]{{8}}|{ORDER_REF})$",
                 description="Warranty claim number (WC-YYYYMMDD-XXXXXXXX), or the order number for its latest claim.",
                 examples=["WC-20261101-7Q2M9X4L", "#W7581196"])


def ItemField(description: str, default=None):  # noqa: N802
    """An item of the order: item id, SKU or (part of) the product name."""
    return Field(default, min_length=2, max_length=200, description=description,
                 examples=["KB-RED-01", "1008292230"])


# --- returns -------------------------------------------------------------------------------------


class ReturnLineIn(Schema):
    item: str = ItemField("Item of the order to send back: item id, SKU or product name.", ...)
    quantity: int = Field(1, ge=1, le=100, description="How many units of it.")
    new_item: str | None = Field(
        None, min_length=2, max_length=64, examples=["KB-BLUE-01"],
        description="Exchange only: the item id or SKU of the replacement (same product, other options).",
    )


class RequestReturnIn(Schema):
    order_id: OrderId
    lines: list[ReturnLineIn] | None = Field(
        None, min_length=1, max_length=50,
        description="What comes back; leave out to return everything that can still be returned.",
    )
    reason: ReturnReason = Field(description="Why: changed_mind, better_price, product_defect, not_as_described, "
                                             "damaged_in_shipping, wrong_item or other.")
    resolution: ReturnResolution = Field(
        ReturnResolution.REFUND, description="What the customer wants: refund, exchange or store_credit.")
    payment_method_id: str | None = Field(
        None, min_length=2, max_length=64, examples=["gift_card_7245904"],
        description="Refund: the original method (default) or a gift card. Exchange: pays or receives the "
                    "difference (default: the original method). Store credit: the gift card to credit.",
    )
    comment: str = Field("", max_length=1000, description="Anything the customer adds about the return.")

    @model_validator(mode="after")
    def replacements_match_resolution(self) -> "RequestReturnIn":
        """An exchange names each line's replacement; a refund or store credit names none."""
        exchange = self.resolution == ReturnResolution.EXCHANGE
        if exchange and (not self.lines or any(line.new_item is None for line in self.lines)):
            raise ValueError("an exchange needs lines, each with the new_item it is swapped for")
        if not exchange and any(line.new_item for line in self.lines or []):
            raise ValueError("new_item is only for an exchange (resolution exchange)")
        return self


class ReturnableItemOut(Schema):
    item_id: str = Field(description="Item (variant) id.")
    sku: str = Field(description="SKU when ordered.")
    name: str = Field(description="Product name.")
    options: dict = Field(description="Options of the item (colour, size...).")
    delivered: int = Field(description="Units delivered.")
    returnable: int = Field(description="Units that may still come back (delivered minus already returned).")


class EligibilityOut(Schema):
    order_id: str = Field(description="Order number.")
    status: OrderStatus = Field(description="The order's status.")
    return_state: ReturnState = Field(
        description="returnable (within the return window), defects_only (only a product defect may still come "
                    "back), not_delivered, cancelled, return_in_progress (a return or exchange is open), "
                    "nothing_left (everything already returned) or window_closed.")
    delivered_at: datetime | None = Field(None, description="When it was delivered; null when it was not.")
    days_since_delivery: int | None = Field(None, description="Calendar days since delivery (0 on the day).")
    return_window_days: int = Field(description="Days after delivery a return may be requested for any reason.")
    return_until: date | None = Field(None, description="Last day of the return window; null before delivery.")
    defect_window_days: int = Field(description="Days after delivery a product defect may be returned.")
    defect_return_until: date | None = Field(None, description="Last day to return a defective item; null "
                                                               "before delivery.")
    items: list[ReturnableItemOut] = Field(description="Items that may still come back now, with how many units; "
                                                       "empty when no return is possible.")
    open_rma_number: str | None = Field(None, description="The return (RMA) open on the order, if any.")
    open_rma_status: RmaStatus | None = Field(None, description="Where that return stands (requested, approved, "
                                                                "in_transit, received, inspected).")
    warranty_state: WarrantyState = Field(description="covered (a warranty claim may be filed), not_delivered or "
                                                      "expired.")
    warranty_until: date | None = Field(None, description="Last day of the warranty; null before delivery.")


class RmaRefIn(Schema):
    rma_number: str = RmaRef()


class RmaStatusIn(Schema):
    rma_number: str = RmaRef()
    status: Literal["approved", "rejected", "in_transit", "inspected", "closed", "cancelled"] = Field(
        description="The new status by the RMA state machine; receiving and resolving have their own tools.",
    )
    note: str | None = Field(None, min_length=2, max_length=1000,
                             description="Why, for the record (required to reject: the customer reads it).")


class ReceiveLineIn(Schema):
    item: str = ItemField("Returned item: item id, SKU or product name.", ...)
    condition: ItemCondition = Field(description="unopened, opened, used, damaged or defective.")


class ReceiveReturnIn(Schema):
    rma_number: str = RmaRef()
    condition: ItemCondition | None = Field(
        None, description="Condition of every unit (unopened, opened, used, damaged, defective), unless "
                          "given per item in lines.")
    lines: list[ReceiveLineIn] | None = Field(None, max_length=50, description="Condition per returned item.")
    warehouse: str | None = Field(None, min_length=1, max_length=32, examples=["PAR-1"],
                                  description="Receiving warehouse code; default: the one the order shipped from.")
    note: str | None = Field(None, min_length=2, max_length=1000, description="What the receiver noticed.")


class ListReturnsIn(Page):
    status: RmaStatus | None = Field(None, description="Only RMAs in this status.")
    order_id: str | None = Field(None, pattern=rf"^{ORDER_REF}$", description="Only this order's RMAs.")
    customer_id: str | None = Field(None, min_length=2, max_length=255, description="Customer id, email or full name.")
    created_from: date | None = Field(None, description="Requested on or after this day (UTC).")
    created_to: date | None = Field(None, description="Requested on or before this day (UTC).")


class CustomerReturnsIn(Page):
    customer_id: str = Field(min_length=2, max_length=255, examples=["me", "noah_brown_6181"],
                             description="Customer id, email or full name; customers write 'me' (or their own id).")


class RmaLineOut(Schema):
    item_id: str = Field(description="Item (variant) id.")
    sku: str = Field(description="SKU when ordered.")
    name: str = Field(description="Product name.")
    quantity: int = Field(description="Units returned.")
    unit_price: Money = Field(description="Price paid per unit.")
    condition: ItemCondition | None = Field(None, description="Condition found on receipt.")
    disposition: Disposition | None = Field(None, description="What happens to the units.")
    stock_effect: str | None = Field(None, description="What receiving did to stock.")


class ExchangeLineOut(Schema):
    item_id: str = Field(description="Item sent back.")
    new_item_id: str = Field(description="Replacement item.")
    new_sku: str = Field(description="Replacement SKU.")
    new_options: dict = Field(description="Options of the replacement.")
    quantity: int = Field(description="Units.")


class ExchangeOut(Schema):
    exchange_id: str = Field(description="Exchange id.")
    order_id: str = Field(description="Order number.")
    rma_number: str | None = Field(None, description="RMA the old items come back under.")
    status: ExchangeStatus = Field(description="requested, completed or cancelled.")
    price_difference: Money = Field(description="New minus old; > 0 the customer pays, < 0 is refunded.")
    payment_method_id: str | None = Field(None, description="Pays or receives the difference.")
    lines: list[ExchangeLineOut] = Field(description="Each unit and its replacement, in order.")
    created_at: datetime = Field(description="When it was requested.")


class RmaOut(Schema):
    rma_number: str = Field(description="RMA number.")
    order_id: str = Field(description="Order number.")
    customer_id: str = Field(description="Customer id.")
    status: RmaStatus = Field(description="Where the return stands.")
    reason: ReturnReason = Field(description="Why it comes back.")
    resolution: ReturnResolution = Field(description="refund, exchange or store_credit.")
    lines: list[RmaLineOut] = Field(description="Returned items.")
    received_items: list[str] = Field(default_factory=list,
                                      description="Once received: each line's condition, disposition and stock effect.")
    items_value: Money = Field(description="What the returned units cost.")
    label_cost: Money | None = Field(None, description="Return label taken from the refund; null when free.")
    refund_amount: Money | None = Field(None, description="What the refund or store credit pays back.")
    refund_method_id: str | None = Field(None, description="Where the refund or store credit goes.")
    currency: str = Field(description="Currency code.")
    next_statuses: list[str] = Field(description="Statuses it may move to next.")
    notes: str = Field("", description="Notes and reasons, dated.")
    warehouse: str | None = Field(None, description="Warehouse that received the parcel.")
    created_at: datetime = Field(description="When it was requested.")
    received_at: datetime | None = Field(None, description="When the parcel arrived.")
    inspected_at: datetime | None = Field(None, description="When it was inspected.")
    resolved_at: datetime | None = Field(None, description="When it was resolved or closed.")
    exchange: ExchangeOut | None = Field(None, description="The exchange, for an exchange.")


class RmaSummary(Schema):
    rma_number: str = Field(description="RMA number.")
    order_id: str = Field(description="Order number.")
    customer_id: str = Field(description="Customer id.")
    status: RmaStatus = Field(description="Status.")
    reason: ReturnReason = Field(description="Reason.")
    resolution: ReturnResolution = Field(description="Resolution.")
    units: int = Field(description="Units returned.")
    item_names: list[str] = Field(description="What is being returned: each line's product name, in line order.")
    created_at: datetime = Field(description="When it was requested.")


class RmaList(Schema):
    returns: list[RmaSummary] = Field(description="RMAs, newest first.")
    total: int = Field(description="How many match in all.")


class ExchangeRefIn(Schema):
    exchange_ref: str = Field(min_length=5, max_length=36,
                              description="Exchange id, its RMA number, or the order number (latest exchange).",
                              examples=["#W9512291", "RMA-20261101-AB12CD34"])


# --- surveys ----------------------------------------------------------------------------------


class SubmitSurveyIn(Schema):
    order_id: OrderId
    rating: int = Field(ge=1, le=5, description="Overall satisfaction from 1 (bad) to 5 (great).", examples=[5])
    nps: int | None = Field(None, ge=0, le=10, examples=[9],
                            description="How likely (0-10) the customer is to recommend the shop.")
    comment: str = Field("", max_length=2000, description="What the customer wants to tell us.")


class SurveyOut(Schema):
    survey_id: int = Field(description="Survey id.")
    order_id: str | None = Field(None, description="Order rated.")
    customer_id: str = Field(description="Customer id.")
    rating: int = Field(description="Rating 1-5.")
    nps: int | None = Field(None, description="Recommendation score 0-10.")
    comment: str = Field("", description="Comment.")
    created_at: datetime = Field(description="When it was submitted.")


class ListSurveysIn(Page):
    since: date | None = Field(None, description="Submitted on or after this day (UTC).")
    until: date | None = Field(None, description="Submitted on or before this day (UTC).")


class SurveyList(Schema):
    surveys: list[SurveyOut] = Field(description="Surveys, newest first.")
    total: int = Field(description="How many in the period.")
    average_rating: Money | None = Field(None, description="Mean rating (1-5) over the period.")
    nps: int | None = Field(None, description="Net promoter score: % promoters (9-10) minus % detractors (0-6).")


# --- warranty ---------------------------------------------------------------------------------


class WarrantyClaimIn(Schema):
    order_id: OrderId
    item: str | None = ItemField("The faulty item: item id, SKU or product name (needed when the order has several).")
    description: str = Field(min_length=10, max_length=2000, examples=["The headphones stopped charging."],
                             description="What is wrong: what happens, since when, how often.")


class ClaimRefIn(Schema):
    claim_number: str = ClaimRef()


class ClaimStatusIn(Schema):
    claim_number: str = ClaimRef()
    status: Literal["approved", "rejected", "resolved", "submitted"] = Field(
        description="approved or rejected (a submitted claim), resolved (an approved one), submitted (reopen).")
    resolution: str | None = Field(None, min_length=2, max_length=2000,
                                   description="What was decided or done (required to reject or resolve).")


class ListClaimsIn(Page):
    customer_id: str | None = Field(None, min_length=2, max_length=255,
                                    description="Customer id, email or full name (staff); customers see their own.")
    status: WarrantyStatus | None = Field(None, description="Only claims in this status.")


class ClaimOut(Schema):
    claim_number: str = Field(description="Claim number.")
    order_id: str = Field(description="Order number.")
    customer_id: str = Field(description="Customer id.")
    item_id: str = Field(description="Faulty item id.")
    item_name: str = Field(description="Product name.")
    description: str = Field(description="The fault as described.")
    status: WarrantyStatus = Field(description="submitted, approved, rejected or resolved.")
    resolution: str = Field("", description="What was decided or done.")
    covered_until: date | None = Field(None, description="Last day of the warranty.")
    created_at: datetime = Field(description="When it was filed.")


class ClaimList(Schema):
    claims: list[ClaimOut] = Field(description="Claims, newest first.")
    total: int = Field(description="How many match in all.")
