"""Hostile requests derived from the registry: every tool refused to the roles it does not list, and every
customer tool refused another customer's records in each field that names one.

A field names a customer's record when its name is one of OWNED (order_id, rma_number, invoice_ref, ...):
a new tool with such a field, or with roles that leave someone out, joins the attacks without an edit here.
"""

import json
import types
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin
from urllib.parse import quote

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from db.enums import Role
from tools.errors import InvalidInput
from tools.registry import ToolSpec

# Field name -> the records of one customer it can name (`:who` is the customer's id).
OWNED = {
    "customer_id": "SELECT id FROM customers WHERE id = :who",
    "email": "SELECT email FROM customers WHERE id = :who",
    # A pending order first (what cancels and changes act on), then a delivered one (returns, exchanges).
    "order_id": "SELECT id FROM orders WHERE customer_id = :who AND status IN ('pending', 'delivered') "
                "ORDER BY status DESC, id",
    "rma_number": "SELECT rma_number FROM return_requests WHERE customer_id = :who ORDER BY id",
    "invoice_ref": "SELECT i.number FROM invoices i JOIN orders o ON o.id = i.order_id WHERE o.customer_id = :who",
    "document_ref": "SELECT d.id FROM documents d JOIN orders o ON o.id = d.order_id WHERE o.customer_id = :who",
    "shipment_ref": "SELECT s.tracking_number FROM shipments s JOIN orders o ON o.id = s.order_id "
                    "WHERE o.customer_id = :who AND s.tracking_number IS NOT NULL ORDER BY s.id",
    "transaction_id": "SELECT t.id FROM payment_transactions t JOIN orders o ON o.id = t.order_id "
                      "WHERE o.customer_id = :who ORDER BY t.id",
    "payment_method_id": "SELECT id FROM payment_methods WHERE customer_id = :who ORDER BY id",
    "claim_number": "SELECT claim_number FROM warranty_claims WHERE customer_id = :who",
    "exchange_ref": "SELECT x.id FROM exchanges x JOIN orders o ON o.id = x.order_id WHERE o.customer_id = :who",
    "case_id": "SELECT 'CASE-' || substr('000000' || id, -6) FROM interactions WHERE customer_id = :who "
               "AND kind = 'support_case'",
}
# Up to this many records per field: a pending and a delivered order both, say.
PER_FIELD = 2


@dataclass
class Attack:
    """One hostile REST call: who sends it, to which tool, with which arguments, and what it targets."""

    tool: ToolSpec
    role: Role
    args: dict[str, Any]
    target: str = ""  # the owned field filled with another customer's record ('' for a role attack)
    well_formed: bool = True  # False when the arguments fail validation (the refusal is then a 422)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.role}->{self.tool.name}" + (f"[{self.target}={self.args[self.target]}]" if self.target else "")

    def request(self) -> tuple[str, str, dict]:
        """(method, URL path, httpx keyword arguments) of the REST call."""
        path = self.tool.path
        for name in self.tool.path_params:
            path = path.replace("{" + name + "}", quote(str(self.args.get(name, "x")), safe=""))
        rest = {k: v for k, v in self.args.items() if k not in self.tool.path_params}
        if self.tool.method == "GET":
            return "GET", "/api/v1" + path, {"params": rest}
        return self.tool.method, "/api/v1" + path, {"json": json.loads(json.dumps(rest, default=str))}


def role_attacks(specs: list[ToolSpec], own: dict[str, list[str]]) -> list[Attack]:
    """Every tool called by every role it does not allow, with plausible arguments (the caller's own records)."""
    attacks = []
    for spec in specs:
        for role in sorted(set(Role) - spec.roles):
            args = example_args(spec, own if role is Role.CUSTOMER else {})
            attacks.append(Attack(spec, role, args, well_formed=parses(spec, args)))
    return attacks


def ownership_attacks(specs: list[ToolSpec], own: dict[str, list[str]], theirs: dict[str, list[str]]) -> list[Attack]:
    """Every customer tool called by a customer with another customer's record in one owned field at a time."""
    attacks = []
    for spec in specs:
        if Role.CUSTOMER not in spec.roles:
            continue
        for name in owned_fields(spec):
            for value in theirs.get(name, [])[:PER_FIELD]:
                args = {**example_args(spec, own), name: value}
                attacks.append(Attack(spec, Role.CUSTOMER, args, target=name, well_formed=parses(spec, args)))
    return attacks


def owned_fields(spec: ToolSpec) -> list[str]:
    """The tool's input fields that name a customer's record."""
    return [name for name in spec.input_model.model_fields if name in OWNED]


def parses(spec: ToolSpec, args: dict[str, Any]) -> bool:
    try:
        spec.parse(args)
    except InvalidInput:
        return False
    return True


def example_args(spec: ToolSpec, own: dict[str, list[str]]) -> dict[str, Any]:
    """Required fields from their examples (owned fields from the caller's own records), optional ones left out."""
    args = {}
    for name, info in spec.input_model.model_fields.items():
        if name in OWNED and own.get(name):
            args[name] = own[name][0]
        elif info.is_required() or name in spec.path_params:
            args[name] = sample(info.annotation, info)
    return args


def sample(annotation: Any, info: FieldInfo | None = None) -> Any:
    """A plausible value of a type: the field's first example, else one built from the type."""
    if info is not None and info.examples:
        return info.examples[0]
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return sample(next(a for a in get_args(annotation) if a is not type(None)))
    if origin is Literal:
        return get_args(annotation)[0]
    if origin in (list, set, tuple):
        return [sample(get_args(annotation)[0])] if get_args(annotation) else []
    if origin is dict:
        return {}
    if get_origin(annotation) is not None and hasattr(annotation, "__metadata__"):
        return sample(get_args(annotation)[0])
    if isinstance(annotation, type):
        if issubclass(annotation, Enum):
            return next(iter(annotation)).value
        if issubclass(annotation, BaseModel):
            return {n: sample(f.annotation, f) for n, f in annotation.model_fields.items() if f.is_required()}
        if issubclass(annotation, bool):
            return False
        if issubclass(annotation, int | float):
            return _bound(info, 1)
        if issubclass(annotation, SecretStr):
            return "secret-value"
    return "x" * max(_min_length(info), 8)


def _bound(info: FieldInfo | None, default: int) -> int:
    for meta in info.metadata if info else []:
        for attr in ("ge", "gt"):
            if getattr(meta, attr, None) is not None:
                return int(getattr(meta, attr)) + (attr == "gt")
    return default


def _min_length(info: FieldInfo | None) -> int:
    return next((m.min_length for m in (info.metadata if info else []) if getattr(m, "min_length", None)), 1)
