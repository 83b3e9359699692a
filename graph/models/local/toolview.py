"""What the local model reads from a bound tool: name, description, examples, fields and metadata."""

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel

from graph.models.local.schema import FieldSpec, fields_of
from graph.models.local.text import spelled_out

_CACHE: dict[tuple, "ToolView"] = {}


@dataclass(frozen=True)
class Gate:
    """A write's declared precondition: read the record first (`read` with the `given` fields), then go on
    only while the result's `state` is one of `allowed`."""

    read: str
    given: tuple[str, ...]
    state: str
    allowed: tuple[str, ...]


def _gate(meta: dict) -> Gate | None:
    found = meta.get("precondition")
    if not isinstance(found, dict) or not found.get("read"):
        return None
    return Gate(found["read"], tuple(found.get("given") or ()), found.get("state", ""),
                tuple(str(s) for s in found.get("allowed") or ()))


def _takes(schemas: Any) -> frozenset[str] | None:
    """The kinds of value a set of input schemas takes (a hand-off tool's agent's tools)."""
    if not isinstance(schemas, list):
        return None
    from graph.models.local.kinds import kind_of  # kinds reads memory shapes; imported late to stay light

    return frozenset(kind_of(f) for schema in schemas for f in fields_of(schema))


def _patterns(schemas: Any) -> tuple[str, ...]:
    """The patterns the values of a set of input schemas follow ("^(?:[Qq][Ii]-[A-Za-z0-9]{8}|...)$")."""
    if not isinstance(schemas, list):
        return ()
    return tuple(sorted({f.pattern for schema in schemas for f in fields_of(schema) if f.pattern}))


@dataclass(frozen=True)
class ToolView:
    """A bound tool reduced to what choosing it and filling its arguments needs."""

    name: str
    description: str
    examples: tuple[str, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    model: type[BaseModel] | None = None
    agent: str | None = None
    mutates: bool = False
    confirm: bool = False
    precondition: Gate | None = None
    shared: bool = False  # lent to every specialist (handing the conversation to a person)
    lookup: bool = False  # lent to every specialist to read with for its writes only (a product's variants)
    # For a hand-off tool: the kinds of value its agent's tools take ("order", "email"...); None when unknown.
    takes: frozenset[str] | None = None
    # For a hand-off tool: the patterns its agent's tools' values follow (a record's number format).
    patterns: tuple[str, ...] = ()
    # For a hand-off tool: requests its agent serves for other roles than the caller's.
    others_examples: tuple[str, ...] = ()
    # For a hand-off tool: whether its agent has tools the caller may use (else it can only say who can).
    serves: bool = True
    # For a hand-off tool: the names of its agent's tools the caller may use.
    tool_names: tuple[str, ...] = ()
    # For a hand-off tool: whether its agent has writes the caller may use.
    acts: bool = True
    # For a hand-off tool: the names its agent's records go by in the shop's database ("Micro Camp Stove").
    vocabulary: tuple[str, ...] = ()
    # For a listing tool: the fields of the records its result lists (order_id, status, item_names...).
    records: tuple[FieldSpec, ...] = ()

    @property
    def value_patterns(self) -> tuple[str, ...]:
        """The patterns its values follow: its agent's tools' for a hand-off, else its own fields'."""
        return self.patterns or tuple(p for f in self.fields for p in (f.pattern, f.item and f.item.pattern) if p)

    @property
    def required(self) -> list[FieldSpec]:
        """Fields the tool cannot run without."""
        return [f for f in self.fields if f.required]


def _from_base_tool(tool: BaseTool) -> ToolView:
    meta = tool.metadata or {}
    schema = tool.args_schema
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        model, json_schema = schema, schema.model_json_schema()
    else:
        model, json_schema = None, schema if isinstance(schema, dict) else tool.tool_call_schema.model_json_schema()
    return ToolView(
        name=tool.name,
        description=tool.description or "",
        # A hand-off tool may list its agent's tool names: "list payment methods" is a request too. Shorthand is read
        # written out, as in requests ("schedule a QC of ...").
        examples=tuple(map(spelled_out, meta.get("examples") or ()))
        + tuple(n.replace("_", " ") for n in meta.get("tools") or ()),
        fields=fields_of(json_schema),
        model=model,
        agent=meta.get("agent"),
        mutates=bool(meta.get("mutates")),
        confirm=bool(meta.get("confirm")),
        precondition=_gate(meta),
        shared=bool(meta.get("shared")),
        lookup=bool(meta.get("lookup")),
        takes=_takes(meta.get("inputs")),
        patterns=_patterns(meta.get("inputs")),
        others_examples=tuple(map(spelled_out, meta.get("others_examples") or ())),
        serves=bool(meta["tools"]) if "tools" in meta else True,
        tool_names=tuple(meta.get("tools") or ()),
        acts=bool(meta.get("acts", True)),
        vocabulary=tuple(meta.get("vocabulary") or ()),
        records=fields_of(meta["records"]) if isinstance(meta.get("records"), dict) else (),
    )


def _from_dict(tool: dict) -> ToolView:
    spec = tool.get("function", tool)
    schema = spec.get("parameters") or spec.get("input_schema") or {}
    return ToolView(
        name=spec["name"],
        description=spec.get("description", ""),
        examples=tuple(spec.get("examples") or ()),
        fields=fields_of(schema),
    )


def _key(tool: Any) -> tuple:
    if isinstance(tool, BaseTool):
        schema = tool.args_schema
        schema_key = json.dumps(schema, sort_keys=True) if isinstance(schema, dict) else schema
        return (tool.name, tool.description, schema_key, json.dumps(tool.metadata or {}, sort_keys=True, default=str))
    if isinstance(tool, dict):
        return ("dict", json.dumps(tool, sort_keys=True, default=str))
    return ("other", tool)


def view(tool: Any) -> ToolView:
    """The ToolView of a BaseTool, an OpenAI-style dict, a pydantic class or a function (cached)."""
    key = _key(tool)
    if len(_CACHE) > 4096:  # tools rebuilt with changing metadata must not grow the cache forever
        _CACHE.clear()
    if key not in _CACHE:
        if isinstance(tool, BaseTool):
            _CACHE[key] = _from_base_tool(tool)
        elif isinstance(tool, dict):
            _CACHE[key] = _from_dict(tool)
        else:
            _CACHE[key] = _from_dict(convert_to_openai_tool(tool))
    return _CACHE[key]


def own_tools(tools: Sequence[ToolView]) -> list[ToolView]:
    """A specialist's own tools (those of the agent most of them belong to), without those others lend it."""
    home = Counter(t.agent for t in tools).most_common(1)[0][0] if tools else None
    return [t for t in tools if not ((t.shared or t.lookup) and t.agent != home)]
