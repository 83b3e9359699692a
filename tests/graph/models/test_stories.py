"""Requests told as stories, on the registry's own tools: a named person's news, the sentence that asks after it,
record numbers by their format, everyday wordings and amounts asked for in part."""

import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agents.roster import ROSTER
from db.enums import Role
from db.seed.catalog import PRODUCTS
from graph.models.local import LocalChatModel
from graph.models.local.entities import rephrased
from graph.models.local.extract import extract
from graph.models.local.memory import Memory
from graph.models.local.reading import asking_part, asks_something, gist_of, one_named, so_command, story_then_ask
from graph.models.local.similarity import default_embedder, numbered_by_format
from graph.models.local.text import a_command, spelled_out, without_emoji
from graph.models.local.toolview import view
from graph.tools import as_langchain_tool, handoff_tool, other_role_tool
from tests.graph.models.test_dialogue import TODAY, router, router_knowing, specialist
from tools.registry import load_all

CHLOE = ("Chloé Dubois phoned again about her return on order 8646154. She was sent the wrong things and the request "
         "has just been sitting there since mid-November. Can we approve it so she can post everything back?")
ETHAN = ("Ethan Wilson's order W9930556 is sitting in the fraud queue. I had him on the phone: he sent a photo of his "
         "ID, the card is his own, and the billing address that doesn't match is just his parents' place. Can we let "
         "it through?")


@pytest.fixture(scope="module")
def registry():
    return load_all()


def router_naming(registry, role: Role, names: tuple[str, ...]):
    """The router for a role when the shop's records go by these names (the vocabulary the crew reads)."""
    vocabularies = {t.name: names for t in registry.all() if t.vocabulary is not None}
    return LocalChatModel(today=TODAY).bind_tools([handoff_tool(spec, role, registry, vocabularies) for spec in ROSTER])


def routed(model, ask: str) -> list[str]:
    return [c["name"].removeprefix("transfer_to_") for c in model.invoke([HumanMessage(ask)]).tool_calls]


@pytest.mark.parametrize(("clause", "command"), [
    ("Chloé Dubois phoned again about her return", False),
    ("Ethan Wilson's order W9930556 is sitting in the fraud queue", False),
    ("Jonas Weber just rang", False),
    # A command may name a place or a person after its verb.
    ("Keep Madrid as the main one though.", True),
    ("Send Lucas the invoice", True),
])
def test_a_clause_opening_with_a_persons_name_tells_what_they_did(clause, command):
    assert a_command(clause) is command


def test_the_router_reads_a_named_persons_news_as_the_story_of_the_ask(registry):
    assert routed(router(registry, Role.SUPPORT), CHLOE) == ["after_sales"]


def test_the_sentence_that_asks_after_a_story_is_the_specialists_job(registry):
    [call] = specialist(registry, "after_sales", Role.SUPPORT).invoke([HumanMessage(CHLOE)]).tool_calls
    assert (call["name"], call["args"]["status"]) == ("update_rma_status", "approved")
    # The note is what happened: "since mid-November" says when, and the question asking to act is no part of why.
    assert call["args"]["note"].endswith("since mid-November.")


def test_letting_a_held_order_through_releases_it_with_the_story_as_the_note(registry):
    [call] = specialist(registry, "fraud", Role.SUPPORT).invoke([HumanMessage(ETHAN)]).tool_calls
    assert call["name"] == "release_held_order" and call["args"]["order_id"] == "#W9930556"
    assert call["args"]["note"].endswith("just his parents' place.")


def test_a_partial_refund_asks_how_much_rather_than_refunding_everything(registry):
    ask = ("Lucas Bernard rang: the little Bluetooth speaker in W4912529 arrived with a scratched grille. He's happy "
           "to keep it against a partial refund on his card. Can you sort that out?")
    assert routed(router(registry, Role.SUPPORT), ask) == ["payment"]
    reply = specialist(registry, "payment", Role.SUPPORT).invoke([HumanMessage(ask)])
    assert not reply.tool_calls and "the amount" in reply.text


def test_a_field_named_by_all_but_its_unit_is_asked_for(registry):
    # "their on-time figure" names the on_time_rate; the carrier opening the sentence is named by its two capitals.
    ask = ("Colis Privé sent over their punctuality stats for last quarter and they're worse than what we have on "
           "file. Can you update their on-time figure in the system?")
    reply = specialist(registry, "transport", Role.MERCHANT).invoke([HumanMessage(ask)])
    assert not reply.tool_calls and "on time rate" in reply.text
    [call] = specialist(registry, "transport", Role.MERCHANT).invoke(
        [HumanMessage(ask.replace("on-time figure", "on-time rate to 84%"))]).tool_calls
    assert call["args"] == {"carrier_code": "Colis Privé", "on_time_rate": 0.84}


def test_saying_what_one_is_doing_is_no_introduction(registry):
    # "I'm working in Barcelona ..." is the story of the request, not the writer's name to skip.
    ask = ("I'm working in Barcelona for the next few months, so I'd like to add a second address to my account. "
           "Keep Madrid as the main one though.")
    assert routed(router(registry), ask) == ["customer"]


def test_a_record_number_goes_to_the_tools_taking_its_format(registry):
    ask = "Keystone's TKL delivery turned up a day early, so I'd like to get going on QI-DEMO0001 now"
    tools = [view(handoff_tool(spec, Role.WAREHOUSE, registry)) for spec in ROSTER]
    assert numbered_by_format(ask, tools) == [frozenset({"transfer_to_quality"})]
    # A hyphenated word is no record's number.
    assert numbered_by_format("update the on-time rate of UPS", tools) == []
    [call] = specialist(registry, "quality", Role.WAREHOUSE).invoke([HumanMessage(ask)]).tool_calls
    assert (call["name"], call["args"]) == ("start_inspection", {"inspection_id": "QI-DEMO0001"})


def test_an_address_in_dotted_parts_goes_to_the_tools_taking_its_format(registry):
    ask = ("someone's been hammering checkout from 198.51.100.77 with different cards all night, dozens of declines. "
           "keep them out for two weeks")
    tools = [view(handoff_tool(spec, Role.MERCHANT, registry)) for spec in ROSTER]
    assert numbered_by_format(ask, tools) == [frozenset({"transfer_to_fraud"})]
    assert routed(router(registry, Role.MERCHANT), ask) == ["fraud"]
    # Ending a sentence, it is still one.
    assert numbered_by_format("please block 198.51.100.77.", tools) == [frozenset({"transfer_to_fraud"})]
    # A version number or a price is no address.
    assert numbered_by_format("the app is on version 1.2.3 and the mug costs 12.50", tools) == []


def test_the_question_after_a_story_says_whose_job_it_is(registry):
    # The story names a product; the question asks for stock, in the place it asks about.
    ask = ("A reseller in Munich wants 5 of the silver QWERTZ Lowline boards (KB-LOW-06). What have we got in Berlin, "
           "and if that's not enough, where else is there stock?")
    model = router_naming(registry, Role.ADMIN, ("Lowline Wireless Keyboard",))
    assert routed(model, ask) == ["inventory"]
    stock = view(as_langchain_tool(registry.get("list_stock_levels")))
    assert extract(stock, ask, Memory(), TODAY).args["warehouse"] == "Berlin"


def test_a_remark_beside_a_request_for_a_person_lends_no_other_tool(registry):
    ask = ("I've been going back and forth about my gift card for days and getting nowhere. please pass this to an "
           "actual person on your team who can email me back")
    [call] = specialist(registry, "customer").invoke([HumanMessage(ask)]).tool_calls
    assert call["name"] == "open_support_case"


def test_a_parcel_named_by_what_it_holds_is_found_among_the_persons_parcels(registry):
    ask = ("the big parcel with the two DACs and the rain jacket left you more than a week ago and the tracking hasn't "
           "budged since. which carrier has it and what's the tracking number? I want to chase them myself")
    model = specialist(registry, "transport")
    # Listed first, as for any record a person calls theirs without its number.
    call = {"name": "list_shipments", "args": {}, "id": "call_1", "type": "tool_call"}
    listing = AIMessage(content="", tool_calls=[call])
    parcels = [
        {"shipment_id": "a1", "order_id": "#W5095219", "tracking_number": "DPD179556586088", "status": "in_transit",
         "item_names": ["Bitstream DAC Amp (silver)", "Bitstream DAC Amp (black)", "Storm Rain Jacket (M)"]},
        {"shipment_id": "b2", "order_id": "#W8860148", "tracking_number": "6A179584462916", "status": "in_transit",
         "item_names": ["Summit Water Bottle (1 l)"]},
    ]
    result = ToolMessage(json.dumps({"shipments": parcels, "total": 2}), tool_call_id=call["id"], name=call["name"])
    [track] = model.invoke([HumanMessage(ask), listing, result]).tool_calls
    assert track["name"] == "track_shipment" and track["args"]["shipment_ref"] in ("a1", "DPD179556586088")


def test_a_record_number_outweighs_a_product_named_beside_it(registry):
    # "Halo lamp" names what the stock and catalogue hold; QI-DEMO0002 is an inspection, quality's own.
    model = router_naming(registry, Role.WAREHOUSE, ("Halo Desk Lamp",))
    assert routed(model, "the Halo lamp check QI-DEMO0002 turned up two more with a dead dimmer") == ["quality"]


def test_a_command_after_a_story_is_the_job_and_its_numbers_are_what_is_wanted(registry):
    ask = ("Paris Nord has run dry on the black Pocket Pods (AU-BUDS-01) while Berlin is sitting on 90 of them. move "
           "25 over from BER-1 to PAR-1 pls")
    model = router_naming(registry, Role.WAREHOUSE, ("Pocket Pods Earbuds",))
    assert routed(model, ask) == ["inventory"]
    [call] = specialist(registry, "inventory", Role.WAREHOUSE).invoke([HumanMessage(ask)]).tool_calls
    assert call["name"] == "transfer_stock"
    assert (call["args"]["quantity"], call["args"]["from_warehouse"], call["args"]["to_warehouse"]) == (
        25, "BER-1", "PAR-1")


@pytest.mark.parametrize(("ask", "agent"), [
    ("Hi, I'd like to save a card to my account so I don't have to go through paypal every time I check out",
     "payment"),
    # Wanting to learn is no wish to act: the library answers.
    ("I'd like to understand how refunds work", "knowledge"),
])
def test_a_wish_to_act_goes_to_the_specialist_that_acts_not_the_library(registry, ask, agent):
    assert routed(router(registry), ask) == [agent]


def test_asking_which_record_names_none(registry):
    # "which carrier has it" asks for the carrier: a capitalised word elsewhere ("DACs") is not its name.
    carrier = view(as_langchain_tool(registry.get("get_carrier")))
    asked = "the parcel with the two DACs left a week ago. which carrier has it?"
    assert "carrier_code" not in extract(carrier, asked, Memory(), TODAY).args
    named = extract(carrier, "show the rate table of Colis Privé", Memory(), TODAY)
    assert named.args == {"carrier_code": "Colis Privé"}
    # Said with its word but not asked which, a name further on is still the record's.
    rating = view(as_langchain_tool(registry.get("get_supplier_rating")))
    said = extract(rating, "supplier quality rating of Keystone Components", Memory(), TODAY)
    assert said.args == {"supplier": "Keystone Components"}


@pytest.mark.parametrize(("text", "ask"), [
    # When it happened, then who did what, tells: the question after it is the ask.
    ("hi, back in august i cancelled an order, the one with 2 water bottles and the white desk lamp. did the money "
     "ever go back to my paypal?", "did the money ever go back to my paypal?"),
    ("last week we shipped the keyboards to Lyon. where are they now?", "where are they now?"),
    ("a couple of days ago I sent the mugs back. has the return arrived yet?", "has the return arrived yet?"),
    # A short remark after the question leaves it the ask.
    ("I cancelled my order for the desk lamp. did the refund go through? i honestly cant remember seeing it",
     "did the refund go through?"),
    # A command opening with a time is still a command, and a long last sentence is no remark.
    ("last week cancel the lamp order. did it go through?", None),
    ("I cancelled my order for the desk lamp. did the refund go through? my bank shows nothing from you at all since "
     "the start of the month", None),
])
def test_the_question_after_a_story_is_found_past_its_time_and_a_remark_after_it(text, ask):
    assert story_then_ask(text, least=2) == ask


@pytest.mark.parametrize("ask", [
    ("Manon Wilson just called about the Clacky keyboard she got in October (#W8335700). Two of the keys double-type "
     "now but she really doesn't want the hassle of posting it back, so I told her we'd give her 15 euros back as a "
     "goodwill gesture."),
    "Manon Wilson just called about the keyboard on W8335700. she's happy to keep it, so just give her 15 euros back.",
])
def test_what_a_story_leads_to_is_the_request_the_router_reads(registry, ask):
    assert routed(router(registry, Role.SUPPORT), ask) == ["payment"]


@pytest.mark.parametrize(("clause", "drawn"), [
    ("so I told her we'd give her 15 euros back", True),
    ("so we agreed to swap it for the large", True),
    ("so I promised him we would refund the postage", True),
    ("so I told her it was on its way", False),
    ("so she never got it", False),
])
def test_a_promise_made_to_a_customer_is_drawn_as_the_request(clause, drawn):
    assert so_command(clause) is drawn


@pytest.mark.parametrize(("clause", "asks"), [
    ("which is why shipping and billing don't match", False),
    ("and it's definitely her own card.", False),
    ("because I moved last month", False),
    # A word taking up the conversation tells nothing more than the clause after it.
    ("ok the one about carrier tracking arriving late", False),
    ("right, so the courier came back empty-handed", False),
    ("ok cancel it", True),
    # Joined on, a command or a question still asks.
    ("and cancel the other one", True),
    ("but please hurry", True),
    ("which is the cheapest?", True),
    # A clause opening with a verb in -ing leaves out "I'm", and one opening with a carrier's name tells what it does;
    # a verb in -ing that says what the speaker wants still asks.
    ("Thinking of getting my dad one of the DAC amps for Christmas", False),
    ("Colissimo are collecting at 3 today", False),
    ("DPD haven't been by yet", False),
    ("wondering if you could check my order", True),
    ("looking for a present for my sister", True),
    # A label before a clause tells nothing of itself: what follows it asks or tells.
    ("Quick one: the laptop stand that came with my chair is lovely", False),
    ("Quick question: can you check my order", True),
])
def test_a_clause_joined_on_to_tell_more_is_part_of_the_story(clause, asks):
    assert asks_something(clause) is asks


def test_a_command_after_a_story_is_the_routers_reading_however_short(registry):
    ask = ("Inès Clark rang about her order #W8438389 being held. I went through it with her: she ordered from her "
           "parents' place, which is why shipping and billing don't match, and it's definitely her own card. please "
           "let it go through.")
    assert routed(router(registry, Role.SUPPORT), ask) == ["fraud"]


@pytest.mark.parametrize(("said", "read"), [
    ("keep them out for two weeks", "block them for two weeks"),
    ("keeping that card out please", "block that card please"),
    # Keeping something out of somewhere is no block.
    ("keep it out of the sun", "keep it out of the sun"),
    # Giving or paying someone money back is refunding them; giving a thing back is not.
    ("let's give her 20 euros back on her card", "let's refund her 20 euros on her card"),
    ("can you pay him back", "can you refund him"),
    ("I'll give it back to the courier", "I'll give it back to the courier"),
    ("she passed inspection, can you pay her out?", "she passed inspection, can you refund her ?"),
    # Killing an order is cancelling it; a process killed is no order.
    ("I don't want it going out, kill it", "I don't want it going out, cancel it"),
    ("the job was killed overnight", "the job was killed overnight"),
    # Closing something out is resolving it.
    ("can you close that one out so she gets her money?", "can you resolve that one so she gets her money?"),
    # Sending something back oneself is returning it; someone else sending it back is not.
    ("Can I send them back?", "Can I return them ?"),
    ("I'd like to send one of them back", "I'd like to return one of them"),
    ("the courier will send it back to us", "the courier will send it back to us"),
    ("after i send something back how long till i get paid", "after i send something back how long till i get paid"),
    ("until when can I send back items?", "until when can I send back items?"),
    ("can I still send back a jacket I bought in May?", "can I still send back a jacket I bought in May?"),
    # Money back, or an amount back, is a refund.
    ("can I get my money back?", "can I get my refund?"),
    ("so I promised her 15 euros back on her PayPal", "so I promised her refund of 15 euros on her PayPal"),
    ("he gets €7.50 back", "he gets refund of €7.50"),
    ("I'd like to send back the t-shirt that came on Monday", "I'd like to return the t-shirt that came on Monday"),
    # Closing something off is resolving it too; marking it as picked up is acknowledging it.
    ("Close it off please.", "resolve it please."),
    ("Mark it as picked up so Ada doesn't chase it", "acknowledge it so Ada doesn't chase it"),
    ("the parcel was marked as delivered", "the parcel was marked as delivered"),
    # Setting someone up with an account is creating one for them.
    ("Could you set him up with an account?", "Could you create an account for him?"),
    ("set her up with a staff login", "create a staff login for her"),
])
def test_everyday_wordings_are_put_as_the_tools_say_them(said, read):
    assert " ".join(rephrased(said).split()) == read


def test_a_card_testing_report_asking_to_keep_the_address_out_proposes_blocking_it(registry):
    ask = ("someone's been hammering checkout from 198.51.100.77 with different cards all night, dozens of declines. "
           "keep them out for two weeks")
    [call] = specialist(registry, "fraud", Role.MERCHANT).invoke([HumanMessage(ask)]).tool_calls
    assert (call["name"], call["args"]["ip"]) == ("block_entity", "198.51.100.77")


@pytest.mark.parametrize(("clause", "command"), [
    ("Let's give her 20 euros back on her card.", True),
    ("let us cancel it", True),
    ("let's see, I ordered it in May", False),
])
def test_lets_puts_a_request(clause, command):
    assert a_command(clause) is command


def test_a_story_whose_first_sentence_says_who_called_ends_in_the_request_the_router_reads(registry):
    # "called about ...:" opens the story; it introduces no content as "an article called ...:" does.
    ask = ("Camille Fournier just called about order W9220113: one of the two Boom Cube speakers arrived with a nasty "
           "scuff on the corner. She's happy to keep it if we knock something off. Let's give her 20 euros back on "
           "her card.")
    assert routed(router(registry, Role.SUPPORT), ask) == ["payment"]



def test_a_greeting_before_a_story_asks_nothing_so_the_question_after_it_is_the_ask(registry):
    ask = ("Hiya, the wireless earbuds that came last week: the left one crackles and cuts out whenever I turn my "
           "head. Pretty disappointed tbh. Can I send them back and get my money back?")
    assert story_then_ask(ask) == "Can I send them back and get my money back?"
    assert routed(router(registry, Role.CUSTOMER), story_then_ask(ask)) == ["after_sales"]
    assert asks_something("Hiya") is False
    assert asks_something("Hiya, send it") is True


@pytest.mark.parametrize(("ask", "agent"), [
    ("Still going through the Lumen lamp samples from yesterday. Two more of them flicker at full brightness. I'd "
     "call that major, can you log it on the inspection?", "quality"),
    ("the Halo lamp I had in my basket is gone, can you put it on my order?", "order"),
])
def test_the_record_a_request_puts_something_on_says_whose_job_it_is(registry, ask, agent):
    assert routed(router_naming(registry, Role.WAREHOUSE if agent == "quality" else Role.CUSTOMER,
                                ("Halo Desk Lamp",)), ask) == [agent]


def test_a_product_on_an_order_is_no_record_the_request_asks_for_by_name(registry):
    # "the lamp claim on W3321921" names a claim; "the Lowline keyboards on W5291537" name what the order holds.
    ask = ("Hi! I ordered two of the Lowline keyboards on W5291537 because I thought my flatmate wanted one, turns out "
           "he already bought his own. Can I send one of them back?")
    # Sending one back is a return, which either of its homes takes (the order's, or after-sales').
    assert routed(router_naming(registry, Role.CUSTOMER, ("Lowline Wireless Keyboard",)), ask) in (
        ["order"], ["after_sales"])
    assert routed(router(registry, Role.SUPPORT), "the lamp claim on W3321921 checks out, go ahead and accept it") == [
        "after_sales"]


@pytest.mark.parametrize(("ask", "story", "named"), [
    ("could you add one?", "the courier couldn't reach me because there's no phone number on my account.",
     "could you add a phone number?"),
    ("could you sort one out for order W8498068?", "accounting wants a proper invoice with VAT on it.",
     "could you sort a proper invoice out for order W8498068?"),
    ("can you send me a new one?", "the charger I got has no plug for the EU.", "can you send me a plug?"),
    # "the new one" stands for the thing too, and a thing named before "and ..." is named all the same.
    ("I'd like to save the new one on my account.", "my bank is sending me a replacement card and the old one expires.",
     "I'd like to save a replacement card on my account."),
    # "one of ..." picks among records; no verb acting on "one" puts nothing in its place.
    ("can you send one of them back?", "I ordered two lamps.", None),
    ("which one is cheaper?", "I saw a lamp and a desk.", None),
])
def test_one_that_a_request_acts_on_is_the_thing_the_story_named(ask, story, named):
    assert one_named(ask, story) == named


def test_a_request_acting_on_one_is_read_with_the_thing_the_story_named(registry):
    ask = ("my employer reimburses the team t-shirts but accounting wants a proper invoice with VAT on it. could you "
           "sort one out for order W8498068?")
    assert routed(router(registry, Role.CUSTOMER), ask) == ["documents"]
    # Read without the card the story named, "save the new one ... before I order again" was an order's.
    card = ("My bank is sending me a replacement card and the mastercard you have on file will stop working soon. I'd "
            "like to save the new one on my account before I order again.")
    assert routed(router(registry, Role.CUSTOMER), card) == ["payment"]
    [call] = specialist(registry, "documents", Role.CUSTOMER).invoke([HumanMessage(ask)]).tool_calls
    assert (call["name"], call["args"]) == ("issue_invoice", {"order_id": "#W8498068"})


@pytest.mark.parametrize(("ask", "agent"), [
    ("I'd like to return the hoodie.", {"order", "after_sales"}),
    ("Evening. I'd like to send back the t-shirt that came with my DAC amp on Monday.", {"order", "after_sales"}),
    # Naming no other tool's action, a product's question stays the catalogue's.
    ("what sizes does the pour over kettle come in", {"product"}),
    ("any blutooth speakers?", {"product"}),
])
def test_a_product_named_draws_no_request_that_asks_for_another_action(registry, ask, agent):
    catalogue = ("Keycap Hoodie", "Shopcrew Logo T-Shirt", "Bitstream DAC Amp", "Pour-Over Kettle",
                 "Boom Cube Bluetooth Speaker")
    [chosen] = routed(router_knowing(registry, catalogue), ask)
    assert chosen in agent


@pytest.mark.parametrize(("role", "ask", "agent"), [
    (Role.SUPPORT, "Just had Tom Miller on the phone. The order we're holding for him is genuine: he's moved flats in "
                   "Milan, which is why billing and delivery don't match. Can you let it go through?", "fraud"),
    (Role.WAREHOUSE, "Colissimo are collecting at 3 today and Manon Garcia's order is still sitting on the shelf. "
                     "Can we get W8786329 boxed up before then?", "warehouse"),
    # A command put as a question leans on the story: "switch that on" is the free delivery's, no order's.
    (Role.ADMIN, "Marketing want free delivery on anything over 75 euros for the holiday season. Can you switch that "
                 "on?", "backoffice"),
])
def test_a_command_put_as_a_question_after_a_story_is_the_job(registry, role, ask, agent):
    assert routed(router(registry, role), ask) == [agent]


@pytest.mark.parametrize(("role", "ask", "agent"), [
    # "cancel it" alone is an order's; the inspection's number in the story says whose "it" is.
    (Role.MERCHANT, "Sonata are taking that whole batch of black earbuds back anyway, so there's no point in "
                    "inspection QI-DEMO0005 any more. cancel it", "quality"),
    (Role.CUSTOMER, "I changed my mind about #W4621646, the lamp is too big for my desk. cancel it", "order"),
])
def test_a_short_command_after_a_story_goes_to_whoever_takes_the_number_the_story_gives(registry, role, ask, agent):
    assert routed(router(registry, role), ask) == [agent]


def test_what_a_request_adds_to_a_record_says_whose_job_it_is(registry):
    ask = ("Still going through the Halo lamp delivery from Lumen. Two more of the black base lamps won't switch on at "
           "all, dead out of the box. Can you add that to the inspection as a major defect?")
    assert routed(router_naming(registry, Role.WAREHOUSE, ("Halo Desk Lamp",)), ask) == ["quality"]


def test_a_wish_for_how_it_is_done_after_the_question_is_part_of_the_ask():
    text = ("the laptop stand is lovely, but my desk is too shallow for it. Could I send it back? Honestly I'd rather "
            "have shop credit than my money back.")
    assert story_then_ask(text, least=1) == ("Could I send it back? Honestly I'd rather have shop credit than my money "
                                             "back.")


def test_a_wish_for_store_credit_after_the_question_reaches_after_sales(registry):
    # The story's products and "my chair order" drew the order specialist, whose returns refund to a card only.
    ask = ("Hi! Quick one: the laptop stand that came with my chair order last week is lovely, but my desk turns out "
           "to be too shallow for it. Could I send it back? Honestly I'd rather have shop credit than my money back.")
    assert routed(router(registry, Role.CUSTOMER), ask) == ["after_sales"]


@pytest.mark.parametrize(("text", "gist"), [
    ("answer the gift-wrap one: sorry, we don't do gift wrapping, but we'll tuck a handwritten card in the box",
     "answer the gift-wrap one"),
    ("reply to the buyer: your parcel left today", "reply to the buyer"),
    # A head that tells introduces a story, not words to pass on (a control).
    ("Camille Fournier just called about order W9220113: she wants it sooner", "Camille Fournier just called about "
     "order W9220113: she wants it sooner"),
])
def test_words_to_pass_on_after_a_colon_are_carried_not_asked_for(text, gist):
    assert gist_of(text) == gist


def test_a_wish_for_how_a_return_is_settled_is_no_second_job(registry):
    # Knowing the shop's products, the router sent the return to after-sales and to orders alike, and both asked for
    # the order.
    ask = ("hey! I'd like to send back the self-watering planter I bought last month, and I'd rather have store "
           "credit than a refund")
    assert routed(router_naming(registry, Role.CUSTOMER, tuple(p.name for p in PRODUCTS)), ask) == ["after_sales"]


def test_a_story_naming_a_product_goes_to_the_specialist_whose_action_it_names(registry):
    # The water bottles are the catalogue's; the goodwill refund is what is asked, of whoever refunds ("delivery" is
    # also what monitoring's event deliveries are, as a word of the story, not the action).
    model = router_naming(registry, Role.SUPPORT, ("Insulated Water Bottle",))
    assert routed(model, "Felix Michel just phoned, the water bottles in his last delivery turned up scratched. we "
                         "agreed on a small goodwill refund instead of him sending them back") == ["payment"]


def test_a_command_standing_for_what_the_story_named_is_read_with_the_story(registry):
    # "them" is the carrier the story names: stopping "them" is the carrier's, not the marketplace offers'.
    assert routed(router(registry, Role.MERCHANT), "we've had it with Colis Privé, that's the third parcel they've "
                  "lost this month. stop offering them for now - we might switch them back on later") == ["transport"]


def test_what_a_command_is_for_says_why_not_whose_job_it_is(registry):
    # "so parcels go to the new place" speaks of deliveries; changing the main address is the customer profile's.
    model = router(registry, Role.CUSTOMER)
    assert routed(model, "hello, we just moved a couple of doors down the street in Bordeaux. can you change my main "
                         "address so parcels go to the new place?") == ["customer"]
    assert routed(model, "can you change the address on my order so it goes to the new place?") == ["order"]  # control


def test_what_was_agreed_with_a_customer_is_the_request(registry):
    # "we agreed he gets a bit of money back" is a refund, though the story speaks of sending the kettle back.
    model = router(registry, Role.SUPPORT)
    assert routed(model, "Oscar Weber just rang, the pour-over kettle from his order #W6496202 arrived with a scratch "
                         "on the lid. He doesn't want the hassle of sending it back, so we agreed he gets a bit of "
                         "money back instead.") == ["payment"]


@pytest.mark.parametrize(("clause", "command"), [
    # A verb in the past opens a report whose "I" is left out.
    ("found 2 Halo lamps with the paint chipped on the base", False),
    ("noticed the box was open when it came in", False),
    ("got a call from the courier", False),
    ("proceed with the refund", True),  # -eed is no past
    ("find me the cheapest carrier", True),
    # So does a verb in -ing, of what is under way.
    ("still going through the Lumen lamp batch", False),
    ("checking the returns shelf now", False),
    ("bring the parcel back to the depot", True),
])
def test_a_verb_in_the_past_reports_it_commands_nothing(clause, command):
    assert a_command(clause) is command


def test_a_command_after_a_dash_ends_the_report_it_follows(registry):
    # The catalogue holds the Halo lamps; logging the defect on the inspection is quality's.
    model = router_naming(registry, Role.WAREHOUSE, ("Halo Desk Lamp",))
    assert routed(model, "found 2 Halo lamps in the Lumen batch with the paint chipped on the base. cosmetic only, "
                         "nothing broken — log it as minor on the inspection") == ["quality"]
    assert story_then_ask("the box is dented — can you log it?", least=1) == "can you log it?"


def test_a_command_after_a_report_of_work_under_way_says_the_job(registry):
    # The report's words name the lamps of the catalogue; what is asked of them is the inspection's.
    model = router_naming(registry, Role.WAREHOUSE, ("Halo Desk Lamp",))
    assert routed(model, "still going through the Lumen lamp batch and found a couple more with a loose hinge on the "
                         "arm. pop that on the inspection i've got running") == ["quality"]
    # A report alone still goes where its words go.
    assert routed(model, "still going through the Lumen lamp batch, found two Halo lamps with a loose hinge") != [
        "quality"]



def test_a_bit_of_money_back_asks_how_much(registry):
    # Part of the payment, not all of it: the amount is asked for rather than a full refund proposed.
    reply = specialist(registry, "payment", Role.SUPPORT).invoke([HumanMessage(
        "the kettle from order #W6496202 arrived scratched, so we agreed he gets a bit of money back instead.")])
    assert not reply.tool_calls and "amount" in reply.text


def test_a_login_for_a_new_colleague_is_a_staff_account(registry):
    # "the warehouse team" named the warehouses' specialist, who created a warehouse called Benali.
    assert routed(router(registry, Role.ADMIN), "We've taken on Karim Benali as a picker, he starts monday. can you "
                                                "set him up with a login for the warehouse team?") == ["backoffice"]


def test_what_a_customer_would_keep_a_thing_for_is_the_request(registry):
    # The story is of a dented kettle (stock, returns); keeping it for a bit of money back is a refund.
    model = router(registry, Role.SUPPORT)
    assert routed(model, "Jonas emailed about order W4415823, the kettle turned up with a dent in the lid. he'll keep "
                         "it as long as we give him a bit back") == ["payment"]
    assert routed(model, "Jonas emailed about order W4415823, the kettle turned up with a dent in the lid. he'd like "
                         "to send it back") != ["payment"]  # control


def test_a_little_something_back_asks_how_much_even_beside_another_roles_tools(registry):
    # The payment tools support may not use stand in as one tool that needs no detail: a refund that only lacks the
    # amount it was asked for still fits better.
    specs = registry.for_agent("payment") + registry.shared_with("payment")
    tools = [as_langchain_tool(t) for t in specs if t.allows(Role.SUPPORT)]
    tools.append(other_role_tool(Role.SUPPORT, [t for t in specs if not t.allows(Role.SUPPORT)]))
    reply = LocalChatModel(today=TODAY).bind_tools(tools).invoke([HumanMessage(
        "the lamp from order #W6496202 came with a dented shade. she's happy to keep it if we give her a little "
        "something back")])
    assert not reply.tool_calls and "amount" in reply.text


def test_a_short_request_after_a_story_is_the_specialists_job(registry):
    # The story's words (the stock each warehouse holds) read like a stock listing; the request is to move some.
    specs = registry.for_agent("inventory") + registry.shared_with("inventory")
    tools = [view(as_langchain_tool(t)) for t in specs if t.allows(Role.MERCHANT)]
    story = "Berlin's down to 3 of the small steel pour-over kettles and Lyon has loads of them sitting around."
    assert asking_part(f"{story} can we move some across?", tools, default_embedder()) == "can we move some across?"
    assert asking_part(f"{story} what do we have?", tools, default_embedder()) != "what do we have?"  # control


@pytest.mark.parametrize(("clause", "asks"), [
    ("turns out he already bought his own.", False),
    ("seems the box got wet on the way", False),
    ("turn the alerts off for now", True),  # control: a command
])
def test_words_that_introduce_what_is_told_ask_nothing(clause, asks):
    assert asks_something(clause) is asks
    assert a_command(clause) is asks


def test_of_several_requests_the_far_clearest_says_whose_job_it_is(registry):
    # "can we start with one colour?" reads like the catalogue; wanting them on the marketplace is the channel's job.
    model = router_naming(registry, Role.MERCHANT, ("Waffle Throw Blanket",))
    assert routed(model, "the waffle throw blankets are selling fast since it got cold, I want them on the "
                         "marketplace as well. can we start with one colour?") == ["marketplace"]


@pytest.mark.parametrize(("clause", "asks"), [
    ("while Paris is sitting on over a hundred of them", False),  # a place joined on tells, as it does first
    ("so I'd like to add her flat to my account as a second address", True),  # a wish taken up from the story
    ("and cancel the other one", True),  # control
])
def test_joined_clauses_tell_or_ask_as_they_would_alone(clause, asks):
    assert asks_something(clause) is asks


def test_a_transfer_between_warehouses_named_by_their_towns_is_asked_for(registry):
    # Put as a question and naming no order, it read as one about the shop's rules (the policy library answered).
    model = specialist(registry, "inventory", Role.WAREHOUSE)
    reply = model.invoke([HumanMessage("Berlin's nearly out of the olive rain shell in size S again, 3 left on the "
                                       "shelf, while Paris is sitting on over a hundred of them. can you move 5 over "
                                       "from Paris to Berlin?")])
    assert [c["name"] for c in reply.tool_calls] == ["find_product_variants"]  # the variant, then the transfer
    assert reply.tool_calls[0]["args"]["product_id"] == "olive rain shell"


def test_a_wish_before_a_clause_saying_what_not_to_do_is_the_request(registry):
    # "dont make it the main one" read as the request: a new default address.
    reply = specialist(registry, "customer").invoke([HumanMessage(
        "my partner and I are moving in together, so I'd like to add her flat to my account as a second address: "
        "14 rue Colbert in Tours. dont make it the main one yet though")])
    assert not reply.tool_calls and "address book" in reply.text and "postal code" in reply.text


def test_asking_whether_some_may_go_back_is_a_return(registry):
    model = router(registry, Role.CUSTOMER)
    assert routed(model, "I got three of the little speakers thinking each of the kids would want one, turns out "
                         "they share one. can the other two go back?") == ["after_sales"]


def test_an_emoji_between_words_ends_a_sentence(registry):
    # Read as one sentence, the story of the mics drew the request to the catalogue.
    model = router(registry, Role.CUSTOMER)
    assert routed(model, "Hiya! I bought two of the USB mics so me and my flatmate could start a podcast, and she's "
                         "now decided she's 'not a podcast person' \N{FACE WITH ROLLING EYES} can one of them go "
                         "back?") == ["after_sales"]


@pytest.mark.parametrize(("text", "read"), [
    ("she's 'not a podcast person' \N{FACE WITH ROLLING EYES} can one go back?",
     "she's 'not a podcast person'. can one go back?"),
    ("thanks \N{SMILING FACE WITH SMILING EYES}", "thanks"),
    ("love it \N{HEAVY BLACK HEART}\N{VARIATION SELECTOR-16}! ok", "love it! ok"),
    ("great. \N{THUMBS UP SIGN} now cancel it", "great. now cancel it"),
])
def test_emoji_are_read_as_where_a_sentence_ends(text, read):
    assert without_emoji(text) == read


def test_shorthand_is_read_written_out(registry):
    assert spelled_out("I want a proper QC check done on them asap") == (
        "I want a proper quality check done on them as soon as possible")
    model = router(registry, Role.MERCHANT)
    assert routed(model, "that's the third complaint this week about the charging case hinge on the Pocket Pods "
                         "(the black wireless-charging ones, AU-BUDS-02). I want a proper QC check done on them"
                         ) == ["quality"]


def test_switching_a_setting_on_after_a_story_asks_for_its_value(registry):
    # The settings were listed: "switch that on in the shop settings" read like showing them.
    reply = specialist(registry, "backoffice", Role.ADMIN).invoke([HumanMessage(
        "marketing wants to run free delivery over the holidays for bigger baskets, can you switch that on in the "
        "shop settings?")])
    assert not reply.tool_calls and reply.text.startswith("To set a shop setting")


@pytest.mark.parametrize("ask", [
    "doing the lamp inspection right now and two of the halo lamps have a hinge that won't hold the head up, it just "
    "droops. can you log that",
    # A control: naming the inspection, it was read so before.
    "still going through the Lumen lamp batch and found a couple more with a loose hinge. log that on the inspection",
])
def test_logging_what_an_inspection_found_records_a_defect(registry, ask):
    # Read as looking the inspection up or starting it, never as what was found.
    model = specialist(registry, "quality", Role.WAREHOUSE)
    reply = model.invoke([HumanMessage(ask)])
    if reply.tool_calls:  # the inspections are listed to find the one running
        assert [c["name"] for c in reply.tool_calls] == ["list_inspections"]
        listed = ToolMessage(json.dumps({"inspections": [{"inspection_id": "QI-DEMO0002", "status": "in_progress",
                                                          "product_name": "Halo Desk Lamp"}], "total": 1}),
                             tool_call_id=reply.tool_calls[0]["id"], name="list_inspections")
        reply = model.invoke([HumanMessage(ask), reply, listed])
    assert reply.text.startswith("To record a defect")


def test_something_flagged_on_the_system_side_is_an_alert(registry):
    assert routed(router(registry, Role.SUPPORT), "is something flagged on the system side?") == ["monitoring"]
