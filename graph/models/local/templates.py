"""Reply templates (prompts/replies/<tool>.md): sections of sentence lines with {path|filter} placeholders.

The syntax is described in prompts/replies/README.md; rendering never evaluates code.
"""

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import prompts
from graph.models.local import render as r
from graph.models.local.text import humanize, join_words

REPLIES = Path(prompts.__file__).resolve().parent / "replies"
PLACEHOLDER = re.compile(r"{([^{}]+)}")
SECTION = re.compile(r"^##\s*([\w:.-]+)\s*$")
MISSING = object()


class Missing(Exception):
    """A placeholder had no value: the line is left out."""


@lru_cache(maxsize=512)
def load(directory: Path, tool: str) -> dict[str, list[str]] | None:
    """The sections of a tool's template ('ok', 'empty', 'error', 'error:<code>'), or None without one."""
    path = directory / f"{tool}.md"
    if not path.is_file():
        return None
    sections: dict[str, list[str]] = {"ok": []}
    current = "ok"
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or (line.startswith("<!--") and line.endswith("-->")):
            continue
        if m := SECTION.match(line):
            current = m.group(1).lower()
            sections.setdefault(current, [])
        else:
            sections[current].append(line)
    return sections


def _lookup(data: dict, path: str) -> tuple[Any, dict]:
    """The value at a dotted path and the object holding it (for sibling fields such as currency)."""
    value, owner = data, data
    for part in path.split("."):
        owner = value if isinstance(value, dict) else owner
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and re.fullmatch(r"-?\d+", part) and -len(value) <= int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING, owner
    return value, owner


def _items(value: Any, key: str | None) -> list:
    if isinstance(value, dict):
        # A dict of records (variants by id) lists its records; a name -> id map lists its names.
        value = list(value.values()) if all(isinstance(v, dict) for v in value.values()) else list(value)
    values = [v.get(key) if key and isinstance(v, dict) else v for v in value]
    return [v for v in values if v not in (None, "")]


def _count(value: Any, noun: str) -> str:
    n = value if isinstance(value, int) else len(value)
    return f"{n} {noun if n == 1 else noun + ('es' if noun.endswith(('s', 'x', 'ch')) else 's')}"


def _list(value: Any, key: str | None, root: dict, limit: int = r.LIST_PREVIEW) -> str:
    entries = [
        r.value_text(key or "", v, None, root) if not isinstance(v, dict) else r.item_text(v, root)
        for v in _items(value, key)
    ]
    shown = entries[:limit]
    extra = len(entries) - len(shown)
    return join_words(shown + ([f"{extra} more"] if extra > 0 else []))


def _bullets(value: Any, key: str | None, root: dict) -> str:
    entries = [
        r.item_text(v, root) if isinstance(v, dict) else r.value_text(key or "", v, None, root)
        for v in _items(value, key)
    ]
    return "".join(f"\n- {e}" for e in entries[:10]) + (f"\n…and {len(entries) - 10} more" if len(entries) > 10 else "")


def _apply(name: str, arg: str | None, value: Any, key: str, owner: dict, root: dict) -> Any:
    """One filter; unknown filter names leave the value as it is."""
    if name == "money":
        return r.money(value, owner.get("currency") or root.get("currency"))
    if name == "count":
        return _count(value, arg or "item")
    if name == "list":
        return _list(value, arg, root)
    if name == "all":
        return _list(value, arg, root, limit=200)
    if name == "bullets":
        return _bullets(value, arg, root)
    if name == "words":
        return humanize(str(value)).replace("ID", "id") if "_" in str(value) else str(value)
    if name == "date":
        return r.when(str(value))
    if name == "aside":  # what a value says in brackets: "delivered (return window closed: ...)"
        inside = re.search(r"\(([^()]*)\)\s*$", str(value))
        return inside.group(1) if inside else ""
    if name == "yesno":
        return "yes" if value else "no"
    if name == "address":
        return r.address(value) if isinstance(value, dict) else str(value)
    if name == "options":
        return r.options(value) if isinstance(value, dict) else str(value)
    if name in ("lower", "upper", "title"):
        return getattr(str(value), name)()
    return value


def _placeholder(expr: str, data: dict) -> str:
    path_part, *filters = [p.strip() for p in expr.split("|")]
    value, owner, key = MISSING, data, ""
    for path in path_part.split(","):
        value, owner = _lookup(data, path.strip())
        key = path.strip().rsplit(".", 1)[-1]
        if value not in (MISSING, None, "", [], {}):
            break
    for f in filters:
        name, _, arg = f.partition(":")
        if name == "default":
            value = arg if value in (MISSING, None, "", [], {}) else value
            continue
        if value in (MISSING, None, "", [], {}):
            raise Missing(expr)
        value = _apply(name, arg or None, value, key, owner, data)
    if value in (MISSING, None, "", [], {}):
        raise Missing(expr)
    return value if isinstance(value, str) else r.value_text(key, value, owner, data)


def fill(lines: list[str], data: dict) -> str:
    """The section's lines with their placeholders filled; lines missing a value are left out."""
    out = []
    for line in lines:
        try:
            text = PLACEHOLDER.sub(lambda m: _placeholder(m.group(1), data), line)
        except Missing:
            continue
        # A value that ends its own sentence ("... dead out of the box.") takes no second full stop.
        text = re.sub(r"(?<=[^.][.!?])\.(?=\s|$)", "", text)
        out.append(text)
    joined = ""
    for text in out:
        # Lines flow on as sentences, except after a list: "Next step: ..." is no part of its last bullet.
        after_list = joined.rsplit("\n", 1)[-1].startswith(("- ", "…and")) if "\n" in joined else False
        joined += ("\n" if after_list and not text.startswith("\n") else " ") + text if joined else text
    return joined.replace(" \n", "\n").strip()
