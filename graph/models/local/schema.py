"""Argument fields read from a tool's JSON schema: type, required, enum values, pattern, bounds, examples."""

from dataclasses import dataclass
from typing import Any

MISSING = object()


@dataclass(frozen=True)
class FieldSpec:
    """One argument of a tool, as much as the schema says about it."""

    name: str
    type: str = "string"
    required: bool = False
    description: str = ""
    enum: tuple = ()
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    format: str | None = None
    examples: tuple = ()
    item: "FieldSpec | None" = None
    properties: tuple["FieldSpec", ...] = ()
    default: Any = MISSING

    @property
    def words(self) -> set[str]:
        """The parts of the field's name: 'new_item_ids' -> {'new', 'item', 'ids'}."""
        return set(self.name.lower().split("_"))


def _resolve(node: dict, defs: dict) -> dict:
    """Follow $ref, allOf of one schema and anyOf/oneOf unions (null dropped), keeping outer annotations."""
    if not isinstance(node, dict):
        return {}
    outer = {k: v for k, v in node.items() if k not in ("$ref", "allOf", "anyOf", "oneOf")}
    if "$ref" in node:
        target = _resolve(defs.get(node["$ref"].rsplit("/", 1)[-1], {}), defs)
        return {**target, **outer}
    if node.get("allOf") and len(node["allOf"]) == 1:
        return {**_resolve(node["allOf"][0], defs), **outer}
    options = [_resolve(o, defs) for o in node.get("anyOf") or node.get("oneOf") or []]
    options = [o for o in options if o.get("type") != "null"]
    if not options:
        return outer
    # Money is number | pattern-string in pydantic's schema; a status may be Enum | Literal["all"].
    merged = dict(next((o for o in options if o.get("type") in ("number", "integer")), options[0]))
    enum = [v for o in options for v in o.get("enum", [o["const"]] if "const" in o else [])]
    if enum and all("enum" in o or "const" in o for o in options):
        merged["enum"] = list(dict.fromkeys(enum))
    return {**merged, **outer}


def _field(name: str, node: dict, required: bool, defs: dict) -> FieldSpec:
    node = _resolve(node, defs)
    kind = node.get("type", "object" if "properties" in node else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    enum = node.get("enum") or ([node["const"]] if "const" in node else [])
    minimum = node.get("minimum", node.get("exclusiveMinimum"))
    maximum = node.get("maximum", node.get("exclusiveMaximum"))
    if "exclusiveMinimum" in node and kind == "integer":
        minimum += 1
    if "exclusiveMaximum" in node and kind == "integer":
        maximum -= 1
    item = _field(name, node["items"], True, defs) if kind == "array" and "items" in node else None
    return FieldSpec(
        name=name,
        type=kind,
        required=required,
        description=node.get("description", ""),
        enum=tuple(enum),
        pattern=node.get("pattern"),
        minimum=minimum,
        maximum=maximum,
        max_length=node.get("maxLength"),
        format=node.get("format"),
        examples=tuple(node.get("examples") or ()),
        item=item,
        properties=fields_of(node, defs) if kind == "object" else (),
        default=node.get("default", MISSING),
    )


def fields_of(schema: dict, defs: dict | None = None) -> tuple[FieldSpec, ...]:
    """The fields of an object schema, in declaration order."""
    defs = {**(defs or {}), **schema.get("$defs", {}), **schema.get("definitions", {})}
    required = set(schema.get("required", []))
    return tuple(_field(name, node, name in required, defs) for name, node in (schema.get("properties") or {}).items())
