"""Warehouses and stock: levels kept in memory while orders allocate and ship, then a consistent ledger."""

import random
from collections import Counter
from datetime import datetime
from typing import Any

from db.enums import MovementKind
from db.models import StockLevel, StockMovement, Warehouse
from db.seed.base import Rows, ago

# code, name, address, capacity, reorder point, max stock
WAREHOUSES = [
    ("PAR-1", "Paris Nord", {"address1": "12 Rue de la Chapelle", "city": "Paris", "zip": "75018", "country": "FR"},
     20000, 20, 150),
    ("LYS-1", "Lyon Sud", {"address1": "8 Rue du Port Edouard Herriot", "city": "Lyon", "zip": "69007",
                           "country": "FR"}, 12000, 10, 100),
    ("BER-1", "Berlin Ost", {"address1": "40 Rhinstraße", "city": "Berlin", "zip": "10315", "country": "DE"},
     8000, 10, 100),
]
OPENING_DAYS_AGO = 125


class Stock:
    """Stock levels of every tracked variant in every warehouse, allocated and shipped as orders are made."""

    def __init__(self, rows: Rows, rng: random.Random, anchor: datetime, variants: list[dict[str, Any]]):
        self.rows, self.anchor = rows, anchor
        self.warehouses = [self._warehouse(rows, anchor, spec) for spec in WAREHOUSES]
        self.levels: dict[tuple[int, str], dict[str, Any]] = {}
        self.shipped: Counter[tuple[int, str]] = Counter()
        for variant in (v for v in variants if v["track_stock"]):
            for wh in self.warehouses:
                self.levels[wh["id"], variant["id"]] = self._level(rows, rng, wh, variant["id"])

    @staticmethod
    def _warehouse(rows: Rows, anchor: datetime, spec: tuple) -> dict[str, Any]:
        code, name, address, capacity, reorder, max_stock = spec
        created = ago(anchor, days=500)
        row = rows.add(Warehouse, id=rows.next_id(Warehouse), code=code, name=name, address=address,
                       country=address["country"], capacity_units=capacity, active=True,
                       created_at=created, updated_at=created)
        return {**row, "reorder_point": reorder, "max_stock": max_stock}

    @staticmethod
    def _level(rows: Rows, rng: random.Random, wh: dict[str, Any], variant_id: str) -> dict[str, Any]:
        roll, reorder, max_stock = rng.random(), wh["reorder_point"], wh["max_stock"]
        # About 8 % out of stock and 15 % at or under the reorder point, so low-stock reports have content.
        on_hand = 0 if roll < 0.08 else rng.randint(1, reorder) if roll < 0.23 else rng.randint(reorder + 1, max_stock)
        return rows.add(StockLevel, id=rows.next_id(StockLevel), warehouse_id=wh["id"], variant_id=variant_id,
                        on_hand=on_hand, allocated=0, reorder_point=reorder, max_stock=max_stock)

    def tracked(self, variant_id: str) -> bool:
        """True when the variant has stock levels."""
        return (self.warehouses[0]["id"], variant_id) in self.levels

    def reserve(self, items: list[tuple[dict[str, Any], int]], order: int = 0) -> int | None:
        """Allocate every tracked item from one warehouse (tried from the `order`-th on); its id or None."""
        tracked = [(v["id"], q) for v, q in items if self.tracked(v["id"])]
        for wh in self.warehouses[order:] + self.warehouses[:order]:
            levels = [(self.levels[wh["id"], vid], q) for vid, q in tracked]
            if all(level["on_hand"] - level["allocated"] >= q for level, q in levels):
                for level, q in levels:
                    level["allocated"] += q
                return wh["id"]
        return None

    def ship(self, warehouse_id: int, items: list[tuple[dict[str, Any], int]], at: datetime, order_id: str) -> None:
        """Record units leaving a warehouse (the opening receipt is raised to cover them)."""
        for variant, quantity in items:
            if not self.tracked(variant["id"]):
                continue
            self.shipped[warehouse_id, variant["id"]] += quantity
            self.rows.add(StockMovement, id=self.rows.next_id(StockMovement), warehouse_id=warehouse_id,
                          variant_id=variant["id"], quantity=-quantity, kind=MovementKind.SHIPMENT,
                          reference=order_id, note="", actor="seed", created_at=at)

    def add_opening_receipts(self) -> None:
        """One opening receipt per level, sized so the ledger sums to today's on-hand quantity."""
        at = ago(self.anchor, days=OPENING_DAYS_AGO)
        for key, level in self.levels.items():
            quantity = level["on_hand"] + self.shipped[key]
            if quantity:
                self.rows.add(StockMovement, id=self.rows.next_id(StockMovement), warehouse_id=key[0],
                              variant_id=key[1], quantity=quantity, kind=MovementKind.RECEIPT,
                              reference="opening stock", note="stock at opening", actor="seed", created_at=at)
