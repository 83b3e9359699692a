"""Staff users, API keys, system configuration, reports and approvals."""

import hashlib
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Timestamped
from db.enums import ApprovalStatus, Role


class StaffUser(Timestamped, Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(255), unique=True)
    role: Mapped[Role] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)


class ApiKey(Timestamped, Base):
    """A bearer key, stored only as its SHA-256; it acts as one customer or one staff user."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    label: Mapped[str] = mapped_column(String(100), default="")
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), index=True)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    @staticmethod
    def hash_key(raw: str) -> str:
        """The stored form of a raw key."""
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        """A fresh random raw key (shown once, never stored)."""
        return "sc_" + secrets.token_urlsafe(24)


class SystemConfig(Timestamped, Base):
    __tablename__ = "system_config"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(64), default="")


class Report(Timestamped, Base):
    """A generated report kept with the parameters and figures it was built from."""

    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[str] = mapped_column(String(64))


class ApprovalRequest(Timestamped, Base):
    """A tool call held until a merchant or admin approves it; approving runs it once and keeps the result."""

    __tablename__ = "approval_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    subject: Mapped[str] = mapped_column(String(100))
    # Facts shown to the approver (amounts, limits); tool_name + arguments are what approving runs.
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    tool_name: Mapped[str] = mapped_column(String(64), default="")
    arguments: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any] | None]
    status: Mapped[ApprovalStatus] = mapped_column(String(16), default=ApprovalStatus.PENDING, index=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    comment: Mapped[str] = mapped_column(Text, default="")
