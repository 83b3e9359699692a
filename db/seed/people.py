"""Demo customers (with addresses and payment methods) and staff users."""

import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from db.enums import LoyaltyTier, PaymentMethodKind, Role
from db.models import Address, Customer, PaymentMethod, StaffUser
from db.seed.base import Rows, ago, money

# (country, city, state, zip, streets); the first two thirds of customers live in France.
PLACES = {
    "FR": [("Paris", "", "75011", ["Rue Oberkampf", "Boulevard Voltaire", "Rue de la Roquette"]),
           ("Lyon", "", "69003", ["Cours Lafayette", "Rue Paul Bert"]),
           ("Marseille", "", "13001", ["La Canebière", "Rue de Rome"]),
           ("Bordeaux", "", "33000", ["Cours de l'Intendance", "Rue Sainte-Catherine"]),
           ("Lille", "", "59000", ["Rue Nationale", "Rue Solférino"]),
           ("Nantes", "", "44000", ["Rue Crébillon", "Quai de la Fosse"])],
    "EU": [("Berlin", "", "10115", ["Invalidenstraße", "Torstraße"], "DE"),
           ("Munich", "BY", "80331", ["Sendlinger Straße"], "DE"),
           ("Madrid", "", "28013", ["Calle de Alcalá", "Gran Vía"], "ES"),
           ("Milan", "MI", "20121", ["Via Brera", "Corso Garibaldi"], "IT"),
           ("Amsterdam", "", "1012 AB", ["Damrak", "Spuistraat"], "NL"),
           ("Brussels", "", "1000", ["Rue Neuve", "Avenue Louise"], "BE")],
    "US": [("Denver", "CO", "80202", ["Larimer Street", "Blake Street"]),
           ("New York", "NY", "10001", ["West 34th Street", "8th Avenue"]),
           ("Austin", "TX", "78701", ["Congress Avenue", "East 6th Street"]),
           ("Seattle", "WA", "98101", ["Pike Street", "2nd Avenue"])],
}

FIRST = ["Léa", "Hugo", "Manon", "Louis", "Camille", "Jules", "Inès", "Arthur", "Sarah", "Nathan", "Julia",
         "Tom", "Lina", "Paul", "Zoé", "Liam", "Mila", "Felix", "Sofia", "Luca", "Anna", "Jonas", "Olivia",
         "Ethan", "Grace", "Mason", "Elena", "Marco", "Clara", "Oscar"]
LAST = ["Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Roux",
        "Fournier", "Girard", "Bonnet", "Weber", "Fischer", "Rossi", "Romano", "Jansen", "Peeters", "Lopez",
        "Smith", "Brown", "Miller", "Davis", "Wilson", "Taylor", "Clark", "Lewis", "Walker", "Young"]


@dataclass(frozen=True)
class NamedCustomer:
    """A demo customer people and checks refer to by name (listed in docs/demo-data.md)."""

    first: str
    last: str
    region: str
    place: int
    methods: tuple[str, ...]


NAMED = [
    NamedCustomer("Ava", "Martin", "FR", 0, ("credit_card", "gift_card")),
    NamedCustomer("Lucas", "Bernard", "FR", 1, ("credit_card", "paypal")),
    NamedCustomer("Emma", "Schmidt", "EU", 0, ("paypal", "gift_card")),
    NamedCustomer("Noah", "Johnson", "US", 0, ("credit_card", "paypal", "gift_card")),
    NamedCustomer("Chloé", "Dubois", "FR", 3, ("credit_card",)),
    NamedCustomer("Mateo", "García", "EU", 2, ("credit_card", "gift_card")),
]

STAFF = [
    ("sam.support", "Sam Okafor", Role.SUPPORT),
    ("wendy.warehouse", "Wendy Leroy", Role.WAREHOUSE),
    ("mia.merchant", "Mia Laurent", Role.MERCHANT),
    ("ada.admin", "Ada Moreau", Role.ADMIN),
]


def ascii_slug(text: str) -> str:
    """Lower-case ASCII form of a name, for ids and emails (Chloé -> chloe)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def random_address(rng: random.Random, region: str, place: int | None = None) -> dict[str, Any]:
    """An address in a region (FR, EU or US), at the given or a random place."""
    entry = PLACES[region][rng.randrange(len(PLACES[region])) if place is None else place]
    city, state, zip_code, streets = entry[:4]
    country = entry[4] if region == "EU" else region
    second = rng.choice(["", "", f"Apt {rng.randint(1, 60)}", f"Floor {rng.randint(1, 6)}"])
    return {"address1": f"{rng.randint(1, 180)} {rng.choice(streets)}", "address2": second, "city": city,
            "state": state, "country": country, "zip": zip_code}


def _add_method(rows: Rows, rng: random.Random, customer: dict, kind: str, created: datetime) -> None:
    card = kind == PaymentMethodKind.CREDIT_CARD
    rows.add(PaymentMethod, id=rows.fresh(lambda: f"{kind}_{rng.randint(1_000_000, 9_999_999)}"),
             customer_id=customer["id"], kind=kind, brand=rng.choice(["visa", "mastercard", "amex"]) if card else None,
             last_four=f"{rng.randint(0, 9999):04d}" if card else None,
             paypal_email=customer["email"] if kind == PaymentMethodKind.PAYPAL else None,
             balance=money(rng.randint(2000, 30000) / 100) if kind == PaymentMethodKind.GIFT_CARD else None,
             active=True, created_at=created, updated_at=created)


def _add_customer(rows: Rows, rng: random.Random, anchor: datetime, first: str, last: str, email: str,
                  addresses: list[dict[str, Any]], methods: tuple[str, ...]) -> dict[str, Any]:
    created = ago(anchor, days=rng.randint(130, 700), seconds=rng.randint(0, 86_399))
    customer = rows.add(
        Customer, id=rows.fresh(lambda: f"{ascii_slug(first)}_{ascii_slug(last)}_{rng.randint(1000, 9999)}"),
        email=email,
        first_name=first, last_name=last, phone=None, loyalty_points=0, loyalty_tier=LoyaltyTier.BRONZE,
        erased_at=None, created_at=created, updated_at=created,
    )
    for position, address in enumerate(addresses):
        rows.add(Address, id=rows.next_id(Address), customer_id=customer["id"], is_default=position == 0, **address)
    for position, kind in enumerate(methods):
        # Distinct creation times keep "the order they were saved" stable.
        _add_method(rows, rng, customer, kind, ago(created, seconds=-(position + 1) * 3600))
    return customer


def add_customers(rows: Rows, rng: random.Random, anchor: datetime, extra: int) -> list[dict[str, Any]]:
    """Queue the named demo customers, then `extra` generated ones; returns the customer rows."""
    customers = []
    for named in NAMED:
        email = f"{ascii_slug(named.first)}.{ascii_slug(named.last)}@example.com"
        home = random_address(rng, named.region, named.place)
        customers.append(_add_customer(rows, rng, anchor, named.first, named.last, email, [home], named.methods))
    emails = {c["email"] for c in customers}
    while len(customers) < len(NAMED) + extra:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{ascii_slug(first)}.{ascii_slug(last)}{rng.randint(10, 99)}@example.com"
        if email in emails:
            continue
        emails.add(email)
        region = rng.choices(["FR", "EU", "US"], weights=[60, 28, 12])[0]
        addresses = [random_address(rng, region) for _ in range(rng.choice([1, 1, 2]))]
        extra_kinds = rng.sample(["paypal", "gift_card"], rng.choice([0, 1, 1, 2]))
        customers.append(_add_customer(rows, rng, anchor, first, last, email, addresses,
                                       (rng.choice(["credit_card", "paypal"]), *extra_kinds)))
    return customers


def add_staff(rows: Rows, anchor: datetime) -> list[dict[str, Any]]:
    """Queue one staff user per role."""
    created = ago(anchor, days=400)
    return [rows.add(StaffUser, id=rows.next_id(StaffUser), username=username, full_name=name,
                     email=f"{username}@shopcrew.example", role=role, active=True,
                     created_at=created, updated_at=created)
            for username, name, role in STAFF]


TIERS = [(LoyaltyTier.PLATINUM, 5000), (LoyaltyTier.GOLD, 2000), (LoyaltyTier.SILVER, 500)]


def set_loyalty(customer: dict[str, Any], delivered_total: Decimal) -> None:
    """One point per whole euro of delivered orders, with the tier it reaches (the customer domain's rule)."""
    points = int(delivered_total)
    customer["loyalty_points"] = points
    customer["loyalty_tier"] = next((tier for tier, floor in TIERS if points >= floor), LoyaltyTier.BRONZE)
