"""Inputs and outputs of the staff user, API key, settings and approval tools."""

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from db.enums import ApprovalStatus
from tools.schemas import ROW_ID_MAX, Email, Page, Schema

StaffRole = Literal["support", "warehouse", "merchant", "admin"]


def UserRef():  # noqa: N802  (reads like a type where it is used)
    """A staff user named by username, numeric id or email (the /users/{username} path segment)."""
    return Field(min_length=1, max_length=255, pattern=r"^[a-z0-9][^\s/]*$",
                 description="Staff user: username, numeric user id or email (lower case).",
                 examples=["sam.support", "3"])


# --- staff users and keys -------------------------------------------------------------------


class ApiKeyOut(Schema):
    id: int = Field(description="Key id (used to revoke it).")
    prefix: str = Field(description="First characters of the key, to recognise it; the key itself is never kept.")
    label: str = Field(description="What the key is for.")
    created_at: datetime = Field(description="When it was issued.")
    revoked_at: datetime | None = Field(None, description="When it was revoked; null while it works.")
    last_used_at: datetime | None = Field(None, description="Last time it authenticated, when known.")
    summary: str = Field(description="The key in words.")


class StaffUserOut(Schema):
    id: int = Field(description="Numeric user id.")
    username: str = Field(description="Login name; staff act as staff:<username>.")
    full_name: str = Field(description="Full name.")
    email: str = Field(description="Work email address.")
    role: StaffRole = Field(description="support, warehouse, merchant or admin.")
    active: bool = Field(description="False once deactivated (its keys no longer authenticate).")
    created_at: datetime = Field(description="When the account was created.")
    keys: list[ApiKeyOut] = Field(default_factory=list, description="The user's API keys, newest first.")
    summary: str = Field(description="The user in words.")


class StaffUserList(Schema):
    users: list[StaffUserOut] = Field(description="Staff users, by username.")
    total: int = Field(description="How many users match in all.")


class CreateUserIn(Schema):
    username: str = Field(
        pattern=r"^[a-z][a-z0-9._-]{2,63}$", description="New login name: lower case letters, digits, '.', '_' or '-'.",
        examples=["lea.petit"],
    )
    first_name: str = Field(min_length=1, max_length=100, description="The person's first name.", examples=["Léa"])
    last_name: str = Field(min_length=1, max_length=100, description="The person's last name.", examples=["Petit"])
    email: Email = Field(description="Work email address (unique).", examples=["lea.petit@shopcrew.example"])
    role: StaffRole = Field(description="support, warehouse, merchant or admin (only admins grant admin).")
    key_label: str = Field("", max_length=100, description="What the first API key is for.", examples=["laptop"])


class UserWithKeyOut(Schema):
    user: StaffUserOut = Field(description="The staff user.")
    api_key: str = Field(description="The new API key in full. It is shown only in this answer and never again.")
    key: ApiKeyOut = Field(description="The stored record of that key (its prefix only).")
    message: str = Field(description="What happened, in a sentence.")


class UserRefIn(Schema):
    username: str = UserRef()


class ListUsersIn(Page):
    role: StaffRole | None = Field(None, description="Only users with this role.")
    include_inactive: bool = Field(False, description="Also list deactivated users.")


class UpdateUserIn(Schema):
    username: str = UserRef()
    full_name: str | None = Field(None, min_length=1, max_length=200, description="New full name.")
    email: Email | None = Field(None, description="New work email address.")
    role: StaffRole | None = Field(None, description="New role (only admins grant or take away admin).")
    active: bool | None = Field(None, description="true reactivates a user; false deactivates and revokes keys.")

    @model_validator(mode="after")
    def something_to_change(self) -> "UpdateUserIn":
        """An update names at least one change."""
        if all(getattr(self, f) is None for f in ("full_name", "email", "role", "active")):
            raise ValueError("give at least one of full_name, email, role or active")
        return self


class DeactivatedOut(Schema):
    user: StaffUserOut = Field(description="The user, now inactive.")
    revoked_keys: int = Field(description="How many working keys were revoked.")
    message: str = Field(description="What happened, in a sentence.")


class IssueKeyIn(Schema):
    username: str = UserRef()
    label: str = Field("", max_length=100, description="What the key is for.", examples=["reporting script"])


class RevokeKeyIn(Schema):
    # The key's number comes first (and as a digits pattern): chat then reads "key 3 of sam.support" as key 3
    # and sam.support as the user, rather than taking the 3 for a user id.
    key_id: str = Field(pattern=r"^[1-9]\d{0,8}$", description="API key id (a number), as listed with the user's keys.",
                        examples=["12"])
    username: str = UserRef()


class RevokedKeyOut(Schema):
    username: str = Field(description="Whose key it was.")
    key: ApiKeyOut = Field(description="The key, now revoked.")
    message: str = Field(description="What happened, in a sentence.")


class NoInput(Schema):
    """A tool that takes no arguments."""


# --- settings -------------------------------------------------------------------------------


def ConfigKeyRef():  # noqa: N802
    """A setting named by its key or by the words of its key."""
    return Field(
        min_length=2, max_length=300,
        description="Setting key such as approvals.refund_threshold, or the words for it ('refund threshold').",
        examples=["inventory.reservation_ttl_minutes"],
    )


class ConfigEntryOut(Schema):
    key: str = Field(description="Setting key, e.g. approvals.refund_threshold.")
    type: Literal["string", "number", "boolean", "json"] = Field(description="Type values are checked against.")
    value: Any = Field(description="Current value (the default while nobody changed it).")
    default: Any = Field(description="Declared default.")
    description: str = Field(description="What the setting controls.")
    minimum: float | None = Field(None, description="Smallest value allowed (numbers).")
    maximum: float | None = Field(None, description="Largest value allowed (numbers).")
    whole_number: bool = Field(False, description="True when only whole numbers are allowed.")
    is_default: bool = Field(description="True while the value is the declared default.")
    updated_by: str | None = Field(None, description="Who last changed it (staff:<username>); null if never.")
    updated_at: datetime | None = Field(None, description="When it was last changed; null if never.")
    summary: str = Field(description="The setting in words.")


class ConfigList(Schema):
    settings: list[ConfigEntryOut] = Field(description="Every declared setting, by key.")
    total: int = Field(description="How many settings are declared.")


class ConfigKeyIn(Schema):
    config_key: str = ConfigKeyRef()


class SetConfigIn(Schema):
    config_key: str = ConfigKeyRef()
    # Numbers first: most settings are numbers, and chat reads the first type of the union.
    value: float | int | bool | str | list[Any] | dict[str, Any] = Field(
        description="New value in the setting's type: a number, true/false, text or JSON.", examples=[60])


class ConfigChangedOut(Schema):
    setting: ConfigEntryOut = Field(description="The setting after the change.")
    previous: Any = Field(None, description="The value before the change.")
    message: str = Field(description="What happened, in a sentence.")


# --- approval queue -------------------------------------------------------------------------


class ApprovalOut(Schema):
    id: int = Field(description="Approval request id.")
    kind: str = Field(description="What is held, e.g. refund.")
    subject: str = Field(description="The record it is about, e.g. an order number.")
    status: ApprovalStatus = Field(description="pending, approved (ran), rejected or failed (approved, then refused).")
    reason: str = Field(description="Why it needs approval.")
    tool_name: str = Field(description="The tool approving runs.")
    arguments: dict[str, Any] = Field(description="The arguments it runs with.")
    facts: dict[str, Any] = Field(description="Figures the approver weighs (amounts and limits).")
    requested_by: str = Field(description="Who asked (staff:<username> or customer:<email>).")
    created_at: datetime = Field(description="When it was asked.")
    decided_by: str | None = Field(None, description="Who approved or rejected it.")
    decided_at: datetime | None = Field(None, description="When it was decided.")
    comment: str = Field(description="The decider's comment.")
    result: dict[str, Any] | None = Field(None, description="What running the action answered (or its error).")
    summary: str = Field(description="The request in a sentence.")


class ApprovalList(Schema):
    approvals: list[ApprovalOut] = Field(description="Approval requests, oldest first.")
    total: int = Field(description="How many match in all.")


class ListApprovalsIn(Page):
    status: ApprovalStatus | Literal["all"] = Field(ApprovalStatus.PENDING, description="Only this status, or 'all'.")
    kind: str | None = Field(None, max_length=32, description="Only this kind, e.g. refund.")


class ApprovalRef(Schema):
    approval_id: int = Field(ge=1, le=ROW_ID_MAX, description="Approval request id.", examples=[1])


class DecideIn(Schema):
    approval_id: int = Field(ge=1, le=ROW_ID_MAX, description="Approval request id.", examples=[1])
    comment: str = Field("", max_length=500, description="Why it is approved or rejected.",
                         examples=["customer is a long-standing client"])
