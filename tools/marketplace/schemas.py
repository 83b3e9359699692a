"""Inputs and outputs of the marketplace tools (credentials go in, never come out)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, SecretStr, StringConstraints, computed_field, model_validator

from db.enums import ChannelKind, ConnectionStatus, SyncStatus
from tools.schemas import Money, Number, Page, Schema

CredentialName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Secret = Annotated[SecretStr, StringConstraints(min_length=1, max_length=4000)]
Credentials = Annotated[
    dict[CredentialName, Secret],
    Field(max_length=10, description="Secrets the channel's API needs (e.g. api_key, seller_id): stored encrypted, "
          "never shown again.", examples=[{"api_key": "...", "seller_id": "..."}]),
]
FeedName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", examples=["demo"])]


REF_TEXT = "The connection: its id or its name (or its channel when only one connection has it)."


def ConnectionRef():  # noqa: N802  (reads like a type where it is used)
    """A connection named by id, name or channel."""
    return Field(min_length=1, max_length=100, description=REF_TEXT, examples=["Sandbox demo channel", "1"])


def ChannelField(what: str = "Leave both out when the shop has one connection."):  # noqa: N802
    """The channel whose connection is meant, when the connection is not named."""
    return Field(None, description=f"The connection's channel (amazon, ebay, cdiscount, etsy, sandbox). {what}")


def OptionalRef():  # noqa: N802
    """A connection reference that may be left out."""
    return Field(None, min_length=1, max_length=100, description=f"{REF_TEXT} Optional.", examples=["Amazon FR"])


class ConnectionIn(Schema):
    connection: str = ConnectionRef()


class ChannelIn(Schema):
    channel: ChannelKind | None = ChannelField()
    connection: str | None = OptionalRef()


class CreateConnectionIn(Schema):
    channel: ChannelKind = Field(description="amazon, ebay, cdiscount, etsy, or sandbox (the file-backed test one).")
    name: str = Field(min_length=2, max_length=100, description="A unique name for this seller account.",
                      examples=["Amazon FR"])
    credentials: Credentials | None = None
    feed: FeedName | None = Field(None, description="Sandbox only: the feed folder it reads (default connection-<id>).")
    price_adjustment_pct: Decimal = Field(Decimal(0), ge=-50, le=100, decimal_places=2,
                                          description="Channel price = our price x (1 + this / 100).", examples=[10])


class UpdateConnectionIn(Schema):
    connection: str = ConnectionRef()
    name: str | None = Field(None, min_length=2, max_length=100, description="New name.")
    status: Literal["active", "paused"] | None = Field(None, description="paused stops syncing; active resumes.")
    credentials: Credentials | None = None
    clear_credentials: bool = Field(False, description="True to forget the stored credentials.")
    feed: FeedName | None = Field(None, description="Sandbox only: another feed folder.")
    price_adjustment_pct: Decimal | None = Field(None, ge=-50, le=100, decimal_places=2,
                                                 description="New price adjustment in percent.")


class ListConnectionsIn(Schema):
    include_deleted: bool = Field(False, description="Also list deleted (disconnected) connections.")


class ConnectionOut(Schema):
    id: int = Field(description="Connection id.")
    channel: ChannelKind = Field(description="The channel.")
    name: str = Field(description="Its name.")
    status: ConnectionStatus = Field(description="active, paused, error or disconnected (deleted).")
    has_credentials: bool = Field(description="True when credentials are stored (they are never shown).")
    credential_fields: list[str] = Field(description="The names of the stored credentials, never their values.")
    feed: str | None = Field(None, description="Sandbox: the feed folder it reads.")
    price_adjustment_pct: Number = Field(description="Channel price adjustment in percent.")
    last_sync_at: datetime | None = Field(None, description="When its orders were last imported.")
    last_message_sync_at: datetime | None = Field(None, description="When its messages were last fetched.")
    created_at: datetime = Field(description="When it was created.")
    orders_imported: int | None = Field(None, description="Channel orders imported as ours.")
    orders_failed: int | None = Field(None, description="Channel orders that could not be imported (yet).")
    active_offers: int | None = Field(None, description="Offers live on the channel.")
    unread_messages: int | None = Field(None, description="Buyers' messages not read yet.")


class ConnectionList(Schema):
    connections: list[ConnectionOut]


class DeleteConnectionOut(Schema):
    connection: ConnectionOut
    offers_ended: int = Field(description="Offers taken off the channel's list.")


class ImportIn(ChannelIn):
    since: datetime | None = Field(None, description="Fetch orders placed since this moment (default: the last "
                                   "import, or all for the first one). Orders seen before are never placed twice.")


class ChannelOrderOut(Schema):
    id: int = Field(description="Record id.")
    connection_id: int = Field(description="Connection id.")
    external_id: str = Field(description="The channel's order number.")
    status: SyncStatus = Field(description="imported, or failed (with the reason in error).")
    order_id: str | None = Field(None, description="Our order number once imported.")
    buyer_email: str = Field(description="The buyer's email as the channel gave it.")
    total: Money = Field(description="What the channel collected.")
    currency: str = Field(description="Currency.")
    placed_at: datetime | None = Field(None, description="When it was placed on the channel.")
    error: str | None = Field(None, description="Why it could not be imported.")
    attempts: int = Field(description="How many imports tried it.")

    @computed_field(description="The channel order in a line, for people.")
    @property
    def summary(self) -> str:
        outcome = f"imported as {self.order_id}" if self.order_id else f"not imported: {self.error}"
        return f"{self.external_id} from {self.buyer_email}, {self.total} {self.currency}, {outcome}"


class ImportOut(Schema):
    connection_id: int = Field(description="Connection id.")
    fetched: int = Field(description="Orders the channel sent.")
    imported: list[ChannelOrderOut] = Field(description="Orders placed in our shop now.")
    failed: list[ChannelOrderOut] = Field(description="Orders that could not be placed, with the reason.")
    already_imported: list[str] = Field(description="Channel order numbers imported before (not placed again).")


class ListChannelOrdersIn(Page):
    channel: ChannelKind | None = ChannelField("Leave both out for every connection.")
    connection: str | None = OptionalRef()
    status: SyncStatus | None = Field(None, description="Only orders in this sync status: imported or failed.")


class ChannelOrderList(Schema):
    orders: list[ChannelOrderOut]
    total: int = Field(description="How many match in all.")


class CreateOfferIn(ChannelIn):
    item: str = Field(min_length=1, max_length=64, description="SKU or item id of the variant to offer.",
                      examples=["KB-CLICKY-01"])


class ListOffersIn(Page):
    channel: ChannelKind | None = ChannelField("Leave both out for every connection.")
    connection: str | None = OptionalRef()
    status: Literal["active", "ended"] | None = Field(None, description="Only active or ended offers.")


class OfferOut(Schema):
    id: int = Field(description="Offer id.")
    connection_id: int = Field(description="Connection id.")
    connection_name: str = Field(description="Connection name.")
    sku: str = Field(description="SKU.")
    item_id: str = Field(description="Item id (variant id).")
    name: str = Field(description="Product name.")
    price: Money = Field(description="Price on the channel.")
    currency: str = Field(description="Currency.")
    quantity: int = Field(description="Units the channel may sell, as last pushed.")
    status: str = Field(description="active or ended.")
    last_pushed_at: datetime | None = Field(None, description="When stock or price was last pushed.")

    @computed_field(description="The offer in a line, for people.")
    @property
    def summary(self) -> str:
        state = "" if self.status == "active" else f" ({self.status})"
        return f"{self.name} ({self.sku}) on {self.connection_name}: {self.price} {self.currency}, " \
               f"{self.quantity} available{state}"


class OfferList(Schema):
    offers: list[OfferOut]


class PushOut(Schema):
    connection_id: int = Field(description="Connection id.")
    offers: list[OfferOut] = Field(description="Each active offer as pushed.")


class SendMessageIn(Schema):
    body: str = Field(min_length=1, max_length=4000, description="The message to the buyer.")
    channel: ChannelKind | None = ChannelField("Not needed with reply_to, nor when the shop has one connection.")
    connection: str | None = OptionalRef()
    about_order: str | None = Field(
        None, pattern=r"^#?[A-Za-z0-9][A-Za-z0-9-]{2,63}$", examples=["SBX-1001", "#W2611340"],
        description="The order it is about: the channel's order number or our order number.")
    reply_to: int | None = Field(None, ge=1, le=2_000_000_000, description="Id of the buyer's message answered.")

    @model_validator(mode="after")
    def _to_a_buyer(self) -> "SendMessageIn":
        # A message about no order and answering none reaches no buyer in particular.
        if self.reply_to is None and self.about_order is None:
            raise ValueError("give reply_to (the buyer's message answered) or about_order (the order it is about)")
        return self


class UnreadIn(Page):
    channel: ChannelKind | None = ChannelField("Leave both out for every connection.")
    connection: str | None = OptionalRef()


class MessageRef(Schema):
    message_id: int = Field(ge=1, le=2_000_000_000, description="Marketplace message id.", examples=[2])


class MessageOut(Schema):
    id: int = Field(description="Message id.")
    connection_id: int = Field(description="Connection id.")
    direction: Literal["in", "out"] = Field(description="in: from a buyer; out: sent by us.")
    sender: str = Field(description="Who wrote it.")
    body: str = Field(description="The text.")
    order_ref: str | None = Field(None, description="The channel's order number it is about.")
    created_at: datetime = Field(description="When it was written.")
    read_at: datetime | None = Field(None, description="When it was read (buyers' messages).")

    @computed_field(description="The message in a line, for people.")
    @property
    def summary(self) -> str:
        about = f" about {self.order_ref}" if self.order_ref else ""
        who = f"from {self.sender}" if self.direction == "in" else f"to the buyer by {self.sender}"
        return f"message {self.id} {who}{about}: \"{self.body}\""


class MessageList(Schema):
    messages: list[MessageOut]


class FetchMessagesOut(Schema):
    connection_id: int = Field(description="Connection id.")
    new: list[MessageOut] = Field(description="Messages stored by this fetch.")
