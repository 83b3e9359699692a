"""The interface a carrier's API client implements, and the sandbox carrier every carrier uses today.

No real carrier API is reachable from here, so `SandboxCarrier` stands in for all of them: it never
calls the outside world. It books a parcel by making a tracking number (carrier prefix + timestamp),
and reports the scans a punctual carrier would have made by now. A real client (Colissimo, DPD...)
implements the same `CarrierAdapter` protocol and is returned by `adapter_for` for its carrier.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from db.enums import ShipmentStatus
from tools.transport.reference import tracking_number


@dataclass(frozen=True)
class Booking:
    """What a carrier needs to accept a parcel."""

    carrier_code: str
    tracking_prefix: str
    order_id: str
    weight_kg: Decimal
    country: str
    booked_at: datetime
    attempt: int = 0  # the n-th try when the number first offered was already taken


@dataclass(frozen=True)
class Parcel:
    """A parcel as the carrier knows it."""

    tracking_number: str
    shipped_at: datetime | None
    transit_days: int
    city: str


@dataclass(frozen=True)
class Scan:
    """One tracking event reported by the carrier."""

    status: ShipmentStatus
    location: str
    description: str
    occurred_at: datetime


class CarrierAdapter(Protocol):
    """A carrier's API: book a parcel (its tracking number back), and fetch its scans so far."""

    async def book(self, booking: Booking) -> str:
        """Book the parcel with the carrier and return its tracking number."""
        ...

    async def fetch_events(self, parcel: Parcel, now: datetime) -> list[Scan]:
        """The carrier's scans of the parcel up to now, oldest first."""
        ...


class SandboxCarrier:
    """A carrier that answers locally: numbers from the prefix and the booking time, on-time deliveries."""

    async def book(self, booking: Booking) -> str:
        """A tracking number: carrier prefix + Unix timestamp + two-digit attempt counter."""
        return tracking_number(booking.tracking_prefix, booking.booked_at, booking.attempt)

    async def fetch_events(self, parcel: Parcel, now: datetime) -> list[Scan]:
        """In transit 6 h after handover, out for delivery the morning it is due, delivered on its due day."""
        if parcel.shipped_at is None:
            return []
        due = parcel.shipped_at + timedelta(days=max(1, parcel.transit_days))
        plan = [
            Scan(ShipmentStatus.IN_TRANSIT, "sorting centre", "In transit", parcel.shipped_at + timedelta(hours=6)),
            Scan(ShipmentStatus.OUT_FOR_DELIVERY, parcel.city, "Out for delivery", due - timedelta(hours=4)),
            Scan(ShipmentStatus.DELIVERED, parcel.city, "Delivered", due),
        ]
        return [scan for scan in plan if scan.occurred_at <= now]


SANDBOX = SandboxCarrier()


def adapter_for(carrier_code: str) -> CarrierAdapter:
    """The API client of a carrier: the sandbox for every carrier until a real client is written."""
    return SANDBOX
