"""The local model's extractors on the registry's own tools: each kind of field, ten phrasings or more."""

from datetime import date

import pytest

from graph.models.local.extract import extract, spelled
from graph.models.local.ids import order_lines
from graph.models.local.memory import Memory
from graph.models.local.toolview import view
from graph.tools import as_langchain_tool
from tests.graph.models.fakes import NoArgs, make_tool
from tools.registry import load_all

TODAY = date(2026, 3, 18)


@pytest.fixture(scope="module")
def registry():
    return load_all()


def value(registry, tool: str, field: str, text: str):
    """The value the model extracts for one field of a registry tool from the request alone."""
    return extract(view(as_langchain_tool(registry.get(tool))), text, Memory(), TODAY).args.get(field)


ORDERS = [
    ("where is my order #W2378156?", "#W2378156"),
    ("show order W2611340", "#W2611340"),
    ("status of w4817420 please", "#W4817420"),
    ("has #W3109312 shipped yet", "#W3109312"),
    ("wat's in my ordr #W6123915", "#W6123915"),
    ("how much did I pay for order 5794363?", "#W5794363"),
    ("order number 7749532, what's going on", "#W7749532"),
    ("can you check #7137149", "#W7137149"),
    ("details for order no. 4621646", "#W4621646"),
    ("Good afternoon. Could you tell me the status of my order #W4621646?", "#W4621646"),
    ("my order (W8538724) is not moving", "#W8538724"),
]


@pytest.mark.parametrize(("text", "expected"), ORDERS)
def test_order_numbers_in_every_usual_spelling(registry, text, expected):
    assert value(registry, "get_order_details", "order_id", text) == expected


EMAILS = [
    ("find the customer noah.johnson@example.com", "noah.johnson@example.com"),
    ("who is ava.martin@example.com?", "ava.martin@example.com"),
    ("look up chloe.dubois@example.com", "chloe.dubois@example.com"),
    ("customer with email Lucas.Bernard@Example.com", "Lucas.Bernard@Example.com"),
    ("is there an account for mia+test@shop.example.org", "mia+test@shop.example.org"),
    ("email: emma_schmidt@example.de", "emma_schmidt@example.de"),
    ("search a.b@c.io please", "a.b@c.io"),
    ("account of first.last@sub.domain.com.", "first.last@sub.domain.com"),
    ("can you find j.doe99@example.com for me", "j.doe99@example.com"),
    ("who owns x_y@mail.example.net?", "x_y@mail.example.net"),
]


@pytest.mark.parametrize(("text", "expected"), EMAILS)
def test_email_addresses(registry, text, expected):
    assert value(registry, "find_customer_by_email", "email", text) == expected


QUERIES = [
    ("what colours does the water bottle come in", "water bottle"),
    ("do you sell blue t-shirts", "blue t-shirts"),
    ("I'm looking for a backpack", "backpack"),
    ("search for wireless headphones", "wireless headphones"),
    ("any bluetooth speakers?", "bluetooth speakers"),
    ("find me a desk lamp please", "desk lamp"),
    ("have you got merino socks", "merino socks"),
    ("show me products matching mechanical keyboard", "mechanical keyboard"),
    ("do you have anything like a tent", "tent"),
    ("what sizes does the hoodie come in?", "hoodie"),
    ("can you tell me about camping stoves", "camping stoves"),
    # Filler in any inflection, and when something is wanted, is not what it is.
    ("felt desk mat prices?", "felt desk mat"),
    ("going camping next month, what do you have for that?", "camping"),
    ("need a kettle right now", "kettle"),
    ("looking for options for a standing desk", "standing desk"),
    ("any headphones available today?", "headphones"),
    ("searching for a wool blanket", "wool blanket"),
    ("got mugs in stock currently?", "mugs"),
    ("what versions of the desk lamp are offered", "desk lamp"),
    ("something with candles for next week", "candles"),
    ("any rain jackets coming soon", "rain jackets"),
    ("show me stuff made by Sonata", "Sonata"),
    ("a gift for a coffee lover under 30 euros", "gift coffee lover"),
]


@pytest.mark.parametrize(("text", "expected"), QUERIES)
def test_search_queries_keep_what_is_searched_for_and_drop_the_filler(registry, text, expected):
    assert value(registry, "search_products", "query", text) == expected


MONEY = [
    ("refund 20 euros on order #W4974208", 20.0),
    ("refund 15 EUR on order #W4621646", 15.0),
    ("give back €12.50 for #W4621646", 12.5),
    ("refund 9.99 EUR on order #W4974208", 9.99),
    ("refund EUR 30 for order #W4974208", 30.0),
    ("please refund 100 euros to order #W4974208", 100.0),
    ("a refund of 7,50 EUR on #W4974208", 7.5),
    ("refund $45 on order #W4974208", 45.0),
    ("partial refund: 5 eur, order #W4974208", 5.0),
    ("order #W4974208, 20 euros, one of the mugs arrived chipped", 20.0),
]


@pytest.mark.parametrize(("text", "expected"), MONEY)
def test_amounts_of_money(registry, text, expected):
    assert float(value(registry, "refund_payment", "amount", text)) == expected


@pytest.mark.parametrize("text", ["a coffee lover's gift under 30 euros", "something nice for 25 EUR", "mugs for €12"])
def test_an_amount_of_money_is_never_a_count(registry, text):
    assert value(registry, "search_products", "limit", text) is None


QUANTITIES = [
    ("we just received 20 units of KB-CLICKY-01 at PAR-1", 20),
    ("received 5 KB-CLICKY-01 at PAR-1", 5),
    ("book in 40 units of KB-LOW-03 at PAR-1", 40),
    ("adjust KB-TKL-04 in PAR-1 by -2", -2),
    ("write off 3 of KB-RED-01 at LYS-1, damaged", 3),
    ("receipt of twelve KB-RED-01 at PAR-1", 12),
    ("PAR-1 got 100 units of AU-BUDS-01 today", 100),
    ("ship 1 unit of KB-RED-01 from PAR-1", 1),
    ("we received 7 pieces of OD-BOTTLE-05 at PAR-1", 7),
    ("record a receipt: 15 x KB-CLICKY-02 at BER-1", 15),
]

# A signed count takes its sign from words of decrease; a kind that only takes positive counts drops it.
SIGNED = [
    ("adjust HM-MUG-03 at BER-1: remove 2", -2),
    ("stock adjustment for HM-MUG-03 at BER-1, we counted 3 fewer than the system says", -3),
    ("adjustment of AP-CAP-02 in LYS-1, 4 went missing", -4),
    ("adjust KB-TKL-04 at PAR-1, 5 were lost", -5),
    ("adjustment: take 6 KB-TKL-04 off the count at PAR-1", -6),
    ("adjust KB-TKL-04 at PAR-1, we are 2 short", -2),
    ("adjust KB-TKL-04 at PAR-1, we found 4 extra", 4),
    ("adjustment of +7 for KB-TKL-04 at PAR-1", 7),
    ("write off 2 HM-MUG-03 at BER-1, lost in transit", 2),
    ("write off 3 KB-RED-01 at LYS-1 that went missing", 3),
]


@pytest.mark.parametrize(("text", "expected"), SIGNED)
def test_signed_quantities(registry, text, expected):
    assert value(registry, "record_stock_movement", "quantity", text) == expected


# A count field described by what it counts ("Units to inspect.") takes a number said with that unit.
COUNTED = [
    ("check 12 units", 12),
    ("inspect 20 units of HM-MUG-03", 20),
    ("schedule an inspection of KB-CLICKY-01, 8 pieces", 8),
    ("inspect 15 pcs of AU-BUDS-02", 15),
    ("look at 30 units from PO-2026-0042", 30),
    ("sample 10 units of DK-LAMP-01", 10),
    ("an inspection of 25 units of KB-TKL-02", 25),
    ("inspect 5 units", 5),
    ("check 40 units of OD-BOTTLE-02 tomorrow", 40),
    ("14 units of HM-KETTLE-02 to inspect", 14),
]


@pytest.mark.parametrize(("text", "expected"), COUNTED)
def test_counts_named_by_their_unit(registry, text, expected):
    assert value(registry, "schedule_inspection", "sample_size", text) == expected


@pytest.mark.parametrize(("text", "expected"), QUANTITIES)
def test_quantities(registry, text, expected):
    assert value(registry, "record_stock_movement", "quantity", text) == expected


# A share from 0 to 1 given as a percentage is that share; given as a fraction, itself.
SHARES = [
    ("add Mondial Relay, prefix MR, they're on time about 91% of the time", 0.91),
    ("new carrier GLS with prefix GL, on time 88 % of the time", 0.88),
    ("create carrier gls, prefix GL, an on-time rate of 95 percent", 0.95),
    ("add carrier Relais with prefix RL and an on-time rate of 97 per cent", 0.97),
    ("create carrier mondial_relay named Mondial Relay, prefix MR, on time 0.9", 0.9),
    ("add a new carrier GLS with prefix GL and an on-time rate of 0.92", 0.92),
    ("add carrier Fastlane, prefix FL, 100% on time", 1.0),
    ("new carrier Relais, prefix RL, on time 75.5% of the time", 0.755),
    ("add carrier Velo with prefix VL, on-time rate 80%", 0.8),
    ("create carrier dhl_eu named DHL Europe, prefix JD, on time 0.85", 0.85),
    # A bare number above 1 can only be a percentage of a share.
    ("add carrier Relais, prefix RL, on time 93 of every 100 parcels", 0.93),
    ("new carrier GLS with prefix GL, on-time rate 88", 0.88),
]


@pytest.mark.parametrize(("text", "expected"), SHARES)
def test_a_share_is_read_from_a_percentage(registry, text, expected):
    assert value(registry, "create_carrier", "on_time_rate", text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("we've signed up with Mondial Relay: code mondial_relay, prefix MR", "mondial_relay"),
    ("new carrier, its code is gls_eu, prefix GL", "gls_eu"),
    ("add Colis Express with code: colis_express", "colis_express"),
])
def test_a_code_right_after_its_fields_word_comes_first(registry, text, expected):
    assert value(registry, "create_carrier", "code", text) == expected


STATUSES = [
    ("which of my orders got cancelled?", "cancelled"),
    ("my pending orders?", "pending"),
    ("show delivered orders", "delivered"),
    ("orders that were processed", "processed"),
    ("list my canceled orders", "cancelled"),
    ("any orders on hold?", "on_hold"),
    ("orders still pending", "pending"),
    ("what did I get delivered", "delivered"),
    ("show orders with a return requested", "return_requested"),
    ("orders with an exchange requested", "exchange_requested"),
]


@pytest.mark.parametrize(("text", "expected"), STATUSES)
def test_enum_values_and_their_synonyms(registry, text, expected):
    assert value(registry, "list_orders", "status", text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Keystone's truck just dropped off delivery note DN-58812: 40 x KB-CLICKY-01. please book them in",
     "KB-CLICKY-01"),
    ("PO-20261 arrived: 12 x AU-BUDS-01", "AU-BUDS-01"),
    # A number of several parts is one too ("PO-2026-0131" was taken for the item).
    ("the truck just arrived for purchase order PO-2026-0131, it's the grey desk mats (DK-MAT-02)", "DK-MAT-02"),
    ("receive 40 HM-MUG-02 at PAR-1", "HM-MUG-02"),
])
def test_a_papers_number_beside_a_sku_is_not_the_item(registry, text, expected):
    assert value(registry, "record_stock_movement", "item_ref", text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("he wants the same one, do you have the rain jacket in XL?", "rain jacket"),
    ("the other one, is the desk lamp in stock in white", "desk lamp"),
    ("I'd like the same one as last time: the merino socks in size L", "merino socks"),
    ("do you have the first one in black?", None),
])
def test_a_thing_pointed_back_at_is_never_a_products_name(registry, text, expected):
    assert value(registry, "find_product_variants", "product_id", text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("box came in for RMA-20261113-A4CD59E0, seams coming apart on both, they really are faulty", "defective"),
    ("RMA-20261113-A4CD59E0 arrived, the speaker doesn't work at all", "defective"),
    ("RMA-20261113-A4CD59E0 is here, still sealed", "unopened"),
    ("RMA-20261113-A4CD59E0 came back, clearly used", "used"),
])
def test_a_returned_units_condition_is_read_from_how_the_receiver_describes_it(registry, text, expected):
    assert value(registry, "receive_return", "condition", text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("3 HM-MUG-02 got smashed in PAR-1, write them off", "write_off"),
    ("those 2 lamps in BER-1 are lost, write them all off", "write_off"),
    ("write it off: 1 KB-RED-01 at LYS-1", "write_off"),
    ("write off 2 HM-MUG-03 at BER-1", "write_off"),
])
def test_a_phrasal_verb_names_its_value_around_a_pronoun(registry, text, expected):
    assert value(registry, "record_stock_movement", "kind", text) == expected


DATES = [
    ("sales report for October 2025", "2025-10-01"),
    ("sales report from 2026-01-01 to 2026-01-31", "2026-01-01"),
    ("sales report for last month", "2026-02-01"),
    ("sales report for this month", "2026-03-01"),
    ("sales report for January", "2026-01-01"),
    ("sales between 1 February 2026 and 10 February 2026", "2026-02-01"),
    ("sales report for December 2025", "2025-12-01"),
    ("report on sales since 2026-03-01", "2026-03-01"),
    ("sales for last week", "2026-03-09"),
    ("sales report for the last 30 days", "2026-02-16"),
]


@pytest.mark.parametrize(("text", "expected"), DATES)
def test_dates_and_periods(registry, text, expected):
    assert value(registry, "create_sales_report", "start_date", text) == expected


@pytest.mark.parametrize(("tool", "text", "field"), [
    # An email told as the customer's own says who they are; one to set is said to be new.
    ("update_customer", "New number is +33671429018. His email is louis.smith93@example.com if you need it",
     "customer_id"),
    ("update_customer", "her email is now ana@example.com", "email"),
    ("update_customer", "change her email to ana@example.com", "email"),
    ("update_customer", "Had Camille Jansen on the phone (camille.jansen43@example.com). She got married and wants "
     "the account under her new surname, Dupuis.", "customer_id"),
    ("update_customer", "her new email is (ana@example.com)", "email"),
    # Where the email is how the record is found, it is taken however it is told.
    ("find_customer_by_email", "his email is louis.smith93@example.com, can you find him", "email"),
])
def test_an_email_told_as_someones_own_says_who_they_are(registry, tool, text, field):
    args = extract(view(as_langchain_tool(registry.get(tool))), text, Memory(), TODAY).args
    assert [k for k, v in args.items() if "@" in str(v)] == [field]


@pytest.mark.parametrize(("text", "expected"), [
    ("how much have we refunded over the last fortnight?", 14),
    ("refunds of the past two weeks", 14),
    ("refund figures for the previous three months", 90),
    ("refunds in the last 30 days", 30),
    ("refunds this week", 7),  # a named period, as before
])
def test_a_period_counted_in_words_or_fortnights_is_its_days(registry, text, expected):
    assert value(registry, "get_refund_analytics", "days", text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("DPD rang: the parcel couldn't be delivered, the street doesn't exist", "exception"),
    ("the courier says it could not be delivered", "exception"),
    ("their depot got it torn open", "exception"),
    ("the label got torn and they can't read the address", "exception"),
    ("the parcel is on its way to the depot", "in_transit"),  # control
])
def test_a_parcel_that_could_not_be_delivered_is_an_exception(registry, text, expected):
    assert value(registry, "add_tracking_event", "status", text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("the stand is bent at one corner, looks like it got crushed on the way", "damaged"),
    ("the box came back dented and the lid is cracked", "damaged"),
    ("still sealed, never opened", "unopened"),  # control
])
def test_a_returned_unit_harmed_on_the_way_is_damaged(registry, text, expected):
    assert value(registry, "receive_return", "condition", text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # What is on its way arrives today, whenever it was sent: no filter on when the parcel was created.
    ("is my parcel coming today?", None),
    ("is dpd actualy comming today or not??", None),
    ("will my order arrive this week?", None),
    ("which parcels did you send today?", "2026-03-18"),
    ("parcels created this week", "2026-03-16"),
])
def test_a_day_something_arrives_is_no_period_it_was_sent_in(registry, text, expected):
    assert value(registry, "list_shipments", "created_from", text) == expected


PRODUCTS = [
    ("tell me more about the Trail 2 Tent", "Trail 2 Tent"),
    ("how much is the Ergo Split 60?", "Ergo Split 60"),
    ("what colours does the water bottle come in", "water bottle"),
    ("is the Boom Cube speaker available", "Boom Cube"),
    ("tell me about the merino socks please", "merino socks"),
    ("details of product 1814528048", "1814528048"),
    ("show KB-CLICKY-01", "KB-CLICKY-01"),
    ("what does the Halo Desk Lamp cost", "Halo Desk Lamp"),
    ("do you have the trail tent in green", "trail tent"),
    ("info on item 1972982349", "1972982349"),
]


@pytest.mark.parametrize(("text", "expected"), PRODUCTS)
def test_products_by_id_sku_or_name(registry, text, expected):
    assert value(registry, "get_product_details", "product_id", text) == expected


# Products named in lower case, misspelt or in part: a reading tool gets the words left, to match loosely.
LOOSE_PRODUCTS = [
    ("get_product_details", "product_id", "price of the gray hoody size L pls", "gray hoody size L"),
    ("get_product_details", "product_id", "I would like some information about your microphone", "microphone"),
    ("get_product_details", "product_id", "wireless earbud price?", "wireless earbud"),
    ("get_product_details", "product_id", "pricing for a pour over kettle", "pour kettle"),
    ("get_product_details", "product_id", "headphnes in silver please", "headphones silver"),
    ("check_availability", "item_ref", "how much is a merino sock", "merino sock"),
    ("check_availability", "item_ref", "is the bluetooth speaker in stock?", "bluetooth speaker"),
    ("check_availability", "item_ref", "r the wool blankets availble", "wool blankets"),
    ("check_availability", "item_ref", "pink mouse in stock?", "pink mouse"),
    ("check_availability", "item_ref", "got a headlamp with rechargeable battery", "headlamp rechargeable battery"),
]


@pytest.mark.parametrize(("tool", "field", "text", "expected"), LOOSE_PRODUCTS)
def test_loose_product_names_for_reading_tools(registry, tool, field, text, expected):
    assert value(registry, tool, field, text) == expected


@pytest.mark.parametrize("text", ["is it in stock?", "is that available now", "how much is it"])
def test_nothing_left_to_name_a_product_asks_instead(registry, text):
    assert value(registry, "check_availability", "item_ref", text) is None


def test_a_write_never_guesses_a_loose_name(registry):
    assert value(registry, "update_product", "product_id", "change the price of the gray hoody to 60") is None


# A write names the product it reads first (its variants) by the words after "the", up to a word ending a name.
@pytest.mark.parametrize(("tool", "text", "named"), [
    ("archive_product", "we won't be selling the embroidered cap any more", "embroidered cap"),
    ("archive_product", "stop selling the embroidered cap today", "embroidered cap"),
    ("archive_product", "stop selling the embroidered cap", "embroidered cap"),
    ("update_product", "change the price of the gray hoody to 60", "gray hoody"),
    ("update_product", "the black embroidered cap isn't moving at 21.99, bring it down to 19.99",
     "black embroidered cap"),
    ("record_stock_movement", "3 of the small sea salt candles got smashed in Paris", "small sea salt candles"),
    ("update_stock_settings", "we keep running out of the gas camp stove in Berlin", "gas camp stove"),
    ("transfer_stock", "move 10 of the small steel kettles from Lyon to Berlin", "small steel kettles"),
])
def test_a_write_names_the_product_to_read_first(registry, tool, text, named):
    extraction = extract(view(as_langchain_tool(registry.get(tool))), text, Memory(), TODAY)
    assert extraction.named_product == named
    assert not {"product_id", "item_ref"} & extraction.args.keys()


# A tool that also finds its warehouse by city reads the city as the warehouse, never as the product.
@pytest.mark.parametrize(("tool", "text", "warehouse"), [
    ("record_stock_movement", "3 of the small sea salt candles got smashed in Paris", "Paris"),
    ("record_stock_movement", "a shelf came down in Paris and 2 HM-CANDLE-04 broke", "Paris"),
    ("update_stock_settings", "we keep running out of the gas camp stove in Berlin, reorder at 12", "Berlin"),
    ("list_stock_levels", "how many OD-STOVE-01 do we have at Lyon?", "Lyon"),
    ("get_low_stock_report", "what is running low in Berlin", "Berlin"),
    ("record_stock_movement", "40 of the slate waffle blankets just arrived at the Paris site", "Paris"),
])
def test_a_city_after_in_or_at_is_the_warehouse(registry, tool, text, warehouse):
    assert value(registry, tool, "warehouse", text) == warehouse
    assert value(registry, tool, "item_ref", text) != warehouse


# Variant options: a colour, a size, or "<option> <value>"; a plural ("sizes") names no value.
OPTIONS = [
    ("do you have the T-Shirt in blue size M", {"size": "M", "color": "blue"}),
    ("the hoodie in size L", {"size": "L"}),
    ("colour: black", {"color": "black"}),
    ("find the T-Shirt variant in color black and size XXL", {"color": "black", "size": "XXL"}),
    ("any mugs in white?", {"color": "white"}),
    ("jacket, size XL, grey", {"size": "XL", "color": "grey"}),
    ("which keyboards come in pink", {"color": "pink"}),
    ("wat sizes do the tshirts come in", None),
    ("which colours does the mug come in", None),
    ("what sizes are there", None),
]


@pytest.mark.parametrize(("text", "expected"), OPTIONS)
def test_variant_options(registry, text, expected):
    assert value(registry, "find_product_variants", "options", text) == expected


# Weights written in another unit, or against their unit, come in the field's own unit (kg).
WEIGHTS = [
    ("shipping for 2 kg to Germany", 2),
    ("how much to post 3kg to spain", 3),
    ("cheapest way to ship a 500g parcel", 0.5),
    ("what does 750 grams cost to Italy", 0.75),
    ("send 250 g to Belgium", 0.25),
    ("quote 2 lbs to the USA", 0.907),
    ("a 12 kg parcel to Canada", 12),
    ("price for 1.5 kg to France", 1.5),
    ("ship 5kgs to Portugal", 5),
    ("1 kilo to Austria", 1),
]


@pytest.mark.parametrize(("text", "expected"), WEIGHTS)
def test_weights_in_kilograms(registry, text, expected):
    assert value(registry, "quote_shipping", "weight_kg", text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["I'm sending her one of your tents, what would delivery to Portugal cost?",
                                  "what does it cost to ship two of the mugs to Spain?"])
def test_some_of_the_things_named_is_no_weight(registry, text):
    assert value(registry, "quote_shipping", "weight_kg", text) is None


@pytest.mark.parametrize(("tool", "field", "text", "expected"), [
    ("record_defect", "quantity", "found one of the lamps with a chipped base", 1),  # a count takes it
    ("reserve_stock", "quantity", "hold two of the HM-MUG-02 mugs for a customer", 2),
])
def test_some_of_the_things_named_is_a_count(registry, tool, field, text, expected):
    assert value(registry, tool, field, text) == expected


PAYMENT_METHODS = [
    ("pay order #W2611340 with gift_card_7245904", "gift_card_7245904"),
    ("switch the payment of W4817420 to paypal_3024827", "paypal_3024827"),
    ("use credit_card_2705501 for #W2611340", "credit_card_2705501"),
    ("change order #W2611340 to pay by paypal_8030938", "paypal_8030938"),
    ("pay #W2611340 using credit_card_7815826 instead", "credit_card_7815826"),
    ("charge gift_card_1234567 for order W2611340", "gift_card_1234567"),
    ("order #W2611340: payment method paypal_1111111", "paypal_1111111"),
    ("I'd like credit_card_9999999 to pay for #W2611340", "credit_card_9999999"),
    ("use my gift card gift_card_7245904 on W2611340", "gift_card_7245904"),
    ("bill paypal_5555555 for my order #W2611340", "paypal_5555555"),
]


@pytest.mark.parametrize(("text", "expected"), PAYMENT_METHODS)
def test_payment_method_ids(registry, text, expected):
    assert value(registry, "modify_pending_order_payment", "payment_method_id", text) == expected


ADDRESSES = [
    ("ship my order #W2611340 to 10 Main Street, Denver CO 80202, USA instead", ("10 Main Street", "80202")),
    ("send order #W6123915 to 12 Rue de la République, 69002 Lyon, France", ("12 Rue de la République", "69002")),
    ("ship it to Torstraße 45, 10119 Berlin, Germany, order W2611340", ("Torstraße 45", "10119")),
    ("new address for #W2611340: Calle Mayor 5, 28013 Madrid, Spain", ("Calle Mayor 5", "28013")),
    ("deliver #W2611340 to 10 Rue Oberkampf, Paris, 75011, FR", ("10 Rue Oberkampf", "75011")),
    ("order W2611340 should go to 221 Baker Street, London NW1 6XE, UK", ("221 Baker Street", "NW1 6XE")),
    ("ship #W2611340 to 5 Avenue Foch, 75116 Paris, France", ("5 Avenue Foch", "75116")),
    ("change the address of #W2611340 to 1 Infinite Loop, Cupertino CA 95014, USA", ("1 Infinite Loop", "95014")),
    ("#W2611340 to 8 Rue du Port, 69007 Lyon, France please", ("8 Rue du Port", "69007")),
    ("send #W2611340 to 75 Blake Street, Denver, CO 80202, US", ("75 Blake Street", "80202")),
    ("I've moved to 107 Boulevard Voltaire (same zip, 75011), can #W2611340 come there?",
     ("107 Boulevard Voltaire", "75011")),
]


@pytest.mark.parametrize(("text", "expected"), ADDRESSES)
def test_addresses(registry, text, expected):
    street = value(registry, "modify_pending_order_address", "address1", text)
    zip_code = value(registry, "modify_pending_order_address", "zip", text)
    assert (street, zip_code) == expected


def test_a_move_within_the_postcode_keeps_the_city_and_country_of_the_address_read():
    memory = Memory()
    memory.add_result({"order_id": "#W3745792", "shipping_address": {
        "address1": "111 Rue Oberkampf", "city": "Paris", "zip": "75011", "country": "FR"}})
    tool = view(as_langchain_tool(load_all().get("modify_pending_order_address")))
    moved = extract(tool, "I've moved to 107 Boulevard Voltaire (same zip, 75011). can it come there?", memory, TODAY)
    assert {k: moved.args.get(k) for k in ("address1", "city", "zip", "country")} == {
        "address1": "107 Boulevard Voltaire", "city": "Paris", "zip": "75011", "country": "FR"}
    # Another postcode is another place: its city is asked, never taken from the old address.
    away = extract(tool, "I've moved to 4 Rue Paradis, 13001. can it come there?", memory, TODAY)
    assert away.args.get("city") is None


@pytest.mark.parametrize(("text", "country"), [
    ("send #W2611340 to 75 Blake Street, Denver, CO 80202, usa", "USA"),
    ("send #W2611340 to 10 Via Roma, 00184 Roma, IT", "Italy"),
    # In lower case a two-letter code is a word, not Italy: the country is the city's.
    ("send #W2611340 to 12 Rue de la République, 13002 Marseille, yes save it", "FR"),
    # A town too small to be known by name leaves the country to be asked.
    ("send #W2611340 to 3 Grand Rue, 05350 Saint-Véran, yes save it", None),
])
def test_a_country_by_name_in_any_case_by_two_letter_code_in_capitals(registry, text, country):
    assert value(registry, "modify_pending_order_address", "country", text) == country


NAMES = [
    ("find the customer Noah Johnson, zip 80202", ("Noah", "Johnson", "80202")),
    ("customer Ava Martin in 75011", ("Ava", "Martin", "75011")),
    ("look up Chloé Dubois, postal code 69002", ("Chloé", "Dubois", "69002")),
    ("is there an account for Lucas Bernard 33000", ("Lucas", "Bernard", "33000")),
    ("find Emma Schmidt with zip 10119", ("Emma", "Schmidt", "10119")),
    ("customer Mateo Garcia, 28013", ("Mateo", "Garcia", "28013")),
    ("who is Sam Okafor at 75001", ("Sam", "Okafor", "75001")),
    ("customer named Mia Laurent, zip code 69007", ("Mia", "Laurent", "69007")),
    ("find customer Ada Moreau 75116", ("Ada", "Moreau", "75116")),
    ("search for Wendy Leroy whose zip is 13002", ("Wendy", "Leroy", "13002")),
    # Lower-case words after a trigger are no name when a capitalised pair is one; typed all in lower case they are.
    ("customer says she's Ava Martin, postcode 75011, can you find her?", ("Ava", "Martin", "75011")),
    ("customer noah johnson zip 80202", ("Noah", "Johnson", "80202")),
]


@pytest.mark.parametrize(("text", "expected"), NAMES)
def test_person_names_and_postal_codes(registry, text, expected):
    found = tuple(value(registry, "find_customer_by_name_zip", f, text) for f in ("first_name", "last_name", "zip"))
    assert found == expected


# Destinations: a country in any case; a two-letter word ("to us") is a word, not a country, in lower case.
DESTINATIONS = [
    ("how much to post 3kg to spain", "spain"),
    ("shipping 2 kg to Germany", "Germany"),
    ("what does 1 kg to italy cost", "italy"),
    ("price to send 5 kg to portugal", "portugal"),
    ("quote 2 kg to Belgium please", "Belgium"),
    ("rates for 12 kg to the USA", "USA"),
    ("how much for 1 kg to switzerland", "switzerland"),
    ("ship 3 kg to Canada", "Canada"),
    ("1 kg to france, cheapest carrier?", "france"),
    ("send it to us please, 2 kg", None),
    # Where the person the parcel goes to is: after "in", a few words on from "to".
    ("a present to my brother in Italy, the box weighs 3 kg", "Italy"),
    ("what's the cheapest way to get 8 kilos to me here in Madrid?", "Madrid"),
    ("2 kg to my little sister in Belgium", "Belgium"),
    ("ship 2 kg to Lyon in December", "Lyon"),  # the place came first
    ("send 2 kg to my brother in a hurry", None),  # no place after "in"
    # Where the person it goes to lives; a town's country, when one is named after it.
    ("my sister lives in Porto, Portugal and I'm sending her a tent, what would delivery cost?", "Portugal"),
    ("my mum lives in Ghent, what would 2 kg cost?", "Ghent"),
    ("a present to my brother in Milan, Italy, the box weighs 3 kg", "Italy"),
]


@pytest.mark.parametrize(("text", "expected"), DESTINATIONS)
def test_destinations(registry, text, expected):
    assert value(registry, "quote_shipping", "destination", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("can i get a refnud for my order", "can i get a refund for my order"),  # a typo of the tool's word
        ("how do I delete my account", "how do I delete my account"),  # "deleted" is not what was meant
        ("what if I order two", "what if I order two"),
        ("i need a refnud", "i need a refund"),
        ("refund it ocne it is closed", "refund it once it is closed"),  # two neighbouring letters swapped
    ],
)
def test_misspellings_are_put_right_but_other_forms_of_a_word_are_kept(text, expected):
    tool = view(make_tool("close_it", "Close an account once it is deleted and refund orders.", NoArgs,
                          ["the account was deleted", "refund the ordered items"]))
    assert spelled(text, tool) == expected


@pytest.mark.parametrize(
    ("tool", "field", "text", "expected"),
    [
        ("get_warehouse_capacity", "warehouse_ref", "do we have any HM-CANDLE-04 left in Paris?", None),
        ("get_warehouse_capacity", "warehouse_ref", "how full is LYS-1", "LYS-1"),
        ("get_warehouse_performance", "warehouse_ref", "is KB-CLICKY-01 moving fast?", None),
        ("schedule_inspection", "receipt_reference", "inspect the receipt PO-2026-0042", "PO-2026-0042"),
    ],
)
def test_an_item_code_names_no_other_kind_of_record(registry, tool, field, text, expected):
    assert value(registry, tool, field, text) == expected


@pytest.mark.parametrize(
    ("tool", "text", "expected"),
    [
        ("update_customer", "the first name on lucas_bernard_1659 is spelt wrong, it should be Lukas",
         {"first_name": "Lukas"}),
        ("update_customer", "customer emma_schmidt_2947 got married, her last name is now Weber",
         {"last_name": "Weber"}),
        ("update_customer", "set the family name of noah_johnson_8985 to Jonson", {"last_name": "Jonson"}),
        ("update_customer", "my given name should be Chloe", {"first_name": "Chloe"}),
        ("update_customer", "I got married, my surname is now Weber", {"last_name": "Weber"}),
        ("create_customer", "Julia Weber, julia.weber@example.org", {"first_name": "Julia", "last_name": "Weber"}),
        ("create_customer", "new customer Tom Becker, tom.becker@example.org",
         {"first_name": "Tom", "last_name": "Becker"}),
        ("update_customer", "change my name to Ava Dupont", {"first_name": "Ava", "last_name": "Dupont"}),
        # Double-barrelled names whole; a name after a comma.
        ("update_customer", "I'd like to change my last name to Weber-Schmidt", {"last_name": "Weber-Schmidt"}),
        ("create_customer", "new customer Anne-Marie Dubois-Laurent, am.dl@example.org",
         {"first_name": "Anne-Marie", "last_name": "Dubois-Laurent"}),
        ("update_customer", "the customer ava_martin_7243 took a new surname, Lindqvist", {"last_name": "Lindqvist"}),
        # Words about a name are no name.
        ("update_customer", "my name is spelled wrong", {}),
        ("update_customer", "my name is still wrong on the invoice", {}),
    ],
)
def test_one_name_goes_to_the_part_the_request_names(registry, tool, text, expected):
    args = extract(view(as_langchain_tool(registry.get(tool))), text, Memory(), TODAY).args
    assert {k: args.get(k) for k in ("first_name", "last_name") if k in args or k in expected} == expected


@pytest.mark.parametrize(
    ("tool", "field", "text", "expected"),
    [
        ("update_rma_status", "note", "reject the return on #W9512291, the customer changed their mind after 40 days",
         "the customer changed their mind after 40 days"),
        ("refund_payment", "reason", "refund 8.50 on order #W6710201, the box was dented", "the box was dented"),
        ("refund_payment", "reason", "refund 15 EUR on order #W4621646 as a goodwill gesture", "a goodwill gesture"),
        ("update_warranty_claim_status", "resolution", "reject the claim on #W3321921, it was dropped on the floor",
         "it was dropped on the floor"),
        ("record_stock_movement", "note", "oops, it was PAR-1", None),
        # The request's own words for the tool are no reason.
        ("block_entity", "reason", "block the email spam@fraud.example", None),
        ("void_invoice", "reason", "void the invoice for #W5522081", None),
        ("block_entity", "reason", "block the email spam@fraud.example, it placed 12 orders with stolen cards",
         "it placed 12 orders with stolen cards"),
        # How a case was settled is said the same way.
        ("close_support_case", "resolution", "close case CASE-000001, the customer got their refund",
         "the customer got their refund"),
        ("update_rma_status", "note", "approve the return for #W8646154", None),
    ],
)
def test_a_clause_of_its_own_says_why(registry, tool, field, text, expected):
    assert value(registry, tool, field, text) == expected


@pytest.mark.parametrize(
    ("tool", "field", "text", "expected"),
    [
        ("refund_payment", "amount", "pls refnd 8.50 on order #W6710201", 8.5),
        ("refund_payment", "amount", "refund #W6710201: 12.99, scratched", 12.99),
        ("refund_payment", "amount", "refund order #W1718342 in full", None),
        ("update_order_status", "status", "#W8538724 can go ahead now, take it off hold", None),
        ("update_order_status", "status", "put #W6123915 on hold", "on_hold"),
        ("update_order_status", "status", "it is no longer pending, mark #W1 processed", "processed"),
        ("block_entity", "ip", "we keep getting fake orders from 198.51.100.23, block them", "198.51.100.23"),
        ("block_entity", "ip", "block ip 203.0.113.7 for card testing", "203.0.113.7"),
        ("close_support_case", "case_id", "close CASE-000012: refund issued by phone", "CASE-000012"),
        # A size range is no item code.
        ("check_availability", "item_ref", "do you have the merino socks in size 43-46?", "merino socks"),
        ("list_returns", "status", "which returns are waiting for approval?", "requested"),
        ("list_returns", "status", "show approved returns", "approved"),
        # A state said not to hold yet is not the one asked for; the one that does is named by a synonym.
        ("list_returns", "status", "which returns have arrived but haven't been inspected yet?", "received"),
        ("list_orders", "status", "which of my orders hasn't shipped yet?", None),
        # A delivery under way is no filter on the orders already delivered.
        ("list_orders", "status", "who's delivering the grey chair I ordered a few days ago?", None),
        ("list_orders", "status", "show my delivered orders", "delivered"),
        # A place a clause ends with is where, not what: the product is named in words before it.
        ("get_product_details", "product_id", "how many of the brass halo lamps have we got sitting in Lyon?",
         "brass halo lamps"),
        ("get_warehouse_capacity", "warehouse_ref", "how much room have we got left in Berlin?", "Berlin"),
        ("request_return", "reason", "I want a refund for the socks from W8950599, they have a hole", "product_defect"),
        # A negated phrase in any person or tense, its apostrophe typed or not.
        ("request_return", "reason", "they don't work with my mac", "product_defect"),
        ("request_return", "reason", "it didnt work from day one", "product_defect"),
        # A fault told by what the thing no longer does.
        ("request_return", "reason", "the earbuds from W6294456 stopped charging", "product_defect"),
        ("request_return", "reason", "the bottle leaks all over my bag", "product_defect"),
        ("return_delivered_order_items", "reason", "the lamp won't turn on anymore", "product_defect"),
        ("request_return", "reason", "the zip doesn’t work", "product_defect"),
        # A lone number goes to the one required number among optional ones.
        ("reserve_stock", "quantity", "reserve 4 AU-MIC-01 for order #W7877406", 4),
        # A number right after the command's verb is what it acts on.
        ("refund_payment", "amount", "refund 15 on #W4512223, the cap arrived dirty", 15),
        ("refund_payment", "amount", "please refund 20 on order #W6710201", 20),
        ("refund_payment", "amount", "refund order #W4512223, it arrived 15 days late", None),
        ("record_stock_movement", "kind", "we found 5 extra DK-MOUSE-02 in LYS-1 during the count", "adjustment"),
        ("record_stock_movement", "kind", "2 HM-MUG-03 at BER-1 broke", "write_off"),
        ("record_stock_movement", "kind", "4 HM-MUG-02 in PAR-1 got shattered, take them off the books", "write_off"),
        # Everyday words for a decision and for a parcel's state.
        ("update_warranty_claim_status", "status", "decline the claim WC-20261101-AB12CD34, misuse", "rejected"),
        ("update_warranty_claim_status", "status", "we'll accept claim WC-20261101-AB12CD34", "approved"),
        ("receive_return", "condition", "RMA-20261113-E9A5C03F arrived, still sealed", "unopened"),
        # A value by what its description says it does: "paused stops syncing; active resumes".
        ("update_marketplace_connection", "status", "stop syncing the sandbox channel for now", "paused"),
        ("update_marketplace_connection", "status", "resume the sandbox channel", "active"),
        # ... or by what its description says it is: "dismissed (a false alarm)".
        ("resolve_risk_alert", "outcome", "write risk alert 1 off as a false alarm", "dismissed"),
        ("resolve_system_alert", "outcome", "close alert 3, it was a false alarm", "dismissed"),
        ("resolve_risk_alert", "outcome", "resolve risk alert 1, the promo explains it", None),
        # An item's SKU is no tracking number: the field's examples look otherwise.
        ("deliver_shipment", "shipment_ref", "40 units of HM-KETTLE-03", None),
        ("deliver_shipment", "shipment_ref", "parcel 6A178923456701 was delivered", "6A178923456701"),
        ("create_warehouse", "code", "create warehouse MRS-1 in Marseille", "MRS-1"),
        # An optional new name or text needs its cue: "off the shop" renames nothing, "we're" introduces nothing.
        ("update_product", "name", "we're not selling the Micro Camp Stove anymore, take it off the shop", None),
        ("update_product", "description", "we're not selling the Micro Camp Stove anymore, take it off the shop",
         None),
        ("log_customer_interaction", "summary", "log a call with ava_martin_7243 re the late parcel",
         "the late parcel"),
        # "that" introduces what was said, not the thing a verb acts on.
        ("open_support_case", "summary", "she said that the parcel was opened", "the parcel was opened"),
        ("open_support_case", "summary", "he wants someone senior to call him back. can you set that up?",
         "he wants someone senior to call him back. can you set that up?"),
        ("open_support_case", "summary", "the parcel never came, please sort that out for me",
         "the parcel never came, please sort that out for me"),
        # A case "about it" is about what was told before the ask.
        ("open_support_case", "summary", "my order has said 'on hold' since Wednesday. no email, nothing. I'm not "
         "chatting with a bot about it, get me a person", "my order has said 'on hold' since Wednesday. no email, "
         "nothing."),
        ("open_support_case", "summary", "my parcel is late, I want to talk to a person about it", "my parcel is late"),
        ("open_support_case", "summary", "I want to talk to a person about my late parcel", "about my late parcel"),
        # A thing made pointless is no longer needed.
        ("cancel_pending_order", "reason", "my sister gave me a lamp, which makes the two I ordered pointless now",
         "no longer needed"),
        ("request_return", "reason", "there's no point keeping the second mic, can it go back?", "changed_mind"),
        # A login name by the look of the field's examples ("wendy.warehouse"), never an abbreviation.
        ("schedule_inspection", "inspector", "a sample of 25 units please, and put wendy.warehouse on it",
         "wendy.warehouse"),
        ("schedule_inspection", "inspector", "check AU-BUDS-02 e.g. 5 units", None),
        # A time of day is no record's number, nor any count.
        ("resolve_system_alert", "alert_id", "their feed has been back to normal since 8. Close it.", None),
        ("resolve_system_alert", "alert_id", "close alert 3, fixed since 8:30", 3),
        ("reserve_stock", "quantity", "hold 10 units of AU-MIC-01 until 17:00", 10),
    ],
)
def test_values_by_their_shape_and_words(registry, tool, field, text, expected):
    assert value(registry, tool, field, text) == expected


@pytest.mark.parametrize(
    ("field", "text", "expected"),
    [
        ("supplier", "chnage the supplier of the Waffle Throw Blanket to Cosy Mills", "Cosy Mills"),
        ("brand", "change the brand of product 1838876577 to Feltworks", "Feltworks"),
        ("brand", "set the brand of the Monitor Arm to Arm Forge. Thanks", "Arm Forge"),
    ],
)
def test_a_new_name_after_to_is_taken_whole(registry, field, text, expected):
    assert value(registry, "update_product", field, text) == expected


# A change to one item of a product: its price, cost or weight by their words, whether it is sold.
CHANGES = [
    ("set the price of AP-CAP-02 to 23.50", [{"item_id": "AP-CAP-02", "price": 23.5}]),
    ("AP-CAP-02 price 19.99, cost 9", [{"item_id": "AP-CAP-02", "price": 19.99, "cost": 9}]),
    ("mark AP-CAP-01 as unavailable", [{"item_id": "AP-CAP-01", "available": False}]),
    ("make AP-CAP-03 available again", [{"item_id": "AP-CAP-03", "available": True}]),
    ("item 9612497925 is not available any more", [{"item_id": "9612497925", "available": False}]),
    ("HM-MUG-03 now weighs 0.45 kg", [{"item_id": "HM-MUG-03", "weight_kg": 0.45}]),
    ("change the price of KB-CLICKY-01 to 89.99 EUR", [{"item_id": "KB-CLICKY-01", "price": 89.99}]),
    ("the unit cost of DK-MAT-02 is 18.20 now", [{"item_id": "DK-MAT-02", "cost": 18.2}]),
    ("put HM-CANDLE-01 at 19.99", [{"item_id": "HM-CANDLE-01", "price": 19.99}]),  # the main amount: price
    ("AP-TEE-01 is 24.90 from today", [{"item_id": "AP-TEE-01", "price": 24.9}]),
    # A flag set by the words its description gives: "True to sell the variant, False to stop selling it".
    ("stop selling AP-TEE-02", [{"item_id": "AP-TEE-02", "available": False}]),
    ("sell AP-TEE-02 again", [{"item_id": "AP-TEE-02", "available": True}]),
    ("update the Soy Candle", None),  # no item and nothing to change
    ("set the price of AP-CAP-01 and AP-CAP-02 to 20", None),  # two items: asked, not guessed
]


@pytest.mark.parametrize(("text", "expected"), CHANGES)
def test_changes_to_one_item(registry, text, expected):
    assert value(registry, "update_product", "variants", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("I'd like to rate my last order 5 stars", 5), ("4 stars for #W4974208", 4), ("rated it 3 stars", 3),
     ("order #W4974208 was great, 5/5", 5), ("two stars for #W4974208", 2)],
)
def test_ratings_in_stars(registry, text, expected):
    assert value(registry, "submit_survey", "rating", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Each score goes to the field whose range ends at its scale's top: rating 1-5, recommendation 0-10.
        ("I'd give it 4 out of 5, and probably an 8 out of 10 for recommending you to friends",
         {"rating": 4, "nps": 8}),
        ("I'd give order W4974208 a 4 out of 5, fast delivery", {"rating": 4}),
        ("rate W4974208 3/5", {"rating": 3}),
        ("order W4974208 was 10/10, 5 stars", {"rating": 5, "nps": 10}),
        # A scale no field ends at gives nothing.
        ("I'd give it 7 out of 8", {}),
    ],
)
def test_scores_on_a_scale_fill_the_field_whose_range_ends_there(registry, text, expected):
    args = extract(view(as_langchain_tool(registry.get("submit_survey"))), text, Memory(), TODAY).args
    assert {k: args[k] for k in ("rating", "nps") if k in args} == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The order's lines are not at hand: the write takes the product's name and the order finds its line.
        ("the clacky keyboard from order #W1308479 has started double typing, file a claim", "clacky keyboard"),
        # Named by its code it needs nothing more.
        ("file a claim for KB-CLACKY-01 on order #W1308479, it double types", "KB-CLACKY-01"),
    ],
)
def test_an_item_of_an_order_may_be_named_by_its_product(registry, text, expected):
    assert value(registry, "submit_warranty_claim", "item", text) == expected


@pytest.mark.parametrize(
    ("tool", "field", "text", "expected"),
    [
        # Words that only say what the tool does are the request for it, never its text.
        ("send_marketplace_message", "body", "send a message to a marketplace buyer", None),
        ("create_system_alert", "title", "raise an alert", None),
        ("add_order_note", "body", "add a note to an order", None),
        ("add_order_note", "body", "add a note to order #W5794363: parcel re-taped", "parcel re-taped"),
        # Whom to tell is no part of what is told.
        ("send_marketplace_message", "body", "tell him it leaves our warehouse tomorrow morning",
         "it leaves our warehouse tomorrow morning"),
        ("send_marketplace_message", "body", "tell the buyer that the mug is back in stock",
         "the mug is back in stock"),
        ("send_marketplace_message", "body", "tell her sorry, we don't gift-wrap", "sorry, we don't gift-wrap"),
        # What follows a colon is the thing itself.
        ("create_system_alert", "title", "raise a critical alert: the label printer in Lyon is down",
         "the label printer in Lyon is down"),
        ("create_article", "title", "title: Gift wrapping", "Gift wrapping"),
        # A title named before a colon ends there; what follows is the article's text.
        ("create_article", "title", "write a help article titled Holiday hours: we close on 25 December",
         "Holiday hours"),
        ("create_article", "body", "write a help article titled Holiday hours: we close on 25 December",
         "we close on 25 December"),
    ],
)
def test_free_text_is_what_the_request_says_beyond_asking_for_the_tool(registry, tool, field, text, expected):
    assert value(registry, tool, field, text) == expected


# A vote on an article: its flag's word, an everyday word for it, or the verb it grew from, negated or not.
VOTES = [
    ("this article was helpful", True),
    ("the returns policy article was really useful, thanks", True),
    ("that page was handy", True),
    ("it helped a lot", True),
    ("the sizing guide didn't help me one bit", False),
    ("the returns article did not help me", False),
    ("it wasn't helpful at all", False),
    ("not useful", False),
    ("mark the gift cards article helpful", True),
    ("this doesn't help", False),
]


@pytest.mark.parametrize(("text", "expected"), VOTES)
def test_a_vote_is_read_from_the_flags_word_its_synonyms_and_its_verb(registry, text, expected):
    assert value(registry, "mark_article_helpful", "helpful", text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("we're starting to sell a Linen Apron, one size, SKU HM-APRON-1 at 24 euros",
     [{"sku": "HM-APRON-1", "price": 24}]),
    ("new product Wool Scarf, SKU SC-GREY-1, 29 euros", [{"sku": "SC-GREY-1", "price": 29}]),
    ("add a Linen Apron: SKU HM-APRON-2 for 19.90 EUR", [{"sku": "HM-APRON-2", "price": 19.9}]),
])
def test_a_new_products_one_variant_takes_the_amount_as_its_price(registry, text, expected):
    # The SKU's digits are no amount, and of price and cost the required price takes the one amount given.
    assert value(registry, "create_product", "variants", text) == expected


@pytest.mark.parametrize(("text", "field", "expected"), [
    # The one field the request names by its word takes the new value a capitalised name would otherwise give.
    ("the Monitor Arm's brand is wrong, it should be Armforge", "brand", "Armforge"),
    ("the Monitor Arm's brand is wrong, it should be Armforge", "name", None),
    ("the supplier of the Halo Desk Lamp is now Brightworks", "supplier", "Brightworks"),
    # Named by its own word, the field keeps its value: "rename ... to" gives the name.
    ("rename the Monitor Arm to Armforge Pro", "name", "Armforge Pro"),
])
def test_a_new_value_goes_to_the_field_the_request_names(registry, text, field, expected):
    assert value(registry, "update_product", field, text) == expected


@pytest.mark.parametrize(("text", "field", "expected"), [
    # A field named by its own word beats a comparison word that would name a maximum: the reorder point, not the
    # maximum stock.
    ("Lyon keeps running out of HM-KETTLE-03, reorder it whenever it gets below 12", "reorder_point", 12),
    ("Lyon keeps running out of HM-KETTLE-03, reorder it whenever it gets below 12", "max_stock", None),
    # Named by its own words, the maximum takes its number too.
    ("max stock for KB-CLICKY-01 in PAR-1 should be 120", "max_stock", 120),
])
def test_a_field_named_by_its_own_word_takes_the_number(registry, text, field, expected):
    assert value(registry, "update_stock_settings", field, text) == expected


def test_a_comparison_word_names_the_maximum_of_a_filter(registry):
    assert value(registry, "list_products", "max_price", "show products with a price under 50") == 50


# A statement before a short sentence asking for the action says why ("..., which isn't covered. decline it please").
@pytest.mark.parametrize(("tool", "field", "text", "expected"), [
    ("update_warranty_claim_status", "resolution",
     "the warranty claim on W3321921 turns out to be water damage, which isn't covered. decline it please",
     "the warranty claim on W3321921 turns out to be water damage, which isn't covered"),
    ("record_stock_movement", "note", "The count for KB-TKL-04 in PAR-1 came out 2 short. Adjust it by -2.",
     "The count for KB-TKL-04 in PAR-1 came out 2 short"),
    # So does one the action follows from: "..., so we're turning it down".
    ("update_rma_status", "note",
     "the keycap set return on W6310855 shows clear signs of use, so we're turning it down",
     "the keycap set return on W6310855 shows clear signs of use"),
    # A reason given in an answer ends with its line, before the request it answers.
    ("record_stock_movement", "note", "2 of KB-CLICKY-01, at PAR-1, they were damaged\nI need to write off some stock",
     "they were damaged"),
    ("update_warranty_claim_status", "resolution", "reject warranty claim W3321921 please", None),
    ("update_warranty_claim_status", "resolution", "Hi there. Reject warranty claim W3321921.", None),
])
def test_a_statement_before_the_request_says_why(registry, tool, field, text, expected):
    assert value(registry, tool, field, text) == expected


def test_a_name_opening_the_request_shows_by_its_possessive(registry):
    text = "Colissimo's on-time rate has dropped to 81%, update their record"
    assert value(registry, "update_carrier", "carrier_code", text) == "Colissimo"
    assert value(registry, "update_carrier", "carrier_code", "Please update the on-time rate to 81%") is None


def test_that_as_the_subject_of_a_question_opens_no_description(registry):
    text = "the little green speaker from W9220113 won't switch on anymore, can that go under the warranty?"
    assert "won't switch on anymore" in value(registry, "submit_warranty_claim", "description", text)
    said = "the customer called saying that the strap snapped on day two"
    assert value(registry, "submit_warranty_claim", "description", said) == "the strap snapped on day two"


DELIVERED = [{"item_id": "1", "name": "Insulated Water Bottle"}, {"item_id": "2", "name": "Flex Task Chair"},
             {"item_id": "3", "name": "Shopcrew Logo T-Shirt"}]


@pytest.mark.parametrize(("text", "expected"), [
    ("just the navy t-shirt. the chair and the bottles are fine", ["3"]),
    ("return the bottle, I'll keep the chair", ["1"]),
    ("the chair but not the bottle", ["2"]),
    ("the t-shirt and the chair", ["2", "3"]),  # a control: both named, neither kept
    # What it came with, or the order named by a thing in it, says which order, not what is meant.
    ("I'd like to send back the t-shirt that came with my chair on Monday", ["3"]),
    ("the bottle from my chair order is too small", ["1"]),
    ("the t-shirt doesn't fit. keeping the chair", ["3"]),
    # The order itself sent back is all of it, whatever its story names.
    ("The chair from my order is defective, I want to return the order for a refund", ["1", "2", "3"]),
])
def test_the_lines_a_reply_keeps_are_not_the_ones_it_names(text, expected):
    assert order_lines(text, DELIVERED) == expected


@pytest.mark.parametrize("text", ["we don't need it anymore", "I no longer need the lamp", "I changed my mind"])
def test_no_longer_needing_a_thing_is_a_change_of_mind(registry, text):
    assert value(registry, "return_delivered_order_items", "reason", text) == "changed_mind"


AUDIO = [{"item_id": "1", "name": "Bitstream DAC Amp"}, {"item_id": "2", "name": "Ergo Split 60 Keyboard"},
         {"item_id": "3", "name": "Stoneware Mug"}, {"item_id": "4", "name": "Stoneware Bowl"}]


@pytest.mark.parametrize(("text", "expected"), [
    # A word of one line's name alone picks that line, when no line's head noun is named.
    ("I'd like to return the DAC, it stopped working", ["1"]),
    ("the split one is too wide for my desk", ["2"]),
    # A word two lines share picks neither; a head noun named still picks its own line.
    ("the stoneware is chipped", []),
    ("the stoneware mug is chipped", ["3"]),
])
def test_a_word_of_one_lines_name_picks_that_line(text, expected):
    assert order_lines(text, AUDIO) == expected


@pytest.mark.parametrize(("text", "size"), [("have you got 15 of the black logo t-shirt in large?", "large"),
                                            ("the navy tee in an extra large", "extra large"),
                                            ("the navy tee in XL", "XL")])
def test_a_size_said_in_words_is_an_option(registry, text, size):
    assert value(registry, "find_product_variants", "options", text)["size"] == size



@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Luca Jansen phoned about his order that's stuck on hold", "Luca Jansen"),
        ("Tom Miller just called, he says he never placed the order", "Tom Miller"),
        ("Sam wants to give Mateo García 112 euros back on his order", "Mateo García"),
        ("Sofia Roux's order W1769619 turned up late even though she paid for Chronopost", "Sofia Roux"),
        ("set up a gift card on Olivia Smith's account, she won the giveaway", "Olivia Smith"),
        ("Grace Clark rang about her DAC amp order", "Grace Clark"),
        ("I am Ava Martin, where is my order? my husband says he ordered it", None),  # the speaker's own name
        ("my name is Chloe Dubois and my sister wants her order", None),
        ("my Boom Cube speaker stopped working", None),  # a product, and nobody taken up after it
        ("Grace Clark wants a refund", None),  # nothing takes the name up as a person
        ("is the Trail Tent waterproof? my son wants to take it on his trip", None),  # "the" before a product
        # A number right before the name makes it a street.
        ("12 Rue Nationale, 59000 Lille. I'd like to keep her address on my account", None),
        ("Léa Petit moved to 4 Rue Colbert, can you update her address?", "Léa Petit"),
    ],
)
def test_a_person_spoken_of_is_the_name_a_pronoun_takes_up(text, expected):
    from graph.models.local.values import person_spoken_of

    assert person_spoken_of(text) == expected


def test_a_person_spoken_of_is_no_product_name():
    from graph.models.local.entities import Request
    from graph.models.local.values import find_product_name

    found = find_product_name(Request("Camille Roux's Halo Desk Lamp came back broken, she wants a refund"))
    assert found is not None and found.value == "Halo Desk Lamp"


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("I'd like to pay with PayPal as well as my mastercard, the account is a@b.example", "brand", None),
        ("I'd like to pay with PayPal as well as my mastercard, the account is a@b.example", "kind", "paypal"),
        ("save my new amex ending 1005 alongside the visa", "brand", "amex"),
        ("besides my visa, put a mastercard ending 4444 on the account", "brand", "mastercard"),
        ("add my visa ending 4242", "brand", "visa"),  # a brand named for the method itself
    ],
)
def test_a_value_kept_beside_the_one_asked_for_is_not_it(registry, text, field, expected):
    assert value(registry, "add_payment_method", field, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my amex runs out at the end of the month, so here's my new card: a mastercard ending 5302", "mastercard"),
        ("add a mastercard ending 5302 instead of my visa", "mastercard"),
        ("my old amex is gone, add a visa ending 4242", "visa"),
        ("my visa expired, add the new one ending 1234", None),  # the new one's brand is still to be asked
        ("my visa was stolen yesterday", None),
        ("add my new visa ending 4242", "visa"),
    ],
)
def test_a_value_the_new_one_replaces_is_not_it(registry, text, expected):
    assert value(registry, "add_payment_method", "brand", text) == expected


@pytest.mark.parametrize("text", [
    "I'd rather not put everything on my amex. could you add my paypal, it's sofia.p.home@example.com",
    "my visa keeps getting declined so please add my paypal sofia.p.home@example.com",
])
def test_a_value_a_rule_refuses_belongs_to_something_else_the_person_spoke_of(registry, text):
    # A PayPal takes no card brand: the card named beside it is the one the person is moving away from.
    args = extract(view(as_langchain_tool(registry.get("add_payment_method"))), text, Memory(), TODAY).args
    assert args == {"kind": "paypal", "paypal_email": "sofia.p.home@example.com"}


def test_a_rule_still_asks_for_what_it_needs_when_no_single_value_is_stray(registry):
    tool = view(as_langchain_tool(registry.get("add_payment_method")))
    found = extract(tool, "add my paypal", Memory(), TODAY)
    assert (found.args, [f.name for f in found.missing]) == ({"kind": "paypal"}, ["paypal_email"])


def test_a_kind_said_twice_is_the_one_said_where_the_request_asks(registry):
    # "card" first comes in the story ("pay by card"), PayPal before it; the asking sentence names the card again.
    text = ("PayPal keeps logging me out halfway through checkout, so I'd rather pay by card from now on. Can you put "
            "a card on file for me?")
    assert value(registry, "add_payment_method", "kind", text) == "credit_card"


@pytest.mark.parametrize(("text", "expected"), [
    ("Hiya! I'm sorting out shirts for our running club's Christmas do and everyone loves your black logo tee. Have "
     "you got enough of them in stock for us?", "black logo tee"),
    ("it came on Monday, is the Halo Desk Lamp in stock again?", "Halo Desk Lamp"),
    ("is your pour-over kettle available?", "pour-over kettle"),
])
def test_days_feasts_and_greetings_name_no_product(registry, text, expected):
    assert value(registry, "check_availability", "item_ref", text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("The one about yesterday's orders is mine. Mark it as acknowledged", None),
    ("that one, please acknowledge it", None),
    ("acknowledge risk alert one", 1),
])
def test_the_one_pointed_at_counts_nothing(registry, text, expected):
    assert value(registry, "acknowledge_risk_alert", "alert_id", text) == expected


@pytest.mark.parametrize("text", [
    "one of our parcels couldnt be handed over, the office was shut",
    "DPD says they couldn't be handed over",
    "the parcel couldnt deliver today",
])
def test_a_contraction_typed_without_its_apostrophe_still_names_its_value(registry, text):
    assert value(registry, "add_tracking_event", "status", text) == "exception"


def test_the_question_after_a_story_is_what_the_library_is_asked(registry):
    text = ("Thinking of getting my dad one of the Bitstream DAC amps for Christmas. I'm a bit wary of electronics "
            "though. If it turns out faulty after, say, six weeks, am I stuck with it or can it still go back to you?")
    assert value(registry, "answer_question", "question", text) == (
        "If it turns out faulty after, say, six weeks, am I stuck with it or can it still go back to you?")
    assert value(registry, "answer_question", "question", "what is your returns window?") == (
        "what is your returns window?")


def test_that_put_somewhere_is_what_was_told_before(registry):
    text = ("Still going through the Halo lamp delivery. Two more of the black base lamps won't switch on at all. Can "
            "you add that to the inspection as a major defect?")
    assert value(registry, "record_defect", "description", text) == (
        "Still going through the Halo lamp delivery. Two more of the black base lamps won't switch on at all.")
    assert value(registry, "add_tracking_event", "description", "the van broke down near Lyon. Can you put that on "
                                                                "the tracking?") == "the van broke down near Lyon."


def test_a_value_another_field_holds_still_says_what_a_needed_field_is(registry):
    # "mastercard" is the brand, and says the kind too when nothing else does.
    args = extract(view(as_langchain_tool(registry.get("add_payment_method"))),
                   "can you save my new mastercard on my account? last 4 are 4471", Memory(), TODAY).args
    assert args == {"kind": "credit_card", "brand": "mastercard", "last_four": "4471"}


def test_the_lines_of_a_return_are_the_order_lines_its_words_name(registry):
    # The lines took only ids and SKUs: a return of "the stand" became a return of the whole order.
    memory = Memory()
    memory.add_result({"order_id": "#W1769619", "return_state": "returnable", "items": [
        {"item_id": "3755224950", "sku": "FT-CHAIR-01", "name": "Flex Task Chair", "options": {}, "returnable": 1},
        {"item_id": "1386694438", "sku": "LS-ALU-01", "name": "Aluminium Laptop Stand", "options": {},
         "returnable": 1}]})
    tool = view(as_langchain_tool(load_all().get("request_return")))
    found = extract(tool, "Just the stand, the chair is staying with me!", memory, TODAY)
    assert found.args["lines"] == [{"item": "1386694438", "quantity": 1}]
    # A SKU still makes its own line (a control).
    assert extract(tool, "2 of FT-CHAIR-01 please", memory, TODAY).args["lines"] == [
        {"item": "FT-CHAIR-01", "quantity": 2}]


@pytest.mark.parametrize(("text", "source", "destination"), [
    ("Berlin has none of OD-HEADLAMP-04 left, move 15 over from Paris", "Paris", "Berlin"),
    ("Lyon has completely run out of the rust throws. can you move 25 of them down from Paris?", "Paris", "Lyon"),
    # Said after "to", the destination is that (a control).
    ("Paris has none of KB-LOW-06 left. Move 12 over from Lyon to Berlin please.", "Lyon", "Berlin"),
])
def test_the_place_that_has_run_short_is_where_a_transfer_goes(registry, text, source, destination):
    assert value(registry, "transfer_stock", "from_warehouse", text) == source
    assert value(registry, "transfer_stock", "to_warehouse", text) == destination


def test_a_day_of_a_month_is_no_record_number(registry):
    # "4 December" gave risk alert 4.
    text = "the order spike on 4 December is just our newsletter promo. acknowledge it"
    assert value(registry, "acknowledge_risk_alert", "alert_id", text) is None
    later = "the spike on Dec 4th is fine, acknowledge alert 2"
    assert value(registry, "acknowledge_risk_alert", "alert_id", later) == 2
    assert value(registry, "acknowledge_risk_alert", "alert_id", "acknowledge alert 3") == 3  # a control


def test_the_listed_record_a_request_points_at_is_the_one_its_day_names(registry):
    # Of two listed alerts, "that one" was none (a question) or, by the tool's own word, the one already acknowledged.
    memory = Memory()
    memory.add_result({"alerts": [
        {"id": 2, "metric": "orders", "day": "2026-12-04", "status": "open", "description": "orders on 2026-12-04"},
        {"id": 1, "metric": "orders", "day": "2026-12-01", "status": "acknowledged",
         "description": "orders on 2026-12-01"}]})
    tool = view(as_langchain_tool(registry.get("acknowledge_risk_alert")))
    found = extract(tool, "the order spike on 4 December is just our newsletter promo. acknowledge that one, note "
                          "that it's the promo", memory, TODAY)
    assert found.args == {"alert_id": 2, "note": "it's the promo"}
    # Nothing that tells them apart picks none (a control).
    assert "alert_id" not in extract(tool, "acknowledge that one", memory, TODAY).args


@pytest.mark.parametrize(("text", "expected"), [
    ("On inspection QI-DEMO0002 I've just found two more Halo lamps with a cracked base, can you log that?", 2),
    ("QI-DEMO0002: the base splits on 3 of the lamps, log it", 3),
    ("log a scratch on QI-DEMO0002, found it this morning", None),  # a control: no count given
])
def test_a_number_of_things_is_the_count_of_units(registry, text, expected):
    assert value(registry, "record_defect", "quantity", text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("On inspection QI-DEMO0002 I've just found two more Halo lamps with a cracked base, can you log that?",
     "On inspection I've just found two more Halo lamps with a cracked base"),
    ("QI-DEMO0002: the dimmer doesn't respond on 2 units. please log it", "the dimmer doesn't respond on 2 units"),
    ("QI-DEMO0002: the dimmer doesn't respond and the cable is loose", "the dimmer doesn't respond and the cable is "
                                                                      "loose"),  # a control: nothing asked at the end
])
def test_a_description_leaves_out_the_request_to_log_it(registry, text, expected):
    assert value(registry, "record_defect", "description", text) == expected


def test_a_choice_answered_first_is_no_part_of_the_description(registry):
    # Answering our question for the severity, "major - ..." put the severity at the head of what is wrong.
    text = "major - the base splits as soon as you screw the arm in\nOn QI-DEMO0002 the base of two lamps is cracked"
    found = value(registry, "record_defect", "description", text)
    assert found.startswith("the base splits") and "major" not in found
    assert value(registry, "record_defect", "severity", text) == "major"


@pytest.mark.parametrize(("text", "expected"), [
    # "it" stands for what the sentence before names: the question carries it.
    ("I got some money on a gift card after a return. does it run out at some point?",
     "I got some money on a gift card after a return. does it run out at some point?"),
    # So does a question of few words of its own that speaks of "it".
    ("thinking of buying one of your gift cards for my niece. how long would she have to use it?",
     "thinking of buying one of your gift cards for my niece. how long would she have to use it?"),
    # A question naming its subject is asked alone: the story would draw passages about itself.
    ("we're moving house next month. do you deliver parcels on saturdays?", "do you deliver parcels on saturdays?"),
])
def test_a_question_leaning_on_the_story_carries_the_sentence_it_leans_on(registry, text, expected):
    assert value(registry, "answer_question", "question", text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("add her flat as a second address: 14 rue Colbert in Tours", ("14 rue Colbert", "Tours", "FR")),
    ("save 3 Quai Rambaud in Lyon to my address book", ("3 Quai Rambaud", "Lyon", "FR")),
    # Control: a town after a comma was always read.
    ("add 14 rue Colbert, 37000 Tours, France", ("14 rue Colbert", "Tours", "France")),
])
def test_a_street_and_the_town_it_is_in_said_without_a_comma(registry, text, expected):
    args = extract(view(as_langchain_tool(registry.get("add_customer_address"))), text, Memory(), TODAY).args
    assert (args.get("address1"), args.get("city"), args.get("country")) == expected


def test_a_name_the_request_gives_as_a_place_is_no_product(registry):
    # "Berlin's nearly out" reads like a name's possessive; "to Berlin" says it is a place.
    assert value(registry, "transfer_stock", "item_ref", "Berlin's nearly out of the olive rain shell. can you move "
                                                         "5 over from Paris to Berlin?") is None
    assert value(registry, "transfer_stock", "item_ref", "move 5 of the Halo Desk Lamp from Paris to "
                                                         "Berlin") == "Halo Desk Lamp"  # control


SPEAKERS = [{"item_id": "1524727478", "name": "Boom Cube Bluetooth Speaker", "quantity": 3},
            {"item_id": "7959006577", "name": "Glide Wireless Mouse", "quantity": 1}]


@pytest.mark.parametrize(("text", "units"), [
    ("can the other two speakers go back?", 2),
    ("two of them have to go back, the speakers", 2),
    ("the remaining 2 speakers please", 2),
    ("the speaker", 1),  # control: one unless told
    ("both speakers", 3),  # control: all of them
])
def test_some_units_of_the_line_named(text, units):
    assert order_lines(text, SPEAKERS) == ["1524727478"] * units


MUGS = ("Berlin is nearly out of the HM-MUG-03 mugs and Paris has loads of them just sitting there. Can we shift "
        "some over?")
LAMPS = ("Lyon is almost out of the white Halo lamps with the clamp, only 2 left in LYS-1 and we've got loads in "
         "PAR-1. send 5 over from Paris please")
KETTLES = "Berlin is almost out of the steel 0.8 l pour-over kettles. Send 20 over from Lyon"
DOWN_TO = ("Berlin's down to 3 of the small steel pour-over kettles and Lyon has loads of them sitting around. can we "
           "move some across?")


@pytest.mark.parametrize(("field", "text", "expected"), [
    # The place short of the thing is where it goes, the one with plenty where it comes from, however the answers
    # before the request run ("12 units" on the line before it).
    ("from_warehouse", f"12 units\n{MUGS}", "Paris"),
    ("to_warehouse", f"12 units\n{MUGS}", "Berlin"),
    ("to_warehouse", "Berlin has run dry on the yellow rechargeable headlamps. can you move 20 over from Paris?",
     "Berlin"),
    ("from_warehouse", DOWN_TO, "Lyon"),
    ("to_warehouse", DOWN_TO, "Berlin"),
    ("item_ref", DOWN_TO, None),  # neither place is the product
    # A site's code is no SKU where the tool takes a place; the ask's one number is the quantity.
    ("item_ref", LAMPS, "Halo"),
    ("quantity", LAMPS, 5),
    # A measure with decimals is no count, and a sentence's opening verb no product.
    ("quantity", KETTLES, 20),
    ("item_ref", KETTLES, None),
    # Controls: codes given as such.
    ("item_ref", "move 5 KB-CLICKY-01 from PAR-1 to LYS-1", "KB-CLICKY-01"),
    ("from_warehouse", "move 5 KB-CLICKY-01 from PAR-1 to LYS-1", "PAR-1"),
])
def test_a_transfer_told_as_what_each_place_has(registry, field, text, expected):
    assert value(registry, "transfer_stock", field, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    (KETTLES, "steel 0.8 l pour-over kettles"),
    (DOWN_TO, "small steel pour-over kettles"),
    ("do you have the black and white tee?", "black and white tee"),  # control
])
def test_a_product_named_with_a_measure_or_before_another_clause(text, expected):
    from graph.models.local.entities import Request
    from graph.models.local.values import find_product_name

    assert find_product_name(Request(text), places=True, options=True).value == expected
