"""The replacement of an order line named by its options ("a large in the same colour", "the 43-46 size, still grey",
"the 1 litre blue one"): the product's variant that has the options the request names and keeps the others.

Nothing here knows a product: the options and their values come from the variants a tool listed, and a value is
named by its own words, a size by its everyday name, or a measure with its unit written out.
"""

import re
from typing import Any

# Clothing sizes by their everyday names ("a large" is L).
SIZE_NAMES = {
    "XXS": ("extra extra small",),
    "XS": ("extra small",),
    "S": ("small",),
    "M": ("medium",),
    "L": ("large",),
    "XL": ("extra large",),
    "XXL": ("extra extra large", "2xl"),
}
# Units of measure as people write them out ("1 litre" is "1 l").
UNIT_NAMES = {
    "l": ("litre", "litres", "liter", "liters", "ltr"),
    "ml": ("millilitre", "millilitres", "milliliter", "milliliters"),
    "m": ("metre", "metres", "meter", "meters"),
    "cm": ("centimetre", "centimetres", "centimeter", "centimeters"),
    "mm": ("millimetre", "millimetres", "millimeter", "millimeters"),
    "kg": ("kilo", "kilos", "kilogram", "kilograms"),
    "g": ("gram", "grams"),
    "in": ("inch", "inches"),
}
TOKEN = re.compile(r"\d+(?:[.,]\d+)?(?:-\d+(?:[.,]\d+)?)?|[a-z]+", re.I)


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in TOKEN.findall(text)]


def names_value(value: str, text: str) -> bool:
    """Whether the request names an option value: all its words ("sea salt", "43-46"), a size by its letter or
    everyday name ("L", "large"), or a measure by its number and unit ("1 l" as "1 litre" or "1l")."""
    said = _tokens(text)
    if value.upper() in SIZE_NAMES:
        letter = re.search(rf"(?<![\w-]){re.escape(value.upper())}(?![\w-])", text)  # capitals only: "m" is no size
        spelt = any(re.search(rf"\b{name}\b", text, re.I) for name in SIZE_NAMES[value.upper()])
        return bool(letter or spelt or re.search(rf"\bsize\s+{re.escape(value)}\b", text, re.I))
    parts = _tokens(value)
    if not parts:
        return False
    if len(parts) == 2 and parts[0][0].isdigit() and parts[1] in UNIT_NAMES:
        number, unit = parts
        joined = number + unit
        spelt = any(a == number and b in (unit, *UNIT_NAMES[unit]) for a, b in zip(said, said[1:], strict=False))
        return spelt or joined in said or any(t == joined for t in text.lower().split())
    return all(part in said for part in parts)


def replacement(line: dict[str, Any], variants: list[dict[str, Any]], text: str) -> str | None:
    """The item id of the line's product's variant the request names by options, keeping the options it does not
    name where such a variant exists; None when the request names no other option value or several variants fit."""
    current = line.get("options") or {}
    others = [v for v in variants if v.get("product_id") == line.get("product_id") and v.get("item_id")
              and v.get("item_id") != line.get("item_id") and isinstance(v.get("options"), dict)]
    named: dict[str, str] = {}
    for key in {k for v in others for k in v["options"]}:
        values = {str(v["options"][key]) for v in others if key in v["options"]}
        # "the large planter rather than the medium": the value the line already has is no change.
        changed = [x for x in values if x != current.get(key) and names_value(x, text)]
        if len(changed) == 1:
            named[key] = changed[0]
    if not named:
        return None
    fits = [v for v in others if all(v["options"].get(k) == x for k, x in named.items())]
    # Options not named stay as they are ("still grey"), where the product has such a variant.
    kept = [v for v in fits if all(v["options"].get(k) == x for k, x in current.items() if k not in named)]
    chosen = kept or fits
    return str(chosen[0]["item_id"]) if len(chosen) == 1 else None


def named_variant(variants: list[dict[str, Any]], text: str) -> dict[str, Any] | None:
    """The one listed variant of a product the request narrows to by the option values it names ("3 of the small
    sea salt candles"): each option whose values differ keeps the variants with the value named. None while
    several remain, or when the list holds several products."""
    if len({v.get("product_id") for v in variants}) != 1:
        return None
    left = [v for v in variants if v.get("item_id") and isinstance(v.get("options"), dict)]
    for key in sorted({k for v in left for k in v["options"]}):
        values = {str(v["options"][key]) for v in left if key in v["options"]}
        named = {value for value in values if names_value(value, text)}
        if len(named) == 1:
            left = [v for v in left if str(v["options"].get(key)) in named]
    return left[0] if len(left) == 1 else None
