"""Field types shared by every domain's schemas."""

from decimal import Decimal
from typing import Annotated, ClassVar

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
# The largest value an INTEGER column holds (PostgreSQL's int4): larger ids and offsets are refused as input,
# where they would otherwise overflow the database driver.
ROW_ID_MAX = 2_147_483_647
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


# The input of every tool that takes an order number alone.
class OrderRef(Schema):
    order_id: OrderId


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
    offset: int = Field(0, ge=0, le=ROW_ID_MAX, description="How many rows to skip.")


class Message(Schema):
    """A plain acknowledgement."""

    ok: bool = Field(True, description="True when the action happened.")
    message: str = Field(description="What happened, in a sentence.")


class FileOut(Schema):
    """A tool result that is a file: REST answers with the bytes in their media type, chat sees only the facts.

    `content` is left out of every JSON rendering (the agent's tool message, evals), so a model is never
    handed raw bytes; the generated REST route sends it as the response body instead.
    """

    # The media types a subclass can return, for the REST route's OpenAPI description.
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = ("application/octet-stream",)

    filename: str = Field(description="File name offered for download.", examples=["INV-2026-000123.pdf"])
    media_type: str = Field(description="Media type of the file.", examples=["application/pdf"])
    size_bytes: int = Field(ge=0, description="Size of the file in bytes.")
    sha256: str = Field(description="SHA-256 of the file's bytes, hex.")
    content: bytes = Field(exclude=True, repr=False, description="The file's bytes (sent only over REST).")
