"""What the benchmark expects of a task (gold calls with their outcomes, final orders and users), and the
differences between that and what our tools did."""

import copy
from dataclasses import dataclass, field
from typing import Any

from evals.tau import canonical
from evals.tau.canonical import MISSING, Difference, differences
from evals.tau.data import TauData, task_user
from evals.tau.mapping import TAU_TOOLS


@dataclass
class ExpectedCall:
    """A gold call and the benchmark's own outcome of it (`result` is "Error: ..." when it failed)."""

    name: str
    arguments: dict[str, Any]
    ok: bool
    result: Any


@dataclass
class Expectation:
    """A task's gold calls and the final state of the orders and users it is judged on."""

    task_id: str
    user: str | None
    calls: list[ExpectedCall]
    orders: dict[str, dict[str, Any]]
    users: dict[str, dict[str, Any]]

    def clone(self) -> "Expectation":
        """A deep copy, for corrections that must not touch the original."""
        return copy.deepcopy(self)


@dataclass
class ObservedCall:
    """What our tool did with a gold call: its result in the benchmark's shape, or its error."""

    name: str
    ours: str
    ok: bool
    result: Any = None
    error: str | None = None
    # For a call that failed as the gold one did: whether the database changed anyway (None: not checked).
    wrote: bool | None = None


@dataclass
class Observed:
    """Our side of a task: each call's outcome, then the judged orders and users as our database holds them."""

    calls: list[ObservedCall] = field(default_factory=list)
    orders: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    users: dict[str, dict[str, Any] | None] = field(default_factory=dict)


def expectation(data: TauData, task_id: str) -> Expectation:
    """The task's gold calls, and the final state of every order and user it is judged on."""
    # Judged: what the benchmark lists as changed, the orders and users the gold calls name, and the task's
    # customer with all their orders (a customer can only ever change their own, so nothing is left out).
    gold, changed, user = data.gold(task_id), data.expected[task_id]["changed"], task_user(data, task_id)
    named = [a["arguments"] for a in gold]
    order_ids = [*changed["orders"], *(args["order_id"] for args in named if args.get("order_id") in data.db["orders"])]
    user_ids = [*changed["users"], *(args["user_id"] for args in named if args.get("user_id") in data.db["users"])]
    if user:
        order_ids += data.db["users"][user]["orders"]
        user_ids.append(user)
    return Expectation(
        task_id, user,
        [ExpectedCall(a["name"], a["arguments"], a["ok"], a["result"]) for a in gold],
        {oid: changed["orders"].get(oid) or data.db["orders"][oid] for oid in dict.fromkeys(order_ids)},
        {uid: changed["users"].get(uid) or data.db["users"][uid] for uid in dict.fromkeys(user_ids)},
    )


def outcome(call: ExpectedCall | ObservedCall) -> str:
    """'ok' or the error, for a difference in how a call ended."""
    if call.ok:
        return "ok"
    return call.result if isinstance(call, ExpectedCall) else f"Error[{call.error}]"


def call_differences(index: int, want: ExpectedCall, got: ObservedCall) -> list[Difference]:
    """How one call differs: success versus failure, the result, or a failure that still wrote."""
    where, tool = f"call {index} {want.name}", TAU_TOOLS[want.name]
    if want.ok != got.ok:
        return [Difference(f"{where}.ok", outcome(want), outcome(got))]
    if got.wrote:
        return [Difference(f"{where}.database", "unchanged after the failed call", "changed")]
    if want.ok and tool.canonical:
        return differences(tool.canonical(want.result), tool.canonical(got.result), f"{where}.result")
    return []


def _entity(shape, value: dict[str, Any] | None) -> Any:
    return MISSING if value is None else shape(value)


def compare_state(expected: Expectation, orders: dict[str, Any], users: dict[str, Any]) -> list[Difference]:
    """Every difference between the expected final orders and users and ours (None: we have no such entity)."""
    found = []
    for order_id, want in expected.orders.items():
        found += differences(canonical.order(want), _entity(canonical.order, orders.get(order_id)), f"order {order_id}")
    for user_id, want in expected.users.items():
        found += differences(canonical.user(want), _entity(canonical.user, users.get(user_id)), f"user {user_id}")
    return found


def compare(expected: Expectation, observed: Observed) -> list[Difference]:
    """Every difference between the benchmark's expectation and our side, calls first, then the state."""
    found = []
    for index, (want, got) in enumerate(zip(expected.calls, observed.calls, strict=True)):
        found += call_differences(index, want, got)
    return found + compare_state(expected, observed.orders, observed.users)
