"""The sixteen specialists, in the order the router lists them."""

from agents.spec import AgentSpec

ROSTER: tuple[AgentSpec, ...] = (
    AgentSpec(
        "order",
        "Orders: placing, tracking status, cancelling, changing address, items or payment of "
        "pending orders, returns and exchanges of delivered orders, order notes and order analytics.",
        (
            "where is my order",
            "cancel my order",
            "I want to return an item I received",
            "change the shipping address of my order",
        ),
    ),
    AgentSpec(
        "product",
        "The catalogue: products, variants, prices, options, categories, search and product analytics.",
        ("do you sell blue t-shirts in size M", "how much is this keyboard", "what product types do you have"),
    ),
    AgentSpec(
        "marketplace",
        "Sales channels such as Amazon or eBay: connections, channel orders, listings, "
        "offers, stock and price pushes, marketplace messages.",
        (
            "import our Amazon orders",
            "push stock to eBay",
            "unread marketplace messages",
            "connect a new Cdiscount shop",
        ),
    ),
    AgentSpec(
        "customer",
        "Customer accounts: profile (name, email, phone), addresses, loyalty tier and points, account erasure, "
        "finding a customer, logging support interactions; handing a conversation to a person "
        "(support cases, complaints).",
        ("update my phone number", "how many loyalty points do I have", "delete my account",
         "I want to talk to a human"),
    ),
    AgentSpec(
        "inventory",
        "Stock: levels per warehouse, availability, reservations, stock movements, reorder "
        "settings, low-stock report, stock value.",
        ("is this item in stock", "low stock report", "record a stock adjustment"),
    ),
    AgentSpec(
        "transport",
        "Carriers and shipments: shipping rates and quotes, carrier choice, carrier settings and rate "
        "tables, creating shipments, finding a parcel by tracking number, tracking events.",
        (
            "how much is shipping to Germany",
            "track my parcel",
            "which carrier is cheapest for 2 kg",
            "create a shipment with Colissimo",
            "show the DPD rate table",
            "list shipments in transit",
        ),
    ),
    AgentSpec(
        "payment",
        "Payments: saved payment methods, gift cards, charges, authorisations, captures, "
        "voids, refunds, transactions and revenue figures.",
        ("add a new card", "what's my gift card balance", "refund this transaction"),
    ),
    AgentSpec(
        "warehouse",
        "Warehouses: sites, capacity and utilisation, performance, picking and packing, shipping parcels, "
        "receiving inbound goods.",
        ("how full is the Paris warehouse", "warehouse performance this month", "pack this order"),
    ),
    AgentSpec(
        "monitoring",
        "The crew itself: system overview, agent health, alerts, performance metrics, "
        "recent tool calls and audit events.",
        ("system health", "which agents are failing", "show open system alerts", "recent audit events"),
    ),
    AgentSpec(
        "documents",
        "Paperwork: invoices (with VAT), credit notes, packing slips and shipping labels as PDF, PNG or ZPL; "
        "finding and downloading documents.",
        (
            "send me the invoice for my order",
            "print a shipping label",
            "make a packing slip",
            "issue a credit note",
            "download the invoice PDF",
            "void an invoice",
        ),
    ),
    AgentSpec(
        "fraud",
        "Fraud screening (staff): fraud scores of orders and customers, the blocklist of emails, IPs, "
        "customers and cards, a customer's fraud history, the queue of held orders to release or reject.",
        (
            "is this order fraudulent",
            "block this email address",
            "release the held order",
            "fraud score of customer",
            "unblock this IP address",
            "held orders waiting for a decision",
        ),
    ),
    AgentSpec(
        "risk",
        "Business risk (merchants and admins): anomalies in daily orders, revenue, refunds, payment failures "
        "and return rate, risk assessments, metric history and risk alerts.",
        (
            "any anomalies in refunds this week",
            "risk assessment",
            "acknowledge the risk alert",
            "open risk alerts",
            "daily revenue over the last month",
        ),
    ),
    AgentSpec(
        "knowledge",
        "Shop policies and procedures: returns policy, shipping times, warranty, payment "
        "options, loyalty rules, staff procedures; knowledge base articles.",
        (
            "what is your return policy",
            "how long does delivery take",
            "how do gift cards work",
            "how long do I have to send an item back",
            "is my broken item still covered by the warranty",
            "which ways to pay do you accept",
            "when will my refund show up",
            "what happens to my data if I close my account",
            "until what time do orders ship the same day",
            "do I pay import duties outside the EU",
            "how do the loyalty tiers work",
            "what does shipping to Spain cost",
            "what is the procedure for a stock count",
        ),
    ),
    AgentSpec(
        "after_sales",
        "Returns and service after delivery: return authorisations (RMA) with refund, exchange or store "
        "credit, RMA status, approving, receiving, inspecting and resolving returns, the returns queue, "
        "satisfaction surveys and ratings, warranty claims. A return the order agent opens for items of a "
        "delivered order is the same RMA, followed up here.",
        (
            "status of my RMA",
            "I want store credit for a return",
            "open a warranty claim for a faulty item",
            "rate my experience",
            "receive the returned parcel for RMA-20261101-AB12CD34",
            "approve the return request",
            "returns waiting for inspection",
        ),
    ),
    AgentSpec(
        "backoffice",
        "Administration: staff users and API keys, shop settings (thresholds, time limits), sales reports, "
        "dashboard metrics, the approval queue.",
        (
            "sales report for October",
            "create a staff user",
            "show the dashboard",
            "pending approvals",
            "set the refund approval threshold to 300",
            "revoke the API key of a staff member",
        ),
    ),
    AgentSpec(
        "quality",
        "Quality control: inspections (schedule, start, record defects, complete with a score), product defects, "
        "product quality metrics, supplier ratings by defect rate.",
        (
            "schedule a receiving inspection for SKU KB-CLICKY-01",
            "defects reported for this product",
            "supplier quality rating",
            "complete the inspection",
            "record a defect found during the inspection",
        ),
    ),
)

BY_NAME = {spec.name: spec for spec in ROSTER}
