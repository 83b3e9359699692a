"""Shipping quotes and carrier selection, read from the carriers' rate tables in the database."""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import ShippingZone
from db.models import Address, Carrier
from shopcrew.places import city_country
from tools.config import service as config
from tools.config.catalogue import declare
from tools.errors import Conflict, InvalidInput
from tools.transport.reference import country_code, zone_of

FREE_SHIPPING_THRESHOLD = declare(
    "shipping.free_shipping_threshold", "number", 0,
    "Orders whose items come to at least this many EUR ship free (0 turns free shipping off).",
    minimum=0, maximum=1_000_000,
)
# DESIGN 6: punctuality weighs 60 %, price 40 %; the best carrier comes with up to three alternatives.
ON_TIME_WEIGHT, PRICE_WEIGHT, ALTERNATIVES = Decimal("0.6"), Decimal("0.4"), 3
ZONE_WORDS = {"domestic": ShippingZone.DOMESTIC, "domestic fr": ShippingZone.DOMESTIC,
              "eu": ShippingZone.EU, "europe": ShippingZone.EU, "world": ShippingZone.WORLD,
              "international": ShippingZone.WORLD}
CENT, TENTH = Decimal("0.01"), Decimal("0.001")


@dataclass(frozen=True)
class Quote:
    """What one carrier charges to carry a weight to a zone (split into parcels of its heaviest band)."""

    carrier_code: str
    carrier_name: str
    on_time_rate: Decimal
    price: Decimal
    transit_days: int
    parcels: int


@dataclass(frozen=True)
class Scored:
    """A quote with its selection score and the normalised price the score used."""

    quote: Quote
    normalised_price: Decimal
    score: Decimal


def destination_zone(destination: str) -> tuple[ShippingZone, str | None]:
    """The zone of a destination given as a zone (domestic, eu, world) or a country; and the ISO country code."""
    text = destination.strip().lower()
    if text in ZONE_WORDS:
        return ZONE_WORDS[text], None
    code = country_code(destination)
    if code is None:
        raise InvalidInput(f"unknown destination {destination!r}: give a country (name or ISO code) or a zone "
                           "(domestic, eu, world)", details=[{"field": "destination", "problem": "unknown"}])
    return zone_of(code), code


async def resolve_destination(session: AsyncSession, destination: str) -> tuple[ShippingZone, str | None]:
    """A destination's zone and country: a zone or a country as `destination_zone` reads them, or else a city the
    shop's address book knows, in the country its addresses there agree on ("Lyon": FR), or else a city of the
    world, in the country of the most populous city by that name ("Vienna": AT)."""
    try:
        return destination_zone(destination)
    except InvalidInput:
        stmt = select(Address.country).where(func.lower(Address.city) == destination.strip().lower()).distinct()
        codes = {code for country in (await session.execute(stmt)).scalars() if (code := country_code(country))}
        if len(codes) > 1:
            raise InvalidInput(f"{destination!r} is a city in several countries ({', '.join(sorted(codes))}): say "
                               "which country", details=[{"field": "destination", "problem": "ambiguous"}]) from None
        if not codes and (world := city_country(destination)):
            codes = {world}
        if not codes:
            raise
    code = codes.pop()
    return zone_of(code), code


def quote_carrier(carrier: Carrier, zone: str, weight_kg: Decimal) -> Quote | None:
    """The carrier's price for the weight in the zone, or None when it has no table for that zone."""
    table = sorted((r for r in carrier.rates if r.zone == zone), key=lambda r: r.max_weight_kg)
    if not table:
        return None
    parcels = max(1, math.ceil(weight_kg / table[-1].max_weight_kg))
    each = weight_kg / parcels
    band = next(r for r in table if each <= r.max_weight_kg)
    return Quote(carrier.code, carrier.name, carrier.on_time_rate, band.price * parcels, band.transit_days, parcels)


async def active_carriers(session: AsyncSession) -> list[Carrier]:
    """Active carriers with their rate tables, by code."""
    stmt = select(Carrier).options(selectinload(Carrier.rates)).where(Carrier.active.is_(True)).order_by(Carrier.code)
    return list((await session.execute(stmt)).scalars())


async def quotes(session: AsyncSession, zone: str, weight_kg: Decimal) -> list[Quote]:
    """Every active carrier's quote for the zone and weight, cheapest first."""
    weight = Decimal(weight_kg).quantize(TENTH, rounding=ROUND_HALF_UP)
    found = [q for c in await active_carriers(session) if (q := quote_carrier(c, zone, weight)) is not None]
    return sorted(found, key=lambda q: (q.price, q.transit_days, q.carrier_code))


def rank(found: list[Quote]) -> list[Scored]:
    """Score = 0.6 x on-time x 100 + 0.4 x (1 - normalised price) x 100, best first (price normalised
    over these quotes: (p - min) / (max - min), 0 for all when the prices are equal)."""
    if not found:
        return []
    low, high = min(q.price for q in found), max(q.price for q in found)
    scored = []
    for q in found:
        normalised = (q.price - low) / (high - low) if high > low else Decimal(0)
        score = ON_TIME_WEIGHT * q.on_time_rate * 100 + PRICE_WEIGHT * (1 - normalised) * 100
        scored.append(Scored(q, normalised.quantize(TENTH, rounding=ROUND_HALF_UP),
                             score.quantize(CENT, rounding=ROUND_HALF_UP)))
    return sorted(scored, key=lambda s: (-s.score, s.quote.price, s.quote.carrier_code))


def no_carrier(zone: str, weight_kg: Decimal) -> Conflict:
    """The refusal when no active carrier takes a parcel."""
    return Conflict(f"no active carrier ships {weight_kg} kg to the {zone} zone", code="no_carrier",
                    details={"zone": str(zone), "weight_kg": str(weight_kg)})


async def best(session: AsyncSession, zone: str, weight_kg: Decimal) -> Scored:
    """The carrier with the best selection score for the zone and weight (Conflict when none serves it)."""
    ranked = rank(await quotes(session, zone, weight_kg))
    if not ranked:
        raise no_carrier(zone, weight_kg)
    return ranked[0]


async def order_shipping(session: AsyncSession, address: dict[str, Any], weight_kg: Decimal,
                         subtotal: Decimal) -> tuple[str | None, Decimal]:
    """The carrier and shipping charge of a new order: the best-scored carrier's price, free from the
    free-shipping threshold on; a shop with no carrier at all (the retail benchmark's) charges nothing."""
    if not await session.scalar(select(exists().where(Carrier.code.is_not(None)))):
        return None, Decimal("0.00")
    chosen = await best(session, zone_of(str(address.get("country", ""))), weight_kg)
    threshold = Decimal(str(await config.value(session, FREE_SHIPPING_THRESHOLD)))
    free = threshold > 0 and subtotal >= threshold
    return chosen.quote.carrier_code, Decimal("0.00") if free else chosen.quote.price
