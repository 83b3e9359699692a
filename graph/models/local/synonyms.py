"""Word lists the extractor matches against: enum synonyms, option words, countries, field keywords."""

# Everyday phrasings of enum values tools commonly use (the value itself always matches too).
ENUM_SYNONYMS = {
    "no longer needed": (
        "no longer need",
        "don't need",
        "dont need",
        "do not need",
        "not needed",
        "changed my mind",
        "anymore",
        "no longer want",
        "pointless",
        "no point",
        "no use",
    ),
    "ordered by mistake": ("by mistake", "mistake", "by accident", "accidentally", "wrong order", "ordered wrong"),
    "changed_mind": ("changed my mind", "change of mind", "don't want", "dont want", "no longer want", "don't need",
                     "dont need", "do not need", "no longer need", "pointless", "no point", "no use"),
    "better_price": ("cheaper", "better price", "lower price", "better deal"),
    "product_defect": ("defect", "defective", "broken", "faulty", "doesn't work", "does not work", "stopped working",
                       "has a hole", "have a hole", "torn", "ripped", "came apart", "coming apart", "falling apart",
                       "stopped", "won't turn on", "won't charge", "doesn't charge", "leaks", "leaking"),
    "requested": ("waiting for approval", "awaiting approval", "pending approval", "to be approved",
                  "not yet approved"),
    "not_as_described": ("not as described", "different from the description", "not what was described"),
    "damaged_in_shipping": ("damaged", "arrived broken", "crushed", "damaged in transit"),
    "wrong_item": ("wrong item", "wrong product", "not what i ordered", "wrong one"),
    "phone": ("phoned", "called", "call", "telephone", "rang"),
    "email": ("emailed", "e-mail", "mail"),
    "chat": ("chatted", "live chat", "messaged"),
    "store": ("in store", "in-store", "shop visit", "came in"),
    "social": ("twitter", "facebook", "instagram", "social media"),
    "complaint": ("complain", "complained", "unhappy", "angry", "upset", "problem"),
    "question": ("asked", "asking", "wondered", "wants to know"),
    "support_case": ("support case", "case", "ticket"),
    "feedback": ("review", "suggestion", "praised"),
    "credit_card": ("card", "credit card", "visa", "mastercard", "amex"),
    "gift_card": ("gift card", "giftcard", "voucher"),
    "cancelled": ("canceled", "cancelled"),
    "processed": ("processing", "shipped", "being prepared"),
    "on_hold": ("held", "on hold", "hold"),
    "rejected": ("decline", "declined", "turn down", "turned down", "deny", "denied", "refuse", "refused"),
    "approved": ("accept", "accepted", "approve", "sign off", "signed off"),
    # What a receiver says of a returned unit that does not work.
    "defective": ("faulty", "doesn't work", "does not work", "not working", "stopped working", "coming apart",
                  "falling apart", "came apart", "genuinely broken"),
    "unopened": ("sealed", "never opened", "still in its wrapping", "still wrapped"),
    # What a receiver says of a returned unit harmed on the way ("bent at one corner, looks like it got crushed").
    "damaged": ("crushed", "bent", "dented", "cracked", "smashed", "scratched", "scuffed"),
    "received": ("arrived", "came in", "got there", "reached you", "reached the warehouse"),
    "in_transit": ("in transit", "on the way", "on their way", "on its way", "en route", "underway"),
    # What a carrier reports going wrong with a parcel.
    "exception": ("crushed", "damaged", "lost", "went missing", "undeliverable", "couldn't deliver",
                  "could not deliver", "couldn't be delivered", "could not be delivered", "can't be delivered",
                  "cannot be delivered", "couldn't be handed over", "could not be handed over", "failed delivery",
                  "delivery failed", "back to the depot",
                  "back to their depot", "returned to sender", "torn", "unreadable", "can't read the address",
                  "cannot read the address"),
    "receipt": ("received", "receive", "inbound", "delivery in", "arrived", "came in", "got in", "book in"),
    "shipment": ("outbound", "shipped out"),
    "adjustment": ("adjust", "count correction", "recount", "stock count", "stocktake", "counted", "miscounted",
                   "found"),
    "write_off": ("write off", "write-off", "writeoff", "written off", "scrap", "broke", "broken", "stolen", "smashed",
                  "shattered", "off the books"),
    "refund": ("money back", "refund"),
    "store_credit": ("store credit", "credit"),
}
COLOURS = (
    "black",
    "white",
    "red",
    "blue",
    "green",
    "yellow",
    "grey",
    "gray",
    "navy",
    "purple",
    "pink",
    "orange",
    "brown",
    "beige",
    "silver",
    "gold",
    "violet",
)
SIZES = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL")
COUNTRIES = {
    "usa": "USA",
    "us": "USA",
    "u.s.": "USA",
    "united states": "USA",
    "america": "USA",
    "france": "France",
    "fr": "France",
    "germany": "Germany",
    "de": "Germany",
    "uk": "UK",
    "united kingdom": "UK",
    "england": "UK",
    "spain": "Spain",
    "es": "Spain",
    "italy": "Italy",
    "it": "Italy",
    "belgium": "Belgium",
    "be": "Belgium",
    "netherlands": "Netherlands",
    "nl": "Netherlands",
    "canada": "Canada",
    "ca": "Canada",
    "switzerland": "Switzerland",
    "ch": "Switzerland",
    "portugal": "Portugal",
    "austria": "Austria",
    "ireland": "Ireland",
    "luxembourg": "Luxembourg",
    "poland": "Poland",
    "sweden": "Sweden",
    "denmark": "Denmark",
    "australia": "Australia",
    "japan": "Japan",
}
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR "
    "PA RI SC SD TN TX UT VT VA WA WV WI WY DC".split()
)
# Words near a number that say which integer field it fills.
NUMBER_KEYWORDS = {
    "quantity": ("quantity", "qty", "unit", "units", "piece", "pieces", "pcs", "x", "of", "copies", "by"),
    "days": ("day", "days"),
    "limit": ("top", "first", "latest", "last", "limit", "most", "max"),
    "offset": ("skip", "offset"),
    "max": ("max", "maximum", "up to", "fill"),
    "min": ("min", "minimum", "at least"),
    "minutes": ("minute", "minutes", "min", "mins"),
    "points": ("point", "points"),
    "rating": ("star", "stars", "rate", "rated"),
}
# Filler a search query should not carry.
QUERY_FILLER = frozenset(
    "search searching find look looking for sell selling have carry stock catalogue catalog products product items "
    "item anything something stuff shop store matching match called named euro euros eur dollar dollars usd "
    "price priced cost costs list show pull display help whose name names contains containing everything "
    # What people ask about a product rather than what it is called ("what colours does X come in").
    "come comes came available availability offer offered colour colours color colors size sizes option options "
    "variant variants version versions tell know info information details much many got need want please "
    "i'm im i'd i've "
    # Who makes it is asked for with the maker's name ("stuff made by Sonata").
    "made make makes brand brands thing things "
    # How it compares is asked, not what it is called ("the cheapest backpack").
    "cheapest cheaper cheap priciest expensive best "
    # When it is wanted is not what it is ("for next month", "right now").
    "going next week weeks month months today tomorrow soon now currently right".split()
)
# Shorthand people type for the shop's words, read as the words themselves: "a proper QC check" is a quality check.
SHORTHANDS = {
    "qc check": "quality check",
    "qc": "quality check",
    "acct": "account",
    "addr": "address",
    "pkg": "package",
    "asap": "as soon as possible",
}
