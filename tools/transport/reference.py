"""The carriers' reference rate tables and the shipping zones: the one definition the seed writes into
`carriers` / `carrier_rates` (quotes then read the database, so staff changes take effect)."""

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pycountry

from db.enums import ShippingZone

# Weight bands (kg, inclusive upper bounds) shared by every table below.
BANDS = ("1", "2", "5", "10", "30")

# code -> (name, tracking prefix, on-time rate, {zone: [(price EUR, transit days) per band]}).
# Colissimo FR <= 1 kg at 5.50 EUR in 1 day (on time 95 %) is the reference the others are set against:
# Chronopost is the fast premium option, Colis Privé the cheap slow one, UPS and FedEx are strong abroad.
CARRIERS: dict[str, tuple[str, str, str, dict[str, list[tuple[str, int]]]]] = {
    "colissimo": ("Colissimo", "6A", "0.950", {
        "domestic": [("5.50", 1), ("7.20", 2), ("9.90", 2), ("14.50", 2), ("22.00", 3)],
        "eu": [("12.50", 4), ("15.00", 4), ("19.50", 5), ("27.00", 5), ("45.00", 6)],
        "world": [("22.00", 7), ("28.00", 8), ("38.00", 9), ("55.00", 10), ("95.00", 12)],
    }),
    "chronopost": ("Chronopost", "XP", "0.970", {
        "domestic": [("9.90", 1), ("11.90", 1), ("15.90", 1), ("22.90", 1), ("34.90", 2)],
        "eu": [("24.00", 2), ("29.00", 2), ("36.00", 2), ("48.00", 3), ("79.00", 3)],
        "world": [("45.00", 3), ("55.00", 3), ("72.00", 4), ("99.00", 4), ("159.00", 5)],
    }),
    "dpd": ("DPD", "DPD", "0.930", {
        "domestic": [("6.20", 2), ("7.40", 2), ("9.60", 2), ("13.20", 2), ("19.80", 3)],
        "eu": [("11.90", 3), ("13.90", 3), ("17.50", 3), ("23.90", 4), ("38.00", 4)],
        "world": [("29.00", 6), ("35.00", 7), ("46.00", 7), ("64.00", 8), ("110.00", 9)],
    }),
    "colis_prive": ("Colis Privé", "CP", "0.880", {
        "domestic": [("4.60", 3), ("5.90", 3), ("8.20", 4), ("12.40", 4), ("18.90", 5)],
        "eu": [("10.90", 5), ("12.90", 6), ("16.50", 6), ("22.90", 7), ("36.00", 8)],
    }),
    "ups": ("UPS", "1Z", "0.960", {
        "domestic": [("8.90", 1), ("10.50", 1), ("13.90", 2), ("19.50", 2), ("29.00", 2)],
        "eu": [("14.90", 2), ("17.90", 2), ("22.50", 3), ("29.90", 3), ("49.00", 4)],
        "world": [("26.00", 3), ("32.00", 4), ("42.00", 4), ("59.00", 5), ("99.00", 5)],
    }),
    "fedex": ("FedEx", "FX", "0.940", {
        "domestic": [("9.50", 1), ("11.20", 2), ("14.80", 2), ("20.50", 2), ("31.00", 3)],
        "eu": [("15.50", 2), ("18.50", 3), ("23.50", 3), ("31.00", 3), ("51.00", 4)],
        "world": [("24.50", 3), ("30.50", 3), ("40.00", 4), ("57.00", 4), ("96.00", 5)],
    }),
}

HOME_COUNTRY = "FR"
EU_COUNTRIES = {"AT", "BE", "DE", "DK", "ES", "FI", "IE", "IT", "LU", "NL", "PL", "PT", "SE"}
# Names people use that the ISO list does not know.
COUNTRY_ALIASES = {"uk": "GB", "england": "GB", "scotland": "GB", "great britain": "GB", "holland": "NL",
                   "america": "US", "corsica": "FR"}


@lru_cache(maxsize=1024)
def country_code(text: str) -> str | None:
    """The ISO alpha-2 code of a country written as a code (FR, DEU) or a name (Germany), else None."""
    cleaned = text.strip()
    if cleaned.lower() in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[cleaned.lower()]
    try:
        return pycountry.countries.lookup(cleaned).alpha_2
    except LookupError:
        return None


def zone_of(country: str) -> ShippingZone:
    """The shipping zone of a destination country (ISO code or name) seen from France; unknown is world."""
    code = country_code(country) or country.upper()
    if code == HOME_COUNTRY:
        return ShippingZone.DOMESTIC
    return ShippingZone.EU if code in EU_COUNTRIES else ShippingZone.WORLD


def reference_rate(code: str, zone: str, weight_kg: Decimal) -> tuple[Decimal, int] | None:
    """Price and transit days of a carrier's reference table for one parcel, or None when it does not serve it."""
    for band, (price, days) in zip(BANDS, CARRIERS[code][3].get(zone, []), strict=False):
        if weight_kg <= Decimal(band):
            return Decimal(price), days
    return None


def tracking_number(prefix: str, at: datetime, sequence: int) -> str:
    """Carrier prefix + the booking's Unix timestamp + a two-digit sequence (unique per second)."""
    return f"{prefix}{int(at.timestamp())}{sequence % 100:02d}"


def carrier_values() -> list[dict[str, Any]]:
    """The carriers' rows (column values), each with a `rates` list of rate-row values."""
    out = []
    for code, (name, prefix, on_time, zones) in CARRIERS.items():
        out.append({
            "code": code, "name": name, "tracking_prefix": prefix, "on_time_rate": Decimal(on_time), "active": True,
            "config": {"zones": list(zones), "max_weight_kg": float(BANDS[-1]), "pickup_cutoff": "16:00",
                       "currency": "EUR"},
            "rates": [{"carrier_code": code, "zone": zone, "max_weight_kg": Decimal(band), "price": Decimal(price),
                       "transit_days": days}
                      for zone, table in zones.items() for band, (price, days) in zip(BANDS, table, strict=True)],
        })
    return out
