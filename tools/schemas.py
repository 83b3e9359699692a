"""Field types shared by every domain's schemas."""

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

# Decimals (weights, rates, percentages) travel as JSON numbers rather than Pydantic's default strings.
Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]

# Money travels as a JSON number with two decimals and is a Decimal inside.
Money = Annotated[
    Decimal,
    Field(max_digits=12, decimal_places=2, examples=[49.99]),
    PlainSerializer(float, return_type=float, when_used="json"),
]
PositiveMoney = Annotated[Money, Field(gt=0)]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=255, examples=["ava@example.com"])]
OrderId = Annotated[
    str,
    Field(
        pattern=r"^#?[Ww]?\d{5,9}$",
        description="Order number, e.g. #W2611340 (the # and W may be left out).",
        examples=["#W2611340"],
    ),
]


def normalize_order_id(ref: str) -> str:
    """'#W2611340', 'W2611340' and '2611340' all name order #W2611340."""
    digits = ref.lstrip("#").lstrip("Ww")
    return f"#W{digits}"


class Schema(BaseModel):
    """Base of every tool input and output: strict field names, readable from ORM objects."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)


class Address(Schema):
    address1: str = Field(min_length=1, max_length=255, description="Street and number.", examples=["12 Rue de Rivoli"])
    address2: str = Field("", max_length=255, description="Apartment, suite, floor.", examples=["Apt 4"])
    city: str = Field(min_length=1, max_length=100, description="City.", examples=["Paris"])
    state: str = Field("", max_length=100, description="State or region, if any.", examples=["IDF"])
    country: str = Field(min_length=2, max_length=100, description="Country name or ISO code.", examples=["FR"])
    zip: str = Field(min_length=2, max_length=20, description="Postal code.", examples=["75001"])


class Page(Schema):
    """Paging parameters shared by list tools."""

    limit: int = Field(20, ge=1, le=200, description="How many rows at most.")
    offset: int = Field(0, ge=0, description="How many rows to skip.")


class Message(Schema):
    """A plain acknowledgement."""

    ok: bool = Field(True, description="True when the action happened.")
    message: str = Field(description="What happened, in a sentence.")
