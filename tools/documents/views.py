"""What each document shows, as plain data the renderers read (the seed builds the same shapes)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def address_lines(party: Mapping[str, Any]) -> list[str]:
    """A name and postal address as printed lines: name, street, 'zip city', country."""
    street = [party.get("address1", ""), party.get("address2", "")]
    town = " ".join(p for p in (party.get("zip", ""), party.get("city", "")) if p)
    region = ", ".join(p for p in (party.get("state", ""), party.get("country", "")) if p)
    return [line for line in (party.get("name", ""), *street, town, region) if line]


@dataclass(frozen=True)
class SlipLine:
    """One item in the parcel (no prices on a packing slip)."""

    sku: str
    name: str
    options: Mapping[str, Any]
    quantity: int


@dataclass(frozen=True)
class PackingSlipView:
    """A packing slip: the order, the parcel it belongs to, where it goes and what is in it."""

    order_id: str
    ship_to: Mapping[str, Any]
    lines: list[SlipLine]
    shipment_ref: str = ""
    warehouse: str = ""


@dataclass(frozen=True)
class LabelView:
    """A shipping label: carrier, tracking number (also the barcode), sender warehouse and recipient."""

    carrier: str
    tracking_number: str
    sender: Mapping[str, Any]
    recipient: Mapping[str, Any]
    order_id: str
    weight_kg: str = ""


def options_text(options: Mapping[str, Any]) -> str:
    """Variant options as 'colour: red, size: M'."""
    return ", ".join(f"{k}: {v}" for k, v in options.items())
