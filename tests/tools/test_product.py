"""Product read tools: references, details, listing, search, variants by options, product types."""

from decimal import Decimal

import pytest

from tests import factories as f
from tests.tools.product_helpers import category, tshirt
from tools.errors import Ambiguous, InvalidInput, NotFound


async def test_details_by_id_name_or_sku_with_variants_keyed_by_item_id(sessions, call, as_customer):
    shirt = await tshirt(sessions)
    me = as_customer(await f.customer(sessions))
    by_id = await call(me, "get_product_details", product_id=shirt.id)
    assert by_id.name == "T-Shirt" and set(by_id.variants) == {v.id for v in shirt.variants}
    blue_m = by_id.variants[shirt.variants[0].id]
    assert (blue_m.item_id, blue_m.options["color"], blue_m.price, blue_m.available) == (
        shirt.variants[0].id, "blue", Decimal("20.00"), True)
    assert (await call(me, "get_product_details", product_id="t-shirt")).product_id == shirt.id
    assert (await call(me, "get_product_details", product_id="ts-black-m")).product_id == shirt.id


async def test_costs_and_supplier_are_for_staff_only(sessions, call, as_customer, support):
    shirt = await tshirt(sessions, supplier="Weavers Ltd")
    item = shirt.variants[0].id
    mine = await call(as_customer(await f.customer(sessions)), "get_product_details", product_id=shirt.id)
    assert mine.variants[item].cost is None and mine.supplier is None
    staff = await call(support, "get_product_details", product_id=shirt.id)
    assert staff.variants[item].cost == Decimal("8.00") and staff.supplier == "Weavers Ltd"


async def test_unknown_product_is_not_found(sessions, call, support):
    await tshirt(sessions)
    with pytest.raises(NotFound):
        await call(support, "get_product_details", product_id="9999999999")


async def test_same_name_is_ambiguous_with_candidates(sessions, call, support):
    first = await tshirt(sessions, prefix="A")
    second = await tshirt(sessions, prefix="B")
    with pytest.raises(Ambiguous) as err:
        await call(support, "get_product_details", product_id="T-SHIRT")
    assert sorted(c["product_id"] for c in err.value.details) == sorted([first.id, second.id])


async def test_name_prefers_the_product_on_sale_over_an_archived_namesake(sessions, call, support):
    await tshirt(sessions, prefix="OLD", archived=True)
    live = await tshirt(sessions, prefix="NEW")
    assert (await call(support, "get_product_details", product_id="T-Shirt")).product_id == live.id


async def test_customers_never_see_archived_products(sessions, call, as_customer, merchant):
    old = await tshirt(sessions, archived=True)
    me = as_customer(await f.customer(sessions))
    for name, args in [("get_product_details", {"product_id": old.id}),
                       ("get_item_details", {"item_id": old.variants[0].id})]:
        with pytest.raises(NotFound):
            await call(me, name, **args)
    assert (await call(me, "list_products", include_archived=True)).total == 0
    assert (await call(me, "list_all_product_types")).product_types == {}
    assert (await call(me, "search_products", query="shirt", include_archived=True)).results == []
    assert (await call(merchant, "list_products", include_archived=True)).total == 1
    assert (await call(merchant, "get_product_details", product_id=old.id)).archived


async def test_list_filters_by_category_tree_brand_price_and_text(sessions, call, as_customer):
    apparel = await category(sessions, "Apparel")
    tops = await category(sessions, "Tops", parent=apparel)
    shirt = await tshirt(sessions, category_id=tops.id)
    keyboard = await f.product(sessions, name="Mechanical Keyboard", brand="Clacky")
    me = as_customer(await f.customer(sessions))
    only = await call(me, "list_products", category="apparel")
    assert [p.product_id for p in only.products] == [shirt.id] and only.products[0].category == "Tops"
    assert (await call(me, "list_products", brand="CLACKY")).products[0].product_id == keyboard.id
    cheap = await call(me, "list_products", max_price=21)
    assert [p.product_id for p in cheap.products] == [shirt.id]
    assert cheap.products[0].min_price == Decimal("20.00") and cheap.products[0].max_price == Decimal("25.00")
    assert cheap.products[0].available_variants == 2
    assert [p.product_id for p in (await call(me, "list_products", min_price=90)).products] == [keyboard.id]
    assert (await call(me, "list_products", query="keyb")).total == 1
    # The text may name the category: "anything in tops under 30 euros?"
    assert [p.product_id for p in (await call(me, "list_products", query="tops", max_price=30)).products] == [shirt.id]
    page = await call(me, "list_products", limit=1, offset=1)
    assert page.total == 2 and [p.name for p in page.products] == ["T-Shirt"]


async def test_list_refuses_unknown_category_and_bad_price(sessions, call, as_customer):
    me = as_customer(await f.customer(sessions))
    with pytest.raises(NotFound) as err:
        await call(me, "list_products", category="Nope")
    assert err.value.details == {"categories": []}
    with pytest.raises(InvalidInput):
        await call(me, "list_products", min_price=-5)


async def test_search_ranks_name_sku_and_option_matches(sessions, call, as_customer):
    await tshirt(sessions)
    await f.product(sessions, name="Shirt Box", brand="Packit", variants=[
        {"sku": "BOX-1", "options": {"size": "small"}, "price": Decimal("3.00")}])
    await f.product(sessions, name="Hoodie", brand="Cotton Co", description="Goes well with a t-shirt",
                    variants=[{"sku": "HD-1", "options": {"color": "grey"}, "price": Decimal("40.00")}])
    me = as_customer(await f.customer(sessions))
    names = [h.name for h in (await call(me, "search_products", query="t-shirts")).results]
    assert names == ["T-Shirt", "Hoodie"]
    blue = (await call(me, "search_products", query="blue shirt")).results
    assert [h.name for h in blue] == ["T-Shirt"] and "options" in blue[0].matched_on
    assert [h.name for h in (await call(me, "search_products", query="box-1")).results] == ["Shirt Box"]
    cotton = (await call(me, "search_products", query="cotton")).results
    assert [(h.name, h.matched_on) for h in cotton] == [
        ("T-Shirt", ["brand", "description", "options"]), ("Hoodie", ["brand"])]
    assert (await call(me, "search_products", query="velvet")).results == []


async def test_search_escapes_wildcards_and_refuses_empty_query(sessions, call, support):
    await tshirt(sessions)
    assert (await call(support, "search_products", query="%")).results == []
    with pytest.raises(InvalidInput):
        await call(support, "search_products", query="")


async def test_find_variants_by_partial_options_in_any_case(sessions, call, as_customer):
    shirt = await tshirt(sessions)
    await f.product(sessions, name="Jeans", variants=[
        {"sku": "JN-BLUE-M", "options": {"color": "blue", "size": "M"}, "price": Decimal("60.00")}])
    me = as_customer(await f.customer(sessions))
    out = await call(me, "find_product_variants", product_id="T-Shirt",
                     options={"Color": "BLUE", "size": "m"})
    assert [v.sku for v in out.variants] == ["TS-BLUE-M"] and out.variants[0].product_name == "T-Shirt"
    blues = await call(me, "find_product_variants", product_id=shirt.id, options={"color": "blue"})
    assert [v.sku for v in blues.variants] == ["TS-BLUE-M", "TS-BLUE-L"]
    size_m = await call(me, "find_product_variants", options={"size": "M"}, available_only=True)
    assert [v.sku for v in size_m.variants] == ["JN-BLUE-M", "TS-BLUE-M"]
    assert (await call(me, "find_product_variants", product_id="T-Shirt")).total == 3
    assert (await call(me, "find_product_variants", product_id="T-Shirt", options={"fit": "slim"})).total == 0
    # The option's other spelling finds it too: the jeans say "color", a caller may say "colour"; a size in words
    # is its letter.
    assert [v.sku for v in (await call(me, "find_product_variants", options={"colour": "blue", "size": "M"})).variants
            ] == ["JN-BLUE-M", "TS-BLUE-M"]
    assert [v.sku for v in (await call(me, "find_product_variants", product_id="T-Shirt",
                                        options={"size": "Large"})).variants] == ["TS-BLUE-L"]


async def test_find_variants_refusals(sessions, call, as_customer):
    me = as_customer(await f.customer(sessions))
    with pytest.raises(InvalidInput):
        await call(me, "find_product_variants")
    with pytest.raises(NotFound):
        await call(me, "find_product_variants", product_id="Sock", options={"color": "red"})


async def test_item_details_by_item_id_or_sku(sessions, call, as_customer):
    shirt = await tshirt(sessions)
    me = as_customer(await f.customer(sessions))
    item = await call(me, "get_item_details", item_id=shirt.variants[1].id)
    assert (item.sku, item.product_id, item.product_name, item.price) == (
        "TS-BLUE-L", shirt.id, "T-Shirt", Decimal("22.00"))
    assert item.cost is None
    assert (await call(me, "get_item_details", item_id="ts-blue-l")).item_id == shirt.variants[1].id
    with pytest.raises(NotFound):
        await call(me, "get_item_details", item_id="0000000000")


async def test_product_types_map_names_to_ids(sessions, call, as_customer, support):
    shirt = await tshirt(sessions)
    twin = await tshirt(sessions, prefix="TW")
    keyboard = await f.product(sessions, name="Mechanical Keyboard")
    out = await call(support, "list_all_product_types")
    low, high = sorted([shirt.id, twin.id])
    assert out.product_types == {"Mechanical Keyboard": keyboard.id, f"T-Shirt [{low}]": low,
                                 f"T-Shirt [{high}]": high}
    assert out.count == 3
    with pytest.raises(InvalidInput):
        await call(as_customer(await f.customer(sessions)), "list_all_product_types", product_id="x")


async def test_sku_in_another_case_is_ambiguous_only_without_an_exact_match(sessions, call, support):
    await f.product(sessions, name="Cable", variants=[{"sku": "cb-1", "price": Decimal("5.00")}])
    upper = await f.product(sessions, name="Cable Pro", variants=[{"sku": "CB-1", "price": Decimal("9.00")}])
    assert (await call(support, "get_item_details", item_id="CB-1")).product_id == upper.id
    with pytest.raises(Ambiguous) as err:
        await call(support, "get_product_details", product_id="Cb-1")
    assert sorted(c["sku"] for c in err.value.details) == ["CB-1", "cb-1"]


async def test_product_found_by_part_of_its_name_and_ambiguity_listed(sessions, call, as_customer):
    from tests import factories as fx
    from tools.errors import Ambiguous

    ava = await fx.customer(sessions)
    split = await fx.product(sessions, name="Ergo Split 60 Keyboard")
    await fx.product(sessions, name="Ergo Split 75 Keyboard")
    out = await call(as_customer(ava), "get_product_details", product_id="ergo split 60")
    assert out.product_id == split.id
    with pytest.raises(Ambiguous) as err:
        await call(as_customer(ava), "get_product_details", product_id="Ergo Split")
    assert len(err.value.details) == 2


async def test_misspelt_or_partial_names_find_the_product_they_mean(sessions, call, as_customer):
    hoodie = await f.product(sessions, name="Keycap Hoodie", brand="Threadline", variants=[
        {"sku": "HD-GREY-L", "options": {"size": "L", "colour": "grey"}},
        {"sku": "HD-BLACK-L", "options": {"size": "L", "colour": "black"}}])
    lamp = await f.product(sessions, name="Headlamp 400", brand="Northtrail")
    await f.product(sessions, name="Studio One Over-Ear Headphones", brand="Sonata")
    me = as_customer(await f.customer(sessions))
    for ref in ("gray hoody", "the hoodies in L", "keycap hodie"):
        assert (await call(me, "get_product_details", product_id=ref)).product_id == hoodie.id
    assert (await call(me, "get_product_details", product_id="headlamp")).product_id == lamp.id
    with pytest.raises(NotFound):
        await call(me, "get_product_details", product_id="velvet cushion")


async def test_search_falls_back_to_the_closest_names_when_no_product_has_every_word(sessions, call, as_customer):
    await f.product(sessions, name="Ergo Split 60 Keyboard")
    await f.product(sessions, name="Micro Camp Stove", brand="Northtrail")
    me = as_customer(await f.customer(sessions))
    for query, expected in [("pricing split keyboard", ["Ergo Split 60 Keyboard"]), ("camping", ["Micro Camp Stove"]),
                            ("keybaord", ["Ergo Split 60 Keyboard"]), ("velvet", [])]:
        assert [h.name for h in (await call(me, "search_products", query=query)).results] == expected


async def test_search_by_meaning_when_no_name_holds_the_words(sessions, call, as_customer):
    for name in ("Pour-Over Kettle", "Cast USB Microphone", "Merino Socks"):
        await f.product(sessions, name=name)
    me = as_customer(await f.customer(sessions))
    coffee = await call(me, "search_products", query="something for making coffee")
    assert [(h.name, h.matched_on) for h in coffee.results] == [("Pour-Over Kettle", ["meaning"])] and coffee.note
    assert [h.name for h in (await call(me, "search_products", query="podcast mic")).results] == [
        "Cast USB Microphone"]
    nothing = await call(me, "search_products", query="tell me a joke")
    assert nothing.results == [] and nothing.note is None
    worded = await call(me, "search_products", query="kettle")
    assert worded.results[0].matched_on != ["meaning"] and worded.note is None


async def test_list_text_filter_reads_a_misspelt_name_loosely(sessions, call, as_customer):
    await f.product(sessions, name="Clacky 87 Mechanical Keyboard", brand="Clacky")
    await f.product(sessions, name="Halo Desk Lamp", brand="Lumen")
    me = as_customer(await f.customer(sessions))
    out = await call(me, "list_products", query="clacky keybaord")
    assert [p.name for p in out.products] == ["Clacky 87 Mechanical Keyboard"] and out.total == 1
    assert (await call(me, "list_products", query="velvet")).total == 0
