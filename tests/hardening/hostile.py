"""What every hostile request is judged by: another customer's identifiers (the leak markers), the rows a write
leaves behind, and the records of a customer by owned field."""

from tests.hardening.attacks import OWNED
from tests.hardening.shop import Shop

ATTACKER = "customer:ava.martin@example.com"
VICTIM = "customer:lucas.bernard@example.com"

MARKER_QUERIES = [
    "SELECT id FROM customers WHERE id != :me",
    "SELECT email FROM customers WHERE id != :me",
    "SELECT first_name || ' ' || last_name FROM customers WHERE id != :me",
    "SELECT id FROM orders WHERE customer_id != :me",
    "SELECT rma_number FROM return_requests WHERE customer_id != :me",
    "SELECT id FROM payment_methods WHERE customer_id != :me",
    "SELECT address1 FROM addresses WHERE customer_id != :me",
    "SELECT i.number FROM invoices i JOIN orders o ON o.id = i.order_id WHERE o.customer_id != :me",
    "SELECT s.tracking_number FROM shipments s JOIN orders o ON o.id = s.order_id WHERE o.customer_id != :me",
    "SELECT claim_number FROM warranty_claims WHERE customer_id != :me",
]


def foreign_markers(shop: Shop, me: str) -> set[str]:
    """Identifiers and personal data of every customer but `me`."""
    return {row[0] for sql in MARKER_QUERIES for row in shop.rows(sql, me=me) if row[0]}


def leaked(markers: set[str], answer: str, asked: str) -> list[str]:
    """The markers an answer shows that the question did not itself quote."""
    return sorted(m for m in markers if m in answer and m not in asked)


def write_witness(shop: Shop) -> tuple[int, int]:
    """Rows every change leaves (its audit row and outbox event): equal before and after, nothing was written."""
    return shop.scalar("SELECT count(*) FROM audit_events"), shop.scalar("SELECT count(*) FROM outbox_events")


def records_of(shop: Shop, customer_id: str) -> dict[str, list[str]]:
    """Each owned field's values among one customer's records."""
    return {name: [row[0] for row in shop.rows(sql, who=customer_id)] for name, sql in OWNED.items()}


def records_of_others(shop: Shop, me: str) -> dict[str, list[str]]:
    """Each owned field's values among every other customer's records (the victim's first)."""
    others = [victim_id(shop)] + [c for c in shop.customers.values() if c not in (me, victim_id(shop))]
    merged: dict[str, list[str]] = {}
    for customer in others:
        for name, values in records_of(shop, customer).items():
            merged.setdefault(name, []).extend(values)
    return merged


def victim_id(shop: Shop) -> str:
    """The customer whose records the attacks go after first."""
    return shop.customers[VICTIM]
