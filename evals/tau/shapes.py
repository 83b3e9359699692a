"""Our tools' outputs in the benchmark's JSON shapes, so that reads can be compared with its recorded results."""

from typing import Any

from tools.customer.schemas import CustomerDetails, CustomerIdOut
from tools.order.schemas import OrderDetails
from tools.product.schemas import ProductDetails, ProductTypes, VariantOut


def order(out: OrderDetails) -> dict[str, Any]:
    """get_order_details (and the order writes, which answer with the order) as the benchmark's order."""
    return {
        "order_id": out.order_id,
        "user_id": out.customer_id,
        "address": dict(out.shipping_address),
        "items": [{"name": i.name, "product_id": i.product_id, "item_id": i.item_id, "price": i.price,
                   "options": i.options} for i in out.items for _ in range(i.quantity)],
        "status": out.status_label,
        "fulfillments": [{"tracking_id": f.tracking_numbers, "item_ids": f.item_ids} for f in out.fulfillments],
        "payment_history": [p.model_dump() for p in out.payment_history],
        **out.model_dump(include={"cancel_reason", "return_items", "return_payment_method_id", "exchange_items",
                                  "exchange_new_items", "exchange_payment_method_id", "exchange_price_difference"}),
    }


def user(out: CustomerDetails) -> dict[str, Any]:
    """get_customer_details as the benchmark's user (its address is the default one, listed first)."""
    return {
        "user_id": out.id,
        "name": {"first_name": out.first_name, "last_name": out.last_name},
        "email": out.email,
        "address": out.addresses[0].model_dump() if out.addresses else {},
        "payment_methods": {m.id: {"source": str(m.kind), "id": m.id, "brand": m.brand, "last_four": m.last_four,
                                   "balance": m.balance} for m in out.payment_methods},
        "orders": out.order_ids,
    }


def variant(out: VariantOut) -> dict[str, Any]:
    """get_item_details (or a variant of get_product_details) as the benchmark's variant."""
    return {"item_id": out.item_id, "options": out.options, "available": out.available, "price": out.price}


def product(out: ProductDetails) -> dict[str, Any]:
    """get_product_details as the benchmark's product."""
    return {"product_id": out.product_id, "name": out.name, "variants": {key: variant(v) for key, v in
                                                                         out.variants.items()}}


def user_id(out: CustomerIdOut) -> str:
    """find_customer_by_email / _by_name_zip: the id, as the benchmark answers."""
    return out.customer_id


def product_types(out: ProductTypes) -> dict[str, str]:
    """list_all_product_types: product name -> product id."""
    return dict(out.product_types)
