"""Inputs and outputs of the warehouse tools."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from db.enums import OrderStatus
from tools.schemas import Address, Number, OrderId, Page, Schema
from tools.transport.schemas import ShipmentOut

# Decimal figures travel as JSON numbers, like Money (pydantic would send strings).
Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$", examples=["PAR1"])]
Country = Annotated[str, Field(pattern=r"^[A-Za-z]{2}$", examples=["FR"])]


def WarehouseRef():  # noqa: N802  (reads like a type where it is used)
    """A warehouse named by id, code or name."""
    return Field(min_length=1, max_length=100, description="Warehouse id, code or name (any case).",
                 examples=["PAR1"])


class WarehouseRefIn(Schema):
    warehouse_ref: str = WarehouseRef()


class ListWarehousesIn(Page):
    include_inactive: bool = Field(False, description="Also list deactivated warehouses.")


class CreateWarehouseIn(Schema):
    code: Code = Field(description="Short unique code.")
    name: str = Field(min_length=1, max_length=100, description="Name.", examples=["Paris North"])
    address: Address | None = Field(None, description="Street address.")
    country: Country = Field("FR", description="ISO country code.")
    capacity_units: int = Field(10000, ge=1, le=100_000_000, description="How many units it can hold.")


class UpdateWarehouseIn(Schema):
    warehouse_ref: str = WarehouseRef()
    code: Code | None = Field(None, description="New unique code.")
    name: str | None = Field(None, min_length=1, max_length=100, description="New name.")
    address: Address | None = Field(None, description="New street address.")
    country: Country | None = Field(None, description="New ISO country code.")
    capacity_units: int | None = Field(None, ge=1, le=100_000_000, description="New capacity in units.")
    active: bool | None = Field(None, description="False to deactivate (only when empty), True to reopen.")


class PerformanceIn(Schema):
    warehouse_ref: str = WarehouseRef()
    days: int = Field(30, ge=1, le=365, description="Window length in days, ending now.")


class PickListIn(Schema):
    order_id: OrderId


class WarehouseOut(Schema):
    id: int = Field(description="Warehouse id.")
    code: str = Field(description="Unique code.")
    name: str = Field(description="Name.")
    address: dict[str, Any] = Field(description="Street address (empty when not recorded).")
    country: str = Field(description="ISO country code.")
    capacity_units: int = Field(description="How many units it can hold.")
    active: bool = Field(description="False once deactivated.")
    units_on_hand: int = Field(0, description="Units on hand now.")
    utilisation_pct: Number | None = Field(None, description="Units on hand / capacity, in percent.")


class WarehouseList(Schema):
    warehouses: list[WarehouseOut]
    total: int = Field(description="How many warehouses match in all.")


class CapacityOut(Schema):
    warehouse_id: int = Field(description="Warehouse id.")
    code: str = Field(description="Warehouse code.")
    capacity_units: int = Field(description="How many units it can hold.")
    units_on_hand: int = Field(description="Units on hand.")
    units_allocated: int = Field(description="Units on hand already promised to orders.")
    units_available: int = Field(description="On hand minus allocated.")
    free_units: int = Field(description="Room left: capacity minus units on hand (never below 0).")
    utilisation_pct: Number = Field(description="Units on hand / capacity, in percent (2 decimals).")
    stocked_variants: int = Field(description="Variants with units on hand.")
    status: Literal["ok", "near_capacity", "full"] = Field(
        description="full from 100 %, near_capacity from 85 %.")


class PerformanceOut(Schema):
    warehouse_id: int = Field(description="Warehouse id.")
    code: str = Field(description="Warehouse code.")
    window_start: datetime = Field(description="Start of the window.")
    window_end: datetime = Field(description="End of the window (now).")
    shipments_created: int = Field(description="Shipments created from this warehouse in the window.")
    shipments_shipped: int = Field(description="Shipments handed to a carrier in the window.")
    shipments_delivered: int = Field(description="Shipments delivered in the window.")
    shipments_in_exception: int = Field(description="Shipments created in the window now in exception.")
    avg_hours_to_ship: Number | None = Field(None, description="Average hours from order placed to shipped.")
    movements_by_kind: dict[str, int] = Field(description="Stock movements in the window, counted by kind.")
    units_on_hand: int = Field(description="Units on hand now.")


class DeleteOut(Schema):
    warehouse_id: int = Field(description="Warehouse id.")
    code: str = Field(description="Warehouse code.")
    outcome: Literal["deleted", "deactivated"] = Field(
        description="deleted when nothing referenced it; deactivated when its history must be kept.")
    message: str = Field(description="What happened, in a sentence.")


class PickLine(Schema):
    variant_id: str = Field(description="Item (variant) id.")
    sku: str = Field(description="SKU to pick.")
    product_name: str = Field(description="Product name.")
    options: dict[str, Any] = Field(description="Variant options.")
    quantity: int = Field(description="Units to pick.")


class PickWarehouse(Schema):
    warehouse_id: int = Field(description="Warehouse id.")
    code: str = Field(description="Warehouse code.")
    name: str = Field(description="Warehouse name.")
    lines: list[PickLine] = Field(description="What to pick there, by SKU.")


class PickListOut(Schema):
    order_id: str = Field(description="Order number.")
    order_status: OrderStatus = Field(description="The order's status: only pending or processed orders are packed.")
    warehouses: list[PickWarehouse] = Field(description="Per warehouse, by code.")
    total_units: int = Field(description="Units to pick in all.")


class PackIn(Schema):
    order_id: OrderId


class ShipmentActionIn(Schema):
    shipment_ref: str = Field(pattern=r"^#?[A-Za-z0-9][A-Za-z0-9-]{5,63}$", examples=["6A178923456701"],
                              description="Tracking number of the parcel (or its shipment id, or the order number).")


class DeliverIn(ShipmentActionIn):
    location: str = Field("", max_length=100, description="Where it was delivered.", examples=["Lyon"])


class ExceptionIn(ShipmentActionIn):
    description: str = Field(min_length=3, max_length=500, description="What went wrong.",
                             examples=["Box damaged while packing"])


class ReceiveIn(Schema):
    purchase_reference: str = Field(pattern=r"^[A-Za-z]{0,8}[-/_]?[0-9]{3}[A-Za-z0-9/_-]{0,52}$",
                                    examples=["PO-2026-0042"],
                                    description="Purchase order or delivery note number the receipt refers to "
                                                "(an optional letter prefix, then at least three digits).")
    item_ref: str = Field(min_length=1, max_length=64, description="SKU or item (variant) id received.",
                          examples=["KB-CLICKY-01"])
    quantity: int = Field(ge=1, le=100_000, description="Units delivered.", examples=[40])
    warehouse_ref: str = WarehouseRef()
    supplier: str | None = Field(None, min_length=2, max_length=100, examples=["Keystone Components"],
                                 description="Who delivered the goods; the product's supplier when left out.")


class ReceiptOut(Schema):
    warehouse_id: int = Field(description="Warehouse id.")
    code: str = Field(description="Warehouse code.")
    supplier: str = Field(description="Supplier.")
    purchase_reference: str = Field(description="Purchase reference the receipt carries.")
    variant_id: str = Field(description="Item (variant) id.")
    sku: str = Field(description="SKU.")
    quantity: int = Field(description="Units received.")
    movement_id: int = Field(description="Id of the receipt movement in the stock ledger.")
    units_on_hand: int = Field(description="Units of the item on hand in the warehouse now.")


class PackOut(Schema):
    order_id: str = Field(description="Order number.")
    order_status: str = Field(description="The order's status after packing (processed).")
    shipments: list[ShipmentOut] = Field(description="The parcels packed, with tracking numbers.")
