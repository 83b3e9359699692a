"""Product write tools, categories, analytics and REST parity."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import AuditEvent, Category, OutboxEvent, Product, ProductVariant
from tests import factories as f
from tests.tools.product_helpers import category, count, run, tshirt
from tools.errors import Conflict, Forbidden, InvalidInput, NotFound

SCARF = {
    "name": "Wool Scarf", "brand": "Knitwit", "description": "Merino scarf",
    "variants": [
        {"sku": "SC-GREY", "options": {"color": "grey"}, "price": 29, "cost": 11.5},
        {"sku": "SC-NAVY", "options": {"color": "navy"}, "price": 31.5, "available": False},
    ],
}


async def variant_row(sessions, item_id: str) -> ProductVariant:
    async with sessions() as s:
        return await s.get(ProductVariant, item_id)


async def test_create_product_gives_ten_digit_ids_and_audits(sessions, merchant):
    await category(sessions, "Accessories")
    out = await run(sessions, merchant, "create_product", {**SCARF, "category": "accessories"})
    assert len(out.product_id) == 10 and out.product_id.isdigit() and out.category == "Accessories"
    assert all(len(i) == 10 and i.isdigit() for i in out.variants) and len(set(out.variants)) == 2
    navy = next(v for v in out.variants.values() if v.sku == "SC-NAVY")
    assert (navy.price, navy.available, navy.cost) == (Decimal("31.50"), False, None)
    async with sessions() as s:
        audit = (await s.execute(select(AuditEvent).where(AuditEvent.entity == "product"))).scalar_one()
        assert (audit.entity_id, audit.action) == (out.product_id, "created")
        assert audit.actor == "staff:merchant-tester"
        assert (await s.execute(select(OutboxEvent.topic))).scalars().all() == ["product.created"]


async def test_create_refuses_used_or_repeated_skus_and_writes_nothing(sessions, merchant):
    await tshirt(sessions)
    clash = {**SCARF, "variants": [{**SCARF["variants"][0], "sku": "ts-blue-m"}]}
    with pytest.raises(Conflict) as err:
        await run(sessions, merchant, "create_product", clash)
    assert err.value.code == "duplicate_sku" and err.value.details == {"skus": ["TS-BLUE-M"]}
    repeated = {**SCARF, "variants": [SCARF["variants"][0], {**SCARF["variants"][1], "sku": "sc-grey"}]}
    with pytest.raises(InvalidInput):
        await run(sessions, merchant, "create_product", repeated)
    with pytest.raises(NotFound):
        await run(sessions, merchant, "create_product", {**SCARF, "category": "Nowhere"})
    assert await count(sessions, Product) == 1 and await count(sessions, AuditEvent) == 0


async def test_create_refuses_bad_input_and_non_managers(sessions, admin, support, as_customer):
    with pytest.raises(InvalidInput):
        await run(sessions, admin, "create_product", {**SCARF, "variants": []})
    with pytest.raises(Forbidden):
        await run(sessions, support, "create_product", SCARF)
    with pytest.raises(Forbidden):
        await run(sessions, as_customer(await f.customer(sessions)), "create_product", SCARF)
    bad_price = {**SCARF, "variants": [{**SCARF["variants"][0], "price": 0}]}
    with pytest.raises(InvalidInput) as err:
        await run(sessions, admin, "create_product", bad_price)
    assert err.value.details[0]["field"] == "variants.0.price"
    assert await count(sessions, Product) == 0


async def test_update_prices_availability_fields_and_new_variants(sessions, merchant):
    shirt = await tshirt(sessions)
    await category(sessions, "Tops")
    blue_m, _, black_m = shirt.variants
    out = await run(sessions, merchant, "update_product", {
        "product_id": "T-Shirt", "name": "Classic Tee", "category": "Tops",
        "variants": [{"item_id": "ts-blue-m", "price": 24.9}, {"item_id": black_m.id, "available": True}],
        "add_variants": [{"sku": "TS-RED-S", "options": {"color": "red", "size": "S"}, "price": 19}],
    })
    assert (out.name, out.category, len(out.variants)) == ("Classic Tee", "Tops", 4)
    assert out.variants[blue_m.id].price == Decimal("24.90") and out.variants[black_m.id].available
    new = next(v for v in out.variants.values() if v.sku == "TS-RED-S")
    assert (await variant_row(sessions, new.item_id)).position == 3
    async with sessions() as s:
        audit = (await s.execute(select(AuditEvent).where(AuditEvent.action == "updated"))).scalar_one()
        assert audit.data["variants"][blue_m.id] == {"price": ["20.00", "24.90"]}
        assert audit.data["fields"] == ["category", "name"] and audit.data["added"] == ["TS-RED-S"]


async def test_update_refuses_foreign_variant_and_changes_nothing(sessions, call, merchant, warehouse_staff):
    shirt = await tshirt(sessions)
    other = await f.product(sessions)
    with pytest.raises(NotFound):
        await run(sessions, merchant, "update_product", {
            "product_id": shirt.id, "name": "Renamed",
            "variants": [{"item_id": shirt.variants[0].id, "price": 1},
                         {"item_id": other.variants[0].id, "price": 2}],
        })
    with pytest.raises(Conflict):
        await call(merchant, "update_product", product_id=shirt.id, add_variants=[
            {"sku": other.variants[0].sku, "price": 5}])
    with pytest.raises(Forbidden):
        await run(sessions, warehouse_staff, "update_product", {"product_id": shirt.id, "name": "Renamed"})
    async with sessions() as s:
        assert (await s.get(Product, shirt.id)).name == "T-Shirt"
        assert (await s.get(ProductVariant, shirt.variants[0].id)).price == Decimal("20.00")
    assert await count(sessions, ProductVariant) == 5 and await count(sessions, AuditEvent) == 0


async def test_archive_hides_from_customers_and_refuses_twice(sessions, call, merchant, as_customer):
    ava = await f.customer(sessions)
    shirt = await tshirt(sessions)
    order = await f.order(sessions, ava, [(shirt.variants[0], 1)], await f.payment_method(sessions, ava))
    out = await call(merchant, "archive_product", product_id="TS-BLUE-M")
    assert out.archived and out.product_id == shirt.id
    with pytest.raises(NotFound):
        await call(as_customer(ava), "get_product_details", product_id=shirt.id)
    with pytest.raises(Conflict) as err:
        await call(merchant, "archive_product", product_id=shirt.id)
    assert err.value.code == "already_archived"
    assert await count(sessions, AuditEvent, AuditEvent.action == "archived") == 1
    assert await count(sessions, ProductVariant, ProductVariant.product_id == shirt.id) == 3
    assert order.lines[0].variant_id == shirt.variants[0].id


async def test_archive_refused_to_customers(sessions, call, as_customer):
    shirt = await tshirt(sessions)
    with pytest.raises(Forbidden):
        await call(as_customer(await f.customer(sessions)), "archive_product", product_id=shirt.id)
    async with sessions() as s:
        assert not (await s.get(Product, shirt.id)).archived


async def test_categories_create_list_and_refusals(sessions, call, merchant, as_customer):
    parent = await run(sessions, merchant, "create_category", {"name": "Apparel"})
    tops = await run(sessions, merchant, "create_category",
                     {"name": "Summer Tops", "parent": "apparel", "description": "Light"})
    assert (tops.slug, tops.parent_id) == ("summer-tops", parent.id)
    await tshirt(sessions, category_id=tops.id)
    await tshirt(sessions, prefix="OLD", archived=True, category_id=tops.id)
    listed = await call(as_customer(await f.customer(sessions)), "list_categories")
    assert [(c.name, c.product_count) for c in listed.categories] == [("Apparel", 0), ("Summer Tops", 1)]
    with pytest.raises(InvalidInput):
        await call(merchant, "list_categories", parent="Apparel")
    with pytest.raises(Conflict):
        await run(sessions, merchant, "create_category", {"name": "APPAREL"})
    with pytest.raises(NotFound):
        await run(sessions, merchant, "create_category", {"name": "Hats", "parent": "Headwear"})
    with pytest.raises(Forbidden):
        await run(sessions, as_customer(await f.customer(sessions)), "create_category", {"name": "Hats"})
    assert await count(sessions, Category) == 2


async def test_product_analytics_by_category_brand_and_stock(sessions, call, merchant, support):
    tops = await category(sessions, "Tops")
    shirt = await tshirt(sessions, category_id=tops.id)
    keyboard = await f.product(sessions, name="Mechanical Keyboard", brand="Clacky")
    await tshirt(sessions, prefix="OLD", archived=True)
    untracked = await f.product(sessions, name="E-Book", brand="", variants=[
        {"sku": "EB-1", "price": Decimal("5.00"), "track_stock": False}])
    wh, other = await f.warehouse(sessions), await f.warehouse(sessions)
    blue_m, blue_l, black_m = shirt.variants
    await f.stock(sessions, wh, blue_m, on_hand=50)                       # healthy
    await f.stock(sessions, wh, blue_l, on_hand=4, allocated=1)           # low (3 left, reorder 10)
    await f.stock(sessions, wh, black_m, on_hand=6, allocated=6)          # out: nothing available
    await f.stock(sessions, wh, keyboard.variants[0], on_hand=8)          # low here ...
    await f.stock(sessions, other, keyboard.variants[0], on_hand=30)      # ... but 38 <= 20 is false: healthy
    out = await call(merchant, "get_product_analytics")                   # keyboard blue: no rows -> out
    assert (out.product_count, out.archived_count, out.variant_count) == (3, 1, 6)
    assert (out.tracked_variants, out.low_stock_variants, out.out_of_stock_variants) == (5, 1, 2)
    assert [(g.key, g.product_count, g.variant_count, g.average_price) for g in out.by_category] == [
        ("uncategorised", 2, 3, Decimal("62.67")), ("Tops", 1, 3, Decimal("22.33"))]
    assert [g.key for g in out.by_brand] == ["Clacky", "Cotton Co", "unbranded"]
    assert untracked.variants[0].track_stock is False
    with pytest.raises(Forbidden):
        await call(support, "get_product_analytics")


async def test_catalog_value_by_category_and_warehouse(sessions, call, admin, as_customer):
    tops = await category(sessions, "Tops")
    shirt = await tshirt(sessions, category_id=tops.id)
    keyboard = await f.product(sessions)
    wh, other = await f.warehouse(sessions, code="PAR1"), await f.warehouse(sessions)
    await f.stock(sessions, wh, shirt.variants[0], on_hand=10)            # cost 8.00, price 20.00
    await f.stock(sessions, wh, shirt.variants[2], on_hand=2)             # no cost: price 25.00 both ways
    await f.stock(sessions, other, keyboard.variants[0], on_hand=3)       # 3 x 89.00
    out = await call(admin, "get_catalog_value")
    assert [(r.category, r.units_on_hand, r.cost_value, r.retail_value) for r in out.by_category] == [
        ("uncategorised", 3, Decimal("267.00"), Decimal("267.00")),
        ("Tops", 12, Decimal("130.00"), Decimal("250.00")),
    ]
    assert (out.units_on_hand, out.cost_value, out.retail_value) == (15, Decimal("397.00"), Decimal("517.00"))
    only = await call(admin, "get_catalog_value", warehouse="par1")
    assert (only.warehouse, only.units_on_hand, only.cost_value) == ("PAR1", 12, Decimal("130.00"))
    with pytest.raises(NotFound):
        await call(admin, "get_catalog_value", warehouse="NOPE")
    with pytest.raises(Forbidden):
        await call(as_customer(await f.customer(sessions)), "get_catalog_value")


async def test_rest_parity_for_details_search_and_variants(sessions, call, api, as_customer):
    shirt = await tshirt(sessions)
    ava = await f.customer(sessions)
    auth = {"Authorization": f"Bearer {await f.api_key(sessions, owner=ava)}"}
    me = as_customer(ava)
    direct = await call(me, "get_product_details", product_id=shirt.id)
    response = await api.get(f"/api/v1/products/{shirt.id}", headers=auth)
    assert response.status_code == 200 and response.json() == direct.model_dump(mode="json")
    found = await call(me, "search_products", query="blue")
    response = await api.get("/api/v1/catalog/search", params={"query": "blue"}, headers=auth)
    assert response.status_code == 200 and response.json() == found.model_dump(mode="json")
    matches = await call(me, "find_product_variants", product_id="T-Shirt", options={"size": "M"})
    response = await api.post("/api/v1/catalog/find-variants", headers=auth,
                              json={"product_id": "T-Shirt", "options": {"size": "M"}})
    assert response.status_code == 200 and response.json() == matches.model_dump(mode="json")


async def test_rest_refusals_use_the_error_envelope(sessions, api):
    ava = await f.customer(sessions)
    auth = {"Authorization": f"Bearer {await f.api_key(sessions, owner=ava)}"}
    response = await api.post("/api/v1/products", json=SCARF, headers=auth)
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    response = await api.get("/api/v1/products/0000000000", headers=auth)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert await count(sessions, Product) == 0


async def test_an_update_with_nothing_to_change_is_refused_and_writes_nothing(sessions, merchant):
    shirt = await tshirt(sessions)
    with pytest.raises(InvalidInput, match="give at least one of name, brand"):
        await run(sessions, merchant, "update_product", {"product_id": shirt.id})
    with pytest.raises(InvalidInput, match="give at least one of"):
        await run(sessions, merchant, "update_product", {"product_id": shirt.id, "variants": []})
    assert await count(sessions, AuditEvent) == 0
