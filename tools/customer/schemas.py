"""Inputs and outputs of the customer tools."""

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from db.enums import LoyaltyTier, PaymentMethodKind
from tools.schemas import Address, Email, Money, Page, Schema


def CustomerId():  # noqa: N802  (reads like a type where it is used)
    """The customer a tool acts on; customers leave it out (or say "me") to mean themselves."""
    return Field(
        None,
        min_length=2,
        max_length=255,
        description="Customer id, email or full name; customers may leave it out (or say 'me') to mean themselves.",
        examples=["noah_brown_6181"],
    )


class CustomerRef(Schema):
    customer_id: str | None = CustomerId()


class AddressOut(Address):
    id: int = Field(description="Address id.")
    is_default: bool = Field(description="True for the default shipping address.")


class PaymentMethodBrief(Schema):
    id: str = Field(description="Payment method id.")
    kind: PaymentMethodKind = Field(description="credit_card, paypal or gift_card.")
    brand: str | None = Field(None, description="Card brand.")
    last_four: str | None = Field(None, description="Last four card digits.")
    balance: Money | None = Field(None, description="Gift card balance.")


class CustomerOut(Schema):
    id: str = Field(description="Customer id.")
    email: str = Field(description="Email address.")
    first_name: str = Field(description="First name.")
    last_name: str = Field(description="Last name.")
    phone: str | None = Field(None, description="Phone number.")
    loyalty_tier: LoyaltyTier = Field(description="Loyalty tier.")
    loyalty_points: int = Field(description="Loyalty points balance.")
    created_at: datetime = Field(description="When the account was opened.")
    erased: bool = Field(description="True once the account has been anonymised.")


class CustomerDetails(CustomerOut):
    addresses: list[AddressOut] = Field(description="Addresses, default first.")
    payment_methods: list[PaymentMethodBrief] = Field(description="Saved payment methods.")
    order_ids: list[str] = Field(description="The customer's order numbers, oldest first.")


class CustomerList(Schema):
    customers: list[CustomerOut]
    total: int = Field(description="How many customers match in all.")


class ListCustomersIn(Page):
    query: str | None = Field(None, max_length=100, description="Text in name or email.", examples=["brown"])


class FindByEmailIn(Schema):
    email: Email = Field(description="The customer's email address (any case).")


class FindByNameZipIn(Schema):
    first_name: str = Field(min_length=1, max_length=100, description="First name (any case).", examples=["Noah"])
    last_name: str = Field(min_length=1, max_length=100, description="Last name (any case).", examples=["Brown"])
    zip: str = Field(min_length=2, max_length=20, description="Postal code of an address.", examples=["80279"])


class CustomerIdOut(Schema):
    customer_id: str = Field(description="The matching customer's id.")


class CreateCustomerIn(Schema):
    email: Email = Field(description="Email address; must not be in use.")
    first_name: str = Field(min_length=1, max_length=100, description="First name.", examples=["Ava"])
    last_name: str = Field(min_length=1, max_length=100, description="Last name.", examples=["Martin"])
    phone: str | None = Field(None, max_length=40, pattern=r"^[+0-9 ()-]{6,40}$", description="Phone number.")
    address: Address | None = Field(None, description="First address; becomes the default.")


class UpdateCustomerIn(Schema):
    customer_id: str | None = CustomerId()
    email: Email | None = Field(None, description="New email address.")
    first_name: str | None = Field(None, min_length=1, max_length=100, description="New first name.")
    last_name: str | None = Field(None, min_length=1, max_length=100, description="New last name.")
    phone: str | None = Field(None, max_length=40, pattern=r"^[+0-9 ()-]{6,40}$", description="New phone number.")

    @model_validator(mode="after")
    def something_to_change(self) -> "UpdateCustomerIn":
        """An update names at least one change (an empty one would only write an audit row)."""
        if all(getattr(self, f) is None for f in ("email", "first_name", "last_name", "phone")):
            raise ValueError("give at least one of email, first_name, last_name or phone")
        return self


class AddAddressIn(Address):
    customer_id: str | None = CustomerId()
    make_default: bool = Field(False, description="Make it the default shipping address.")


class SetDefaultAddressIn(Address):
    """The retail benchmark's modify_user_address: replace the default address."""

    customer_id: str | None = CustomerId()


class AddressList(Schema):
    addresses: list[AddressOut] = Field(description="Addresses, default first.")


class LoyaltyOut(Schema):
    customer_id: str = Field(description="Customer id.")
    tier: LoyaltyTier = Field(description="Current tier.")
    points: int = Field(description="Points balance.")
    next_tier: LoyaltyTier | None = Field(None, description="The next tier, if any.")
    points_to_next_tier: int | None = Field(None, description="Points still needed for the next tier.")
    earning_rules: list[str] = Field(description="How points are earned, in plain words.")


class LogInteractionIn(Schema):
    customer_id: str | None = CustomerId()
    channel: Literal["email", "phone", "chat", "store", "social"] = Field(description="Contact channel.")
    kind: Literal["question", "complaint", "support_case", "feedback", "note"] = Field(description="Kind of contact.")
    summary: str = Field(min_length=3, max_length=2000, description="What was said or done.")
    order_id: str | None = Field(None, min_length=6, max_length=16, description="Related order number, if any.")


class InteractionOut(Schema):
    id: int = Field(description="Interaction id.")
    customer_id: str = Field(description="Customer id.")
    channel: str = Field(description="Contact channel.")
    kind: str = Field(description="Kind of contact.")
    summary: str = Field(description="What was said or done.")
    order_id: str | None = Field(None, description="Related order number.")
    status: str = Field(description="open or closed.")
    created_at: datetime = Field(description="When it was logged.")
