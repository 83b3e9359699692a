"""Customers, their addresses and logged interactions."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Timestamped
from db.enums import LoyaltyTier


class Customer(Timestamped, Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), index=True)
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    loyalty_points: Mapped[int] = mapped_column(default=0)
    loyalty_tier: Mapped[LoyaltyTier] = mapped_column(String(16), default=LoyaltyTier.BRONZE)
    erased_at: Mapped[datetime | None]

    addresses: Mapped[list["Address"]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="Address.id"
    )

    @property
    def erased(self) -> bool:
        """True once the account has been anonymised."""
        return self.erased_at is not None


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    address1: Mapped[str] = mapped_column(String(255))
    address2: Mapped[str] = mapped_column(String(255), default="")
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(100))
    zip: Mapped[str] = mapped_column(String(20), index=True)
    is_default: Mapped[bool] = mapped_column(default=False)

    customer: Mapped[Customer] = relationship(back_populates="addresses")


class Interaction(Timestamped, Base):
    """A logged contact with a customer: a support case, call or note."""

    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    order_id: Mapped[str | None] = mapped_column(String(16))
    staff_username: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    # Support cases (escalations to a person): what it is about, whose queue takes it, when it is due.
    topic: Mapped[str | None] = mapped_column(String(32))
    queue: Mapped[str | None] = mapped_column(String(16), index=True)
    due_at: Mapped[datetime | None]
    resolution: Mapped[str] = mapped_column(Text, default="")
