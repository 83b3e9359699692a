"""Customer tools: thin registry entries over the customer service."""

from db.enums import Role
from tools.context import ToolContext
from tools.customer import schemas as s
from tools.customer import service
from tools.payment.service import methods_of
from tools.registry import tool
from tools.schemas import Message
from tools.support import service as support
from tools.support.schemas import OpenCaseIn

AGENT = "customer"
SUPPORT_UP = {Role.SUPPORT, Role.MERCHANT, Role.ADMIN}
# Personal data is for the customer and customer-facing staff; warehouse staff have no need of it.
PEOPLE = {Role.CUSTOMER, *SUPPORT_UP}


def to_out(customer) -> s.CustomerOut:
    """The public view of a customer row."""
    return s.CustomerOut.model_validate(customer)


def addresses_out(customer) -> list[s.AddressOut]:
    """Addresses, default first."""
    return [s.AddressOut.model_validate(a) for a in service.sorted_addresses(customer)]


@tool(
    agent=AGENT,
    method="GET",
    path="/customers",
    roles=SUPPORT_UP,
    examples=["list customers", "show customers named brown", "pull up the customer Léon Duval",
              "how many customers do we have"],
)
async def list_customers(ctx: ToolContext, params: s.ListCustomersIn) -> s.CustomerList:
    """List customers, optionally filtered by text in name or email."""
    rows, total = await service.list_customers(ctx.session, params.query, params.limit, params.offset)
    return s.CustomerList(customers=[to_out(c) for c in rows], total=total)


@tool(
    agent=AGENT,
    method="GET",
    path="/customers/{customer_id}",
    roles=PEOPLE,
    examples=[
        "show my profile",
        "what email and phone number do you have for me",
        "which contact details are on my account",
        "what is my customer id",
        "what payment methods do I have saved",
        "customer details for noah_brown_6181",
        "what phone and email does noah_brown_6181 have on file",
        "what is my default address",
    ],
)
async def get_customer_details(ctx: ToolContext, params: s.CustomerRef) -> s.CustomerDetails:
    """Get a customer's profile with addresses, saved payment methods and order numbers."""
    customer = await service.get_visible_customer(ctx, params.customer_id)
    methods = await methods_of(ctx.session, customer.id)
    return s.CustomerDetails(
        **to_out(customer).model_dump(),
        addresses=addresses_out(customer),
        payment_methods=[s.PaymentMethodBrief.model_validate(m) for m in methods],
        order_ids=await service.order_ids(ctx.session, customer.id),
    )


@tool(
    agent=AGENT,
    method="POST",
    path="/customers/find-by-email",
    roles=PEOPLE,
    examples=["find the customer with email noah.brown7922@example.com", "my email is ava@example.com"],
)
async def find_customer_by_email(ctx: ToolContext, params: s.FindByEmailIn) -> s.CustomerIdOut:
    """Find a customer's id from their email address."""
    customer = await service.find_by_email(ctx.session, params.email)
    ctx.check_owner(customer.id, f"customer {params.email!r}")
    return s.CustomerIdOut(customer_id=customer.id)


@tool(
    agent=AGENT,
    method="POST",
    path="/customers/find-by-name-zip",
    roles=PEOPLE,
    examples=["I am Noah Brown, zip code 80279", "look up customer Ava Martin in 75011"],
)
async def find_customer_by_name_zip(ctx: ToolContext, params: s.FindByNameZipIn) -> s.CustomerIdOut:
    """Find a customer's id from their first name, last name and postal code."""
    customer = await service.find_by_name_zip(ctx.session, params.first_name, params.last_name, params.zip)
    ctx.check_owner(customer.id, f"customer {params.first_name} {params.last_name}")
    return s.CustomerIdOut(customer_id=customer.id)


@tool(
    agent=AGENT,
    method="POST",
    path="/customers",
    roles=SUPPORT_UP,
    mutates=True,
    confirm=True,
    examples=["create a customer account for ava@example.com", "register new customer Ava Martin"],
)
async def create_customer(ctx: ToolContext, params: s.CreateCustomerIn) -> s.CustomerOut:
    """Create a customer account (the email must not be in use)."""
    customer = await service.create_customer(
        ctx, params.email, params.first_name, params.last_name, params.phone, params.address
    )
    return to_out(customer)


@tool(
    agent=AGENT,
    method="PUT",
    path="/customers/{customer_id}",
    roles=PEOPLE,
    mutates=True,
    confirm=True,
    examples=[
        "change my phone number to +33 6 12 34 56 78",
        "update the email of customer noah_brown_6181",
        "the customer ava_martin_7243 took a new surname, Lindqvist",
        "correct the spelling of my first name",
        "my family name is now Lindqvist",
    ],
)
async def update_customer(ctx: ToolContext, params: s.UpdateCustomerIn) -> s.CustomerOut:
    """Update a customer's profile: name, email or phone number."""
    customer = await service.get_visible_customer(ctx, params.customer_id)
    await service.update_customer(ctx, customer, params.model_dump(exclude={"customer_id"}, exclude_none=True))
    return to_out(customer)


@tool(
    agent=AGENT,
    method="DELETE",
    path="/customers/{customer_id}",
    roles={Role.CUSTOMER, Role.SUPPORT, Role.ADMIN},
    mutates=True,
    confirm=True,
    examples=["delete my account", "erase all my personal data", "anonymise customer noah_brown_6181 (GDPR)"],
)
async def erase_customer(ctx: ToolContext, params: s.CustomerRef) -> Message:
    """Erase (anonymise) a customer account; orders are kept without personal data."""
    customer = await service.get_visible_customer(ctx, params.customer_id)
    service.erase(ctx, customer)
    await service.deactivate_payment_methods(ctx.session, customer.id)
    return Message(message=f"customer {customer.id} has been anonymised")


@tool(
    agent=AGENT,
    method="POST",
    path="/customers/{customer_id}/addresses",
    roles=PEOPLE,
    mutates=True,
    confirm=True,
    examples=["add a new address 5 Rue Oberkampf, 75011 Paris, France", "save a second shipping address",
              "I'd like my office address on my account too, for deliveries on weekdays"],
)
async def add_customer_address(ctx: ToolContext, params: s.AddAddressIn) -> s.AddressList:
    """Add an address to a customer's address book."""
    customer = await service.get_visible_customer(ctx, params.customer_id)
    address = s.Address.model_validate(params.model_dump(include=set(s.Address.model_fields)))
    service.add_address(ctx, customer, address, params.make_default)
    await ctx.session.flush()
    return s.AddressList(addresses=addresses_out(customer))


@tool(
    agent=AGENT,
    method="GET",
    path="/customers/{customer_id}/addresses",
    roles=PEOPLE,
    # Lent to every specialist to read with: a write taking an address may take a saved one ("ship it to my Milan
    # address instead").
    lookup=True,
    examples=["list my addresses", "which addresses do I have", "show the address book of noah_brown_6181"],
)
async def list_customer_addresses(ctx: ToolContext, params: s.CustomerRef) -> s.AddressList:
    """List a customer's addresses, the default first."""
    customer = await service.get_visible_customer(ctx, params.customer_id)
    return s.AddressList(addresses=addresses_out(customer))


@tool(
    agent=AGENT,
    method="PUT",
    path="/customers/{customer_id}/default-address",
    roles=PEOPLE,
    mutates=True,
    confirm=True,
    examples=["change my default address to 10 Main Street, Denver CO 80202, USA", "update my home address",
              "make my other saved address my main one"],
)
async def update_default_address(ctx: ToolContext, params: s.SetDefaultAddressIn) -> s.AddressList:
    """Replace a customer's default address (existing orders keep theirs)."""
    customer = await service.get_visible_customer(ctx, params.customer_id)
    address = s.Address.model_validate(params.model_dump(include=set(s.Address.model_fields)))
    service.replace_default_address(ctx, customer, address)
    await ctx.session.flush()
    return s.AddressList(addresses=addresses_out(customer))


@tool(
    agent=AGENT,
    method="GET",
    path="/customers/{customer_id}/loyalty",
    roles=PEOPLE,
    examples=["how many loyalty points do I have", "what is my loyalty tier", "am I a gold member yet",
              "how close am I to the next tier", "loyalty status of noah_brown_6181"],
)
async def get_loyalty(ctx: ToolContext, params: s.CustomerRef) -> s.LoyaltyOut:
    """Get a customer's loyalty tier, points and how to reach the next tier."""
    customer = await service.get_visible_customer(ctx, params.customer_id)
    upcoming, missing = service.next_tier(customer.loyalty_points)
    return s.LoyaltyOut(
        customer_id=customer.id,
        tier=customer.loyalty_tier,
        points=customer.loyalty_points,
        next_tier=upcoming,
        points_to_next_tier=missing,
        earning_rules=service.EARNING_RULES,
    )


@tool(
    agent=AGENT,
    method="POST",
    path="/customers/{customer_id}/interactions",
    roles=SUPPORT_UP,
    mutates=True,
    examples=["log a phone call with noah_brown_6181 about a late parcel",
              "note that ava_martin_7243 emailed to ask about gift wrapping"],
)
async def log_customer_interaction(ctx: ToolContext, params: s.LogInteractionIn) -> s.InteractionOut:
    """Log a contact with a customer (call, email, note); a complaint or support case is opened as a case."""
    customer = await service.get_visible_customer(ctx, params.customer_id)
    if params.kind in support.CASE_KINDS:
        # One path for a case, whichever tool asks: its queue, answer-by time, audit and event.
        topic = "complaint" if params.kind == "complaint" else "other"
        ask = OpenCaseIn(summary=params.summary, topic=topic, order_id=params.order_id, customer_id=customer.id)
        return s.InteractionOut.model_validate(await support.open_case(ctx, ask, channel=params.channel))
    interaction = service.log_interaction(ctx, customer, params.channel, params.kind, params.summary, params.order_id)
    await ctx.session.flush()
    return s.InteractionOut.model_validate(interaction)
