"""Categories, products and their variants."""

from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Money, Timestamped


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    description: Mapped[str] = mapped_column(Text, default="")


class Product(Timestamped, Base):
    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    brand: Mapped[str] = mapped_column(String(100), default="", index=True)
    supplier: Mapped[str] = mapped_column(String(100), default="", index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(default=False, index=True)

    category: Mapped[Category | None] = relationship()
    variants: Mapped[list["ProductVariant"]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductVariant.position"
    )


class ProductVariant(Base):
    """A sellable item (the retail benchmark's item_id) with its options and price."""

    __tablename__ = "product_variants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    price: Mapped[Money]
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    weight_kg: Mapped[Decimal] = mapped_column(Numeric(8, 3), default=Decimal("0.5"))
    available: Mapped[bool] = mapped_column(default=True)
    # False for items sold without stock records (the retail benchmark's catalogue, drop-ship).
    track_stock: Mapped[bool] = mapped_column(default=True)

    product: Mapped[Product] = relationship(back_populates="variants")
