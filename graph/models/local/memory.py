"""Facts from earlier turns: ids people mentioned, arguments already used and values tools returned."""

import json
import re
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from graph.models.local import entities as e

# Which kind a value is, by its shape (first match wins; payment method ids look like customer ids).
SHAPES = (
    (e.EMAIL, "email"),
    (e.PAYMENT_METHOD_ID, "payment_method"),
    (e.CUSTOMER_ID, "customer"),
    (e.UUID, "uuid"),
    (re.compile(r"#?W\d{5,9}"), "order"),
    (e.TEN_DIGIT_ID, "item"),
)
# Kinds a field may take from memory by kind alone (other kinds need the same field name).
RECALL_BY_KIND = frozenset({"order", "customer", "email", "payment_method", "uuid"})


@dataclass(frozen=True)
class Fact:
    """A value seen earlier: under which name, of which kind, with words describing it (e.g. 'gift_card')."""

    name: str
    kind: str
    value: Any
    hint: str = ""


def shape_of(value: str) -> str | None:
    """The kind a string value looks like, or None."""
    return next((kind for pattern, kind in SHAPES if pattern.fullmatch(value)), None)


@dataclass
class Memory:
    """Facts in the order they appeared; recall prefers the newest."""

    facts: list[Fact] = field(default_factory=list)
    # Lines of orders that tools returned (item_id, name, sku, options, quantity): "the tent" -> its item id.
    items: list[dict[str, Any]] = field(default_factory=list)
    # Every list's rows, oldest first: the orders listed before the saved payment methods still name the orders.
    shown: list[list[dict[str, Any]]] = field(default_factory=list)
    # What the newest list's records are, by the key the tool returned them under ("messages").
    listed: str = ""
    # Variants that tools listed (item_id, product_id, options): the replacement of an order line named by options.
    variants: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Rows of the newest list a tool returned (orders, cases...): "the second one" is rows[1]."""
        return self.shown[-1] if self.shown else []

    def recall(self, name: str, kind: str) -> Any:
        """The newest value under this field name, else (for reference kinds) the newest of this kind."""
        for fact in reversed(self.facts):
            if fact.name == name:
                return fact.value
        if kind in RECALL_BY_KIND:
            for fact in reversed(self.facts):
                if fact.kind == kind and fact.name:
                    return fact.value
        return None

    def row_value(self, position: int, name: str, kind: str) -> Any:
        """The value of a field in the row at this position (1-based, -1 the last) of the newest list."""
        if not self.rows or not -len(self.rows) <= (position - 1 if position > 0 else position) < len(self.rows):
            return None
        row = self.rows[position - 1 if position > 0 else position]
        if name in row and not isinstance(row[name], (dict, list)):
            return row[name]
        if name.endswith("_id") and isinstance(row.get("id"), (int, str)) and not any(k.endswith("_id") for k in row):
            return row["id"]  # a record's own id, where it names no other ("approve it" of one approval request)
        return next((v for v in row.values() if isinstance(v, str) and shape_of(v) == kind), None)

    def rows_with(self, name: str, kind: str) -> list[dict[str, Any]]:
        """The newest list's rows that give the field a value, each with that value under the field's name."""
        values = [self.row_value(i, name, kind) for i in range(1, len(self.rows) + 1)]
        return [{**row, name: value} for row, value in zip(self.rows, values, strict=True) if value is not None]

    def own_ids(self, name: str, description: str) -> list[dict[str, Any]]:
        """The newest list's rows, each with its own id under the field's name, when the field's description says
        it takes the id of such a record ("Id of the buyer's message answered", of listed messages)."""
        noun = self.listed.removesuffix("s")
        if not noun or not re.search(rf"\bid\b[^.]*\b{re.escape(noun)}\b", description, re.I):
            return []
        return [{**row, name: row["id"]} for row in self.rows
                if isinstance(row.get("id"), (int, str)) and not isinstance(row.get("id"), bool)]

    def only_row(self, name: str, kind: str) -> Any:
        """The field's value in the newest list when it showed one row ("cancel that one" after one order)."""
        return self.row_value(1, name, kind) if len(self.rows) == 1 else None

    def payment_method(self, hints: set[str]) -> str | None:
        """The newest saved payment method whose id or kind matches a hint ('gift', 'paypal', 'card')."""
        for fact in reversed(self.facts):
            if fact.kind == "payment_method" and any(h in f"{fact.value} {fact.hint}".lower() for h in hints):
                return fact.value
        return None

    def payment_methods(self) -> list[tuple[str, str]]:
        """The payment methods shown in this conversation, newest first, each with what it is ("visa 4242")."""
        found: dict[str, str] = {}
        for fact in reversed(self.facts):
            if fact.kind == "payment_method" and fact.value not in found:
                found[fact.value] = " ".join(fact.hint.split())
        return list(found.items())

    def add(self, name: str, value: Any, hint: str = "") -> None:
        """Remember a scalar under a name, classified by the name or the value's shape."""
        if isinstance(value, str) and value:
            kind = shape_of(value) or ("customer" if name in ("customer_id", "user_id") else name)
            if kind == "order":
                value = e.order_number(value.lstrip("#Ww"))
            self.facts.append(Fact(name, kind, value, hint))
        elif isinstance(value, int) and not isinstance(value, bool) and name.endswith("id"):
            self.facts.append(Fact(name, name, value, hint))  # a numbered record ("approval request 1")
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            self.facts.append(Fact(name, "list", value, hint))

    def add_text(self, text: str) -> None:
        """Remember the ids a person wrote."""
        for pattern, kind in ((e.EMAIL, "email"), (e.PAYMENT_METHOD_ID, "payment_method"), (e.UUID, "uuid")):
            for m in pattern.finditer(text):
                self.facts.append(Fact(kind, kind, m.group(0)))
        for m in e.CUSTOMER_ID.finditer(text):
            if not e.PAYMENT_METHOD_ID.fullmatch(m.group(0)):
                self.facts.append(Fact("customer_id", "customer", m.group(0)))
        for m in e.ORDER_ID.finditer(text):
            self.facts.append(Fact("order_id", "order", e.order_number(m.group(1))))

    def add_result(self, data: Any) -> None:
        """Remember the scalar values of a tool result (top level and one level down) and saved methods."""
        if not isinstance(data, dict):
            return
        for key, value in data.items():
            if isinstance(value, dict):
                for sub_key, sub_value in value.items():
                    if not isinstance(sub_value, (dict, list)):
                        self.add(sub_key, sub_value)
            elif isinstance(value, list):
                if key == "items":
                    self.items = [i for i in value if isinstance(i, dict) and i.get("item_id")]
                elif rows := [i for i in value if isinstance(i, dict)]:
                    self.shown.append(rows)
                    self.listed = key
                    self.variants += [r for r in rows if r.get("item_id") and isinstance(r.get("options"), dict)]
                # Saved methods and payment history name payment methods: keep them to pay or refund later, when
                # the person names one ("my visa"). Unnamed, they are never a guess for a method nobody named.
                for item in (i for i in value if isinstance(i, dict)):
                    # A payment in an order's history names the method it was paid with: "the original".
                    paid = "original payment" if item.get("transaction_type") == "payment" else ""
                    for sub_value in item.values():
                        if isinstance(sub_value, str) and shape_of(sub_value) == "payment_method":
                            self.facts.append(Fact(
                                "", "payment_method", sub_value,
                                f"{item.get('kind', '')} {item.get('brand', '')} {item.get('last_four', '')} {paid}",
                            ))
            else:
                self.add(key, value)


def remember(messages: list[BaseMessage]) -> Memory:
    """The facts of a conversation so far (the messages before the current request)."""
    memory = Memory()
    for message in messages:
        if isinstance(message, HumanMessage):
            memory.add_text(str(message.text))
        elif isinstance(message, AIMessage):
            for call in message.tool_calls:
                for name, value in call["args"].items():
                    memory.add(name, value)
        elif isinstance(message, ToolMessage):
            try:
                memory.add_result(json.loads(str(message.text)))
            except ValueError:
                continue
    return memory
