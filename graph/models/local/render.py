"""Values and whole tool results as plain words: money, dates, addresses, lists, objects."""

import re
from datetime import date, datetime
from typing import Any

from graph.models.local.text import humanize, join_words, sentence

# The shop's default currency (db models default to EUR) when a result does not say.
DEFAULT_CURRENCY = "EUR"
MONEY_KEY = re.compile(r"price|amount|total|balance|cost|value|revenue|refund|subtotal|paid|fee|difference|spent")
# A share, not an amount ("price_adjustment_pct", "refund_rate_percent").
PERCENT_KEY = re.compile(r"(?:^|_)(?:pct|percent|rate|ratio|share)(?:_|$)")
TITLE_KEYS = (
    "name",
    "product_name",
    "title",
    # A return is known by its own number; its order is a detail of it.
    "rma_number",
    "order_id",
    "number",
    "sku",
    "email",
    "code",
    "warehouse_code",
    "username",
    "key",
    "label",
    # A record's own id before the customer it belongs to (a saved payment method is not its owner).
    "id",
    "customer_id",
    "item_id",
    "product_id",
)
DETAIL_KEYS = (
    "code",
    "sku",
    "warehouse_code",
    "status",
    "tier",
    "kind",
    "brand",
    "category",
    "price",
    "min_price",
    "total",
    "amount",
    "balance",
    "quantity",
    "available",
    "available_quantity",
    "on_hand",
    "city",
    "severity",
    "count",
    "product_count",
    "units",
    "value",
    "options",
    "order_id",
)
ADDRESS_ORDER = ("address1", "address2", "city", "state", "zip", "country")
LIST_PREVIEW = 5
UNTITLED = "an entry"


def money(value: Any, currency: str | None = None) -> str:
    """49.9 -> '49.90 EUR'."""
    try:
        return f"{float(value):,.2f} {currency or DEFAULT_CURRENCY}"
    except (TypeError, ValueError):
        return str(value)


def when(value: str) -> str:
    """'2026-01-05T10:30:00' -> '5 Jan 2026'."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if "T" in value else date.fromisoformat(value)
    except ValueError:
        return value
    return f"{moment.day} {moment.strftime('%b %Y')}"


def address(value: dict) -> str:
    """An address dict on one line: '10 Main Street, Denver, CO 80202, USA'."""
    parts = [str(value.get(k) or "") for k in ADDRESS_ORDER]
    line = ", ".join(p for p in parts[:3] if p)
    tail = " ".join(p for p in parts[3:5] if p)
    return ", ".join(p for p in (line, tail, parts[5]) if p)


def options(value: dict) -> str:
    """{'color': 'blue', 'size': 'M'} -> 'color blue, size M'."""
    return ", ".join(f"{humanize(str(k))} {v}" for k, v in value.items())


def value_text(key: str, value: Any, owner: dict | None = None, root: dict | None = None) -> str:
    """One value in words, by its key and shape."""
    currency = (owner or {}).get("currency") or (root or {}).get("currency")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and MONEY_KEY.search(key) and not PERCENT_KEY.search(key):
        return money(value, currency)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}(T|$)", value):
        return when(value)
    if isinstance(value, str) and re.fullmatch(r"[a-z]+(_[a-z]+)+", value) and not key.endswith("id"):
        return value.replace("_", " ")
    if isinstance(value, dict):
        return address(value) if "address1" in value else options(value)
    if isinstance(value, list):
        return ", ".join(value_text(key, v, owner, root) for v in value[:LIST_PREVIEW])
    return str(value)


def title_of(item: dict) -> str:
    """The name a reader knows an item by."""
    return next((str(item[k]) for k in TITLE_KEYS if item.get(k) not in (None, "")), UNTITLED)


def varying_keys(items: list) -> tuple[str, ...]:
    """When every entry of a list has the same name, the detail keys whose values differ between them: what
    tells one entry from the next (the sizes and colours of a shirt's variants, not the name they share)."""
    entries = [i for i in items if isinstance(i, dict)]
    if len(entries) < 2 or len({title_of(i) for i in entries}) > 1:
        return ()
    return tuple(k for k in DETAIL_KEYS if len({repr(i.get(k)) for i in entries}) > 1)


def item_text(item: Any, root: dict | None = None, varying: tuple[str, ...] = ()) -> str:
    """One list entry: its title and up to three telling details, those that differ between entries first."""
    if not isinstance(item, dict):
        return value_text("", item, None, root)
    if "address1" in item:
        return address(item) + (" (default)" if item.get("is_default") else "")
    title = title_of(item)
    keys = sorted(DETAIL_KEYS, key=lambda k: k not in varying)  # stable: DETAIL_KEYS order within each group
    details = [
        f"{humanize(k)} {value_text(k, item[k], item, root)}"
        for k in keys
        if k in item and item[k] not in (None, "", [], {}) and str(item[k]) != title
    ][:3]
    if title == UNTITLED:
        return ", ".join(details) or title
    return f"{title} ({', '.join(details)})" if details else title


def render_list(label: str, items: list, total: int | None = None, root: dict | None = None) -> str:
    """A count and the first few entries: inline when short, one per line when longer."""
    total = total if total is not None else len(items)
    noun = label if total != 1 else label.removesuffix("es" if label.endswith("sses") else "s")
    if not items:
        return f"I found no {label}."
    # "…and 1 more" helps nobody: a list only a little longer than the preview is shown whole.
    whole = total == len(items) and len(items) <= LIST_PREVIEW + 2
    shown = items if whole else items[:LIST_PREVIEW]
    varying = varying_keys(shown)
    texts = [item_text(i, root, varying) for i in shown]
    more = total - len(texts)
    if len(texts) <= 3:
        rest = f", and {more} more" if more > 0 else ""
        return f"I found {total} {noun}: {join_words(texts)}{rest}."
    lines = "\n".join(f"- {t}" for t in texts)
    return (
        f"I found {total} {noun}. "
        + ("Here are the first few:" if more > 0 else "Here they are:")
        + f"\n{lines}"
        + (f"\n…and {more} more." if more > 0 else "")
    )


def render_object(data: dict, subject: str) -> str:
    """The key facts of one record in a sentence or two."""
    title = title_of(data)
    facts = []
    for key, value in data.items():
        if value in (None, "", [], {}) or str(value) == title or key == "currency":
            continue
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
            facts.append(f"{humanize(key)}: {item_text(value[0], data)}")
        elif isinstance(value, list):
            facts.append(
                f"{len(value)} {humanize(key)}"
                if all(isinstance(v, dict) for v in value)
                else f"{humanize(key)}: {value_text(key, value, data, data)}"
            )
        elif key != "id" and not key.endswith("_id"):  # internal ids only as the title: people rarely need them
            facts.append(f"{humanize(key)} {value_text(key, value, data, data)}")
    head = f"{subject} {title}".strip() if title != UNTITLED else "Here is what I found"
    return sentence(f"{head}: {join_words(facts[:6])}") if facts else sentence(f"{head}")


def render(data: Any, subject: str = "") -> str:
    """Any tool result in plain words, never as JSON."""
    if isinstance(data, list):
        return render_list("results", data)
    if not isinstance(data, dict):
        return sentence(str(data))
    if isinstance(data.get("message"), str) and data["message"].strip():
        return sentence(data["message"])
    lists = [(k, v) for k, v in data.items() if isinstance(v, (list, dict)) and k not in ("options",)]
    scalars = [k for k, v in data.items() if not isinstance(v, (list, dict))]
    if len(lists) == 1 and len(scalars) <= 3:
        key, items = lists[0]
        items = [{"name": k, "id": v} for k, v in items.items()] if isinstance(items, dict) else items
        total = data.get("total") if isinstance(data.get("total"), int) else data.get("count")
        return render_list(humanize(key), items, total if isinstance(total, int) else None, data)
    return render_object(data, subject)
