"""Product tools: thin registry entries over the catalogue service."""

from db.enums import Role
from db.models import Product, ProductVariant
from tools.context import ALL_ROLES, ToolContext
from tools.errors import InvalidInput, NotFound
from tools.product import analytics, search, service
from tools.product import schemas as s
from tools.registry import tool
from tools.warehouse.service import get_warehouse

AGENT = "product"
MEANING_NOTE = "No product holds those words; these are the closest in meaning."
MANAGERS = {Role.MERCHANT, Role.ADMIN}


def variant_out(ctx: ToolContext, variant: ProductVariant) -> s.VariantOut:
    """A variant as the caller may see it (costs are for staff only)."""
    return s.VariantOut(
        item_id=variant.id, sku=variant.sku, options=variant.options or {}, price=variant.price,
        available=variant.available, weight_kg=variant.weight_kg, track_stock=variant.track_stock,
        cost=None if ctx.principal.is_customer else variant.cost,
    )


def item_out(ctx: ToolContext, variant: ProductVariant) -> s.ItemDetails:
    """A variant with the id and name of its product."""
    return s.ItemDetails(**variant_out(ctx, variant).model_dump(), product_id=variant.product_id,
                         product_name=variant.product.name)


def summary_out(product: Product) -> dict:
    """The fields of a product summary."""
    low, high = service.price_range(product)
    return {
        "product_id": product.id, "name": product.name, "brand": product.brand,
        "category": product.category.name if product.category else None, "archived": product.archived,
        "variant_count": len(product.variants),
        "available_variants": sum(v.available for v in product.variants),
        "min_price": low, "max_price": high,
    }


def details_out(ctx: ToolContext, product: Product) -> s.ProductDetails:
    """A product with its variants keyed by item id, as the caller may see it."""
    return s.ProductDetails(
        product_id=product.id, name=product.name, brand=product.brand, description=product.description,
        category=product.category.name if product.category else None, archived=product.archived,
        supplier=None if ctx.principal.is_customer else product.supplier,
        variants={v.id: variant_out(ctx, v) for v in product.variants},
    )


def staff_flag(ctx: ToolContext, include_archived: bool) -> bool:
    """Customers never see archived products, whatever they ask for."""
    return include_archived and not ctx.principal.is_customer


@tool(agent=AGENT, method="GET", path="/products", roles=ALL_ROLES,
      examples=["list your keyboards", "show products under 50 euros",
                "what do you sell from the brand Clacky",
                "list products in the Apparel category between 20 and 60 euros",
                "show me the Home range", "anything from Sonata?", "cheapest things you sell",
                "what do you have in the Outdoor category", "show me everything in the Keyboards category"])
async def list_products(ctx: ToolContext, params: s.ListProductsIn) -> s.ProductList:
    """List products, filtered by category, brand, price range or text, a page at a time."""
    rows, total = await service.list_products(
        ctx.session, category=params.category, brand=params.brand, min_price=params.min_price,
        max_price=params.max_price, query=params.query, limit=params.limit, offset=params.offset,
        include_archived=staff_flag(ctx, params.include_archived),
    )
    return s.ProductList(products=[s.ProductSummary(**summary_out(p)) for p in rows], total=total)


@tool(agent=AGENT, method="GET", path="/products/{product_id}", roles=ALL_ROLES,
      examples=["show product 9523456873", "what options does the T-Shirt come in",
                "details of the Mechanical Keyboard", "how much is the T-Shirt",
                "tell me about the Boom Cube Bluetooth Speaker", "what colours does the Rain Shell Jacket come in",
                "how much does the Halo Desk Lamp cost",
                "price of the hoodie in black, size M", "how much are the wireless headphones in silver",
                "tell me about your microphone", "info on the lamp please"])
async def get_product_details(ctx: ToolContext, params: s.ProductIdIn) -> s.ProductDetails:
    """Get a product and its variants (item id, options, availability, price) by id, name or SKU."""
    return details_out(ctx, await service.get_visible_product(ctx, params.product_id))


@tool(agent=AGENT, method="GET", path="/items/{item_id}", roles=ALL_ROLES,
      examples=["details of item 9612497925", "what is item 1176194968", "is item 9612497925 available"])
async def get_item_details(ctx: ToolContext, params: s.ItemIdIn) -> s.ItemDetails:
    """Get one item (variant) by item id or SKU: options, price, availability and its product."""
    variant = await service.get_variant(ctx.session, params.item_id)
    if variant.product.archived and ctx.principal.is_customer:
        raise NotFound(f"item {params.item_id!r} not found")
    return item_out(ctx, variant)


@tool(agent=AGENT, method="GET", path="/product-types", roles=ALL_ROLES,
      examples=["what product types do you have", "list all product types",
                "what kinds of products do you sell"])
async def list_all_product_types(ctx: ToolContext, params: s.NoInput) -> s.ProductTypes:
    """List every product type: product name -> product id."""
    types = await service.product_types(ctx.session, include_archived=not ctx.principal.is_customer)
    return s.ProductTypes(product_types=types, count=len(types))


@tool(agent=AGENT, method="GET", path="/catalog/search", roles=ALL_ROLES,
      examples=["do you sell blue t-shirts", "search for mechanical keyboard",
                "find products matching KB-CLICKY", "anything in leather",
                "I'm looking for a backpack", "got any earbuds?", "what would you suggest for a home office",
                "do you sell office chairs", "what do you have for hiking", "any gifts for a coffee lover?",
                "I need something to keep my drinks cold"],
      vocabulary=search.catalogue_names)
async def search_products(ctx: ToolContext, params: s.SearchIn) -> s.SearchResult:
    """Search products by words in name, brand, description, category, SKU or option values."""
    hits = await search.search_products(ctx.session, params.query, params.limit,
                                        staff_flag(ctx, params.include_archived))
    by_meaning = bool(hits) and all(search.MEANING in h.matched_on for h in hits)
    return s.SearchResult(query=params.query, results=[
        s.SearchHit(**summary_out(h.product), score=h.score, matched_on=sorted(h.matched_on)) for h in hits
    ], note=MEANING_NOTE if by_meaning else None)


# Lent to every specialist for its writes: changing or exchanging an order's items needs the ids of the options a
# person names in words.
@tool(agent=AGENT, method="POST", path="/catalog/find-variants", roles=ALL_ROLES, lookup=True,
      examples=["do you have the T-Shirt in blue size M", "which keyboards have red switches",
                "find the T-Shirt variant in color black and size XXL",
                "available sizes of the T-Shirt in purple"])
async def find_product_variants(ctx: ToolContext, params: s.FindVariantsIn) -> s.VariantMatches:
    """Find variants having the given options (e.g. color blue, size M), of one product or of all."""
    if params.product_id is None and not params.options:
        raise InvalidInput("name a product, some options, or both")
    product = await service.get_visible_product(ctx, params.product_id) if params.product_id else None
    variants = await service.find_variants(ctx.session, product, params.options, params.available_only,
                                           include_archived=not ctx.principal.is_customer)
    return s.VariantMatches(variants=[item_out(ctx, v) for v in variants[:params.limit]], total=len(variants))


@tool(agent=AGENT, method="POST", path="/products", roles=MANAGERS, mutates=True,
      examples=["create a product Wool Scarf with SKUs SC-GREY and SC-NAVY at 29 euros",
                "add a new product to the catalogue", "add a keyboard with two switch variants"])
async def create_product(ctx: ToolContext, params: s.CreateProductIn) -> s.ProductDetails:
    """Create a product with its variants (every SKU must be new)."""
    fields = params.model_dump(include={"name", "brand", "description", "supplier"})
    product = await service.create_product(ctx, fields, params.variants, params.category)
    return details_out(ctx, product)


@tool(agent=AGENT, method="PUT", path="/products/{product_id}", roles=MANAGERS, mutates=True, confirm=True,
      examples=["set the price of TS-BLUE-M to 24.90", "mark item 9612497925 as unavailable",
                "stop selling the TS-RED-L variant only, keep the rest",
                "rename product 9523456873 to Classic T-Shirt",
                "move the Wool Scarf to the Accessories category",
                "change the supplier of product 9523456873 to Knit Mills",
                "lower the price of the Wool Scarf to 19.99"])
async def update_product(ctx: ToolContext, params: s.UpdateProductIn) -> s.ProductDetails:
    """Update a product's name, brand, supplier, description, category, variant prices or availability; add variants."""
    product = await service.get_product(ctx.session, params.product_id)
    fields = params.model_dump(include={"name", "brand", "description", "supplier"}, exclude_none=True)
    await service.update_product(ctx, product, fields, params.category, params.variants, params.add_variants)
    return details_out(ctx, product)


@tool(agent=AGENT, method="DELETE", path="/products/{product_id}", roles=MANAGERS, mutates=True, confirm=True,
      examples=["archive product 9523456873", "delete the Wool Scarf from the catalogue",
                "stop selling the T-Shirt", "we no longer carry the Wool Scarf, take it out of the shop"])
async def archive_product(ctx: ToolContext, params: s.ProductIdIn) -> s.ProductSummary:
    """Archive (delete) a product: customers no longer see it; past orders keep it."""
    product = await service.get_product(ctx.session, params.product_id)
    service.archive_product(ctx, product)
    return s.ProductSummary(**summary_out(product))


@tool(agent=AGENT, method="GET", path="/categories", roles=ALL_ROLES,
      examples=["list categories", "what categories do you have", "show the product categories"])
async def list_categories(ctx: ToolContext, params: s.NoInput) -> s.CategoryList:
    """List product categories with how many products each holds."""
    rows = await service.list_categories(ctx.session)
    return s.CategoryList(categories=[
        s.CategoryOut.model_validate(c).model_copy(update={"product_count": n}) for c, n in rows
    ])


@tool(agent=AGENT, method="POST", path="/categories", roles=MANAGERS, mutates=True,
      examples=["create a category Keyboards", "add a Scarves category under Accessories",
                "new product category", "add a new category called Outdoor Lighting",
                "set up a category for the winter range"])
async def create_category(ctx: ToolContext, params: s.CreateCategoryIn) -> s.CategoryOut:
    """Create a product category (the name must be new), optionally under a parent."""
    category = await service.create_category(ctx, params.name, params.description, params.parent)
    return s.CategoryOut.model_validate(category)


@tool(agent=AGENT, method="GET", path="/catalog/analytics/products", roles=MANAGERS,
      examples=["product analytics", "how many products per category", "average price by brand",
                "how many items are out of stock"])
async def get_product_analytics(ctx: ToolContext, params: s.NoInput) -> s.ProductAnalytics:
    """Get catalogue figures: products and average price by category and brand, low and out of stock."""
    return await analytics.product_analytics(ctx.session)


@tool(agent=AGENT, method="GET", path="/catalog/analytics/value", roles=MANAGERS,
      examples=["what is our inventory worth", "catalogue value by category", "stock value at cost in PAR-1"])
async def get_catalog_value(ctx: ToolContext, params: s.CatalogValueIn) -> s.CatalogValue:
    """Get the value of the stock on hand at cost and at price, by category (optionally for one warehouse)."""
    warehouse = await get_warehouse(ctx.session, params.warehouse) if params.warehouse else None
    rows = await analytics.catalog_value(ctx.session, warehouse.id if warehouse else None)
    return analytics.value_totals(rows, warehouse.code if warehouse else None)
