"""Inputs and outputs of the event delivery tools (monitoring agent, staff only)."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from db.enums import DeliveryStatus
from tools.schemas import ROW_ID_MAX, Page, Schema

StatusFilter = Literal["failing", "dead", "retrying", "pending", "delivered", "all"]


class ListDeliveriesIn(Page):
    status: StatusFilter = Field(
        "failing",
        description="Which deliveries: failing (dead letters and retries, the default), dead (dead letters only), "
        "retrying, pending, delivered or all.",
        examples=["dead"],
    )
    handler: str | None = Field(None, min_length=1, max_length=100, description="Only this handler, e.g. relay.",
                                examples=["relay"])
    topic: str | None = Field(None, min_length=3, max_length=64, pattern=r"^[a-z_]+\.[a-z_]+$",
                              description="Only this event topic.", examples=["order.placed"])


class NoInput(Schema):
    """The statistics take no arguments."""


class DeliveryRefIn(Schema):
    delivery_id: int = Field(ge=1, le=ROW_ID_MAX, description="Delivery id, as listed by list_event_deliveries.",
                             examples=[12])


class DeliveryOut(Schema):
    id: int = Field(description="Delivery id.")
    event_id: int = Field(description="Outbox event id (also its broker message id).")
    topic: str = Field(description="Event topic, e.g. order.placed.")
    key: str = Field(description="Id of the record the event is about.")
    handler: str = Field(description="Who the event is delivered to (relay = the message broker).")
    status: DeliveryStatus = Field(description="pending, retrying, delivered or dead (a dead letter).")
    attempts: int = Field(description="Attempts made so far.")
    next_attempt_at: datetime | None = Field(description="When it is tried next (open deliveries only).")
    last_error: str | None = Field(description="Why the last attempt failed.")
    delivered_at: datetime | None = Field(description="When it was delivered.")
    event_created_at: datetime = Field(description="When the event happened.")
    summary: str = Field(description="The delivery in one line, for people.")


class DeliveryList(Schema):
    deliveries: list[DeliveryOut] = Field(description="Matching deliveries, oldest event first.")
    total: int = Field(description="How many match in all.")


class RetryOut(Schema):
    delivery: DeliveryOut = Field(description="The delivery, queued again.")
    message: str = Field(description="What happened, in a sentence.")


class HandlerStats(Schema):
    handler: str = Field(description="Handler name (relay = the message broker).")
    pending: int = Field(description="Deliveries waiting for their first attempt.")
    retrying: int = Field(description="Deliveries that failed and will be tried again.")
    delivered: int = Field(description="Deliveries done.")
    dead: int = Field(description="Dead letters: deliveries given up after the last attempt.")
    oldest_open_event_at: datetime | None = Field(description="When the oldest event still to deliver happened.")
    summary: str = Field(description="The handler's counts in one line, for people.")


class DeliveryStatsOut(Schema):
    events: int = Field(description="Events in the outbox.")
    waiting_for_dispatch: int = Field(description="Events the dispatcher has not picked up yet.")
    published: int = Field(description="Events the message broker has stored.")
    unpublished: int = Field(description="Events not (yet) stored by a message broker.")
    retrying: int = Field(description="Deliveries that failed and will be tried again.")
    dead_letters: int = Field(description="Deliveries given up after the last attempt (staff can retry them).")
    handlers: list[HandlerStats] = Field(description="Delivery counts per handler.")
