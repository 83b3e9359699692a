"""The benchmark's 16 retail tools as calls of ours: tool name, argument names, result shape, and principal.

Who runs a gold call: the task's customer (the one user the task concerns, `data.task_user`) whenever our
tool allows customers, so ownership checks run exactly as in a customer's conversation; staff support
only when the task names no customer or the tool is closed to customers. All fourteen tools the mapping
uses allow customers, so in practice every call runs as the customer.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from db.enums import Role
from evals.tau import canonical, shapes
from evals.tau.calculator import calculate
from tools.context import Principal
from tools.registry import REGISTRY

SUPPORT = Principal(role=Role.SUPPORT, subject="tau-replay", display="tau-replay")
TRANSFERRED = "Transfer successful"


def transfer(_args: dict[str, Any]) -> str:
    """transfer_to_human_agents: there is no human queue here, so the hand-off is acknowledged and recorded."""
    return TRANSFERRED


@dataclass(frozen=True)
class TauTool:
    """One benchmark tool: ours by name (or a local function), renamed arguments, and how to compare results."""

    name: str
    ours: str | None = None
    rename: Mapping[str, str] = field(default_factory=dict)
    # Our output model -> the benchmark's result shape, and the canonical form both are compared in.
    shape: Callable[[Any], Any] | None = None
    canonical: Callable[[Any], Any] | None = None
    local: Callable[[dict[str, Any]], Any] | None = None

    def arguments(self, args: dict[str, Any]) -> dict[str, Any]:
        """The benchmark's arguments under our names."""
        return {self.rename.get(key, key): value for key, value in args.items()}

    def principal(self, customer: Principal | None) -> Principal:
        """The task's customer when our tool allows customers, else staff support."""
        if customer and (self.ours is None or REGISTRY.get(self.ours).allows(Role.CUSTOMER)):
            return customer
        return SUPPORT


USER_ID = {"user_id": "customer_id"}
ORDER = {"shape": shapes.order, "canonical": canonical.order}

TAU_TOOLS: dict[str, TauTool] = {tool.name: tool for tool in (
    TauTool("find_user_id_by_email", "find_customer_by_email", shape=shapes.user_id, canonical=canonical.text),
    TauTool("find_user_id_by_name_zip", "find_customer_by_name_zip", shape=shapes.user_id,
            canonical=canonical.text),
    TauTool("get_user_details", "get_customer_details", USER_ID, shapes.user, canonical.user),
    TauTool("get_order_details", "get_order_details", **ORDER),
    TauTool("get_product_details", "get_product_details", shape=shapes.product, canonical=canonical.product),
    TauTool("get_item_details", "get_item_details", shape=shapes.variant, canonical=canonical.variant),
    TauTool("list_all_product_types", "list_all_product_types", shape=shapes.product_types,
            canonical=canonical.mapping),
    TauTool("calculate", canonical=canonical.number, local=lambda args: str(calculate(args["expression"]))),
    TauTool("transfer_to_human_agents", canonical=canonical.text, local=transfer),
    TauTool("cancel_pending_order", "cancel_pending_order", **ORDER),
    TauTool("modify_pending_order_address", "modify_pending_order_address", **ORDER),
    TauTool("modify_pending_order_items", "modify_pending_order_items", **ORDER),
    TauTool("modify_pending_order_payment", "modify_pending_order_payment", **ORDER),
    # Ours answers with the address book, the benchmark with the whole user: the user's final state judges it.
    TauTool("modify_user_address", "update_default_address", USER_ID),
    TauTool("return_delivered_order_items", "return_delivered_order_items", **ORDER),
    TauTool("exchange_delivered_order_items", "exchange_delivered_order_items", **ORDER),
)}
