"""Inputs and outputs of the support-case tools."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from tools.schemas import Schema

Topic = Literal["order", "return", "delivery", "payment", "refund", "account", "product", "stock", "complaint",
                "safety", "legal", "privacy", "fraud", "other"]
CaseStatus = Literal["open", "closed"]


class OpenCaseIn(Schema):
    summary: str = Field(min_length=3, max_length=4000,
                         description="What the person needs and what was already tried, in a few sentences.",
                         examples=["Wants a person: parcel marked delivered but not received."])
    topic: Topic = Field("other", description="What the case is about; it decides whose queue takes it.")
    order_id: str | None = Field(None, min_length=6, max_length=16, description="Order the case is about, if any.",
                                 examples=["#W2378156"])
    customer_id: str | None = Field(None, min_length=2, max_length=255,
                                    description="Staff only: the customer (id or email) the case is for; "
                                                "customers always open cases for themselves.")


class CaseRefIn(Schema):
    case_id: str = Field(min_length=1, max_length=20, pattern=r"^(?:[Cc][Aa][Ss][Ee]-)?#?\d{1,9}$",
                         description="Case number (CASE-000123) or id.", examples=["CASE-000123"])


class CloseCaseIn(CaseRefIn):
    resolution: str = Field(min_length=3, max_length=2000, description="How the case was settled.")


class ListCasesIn(Schema):
    status: CaseStatus | None = Field("open", description="open or closed; null for both.")
    queue: Literal["support", "warehouse", "merchant", "admin"] | None = Field(
        None, description="Staff only: the role whose queue to show.")
    limit: int = Field(20, ge=1, le=100, description="Most cases to return, newest first.")


class CaseOut(Schema):
    case_id: str = Field(description="Case number people quote, e.g. CASE-000123.")
    customer_id: str = Field(description="Customer the case is for.")
    topic: str = Field(description="What the case is about.")
    summary: str = Field(description="What the person needs.")
    order_id: str | None = Field(None, description="Related order.")
    status: CaseStatus = Field(description="open or closed.")
    queue: str = Field(description="Staff role whose queue holds the case.")
    opened_at: datetime = Field(description="When the case was opened.")
    answer_by: datetime | None = Field(None, description="When a person answers at the latest.")
    next_steps: str = Field("", description="What happens next, in words.")
    resolution: str = Field("", description="How it was settled, once closed.")


class CaseList(Schema):
    cases: list[CaseOut] = Field(description="Cases, newest first.")
    total: int = Field(description="How many cases match.")
