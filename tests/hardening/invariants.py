"""The shop's invariants, as SQL: each query lists the rows that break one (none when it holds)."""

import json

from tests.hardening.shop import Shop

OPEN = "('pending', 'on_hold', 'processed')"

INVARIANTS = {
    "stock ledger sums equal on-hand units": """
        SELECT l.warehouse_id, l.variant_id, l.on_hand, COALESCE(m.total, 0)
        FROM stock_levels l LEFT JOIN (
            SELECT warehouse_id, variant_id, SUM(quantity) AS total FROM stock_movements GROUP BY 1, 2
        ) m ON m.warehouse_id = l.warehouse_id AND m.variant_id = l.variant_id
        WHERE COALESCE(m.total, 0) != l.on_hand""",
    "allocated units equal active reservations": """
        SELECT l.warehouse_id, l.variant_id, l.allocated, COALESCE(r.total, 0)
        FROM stock_levels l LEFT JOIN (
            SELECT warehouse_id, variant_id, SUM(quantity) AS total FROM stock_reservations
            WHERE status = 'active' GROUP BY 1, 2
        ) r ON r.warehouse_id = l.warehouse_id AND r.variant_id = l.variant_id
        WHERE COALESCE(r.total, 0) != l.allocated""",
    "every open order line of a stocked item is allocated": f"""
        SELECT ol.order_id, ol.variant_id, ol.quantity, ol.quantity_allocated, COALESCE(r.total, 0)
        FROM order_lines ol
        JOIN orders o ON o.id = ol.order_id
        JOIN product_variants v ON v.id = ol.variant_id
        LEFT JOIN (
            SELECT order_id, variant_id, SUM(quantity) AS total FROM stock_reservations
            WHERE status = 'active' GROUP BY 1, 2
        ) r ON r.order_id = ol.order_id AND r.variant_id = ol.variant_id
        WHERE o.status IN {OPEN} AND ol.quantity_shipped = 0 AND v.track_stock
          AND (ol.quantity_allocated != ol.quantity OR COALESCE(r.total, 0) != ol.quantity)""",
    "no reservation outlives its order": f"""
        SELECT r.id, r.order_id, o.status FROM stock_reservations r JOIN orders o ON o.id = r.order_id
        WHERE r.status = 'active' AND o.status NOT IN {OPEN}""",
    "no payment without its order": """
        SELECT p.id FROM payments p LEFT JOIN orders o ON o.id = p.order_id WHERE o.id IS NULL""",
    "no order without its payment": """
        SELECT o.id FROM orders o LEFT JOIN payments p ON p.order_id = o.id WHERE p.id IS NULL""",
    "no transaction without its payment": """
        SELECT t.id FROM payment_transactions t LEFT JOIN payments p ON p.id = t.payment_id WHERE p.id IS NULL""",
    "no refund beyond the capture": """
        SELECT id FROM payments WHERE amount_refunded > amount_captured OR amount_captured > amount_authorized""",
}


def violations(shop: Shop) -> dict[str, list]:
    """Each broken invariant with (up to five of) the rows that break it."""
    found = {name: shop.rows(sql)[:5] for name, sql in INVARIANTS.items()}
    return {name: rows for name, rows in found.items() if rows}


def marks(shop: Shop) -> dict[str, set]:
    """The ids of the records a burst adds (orders, payment transactions, RMAs), as they stand now."""
    return {
        "order.placed": {r[0] for r in shop.rows("SELECT id FROM orders")},
        "payment_transaction.recorded": {r[0] for r in shop.rows("SELECT id FROM payment_transactions")},
        "rma.requested": {r[0] for r in shop.rows("SELECT id FROM return_requests")},
    }


def unannounced(shop: Shop, before: dict[str, set]) -> dict[str, list]:
    """Records committed since `before` whose outbox event is missing, by topic."""
    announced = {topic: set() for topic in before}
    for topic, key, payload in shop.rows("SELECT topic, key, payload FROM outbox_events"):
        if topic == "payment_transaction.recorded":
            payload = json.loads(payload) if isinstance(payload, str) else payload
            announced[topic].add(payload["transaction_id"])
        elif topic in announced:
            announced[topic].add(key)
    now = marks(shop)
    missing = {topic: sorted(now[topic] - before[topic] - announced[topic], key=str)[:5] for topic in now}
    return {topic: ids for topic, ids in missing.items() if ids}
