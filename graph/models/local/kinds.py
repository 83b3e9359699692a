"""What kind of value a tool argument wants, read from its name, type, pattern, description and examples."""

from graph.models.local.memory import shape_of
from graph.models.local.schema import FieldSpec

ADDRESS_PARTS = frozenset({"address1", "address2", "city", "state", "zip", "country"})
FREE_TEXT = frozenset(
    {
        "summary",
        "query",
        "q",
        "question",
        "note",
        "notes",
        "message",
        "comment",
        "comments",
        "description",
        "details",
        "text",
        "content",
        "body",
        "search",
        "term",
        "keywords",
        "reason",
        "subject",
        "title",
        "feedback",
        "explanation",
        "resolution",
    }
)
TITLES = frozenset({"name", "title", "label", "display_name"})
EXAMPLE_KINDS = {"payment_method": "payment_method", "uuid": "uuid", "order": "order", "customer": "customer"}
DATE_NAMES = frozenset({"start", "end", "from", "to", "after", "before"})
# Kinds that identify a record: a later turn may reuse them from the conversation's memory.
REFERENCE_KINDS = frozenset(
    {"email", "payment_method", "customer", "order", "order_list", "item", "item_list", "pattern", "uuid"}
)
REFERENCE_NAMES = frozenset(
    {
        "warehouse",
        "category",
        "brand",
        "carrier",
        "supplier",
        "parent",
        "channel",
        "connection",
        "gateway",
        "marketplace",
        "zone",
        "agent",
        "tier",
        "role",
        "username",
        "slug",
    }
)


def _is_item(words: set[str], name: str) -> bool:
    return bool(words & {"item", "items", "product", "variant", "sku"}) or name in ("item_ref", "ref")


def kind_of(field: FieldSpec) -> str:
    """The extraction kind of a field: order, email, item_list, money, enum, address, free_text..."""
    name, words, kind = field.name.lower(), field.words, field.type
    text = f"{name} {field.description}".lower()
    if field.enum or (field.item and field.item.enum):
        return "enum"
    if kind == "boolean":
        return "bool"
    if kind == "object" and {"address1", "city"} <= {p.name for p in field.properties}:
        return "address"
    if kind == "object" and not field.properties:
        return "options"
    if kind == "array":
        if field.item and field.item.properties:
            return "line_list"
        if "order" in words:
            return "order_list"
        return "item_list" if _is_item(words, name) else "list"
    if name in ADDRESS_PARTS:
        return "address_part"
    if "email" in words or field.format == "email" or (field.pattern and "@" in field.pattern):
        return "email"
    if "payment" in words and "method" in words:
        return "payment_method"
    # Examples shaped like a known id say what the field takes ("credit_card_7815826", a UUID).
    example = next((x for x in field.examples if isinstance(x, str)), "")
    if kind == "string" and (shape := shape_of(example)) in EXAMPLE_KINDS:
        return EXAMPLE_KINDS[shape]
    if name in ("customer_id", "user_id", "customer"):
        return "customer"
    if "order" in words and (words & {"id", "number", "ref"} or name == "order"):
        return "order"
    if kind in ("integer", "number") and (words & {"amount", "price", "cost", "total", "value", "balance"}):
        return "money"
    if kind == "integer":
        return "integer"
    if kind == "number":
        return "number"
    if field.format in ("date", "date-time") or words & {"date", "since", "until"} or name in DATE_NAMES:
        return "date"
    if words & {"first", "last"} and "name" in words:
        return "person_name"
    if "phone" in words:
        return "phone"
    if field.pattern and "0-9a-f" in field.pattern.lower() and "36" in field.pattern:
        return "uuid"
    if _is_item(words, name):
        return "item"
    if field.pattern:
        return "pattern"
    if name in TITLES:
        return "title"
    if name in FREE_TEXT or words & FREE_TEXT:
        return "question" if name in ("question", "q") else "free_text"
    if words & REFERENCE_NAMES or "code" in text:
        return "reference"
    return "free_text" if field.required else "reference"
