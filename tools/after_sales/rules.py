"""After-sales rules: the typed settings (windows, warranty, label costs), the fixed rules of DESIGN 6
(reasons, dispositions) and the state machines of RMAs, exchanges and warranty claims."""

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Disposition, ExchangeStatus, ItemCondition, ReturnReason, RmaStatus, ShippingZone, WarrantyStatus
from tools.config.catalogue import ConfigKey, declare
from tools.config.service import value
from tools.errors import Conflict
from tools.transitions import StateMachine
from tools.transport.reference import zone_of

RETURN_WINDOW = declare("returns.window_days", "number", 30,
                        "Days after delivery within which a return may be requested.",
                        minimum=1, maximum=365, integer=True)
DEFECT_WINDOW = declare("returns.defect_window_days", "number", 90,
                        "Days after delivery within which a product defect may be returned.",
                        minimum=1, maximum=730, integer=True)
WARRANTY_MONTHS = declare("warranty.months", "number", 24,
                          "Months after delivery within which a warranty claim may be filed.",
                          minimum=1, maximum=120, integer=True)
LABEL_DOMESTIC = declare("returns.label_cost_domestic", "number", 5.50,
                         "Prepaid return label (EUR) taken from the refund of a non-free return from France.",
                         minimum=0, maximum=100)
LABEL_EU = declare("returns.label_cost_eu", "number", 12.50,
                   "Prepaid return label (EUR) taken from the refund of a non-free return from another EU country.",
                   minimum=0, maximum=100)

LABEL_KEYS = {ShippingZone.DOMESTIC: LABEL_DOMESTIC, ShippingZone.EU: LABEL_EU}

# The shop's fault: the prepaid label is free (knowledge/corpus/returns-policy.md, "Return shipping costs").
FREE_REASONS = frozenset({ReturnReason.PRODUCT_DEFECT, ReturnReason.NOT_AS_DESCRIBED,
                          ReturnReason.DAMAGED_IN_SHIPPING, ReturnReason.WRONG_ITEM})
DISPOSITIONS = {
    ItemCondition.UNOPENED: Disposition.RESTOCK,
    ItemCondition.OPENED: Disposition.REFURBISH,
    ItemCondition.USED: Disposition.LIQUIDATE,
    ItemCondition.DAMAGED: Disposition.DISPOSE,
    ItemCondition.DEFECTIVE: Disposition.RETURN_TO_SUPPLIER,
}
# Where a unit that is not restocked goes; it leaves sellable stock with a write-off saying so.
DESTINATIONS = {
    Disposition.REFURBISH: "to the refurbishment bench (resold as refurbished)",
    Disposition.LIQUIDATE: "to the clearance partner (sold in bulk)",
    Disposition.DISPOSE: "recycled or destroyed",
    Disposition.RETURN_TO_SUPPLIER: "quarantined for return to the supplier",
}
R = RmaStatus
RMA_STATES = StateMachine("rma", {
    R.REQUESTED: {R.APPROVED, R.REJECTED, R.CANCELLED},
    R.APPROVED: {R.IN_TRANSIT, R.CANCELLED},
    R.IN_TRANSIT: {R.RECEIVED},
    R.RECEIVED: {R.INSPECTED},
    R.INSPECTED: {R.REFUNDED, R.EXCHANGED, R.CLOSED},
})
# An RMA in one of these is over; the order is back to delivered.
ENDED = frozenset({R.REJECTED, R.CANCELLED, R.REFUNDED, R.EXCHANGED, R.CLOSED})
# Units of RMAs in these statuses are not "already returned": refused, withdrawn, or swapped for new ones.
NOT_RETURNED = frozenset({R.REJECTED, R.CANCELLED, R.EXCHANGED})
EXCHANGE_STATES = StateMachine("exchange", {
    ExchangeStatus.REQUESTED: {ExchangeStatus.COMPLETED, ExchangeStatus.CANCELLED},
})
W = WarrantyStatus
# A rejected claim may be reopened when the customer brings more information.
WARRANTY_STATES = StateMachine("warranty_claim", {
    W.SUBMITTED: {W.APPROVED, W.REJECTED},
    W.APPROVED: {W.RESOLVED},
    W.REJECTED: {W.SUBMITTED},
})


class ReturnState(StrEnum):
    """Whether an order's items may come back now: what request_return's precondition reads."""

    RETURNABLE = "returnable"  # delivered, within the return window, units left
    DEFECTS_ONLY = "defects_only"  # past the return window, still within the defect window
    NOT_DELIVERED = "not_delivered"  # pending, on hold or on its way
    CANCELLED = "cancelled"
    RETURN_IN_PROGRESS = "return_in_progress"  # a return or exchange is open on the order
    NOTHING_LEFT = "nothing_left"  # every unit is already returned
    WINDOW_CLOSED = "window_closed"  # past every return window


# The states in which some return may still be requested (the reason decides which window applies).
RETURN_OPEN = (ReturnState.RETURNABLE, ReturnState.DEFECTS_ONLY)


class WarrantyState(StrEnum):
    """Whether a warranty claim may be filed for an order's items: what submit_warranty_claim's precondition reads."""

    COVERED = "covered"
    NOT_DELIVERED = "not_delivered"
    EXPIRED = "expired"


async def window_days(session: AsyncSession, reason: ReturnReason) -> int:
    """The return window in days for the reason (the defect window for product defects)."""
    key = DEFECT_WINDOW if reason == ReturnReason.PRODUCT_DEFECT else RETURN_WINDOW
    return int(await value(session, key))


def days_since(delivered_at: datetime, now: datetime) -> int:
    """Calendar days (UTC) from the delivery day to today: delivered today is day 0."""
    return (now.date() - delivered_at.date()).days


def last_day(delivered_at: datetime, days: int) -> date:
    """The last calendar day (UTC) of a window of `days` days from delivery."""
    return delivered_at.date() + timedelta(days=days)


def within(delivered_at: datetime, now: datetime, days: int) -> bool:
    """True while a return may still be requested: up to the window's last day."""
    return now.date() <= last_day(delivered_at, days)


def past_every_window(delivered_at: datetime, now: datetime, window: int, defect_window: int) -> bool:
    """True once nothing of a delivered order can come back for any reason: past the longer of the two windows."""
    return not within(delivered_at, now, max(window, defect_window))


def require_within(delivered_at: datetime, now: datetime, days: int, reason: ReturnReason) -> None:
    """Refuse a return requested more than `days` calendar days after delivery."""
    if not within(delivered_at, now, days):
        elapsed = days_since(delivered_at, now)
        raise Conflict(
            f"the return window for {reason.replace('_', ' ')} is {days} days from delivery; this order was "
            f"delivered {elapsed} days ago ({delivered_at:%Y-%m-%d})"
            + ("" if reason == ReturnReason.PRODUCT_DEFECT else "; a product defect may still be returned "
               "within the defect window, or claimed under warranty"),
            code="return_window_closed",
            details={"delivered_at": delivered_at.isoformat(), "days_since_delivery": elapsed, "window_days": days},
        )


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def label_key(reason: ReturnReason, country: Any) -> ConfigKey | None:
    """The setting that prices the return label of a non-free return from France or the EU; None when the
    return is free (the shop's fault) or comes from outside the EU (the customer ships the parcel)."""
    if reason in FREE_REASONS:
        return None
    return LABEL_KEYS.get(zone_of(str(country or "")))


async def label_cost(session: AsyncSession, reason: ReturnReason, address: dict[str, Any]) -> Decimal:
    """What the return label costs the customer, taken from the refund."""
    key = label_key(reason, address.get("country"))
    if key is None:
        return Decimal("0.00")
    return Decimal(str(await value(session, key))).quantize(Decimal("0.01"))
