"""What happened to a demo order after it was placed: stock, shipment and tracking, return, exchange, fraud check."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from db.enums import (
    ExchangeStatus,
    FraudLevel,
    OrderStatus,
    ReservationStatus,
    ReturnReason,
    ReturnResolution,
    RmaStatus,
    ShipmentStatus,
)
from db.models import (
    Exchange,
    ExchangeLine,
    FraudCheck,
    ReturnLine,
    ReturnRequest,
    Shipment,
    StockReservation,
    TrackingEvent,
)
from db.seed.base import numbering_time, stable_uuid
from db.seed.orders import Placed, Shop
from tools.transport.reference import CARRIERS, tracking_number, zone_of

SS = ShipmentStatus
CHAIN = [SS.PACKED, SS.SHIPPED, SS.IN_TRANSIT, SS.OUT_FOR_DELIVERY, SS.DELIVERED]
HUBS = {"domestic": "Chilly-Mazarin sorting centre", "eu": "Roissy international hub", "world": "Paris-CDG export hub"}
RETURN_REASONS = [ReturnReason.CHANGED_MIND, ReturnReason.PRODUCT_DEFECT, ReturnReason.NOT_AS_DESCRIBED,
                  ReturnReason.DAMAGED_IN_SHIPPING, ReturnReason.WRONG_ITEM, ReturnReason.BETTER_PRICE]


def reserve(shop: Shop, placed: Placed, warehouse_id: int) -> None:
    """Hold the order's tracked units in the warehouse until it ships (no expiry: the order owns them)."""
    order = placed.order
    for line, (variant, quantity) in zip(placed.lines, placed.items, strict=True):
        line["quantity_allocated"] = quantity
        if shop.stock.tracked(variant["id"]):
            shop.rows.add(StockReservation, id=stable_uuid("reservation", order["id"], line["position"]),
                          warehouse_id=warehouse_id, variant_id=variant["id"], quantity=quantity,
                          order_id=order["id"], reference=order["id"], status=ReservationStatus.ACTIVE,
                          expires_at=None, created_at=order["placed_at"], updated_at=order["placed_at"])


def _timeline(shop: Shop, placed: Placed, final: SS) -> list[tuple[SS, datetime]]:
    rng, start = shop.rng, placed.order["placed_at"]
    cap = shop.anchor - timedelta(hours=1)
    packed = start + timedelta(hours=rng.randint(2, 10))
    shipped = packed + timedelta(hours=rng.randint(2, 8))
    delivered = min(shipped + timedelta(days=placed.transit_days, hours=rng.randint(0, 6)), cap)
    out = delivered - timedelta(hours=rng.randint(3, 6))
    in_transit = min(shipped + timedelta(hours=rng.randint(6, 14)), out - timedelta(hours=1))
    times = dict(zip(CHAIN, [packed, shipped, in_transit, out, delivered], strict=True))
    return [(status, times[status]) for status in CHAIN[:CHAIN.index(final) + 1]]


def _event_place(shop: Shop, placed: Placed, status: SS, warehouse_city: str) -> tuple[str, str]:
    carrier = CARRIERS[placed.carrier][0]
    city = placed.order["shipping_address"]["city"]
    return {
        SS.PACKED: (warehouse_city, "Parcel packed and labelled"),
        SS.SHIPPED: (warehouse_city, f"Handed over to {carrier}"),
        SS.IN_TRANSIT: (HUBS[zone_of(placed.order["shipping_address"]["country"])], "In transit"),
        SS.OUT_FOR_DELIVERY: (city, "Out for delivery"),
        SS.DELIVERED: (city, "Delivered"),
    }[status]


def ship(shop: Shop, placed: Placed, warehouse: dict[str, Any], final: SS) -> datetime:
    """Queue the order's shipment and tracking events up to `final`; returns the last event's time."""
    order, rows = placed.order, shop.rows
    events = _timeline(shop, placed, final)
    times = dict(events)
    shipment_id = stable_uuid("shipment", order["id"])
    units = [variant["id"] for variant, quantity in placed.items for _ in range(quantity)]
    packed = numbering_time(shop.anchor, times[SS.PACKED])
    number = tracking_number(CARRIERS[placed.carrier][1], packed, rows.next_id(Shipment))
    rows.add(Shipment, id=shipment_id, order_id=order["id"], carrier_code=placed.carrier,
             warehouse_id=warehouse["id"], tracking_number=number, tracking_numbers=[number], item_ids=units,
             status=final, weight_kg=placed.weight, cost=order["shipping_cost"],
             shipped_at=times.get(SS.SHIPPED), delivered_at=times.get(SS.DELIVERED),
             created_at=times[SS.PACKED], updated_at=events[-1][1])
    for status, at in events:
        location, description = _event_place(shop, placed, status, warehouse["address"]["city"])
        rows.add(TrackingEvent, id=rows.next_id(TrackingEvent), shipment_id=shipment_id, status=status,
                 location=location, description=description, occurred_at=at)
    if SS.SHIPPED in times:
        shop.stock.ship(warehouse["id"], placed.items, times[SS.SHIPPED], order["id"])
        for line in placed.lines:
            line["quantity_allocated"] = line["quantity_shipped"] = line["quantity"]
    order["updated_at"] = events[-1][1]
    order["delivered_at"] = times.get(SS.DELIVERED)
    return events[-1][1]


def request_return(shop: Shop, placed: Placed, at: datetime) -> None:
    """Queue a requested RMA for some of the delivered lines."""
    rng, rows, order = shop.rng, shop.rows, placed.order
    lines = sorted(rng.sample(placed.lines, rng.randint(1, len(placed.lines))), key=lambda line: line["position"])
    resolution = ReturnResolution.STORE_CREDIT if rng.random() < 0.2 else ReturnResolution.REFUND
    rma_id = stable_uuid("rma", order["id"])
    number = f"RMA-{numbering_time(shop.anchor, at):%Y%m%d}-{rng.getrandbits(32):08X}"
    rows.add(ReturnRequest, id=rma_id, rma_number=number,
             order_id=order["id"], customer_id=order["customer_id"], status=RmaStatus.REQUESTED,
             reason=rng.choice(RETURN_REASONS), resolution=resolution,
             refund_method_id=placed.method["id"] if resolution == ReturnResolution.REFUND else None,
             refund_amount=sum((line["unit_price"] * line["quantity"] for line in lines), Decimal("0")),
             notes="", received_at=None, inspected_at=None, created_at=at, updated_at=at)
    for line in lines:
        rows.add(ReturnLine, id=rows.next_id(ReturnLine), rma_id=rma_id, order_line_id=line["id"],
                 variant_id=line["variant_id"], quantity=line["quantity"], condition=None, disposition=None)
    order.update(status=OrderStatus.RETURN_REQUESTED, updated_at=at)


def request_exchange(shop: Shop, placed: Placed, at: datetime) -> None:
    """Queue a requested exchange of some delivered lines for other variants of the same products."""
    rng, rows, order = shop.rng, shop.rows, placed.order
    swaps = []
    for line in placed.lines:
        others = [v for v in shop.by_product[line["product_id"]] if v["available"] and v["id"] != line["variant_id"]]
        if others and (not swaps or rng.random() < 0.5):
            swaps.append((line, rng.choice(others)))
    exchange_id = stable_uuid("exchange", order["id"])
    difference = sum(((new["price"] - line["unit_price"]) * line["quantity"] for line, new in swaps), Decimal("0"))
    rows.add(Exchange, id=exchange_id, order_id=order["id"], rma_id=None, payment_method_id=placed.method["id"],
             price_difference=difference, status=ExchangeStatus.REQUESTED, created_at=at, updated_at=at)
    for position, (line, new) in enumerate(swaps):
        rows.add(ExchangeLine, id=rows.next_id(ExchangeLine), exchange_id=exchange_id, position=position,
                 order_line_id=line["id"], old_variant_id=line["variant_id"], new_variant_id=new["id"],
                 quantity=line["quantity"])
    order.update(status=OrderStatus.EXCHANGE_REQUESTED, updated_at=at)


def screen(shop: Shop, placed: Placed, hold: bool) -> None:
    """Queue the fraud check made at checkout (DESIGN 6 scoring; held orders scored high for review)."""
    order = placed.order
    factors = {}
    if order["total"] > 1000:
        factors["amount"] = min(30, int((order["total"] - 1000) / 100))
    if hold:
        # A held order was shipped to an address other than the billing one, from a busy account.
        order["billing_address"] = {**order["billing_address"], "address1": "1 Canary Wharf", "city": "London",
                                    "zip": "E14 5AB", "country": "GB", "state": ""}
        factors.update(shipping_billing_mismatch=20, payment_method_changes=15,
                       orders_last_24h=3 * shop.rng.randint(6, 8))
        if sum(factors.values()) >= 75:
            # Keep a held order in the "high" band (50-74): critical ones are blocked, not held.
            del factors["payment_method_changes"]
    score = min(100, sum(factors.values()))
    level = (FraudLevel.CRITICAL if score >= 75 else FraudLevel.HIGH if score >= 50
             else FraudLevel.MEDIUM if score >= 25 else FraudLevel.LOW)
    decision = {FraudLevel.LOW: "approve", FraudLevel.MEDIUM: "flag", FraudLevel.HIGH: "review"}.get(level, "block")
    shop.rows.add(FraudCheck, id=shop.rows.next_id(FraudCheck), order_id=order["id"],
                  customer_id=order["customer_id"], score=score, level=level, factors=factors, decision=decision,
                  reviewed_by=None, reviewed_at=None, created_at=order["placed_at"])
