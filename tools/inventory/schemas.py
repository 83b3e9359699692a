"""Inputs and outputs of the inventory tools."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from db.enums import MovementKind, ReservationStatus
from tools.schemas import Money, OrderId, Page, Schema

# Words people use for the ledger's kinds; the schema shows only the canonical ones.
KIND_ALIASES = {"inbound": "receipt", "outbound": "shipment", "writeoff": "write_off", "write-off": "write_off"}


def _canonical_kind(value: Any) -> Any:
    return KIND_ALIASES.get(value.strip().lower(), value.strip().lower()) if isinstance(value, str) else value


MovementKindIn = Annotated[
    Literal["receipt", "shipment", "adjustment", "write_off", "return"], BeforeValidator(_canonical_kind)
]


def ItemRef(default: Any = ...):  # noqa: N802  (reads like a type where it is used)
    """A variant named by id or SKU; a product id or exact name works when it has a single variant."""
    return Field(
        default, min_length=1, max_length=255,
        description="Variant (item) id or SKU; a product id or exact product name if it has one variant.",
        examples=["KB-CLICKY-01"],
    )


def WarehouseRef(default: Any = ..., what: str = "Warehouse"):  # noqa: N802
    """A warehouse named by code, numeric id, name or city (warehouse.service.get_warehouse reads each)."""
    return Field(default, min_length=1, max_length=100, description=f"{what}: code, numeric id, name or city.",
                 examples=["PAR"])


class StockLevelOut(Schema):
    warehouse_id: int = Field(description="Warehouse id.")
    warehouse_code: str = Field(description="Warehouse code.")
    variant_id: str = Field(description="Variant (item) id.")
    sku: str = Field(description="Variant SKU.")
    product_id: str = Field(description="Product id.")
    product_name: str = Field(description="Product name.")
    on_hand: int = Field(description="Units physically in the warehouse.")
    allocated: int = Field(description="Units held by reservations.")
    available: int = Field(description="Units free to sell: on hand minus allocated.")
    reorder_point: int = Field(description="Low stock when on hand is at or below this.")
    max_stock: int = Field(description="Target level a reorder fills up to.")
    low: bool = Field(description="True when on hand is at or below the reorder point.")


class ListStockIn(Page):
    item_ref: str | None = Field(
        None, min_length=1, max_length=255,
        description="Variant id or SKU, or a product id or exact name (all its variants).", examples=["KB-CLICKY-01"],
    )
    warehouse: str | None = WarehouseRef(None)
    low_only: bool = Field(False, description="Only rows at or below their reorder point.")


class StockList(Schema):
    levels: list[StockLevelOut] = Field(description="Stock rows, by product, SKU and warehouse.")
    total: int = Field(description="How many rows match in all.")


class AvailabilityIn(Schema):
    item_ref: str = Field(
        min_length=1, max_length=255,
        description="Variant id or SKU, or a product id or exact name (every variant is reported).",
        examples=["KB-CLICKY-01"],
    )
    quantity: int = Field(1, ge=1, le=10000, description="How many units are wanted.")


class VariantAvailability(Schema):
    variant_id: str = Field(description="Variant (item) id.")
    sku: str = Field(description="Variant SKU.")
    options: dict[str, Any] = Field(description="Options such as colour, size or switch type.")
    status: Literal["in_stock", "insufficient", "out_of_stock", "unavailable"] = Field(
        description="in_stock (enough for the quantity), insufficient, out_of_stock or unavailable (not sold)."
    )
    available_quantity: int | None = Field(description="Units free to sell; null when the item is not stock-tracked.")
    can_fulfil: bool = Field(description="True when the requested quantity can be sold now.")


class AvailabilityOut(Schema):
    product_id: str = Field(description="Product id.")
    product_name: str = Field(description="Product name.")
    quantity: int = Field(description="The quantity asked about.")
    can_fulfil: bool = Field(description="True when at least one listed variant can supply the quantity.")
    variants: list[VariantAvailability] = Field(description="Availability of each variant named.")
    message: str = Field(description="The answer in a sentence.")


class ReserveIn(Schema):
    item_ref: str = ItemRef()
    quantity: int = Field(ge=1, le=10000, description="Units to hold.")
    ttl_minutes: int | None = Field(
        None, ge=1, le=24 * 60,
        description="Minutes before the hold lapses by itself; by default the shop setting "
                    "inventory.reservation_ttl_minutes (30 unless staff changed it).",
    )
    reference: str = Field("", max_length=100, description="What the hold is for (cart, quote, note).",
                           examples=["cart 8812"])
    order_id: OrderId | None = Field(None, description="Order the hold belongs to, if any, e.g. #W2611340.")


class ReservationOut(Schema):
    id: str = Field(description="Reservation id.")
    warehouse_code: str = Field(description="Warehouse holding the units.")
    variant_id: str = Field(description="Variant (item) id.")
    sku: str = Field(description="Variant SKU.")
    quantity: int = Field(description="Units held.")
    order_id: str | None = Field(None, description="Order the hold belongs to.")
    reference: str = Field(description="What the hold is for.")
    status: ReservationStatus = Field(description="active, released, expired or consumed.")
    expires_at: datetime | None = Field(None, description="When an active hold lapses; null for order holds.")
    created_at: datetime = Field(description="When the hold was made.")


class ReservationList(Schema):
    reservations: list[ReservationOut] = Field(description="Reservations, newest first.")
    total_units: int = Field(description="Units across the listed reservations.")
    message: str = Field(description="What happened or was found, in a sentence.")


class ListReservationsIn(Page):
    item_ref: str | None = ItemRef(None)
    order_id: OrderId | None = Field(None, description="Only this order's holds.")
    status: ReservationStatus | Literal["all"] = Field(
        ReservationStatus.ACTIVE, description="Only holds in this status, or 'all'."
    )


class ReleaseIn(Schema):
    reservation_id: str = Field(
        pattern=r"^[0-9a-fA-F-]{36}$", description="Reservation id (a UUID).",
        examples=["3f2c1b9e-8a47-4d2e-9c55-1a2b3c4d5e6f"],
    )


class ReleaseOut(Schema):
    released_units: int = Field(description="Units given back to available stock.")
    reservation: ReservationOut = Field(description="The reservation, now released.")


class ExpireIn(Schema):
    pass


class ExpireOut(Schema):
    expired: int = Field(description="How many lapsed reservations were closed.")
    message: str = Field(description="What happened, in a sentence.")


class RecordMovementIn(Schema):
    item_ref: str = ItemRef()
    warehouse: str = WarehouseRef()
    kind: MovementKindIn = Field(
        description="receipt (inbound goods), shipment (outbound), adjustment (signed correction), "
        "write_off (damaged or lost) or return (customer return back to stock)."
    )
    quantity: int = Field(
        ge=-1_000_000, le=1_000_000,
        description="Units; positive for every kind but adjustment, which is signed (+found, -missing).",
        examples=[24, -3],
    )
    reference: str = Field("", max_length=100, description="Document the movement refers to (PO, order, count).",
                           examples=["PO-2026-0042"])
    note: str = Field("", max_length=1000, description="Why it happened.")

    @model_validator(mode="after")
    def _signed_only_for_adjustments(self):
        if self.quantity == 0:
            raise ValueError("quantity must not be zero")
        if self.kind != "adjustment" and self.quantity < 0:
            raise ValueError(f"quantity must be positive for a {self.kind}; use an adjustment for a signed change")
        return self


class MovementOut(Schema):
    id: int = Field(description="Ledger row id.")
    warehouse_code: str = Field(description="Warehouse code.")
    variant_id: str = Field(description="Variant (item) id.")
    sku: str = Field(description="Variant SKU.")
    kind: MovementKind = Field(description="Movement kind.")
    quantity: int = Field(description="Signed change of on-hand units.")
    reference: str = Field(description="Document the movement refers to.")
    note: str = Field(description="Why it happened.")
    actor: str = Field(description="Who recorded it.")
    created_at: datetime = Field(description="When it was recorded.")


class MovementResult(Schema):
    movement: MovementOut = Field(description="The ledger row written.")
    stock: StockLevelOut = Field(description="The stock level after the movement.")


class TransferIn(Schema):
    item_ref: str = ItemRef()
    from_warehouse: str = WarehouseRef(what="Warehouse the units leave")
    to_warehouse: str = WarehouseRef(what="Warehouse the units go to")
    quantity: int = Field(ge=1, le=1_000_000, description="Units to move.")
    reference: str = Field("", max_length=100, description="Transfer document, if any.", examples=["TR-0007"])
    note: str = Field("", max_length=1000, description="Why the units move.")


class TransferOut(Schema):
    movements: list[MovementOut] = Field(description="The two ledger rows: out of the source, into the destination.")
    source: StockLevelOut = Field(description="Source stock after the transfer.")
    destination: StockLevelOut = Field(description="Destination stock after the transfer.")


class ListMovementsIn(Page):
    item_ref: str | None = ItemRef(None)
    warehouse: str | None = WarehouseRef(None)
    kind: MovementKind | None = Field(None, description="Only movements of this kind.")
    reference: str | None = Field(None, max_length=100, description="Only movements with this reference.")
    days: int | None = Field(None, ge=1, le=3650, description="Only the last N days.")


class MovementList(Schema):
    movements: list[MovementOut] = Field(description="Ledger rows, newest first.")
    total: int = Field(description="How many rows match in all.")


class UpdateSettingsIn(Schema):
    item_ref: str = ItemRef()
    warehouse: str | None = WarehouseRef(None, what="Only this warehouse (all of the item's warehouses if left out)")
    reorder_point: int | None = Field(None, ge=0, le=1_000_000, description="New reorder point.", examples=[15])
    max_stock: int | None = Field(None, ge=1, le=1_000_000, description="New maximum stock.", examples=[120])

    @model_validator(mode="after")
    def _something_to_change(self):
        if self.reorder_point is None and self.max_stock is None:
            raise ValueError("give a reorder_point, a max_stock or both")
        if None not in (self.reorder_point, self.max_stock) and self.reorder_point >= self.max_stock:
            raise ValueError("reorder_point must be below max_stock")
        return self


class SettingsOut(Schema):
    levels: list[StockLevelOut] = Field(description="The stock rows with their new settings.")


class LowStockIn(Schema):
    warehouse: str | None = WarehouseRef(None)
    severity: Literal["low", "critical"] | None = Field(None, description="Only rows of this severity.")
    limit: int = Field(50, ge=1, le=500, description="How many rows at most.")


class LowStockRow(StockLevelOut):
    severity: Literal["low", "critical"] = Field(description="critical at half the reorder point or below.")
    suggested_reorder: int = Field(description="Units to order: max stock minus on hand.")


class LowStockReport(Schema):
    items: list[LowStockRow] = Field(description="Low rows, critical first, emptiest first.")
    total_low: int = Field(description="How many rows are low in all.")
    critical: int = Field(description="How many of them are critical.")
    rule: str = Field(description="The rule applied, in words.")


class ValueIn(Schema):
    warehouse: str | None = WarehouseRef(None)


class WarehouseValue(Schema):
    warehouse_id: int = Field(description="Warehouse id.")
    warehouse_code: str = Field(description="Warehouse code.")
    currency: str = Field(description="Currency of the value.")
    units: int = Field(description="Units on hand.")
    value: Money = Field(description="Value of those units.")
    units_at_cost: int = Field(description="Units valued at their recorded unit cost.")
    units_at_price: int = Field(description="Units valued at selling price (no cost recorded).")


class CurrencyTotal(Schema):
    currency: str = Field(description="Currency.")
    units: int = Field(description="Units on hand.")
    value: Money = Field(description="Total value.")


class InventoryValueOut(Schema):
    warehouses: list[WarehouseValue] = Field(description="Value by warehouse.")
    totals: list[CurrencyTotal] = Field(description="Totals by currency.")
    basis: str = Field(description="How units were valued.")


class AnalyticsIn(Schema):
    days: int = Field(30, ge=1, le=365, description="How many days back to look.")
    warehouse: str | None = WarehouseRef(None)
    top: int = Field(5, ge=1, le=50, description="How many most-moved variants to list.")


class KindTotal(Schema):
    kind: MovementKind = Field(description="Movement kind.")
    movements: int = Field(description="Ledger rows of this kind.")
    units: int = Field(description="Signed units of this kind.")


class DayTotal(Schema):
    day: date = Field(description="Calendar day (UTC).")
    units_in: int = Field(description="Units added that day.")
    units_out: int = Field(description="Units removed that day.")
    net: int = Field(description="Units in minus units out.")


class VariantMoved(Schema):
    variant_id: str = Field(description="Variant (item) id.")
    sku: str = Field(description="Variant SKU.")
    product_name: str = Field(description="Product name.")
    movements: int = Field(description="Ledger rows for it.")
    units_in: int = Field(description="Units added.")
    units_out: int = Field(description="Units removed.")


class AnalyticsOut(Schema):
    since: datetime = Field(description="Start of the window.")
    until: datetime = Field(description="End of the window.")
    movements: int = Field(description="Ledger rows in the window.")
    units_in: int = Field(description="Units added in the window.")
    units_out: int = Field(description="Units removed in the window.")
    by_kind: list[KindTotal] = Field(description="Totals by movement kind.")
    by_day: list[DayTotal] = Field(description="Totals by day, oldest first (days without movement left out).")
    top_variants: list[VariantMoved] = Field(description="Variants with the most units moved.")
