"""Inputs and outputs of the product (catalogue) tools."""

from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, model_validator

from tools.schemas import Money, Number, Page, PositiveMoney, Schema

# Decimal figures other than money travel as JSON numbers too (pydantic would send strings).
OptionName = Annotated[str, Field(min_length=1, max_length=40, examples=["color"])]
OptionValue = Annotated[str, Field(min_length=1, max_length=100, examples=["blue"])]
Sku = Annotated[
    str,
    Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$", examples=["TS-BLUE-M"],
          description="Stock keeping unit, unique in the shop."),
]
Weight = Annotated[Decimal, Field(ge=0, le=1000, decimal_places=3, description="Shipping weight in kg.",
                                  examples=[0.25])]


def ProductRef(required: bool = True):  # noqa: N802  (reads like a type where it is used)
    """A product named by its id, its exact name (any case) or the SKU of one of its variants."""
    return Field(
        ... if required else None, min_length=1, max_length=200,
        description="Product id, exact product name (any case) or the SKU of one of its variants.",
        examples=["9523456873", "T-Shirt"],
    )


class ProductIdIn(Schema):
    product_id: str = ProductRef()


class ItemIdIn(Schema):
    item_id: str = Field(min_length=1, max_length=64, description="Item (variant) id or SKU.",
                         examples=["9612497925"])


class NoInput(Schema):
    """Tools that take no arguments."""


class VariantIn(Schema):
    sku: Sku
    options: dict[OptionName, OptionValue] = Field(
        default_factory=dict, max_length=10, description="Option name -> value.",
        examples=[{"color": "blue", "size": "M"}],
    )
    price: PositiveMoney = Field(description="Selling price (EUR).")
    cost: Money | None = Field(None, ge=0, description="Unit purchase cost (EUR), staff only.")
    weight_kg: Weight = Decimal("0.5")
    available: bool = Field(True, description="False to stop selling this variant.")
    track_stock: bool = Field(True, description="False for items sold without stock records (drop-ship).")


class VariantChange(Schema):
    item_id: str = Field(min_length=1, max_length=64, examples=["9612497925"],
                         description="The variant to change: its item id or SKU.")
    price: PositiveMoney | None = Field(None, description="New selling price (EUR).")
    cost: Money | None = Field(None, ge=0, description="New unit cost (EUR).")
    weight_kg: Weight | None = None
    available: bool | None = Field(None, description="True to sell the variant, False to stop selling it.")


class CreateProductIn(Schema):
    name: str = Field(min_length=1, max_length=200, description="Product name.", examples=["T-Shirt"])
    brand: str = Field("", max_length=100, description="Brand.", examples=["Clacky"])
    description: str = Field("", max_length=5000, description="Description shown to customers.")
    category: str | None = Field(None, min_length=1, max_length=100, description="Category id, slug or name.",
                                 examples=["Apparel"])
    supplier: str = Field("", max_length=100, description="Supplier name (staff only).")
    variants: list[VariantIn] = Field(min_length=1, max_length=200, description="The sellable variants.")


CHANGES = ("name", "brand", "description", "category", "supplier", "variants", "add_variants")


class UpdateProductIn(Schema):
    product_id: str = ProductRef()
    name: str | None = Field(None, min_length=1, max_length=200, description="New product name.")
    brand: str | None = Field(None, max_length=100, description="New brand.")
    description: str | None = Field(None, max_length=5000, description="New description.")
    category: str | None = Field(None, min_length=1, max_length=100,
                                 description="New category id, slug or name.")
    supplier: str | None = Field(None, max_length=100, description="New supplier name.")
    variants: list[VariantChange] = Field(
        default_factory=list, max_length=200,
        description="Per-variant changes of price, cost, weight or availability.")
    add_variants: list[VariantIn] = Field(default_factory=list, max_length=200,
                                          description="New variants to add.")

    @model_validator(mode="after")
    def _something_to_change(self):
        changes = [getattr(self, name) for name in CHANGES]
        if all(value is None or value == [] for value in changes):
            raise ValueError(
                "give at least one of name, brand, description, category, supplier, variants or add_variants")
        return self


class ListProductsIn(Page):
    category: str | None = Field(None, min_length=1, max_length=100,
                                 description="Category id, slug or name (its subcategories included).")
    brand: str | None = Field(None, min_length=1, max_length=100, description="Brand (any case).")
    min_price: Money | None = Field(None, ge=0,
                                    description="Only products with a variant at this price or more.")
    max_price: Money | None = Field(None, ge=0,
                                    description="Only products with a variant at this price or less.")
    query: str | None = Field(None, min_length=1, max_length=100,
                              description="Text in the name, brand or category name.")
    include_archived: bool = Field(False, description="Staff only: also list archived products.")


class SearchIn(Schema):
    query: str = Field(min_length=1, max_length=200, description="Words to look for in name, brand, "
                       "description, category, SKU or option values.", examples=["blue t-shirt"])
    limit: int = Field(10, ge=1, le=50, description="How many results at most.")
    include_archived: bool = Field(False, description="Staff only: also search archived products.")


class FindVariantsIn(Schema):
    product_id: str | None = ProductRef(required=False)
    options: dict[OptionName, OptionValue] = Field(
        default_factory=dict, max_length=10,
        description="Options the variant must have (any case); options left out match anything.",
        examples=[{"color": "blue", "size": "M"}],
    )
    available_only: bool = Field(False, description="Only variants that are on sale.")
    limit: int = Field(50, ge=1, le=200, description="How many variants at most.")


class CreateCategoryIn(Schema):
    name: str = Field(min_length=1, max_length=100, description="Category name, unique.",
                      examples=["Keyboards"])
    description: str = Field("", max_length=2000, description="What belongs in it.")
    parent: str | None = Field(None, min_length=1, max_length=100,
                               description="Parent category id, slug or name.")


class CatalogValueIn(Schema):
    warehouse: str | None = Field(None, min_length=1, max_length=100,
                                  description="Only stock in this warehouse (id, code or name).")


class VariantOut(Schema):
    item_id: str = Field(description="Item (variant) id.")
    sku: str = Field(description="Stock keeping unit.")
    options: dict[str, Any] = Field(description="Option name -> value.")
    price: Money = Field(description="Selling price.")
    available: bool = Field(description="True when the variant is on sale.")
    weight_kg: Number = Field(description="Shipping weight in kg.")
    track_stock: bool = Field(description="False for items sold without stock records.")
    cost: Money | None = Field(None, description="Unit cost; staff only (null for customers).")


class ItemDetails(VariantOut):
    product_id: str = Field(description="The product this item is a variant of.")
    product_name: str = Field(description="The product's name.")


class ProductSummary(Schema):
    product_id: str = Field(description="Product id.")
    name: str = Field(description="Product name.")
    brand: str = Field(description="Brand.")
    category: str | None = Field(None, description="Category name.")
    archived: bool = Field(description="True when withdrawn from sale (kept for past orders).")
    variant_count: int = Field(description="How many variants it has.")
    available_variants: int = Field(description="How many variants are on sale.")
    min_price: Money | None = Field(None, description="Lowest variant price.")
    max_price: Money | None = Field(None, description="Highest variant price.")


class ProductList(Schema):
    products: list[ProductSummary]
    total: int = Field(description="How many products match in all.")


class ProductDetails(Schema):
    product_id: str = Field(description="Product id.")
    name: str = Field(description="Product name.")
    brand: str = Field(description="Brand.")
    category: str | None = Field(None, description="Category name.")
    description: str = Field(description="Description.")
    supplier: str | None = Field(None, description="Supplier; staff only (null for customers).")
    archived: bool = Field(description="True when withdrawn from sale.")
    variants: dict[str, VariantOut] = Field(description="Variants keyed by item id.")


class SearchHit(ProductSummary):
    score: int = Field(description="Relevance; higher is better.")
    matched_on: list[str] = Field(description="Fields the words were found in, or ['meaning'] for a product found by "
                                              "what it is rather than by the words.")


class SearchResult(Schema):
    query: str = Field(description="The query as searched.")
    results: list[SearchHit] = Field(description="Best match first.")
    note: str | None = Field(None, description="Set when no product holds the words and the results come closest "
                                               "in meaning instead (their matched_on is ['meaning']).")


class VariantMatches(Schema):
    variants: list[ItemDetails] = Field(description="Matching variants, by product then position.")
    total: int = Field(description="How many variants match in all.")


class CategoryOut(Schema):
    id: int = Field(description="Category id.")
    name: str = Field(description="Category name.")
    slug: str = Field(description="URL-safe name.")
    parent_id: int | None = Field(None, description="Parent category id.")
    description: str = Field(description="What belongs in it.")
    product_count: int = Field(0, description="Products on sale directly in this category.")


class CategoryList(Schema):
    categories: list[CategoryOut]


class ProductTypes(Schema):
    product_types: dict[str, str] = Field(description="Product name -> product id, by name.")
    count: int = Field(description="How many products are listed.")


class GroupStats(Schema):
    key: str = Field(description="Category or brand name.")
    product_count: int = Field(description="Products on sale.")
    variant_count: int = Field(description="Their variants.")
    average_price: Money | None = Field(None, description="Average variant price.")


class ProductAnalytics(Schema):
    product_count: int = Field(description="Products on sale (not archived).")
    archived_count: int = Field(description="Archived products.")
    variant_count: int = Field(description="Variants of products on sale.")
    average_price: Money | None = Field(None, description="Average variant price.")
    by_category: list[GroupStats] = Field(description="Per category, most products first.")
    by_brand: list[GroupStats] = Field(description="Per brand, most products first.")
    tracked_variants: int = Field(description="Variants whose stock is tracked.")
    low_stock_variants: int = Field(
        description="Tracked variants with units available but total on hand <= total reorder point.")
    out_of_stock_variants: int = Field(
        description="Tracked variants with no unit available (on hand - allocated).")


class ValueRow(Schema):
    category: str = Field(description="Category name.")
    units_on_hand: int = Field(description="Units on hand.")
    cost_value: Money = Field(description="Units x unit cost (the price where no cost is recorded).")
    retail_value: Money = Field(description="Units x selling price.")


class CatalogValue(Schema):
    warehouse: str | None = Field(None, description="Warehouse code when limited to one.")
    by_category: list[ValueRow] = Field(description="Per category, highest cost value first.")
    units_on_hand: int = Field(description="Units on hand in all.")
    cost_value: Money = Field(description="Total value at cost.")
    retail_value: Money = Field(description="Total value at selling price.")
    currency: str = Field("EUR", description="Currency of the amounts.")
