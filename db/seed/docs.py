"""Render docs/demo-data.md from the demo seed, so the documented fixtures never drift.

Run `python -m db.seed.docs > docs/demo-data.md` after changing the seed.
"""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from db.models import (
    Address,
    Category,
    Customer,
    MarketplaceConnection,
    MarketplaceListing,
    MarketplaceMessage,
    Order,
    OrderLine,
    PaymentMethod,
    Product,
    ProductVariant,
    ReturnRequest,
    SatisfactionSurvey,
    Shipment,
    StaffUser,
    StockLevel,
    SystemAlert,
    Warehouse,
    WarrantyClaim,
)
from db.seed import documents, quality
from db.seed.backoffice import docs_section as backoffice_section
from db.seed.demo import Demo, build_demo
from db.seed.fraud_risk import docs_section
from db.seed.marketplace import free_stock
from db.seed.people import NAMED
from tools.transport.reference import BANDS, CARRIERS

INTRO = """# Demo data

`shopcrew seed` (and `make run`, through `shopcrew seed --if-empty`) builds this demo shop. It is
deterministic: every run creates the same ids, names, amounts and API keys. Dates are offsets back
from midnight UTC of the day you seed, so the 300 orders always cover the last 120 days. Tracking, RMA
and document numbers carry a date too, but they are drawn as if the shop had been seeded on 2026-12-05,
so a record has the same number whatever day you seed.

This file is generated: `python -m db.seed.docs > docs/demo-data.md`; a test fails if it drifts.
The keys below exist only in a seeded demo database; they are public, so never seed a production one.
"""


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _eur(amount: Decimal) -> str:
    return f"{amount:.2f} EUR"


def _method(method: dict[str, Any]) -> str:
    if method["kind"] == "gift_card":
        return f"`{method['id']}` (gift card, balance {_eur(method['balance'])})"
    if method["kind"] == "credit_card":
        return f"`{method['id']}` ({method['brand']} ending {method['last_four']})"
    return f"`{method['id']}` (PayPal)"


def _customers(demo: Demo) -> tuple[list[dict[str, Any]], str]:
    named = demo.rows.of(Customer)[:len(NAMED)]
    homes = {a["customer_id"]: a for a in demo.rows.of(Address)
             if a["is_default"]}
    methods = defaultdict(list)
    for method in demo.rows.of(PaymentMethod):
        methods[method["customer_id"]].append(method)
    rows = [[f"{c['first_name']} {c['last_name']}", f"`{c['id']}`", c["email"],
             f"{homes[c['id']]['city']} {homes[c['id']]['zip']}, {homes[c['id']]['country']}",
             "<br>".join(_method(m) for m in methods[c["id"]])] for c in named]
    return named, _table(["name", "id", "email", "home (zip)", "payment methods"], rows)


def _orders(demo: Demo, named: list[dict[str, Any]]) -> str:
    lines = defaultdict(int)
    for line in demo.rows.of(OrderLine):
        lines[line["order_id"]] += line["quantity"]
    shipments = {s["order_id"]: s["status"] for s in demo.rows.of(Shipment)}
    names = {c["id"]: f"{c['first_name']} {c['last_name']}" for c in named}
    rows = [[f"`{o['id']}`", names[o["customer_id"]], o["status"], _eur(o["total"]), lines[o["id"]],
             shipments.get(o["id"], "-")]
            for o in sorted(demo.rows.of(Order), key=lambda o: (o["status"], o["customer_id"]))
            if o["customer_id"] in names]
    return _table(["order", "customer", "status", "total", "units", "shipment"], rows)


def _access(demo: Demo) -> str:
    staff = {f"staff:{u['username']}": u for u in demo.rows.of(StaffUser)}
    rows = []
    for principal, key in demo.keys:
        user = staff.get(principal)
        role = f"{user['role']} ({user['full_name']})" if user else "customer"
        rows.append([f"`{principal}`", role, f"`{key}`"])
    return _table(["principal (`--as`)", "role", "API key (`Authorization: Bearer ...`)"], rows)


def _catalogue(demo: Demo) -> str:
    categories = {c["id"]: c["name"] for c in demo.rows.of(Category)}
    variants = defaultdict(list)
    for v in demo.rows.of(ProductVariant):
        variants[v["product_id"]].append(v)
    rows = []
    for p in demo.rows.of(Product):
        vs = variants[p["id"]]
        prices = sorted(v["price"] for v in vs)
        rows.append([f"`{p['id']}`", p["name"], categories[p["category_id"]], p["brand"],
                     f"`{vs[0]['sku']}` .. `{vs[-1]['sku']}`", len(vs), f"{prices[0]:.2f} - {prices[-1]:.2f}",
                     "yes" if vs[0]["track_stock"] else "no (drop-ship)"])
    return _table(["product id", "name", "category", "brand", "SKUs", "variants", "price EUR", "stocked"], rows)


def _stock(demo: Demo) -> str:
    skus = {v["id"]: v["sku"] for v in demo.rows.of(ProductVariant)}
    codes = {w["id"]: w["code"] for w in demo.rows.of(Warehouse)}
    empty = [s for s in demo.rows.of(StockLevel) if s["on_hand"] == 0][:6]
    low = [s for s in demo.rows.of(StockLevel) if 0 < s["on_hand"] <= s["reorder_point"] // 2][:6]
    rows = [[f"`{skus[s['variant_id']]}`", codes[s["warehouse_id"]], s["on_hand"], s["allocated"],
             s["reorder_point"], note] for note, levels in (("out of stock", empty), ("critical", low))
            for s in levels]
    return _table(["SKU", "warehouse", "on hand", "allocated", "reorder point", "state"], rows)


def _places(demo: Demo) -> str:
    warehouses = _table(["code", "name", "city", "country"],
                        [[f"`{w['code']}`", w["name"], w["address"]["city"], w["country"]]
                         for w in demo.rows.of(Warehouse)])
    carriers = _table(["code", "name", "tracking prefix", "on-time", "domestic <= 1 kg"],
                      [[f"`{code}`", name, f"`{prefix}`", on_time,
                        f"{zones['domestic'][0][0]} EUR, {zones['domestic'][0][1]} day(s)"]
                       for code, (name, prefix, on_time, zones) in CARRIERS.items()])
    bands = ", ".join(f"<= {band} kg" for band in BANDS)
    return f"{warehouses}\n\nCarriers (rates by zone domestic / eu / world and weight band {bands}):\n\n{carriers}"


def _after_sales(demo: Demo, named: list[dict[str, Any]]) -> str:
    names = {c["id"]: f"{c['first_name']} {c['last_name']}" for c in named}

    def whose(row: dict[str, Any]) -> str:
        # Order and owner in one cell: the order tables above pair an order with its own status.
        return f"`{row['order_id']}` ({names.get(row['customer_id'], 'other customer')})"

    rmas = sorted(demo.rows.of(ReturnRequest),
                  key=lambda r: (r["customer_id"] not in names, r["status"], r["order_id"]))
    listed = [r for r in rmas if r["customer_id"] in names or r["status"] != "requested"]
    returns = _table(["order (customer)", "RMA status", "resolution", "reason"],
                     [[whose(r), r["status"], r["resolution"], r["reason"]] for r in listed])
    claims = _table(["order (customer)", "claim status"],
                    [[whose(c), c["status"]] for c in sorted(demo.rows.of(WarrantyClaim), key=lambda c: c["order_id"])])
    surveys = demo.rows.of(SatisfactionSurvey)
    cited = "; ".join(f"{whose(x)} is rated {x['rating']}/5" for x in surveys if x["customer_id"] in names)
    requested = sum(1 for r in rmas if r["status"] == "requested" and r["customer_id"] not in names)
    return (f"{returns}\n\nThe other customers' {requested} requested RMAs are not listed. Warranty claims:\n\n"
            f"{claims}\n\n{len(surveys)} satisfaction surveys: {cited}; one survey per order.")
def _alerts(demo: Demo) -> str:
    rows = [[a["id"], a["severity"], a["status"], a["title"], f"`{a['agent']}`"] for a in demo.rows.of(SystemAlert)]
    return _table(["alert id", "severity", "status", "title", "agent"], rows)


def _marketplace(demo: Demo) -> str:
    connection = demo.rows.of(MarketplaceConnection)[0]
    variants = {v["id"]: v for v in demo.rows.of(ProductVariant)}
    names = {p["id"]: p["name"] for p in demo.rows.of(Product)}
    offers = _table(["SKU", "product", "price EUR", "quantity pushed"], [
        [f"`{variants[o['variant_id']]['sku']}`", names[variants[o["variant_id"]]["product_id"]], f"{o['price']:.2f}",
         o["quantity"]] for o in demo.rows.of(MarketplaceListing)])
    by_sku, free = {v["sku"]: v for v in variants.values()}, free_stock(demo.rows)
    orders = []
    for order in demo.feeds[connection["settings"]["feed"]]["orders.json"]["orders"]:
        items = ", ".join(f"{ln['quantity']} x `{ln['sku']}`" for ln in order["lines"])
        outcome = "imported"
        if any(ln["sku"] not in by_sku for ln in order["lines"]):
            outcome = "fails: unknown SKU (`not_found`)"
        elif any(ln["quantity"] > free[by_sku[ln["sku"]]["id"]] for ln in order["lines"]):
            outcome = "fails: not enough stock (`insufficient_stock`)"
        buyer = order["buyer"]
        orders.append([f"`{order['external_id']}`", f"{buyer['first_name']} {buyer['last_name']} ({buyer['email']})",
                       items, f"{Decimal(order['total']):.2f} EUR", outcome])
    fetched = {m["external_id"]: m for m in demo.rows.of(MarketplaceMessage)}
    messages = []
    for message in demo.feeds[connection["settings"]["feed"]]["messages.json"]["messages"]:
        stored = fetched.get(message["external_id"])
        state = "not fetched yet" if stored is None else "read" if stored["read_at"] else "unread"
        messages.append([f"`{message['external_id']}`", message["sender"], message["order_ref"] or "-",
                         message["body"], state])
    return (
        f"Connection {connection['id']}, **{connection['name']}** (channel `sandbox`, feed `demo`): a file-backed "
        "test channel, no real marketplace (see docs/marketplace.md). `shopcrew seed` writes its feed into "
        "`<data dir>/marketplace/demo/` (`orders.json`, `messages.json`). Nothing is imported yet.\n\n"
        "Offers (prices are our variant prices; quantities are the free stock when seeded):\n\n" + offers
        + "\n\nOrders waiting in the feed, and what `import_marketplace_orders` does with them:\n\n"
        + _table(["channel order", "buyer", "items", "total", "on import"], orders)
        + "\n\nBuyers' messages (fetching stores the one not fetched yet):\n\n"
        + _table(["message", "from", "about", "text", "state"], messages)
    )


def render(demo: Demo | None = None) -> str:
    """The whole of docs/demo-data.md."""
    demo = demo or build_demo()
    named, customers = _customers(demo)
    sections = [
        INTRO,
        "## Demo customers\n\nEach has an API key (below). Gift card balances are as seeded.\n\n" + customers,
        "## Their orders\n\nEvery status, at least two customers per status. Processed orders that are only "
        "packed can still be cancelled; the delivered ones arrived within the last 30 days, so they can still "
        "be returned or exchanged.\n\n" + _orders(demo, named),
        "## Staff users and API keys\n\nOne staff user per role. Customers act on their own data only.\n\n"
        + _access(demo),
        "## Catalogue\n\n" + _catalogue(demo),
        "## Stock worth knowing\n\nEvery stocked variant has a level in each warehouse; a few are empty or "
        "critically low:\n\n" + _stock(demo),
        "## Warehouses and carriers\n\n" + _places(demo),
        "## Invoices and credit notes\n\nIssued when the order shipped, numbered without gaps per series and year; "
        "each has its PDF. Invoice 4 was voided by the credit note (wrong billing "
        "name) and issued again as invoice 5. VAT is 20 %, included in the prices.\n\n"
        + _table(["number", "kind", "status", "total", "VAT", "order"], documents.describe(demo.rows)),
        "## Quality inspections\n\nOne or more in every state. Completed ones were scored from their defects; "
        "over the last 90 days Keystone Components rates fair, Sonata Audio poor and Deskforge GmbH excellent.\n\n"
        + _table(["inspection", "SKU", "supplier", "status", "result (score)", "defective units", "inspector"],
                 quality.describe(demo.rows)),
        docs_section(demo.rows, demo.anchor),
        "## After-sales\n\nEvery order in return or exchange has an RMA (an exchange comes back under one); the "
        "tools take an RMA number or, as here, the order number for its latest RMA. RMA and claim numbers embed "
        "dates, so they are not listed. Received parcels were opened, used, damaged or defective: their units "
        "were booked in and written off, and nothing is refunded yet (inspected RMAs wait for staff to resolve "
        "them).\n\n" + _after_sales(demo, named),
        backoffice_section(demo),
        "## System alerts\n\nOpen until resolved or dismissed, so the system overview starts at `warning`.\n\n"
        + _alerts(demo),
        "## Sandbox marketplace\n\n" + _marketplace(demo),
        "## Large shop\n\n`shopcrew seed --size large` builds this demo shop and adds 5,000 customers "
        "(emails `@example.net`) and 100,000 past orders with their lines, payments and transactions, placed "
        "121 to 850 days ago, delivered or cancelled. The last 120 days, the stock and every fixture above stay "
        "exactly as in the small shop; the named customers get no extra orders.",
        "## Retail benchmark data\n\n`shopcrew seed --from-tau ../shared/tau2-retail/db.json` imports the "
        "benchmark instead (500 users, 1,000 orders, 50 products with 591 variants) into an empty database "
        "(add `--reset` to empty it first). Ids are kept (users, `#W...` orders, product and item ids; SKUs "
        "are `TAU-<item id>`), prices are in USD, and the staff users and keys above are created too.",
    ]
    return "\n\n".join(sections) + "\n"


if __name__ == "__main__":
    print(render(), end="")
