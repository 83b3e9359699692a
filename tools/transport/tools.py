"""Transport tools: carriers and their rates, quotes and carrier choice, shipments and tracking."""

from db.enums import Role
from tools.context import ALL_ROLES, ToolContext
from tools.customer import service as customers
from tools.errors import NotFound
from tools.order import service as orders
from tools.registry import tool
from tools.schemas import normalize_order_id
from tools.transport import carriers, rates, shipments
from tools.transport import schemas as s
from tools.transport.reference import HOME_COUNTRY
from tools.warehouse import fulfilment

AGENT = "transport"
SHIPPERS = {Role.WAREHOUSE, Role.MERCHANT, Role.ADMIN}
MANAGERS = {Role.MERCHANT, Role.ADMIN}


def carrier_out(carrier) -> s.CarrierOut:
    """A carrier with its rate table, by zone and band."""
    table = sorted(carrier.rates, key=lambda r: (str(r.zone), r.max_weight_kg))
    return s.CarrierOut(code=carrier.code, name=carrier.name, tracking_prefix=carrier.tracking_prefix,
                        on_time_rate=carrier.on_time_rate, active=carrier.active, zones=carriers.zones(carrier),
                        rates=[s.RateOut.model_validate(r) for r in table])


async def shipment_out(ctx: ToolContext, shipment) -> s.ShipmentOut:
    """A shipment with its tracking events as stored now."""
    await ctx.session.flush()
    await ctx.session.refresh(shipment, ["events", "order_lines"])
    return s.shipment_out(shipment)


async def default_destination(ctx: ToolContext) -> str:
    """Where a quote goes when nobody said: a customer's default address country, else the shop's own country."""
    if ctx.principal.is_customer:
        customer = await customers.get_customer(ctx.session, ctx.principal.subject)
        home = next((a for a in customer.addresses if a.is_default), None)
        if home is not None and home.country:
            return home.country
    return HOME_COUNTRY


def quote_out(quote: rates.Quote) -> dict:
    """The fields of a quote in the output models."""
    return {"carrier_code": quote.carrier_code, "carrier_name": quote.carrier_name, "price": quote.price,
            "transit_days": quote.transit_days, "parcels": quote.parcels, "on_time_rate": quote.on_time_rate}


@tool(agent=AGENT, method="GET", path="/carriers", roles=ALL_ROLES,
      examples=["which carriers do you use", "list the carriers", "show all carriers including inactive ones",
                "which couriers do you work with", "who delivers to Canada?"])
async def list_carriers(ctx: ToolContext, params: s.ListCarriersIn) -> s.CarrierList:
    """List the carriers with their on-time rates, zones and rate tables."""
    rows = await carriers.list_carriers(ctx.session, params.include_inactive and not ctx.principal.is_customer)
    return s.CarrierList(carriers=[carrier_out(c) for c in rows])


@tool(agent=AGENT, method="GET", path="/carriers/{carrier_code}", roles=ALL_ROLES,
      examples=["show the Colissimo rate table", "rates of DPD", "what is the on-time rate of Chronopost",
                "carrier details for UPS", "which zones does Colis Privé serve"])
async def get_carrier(ctx: ToolContext, params: s.CarrierRefIn) -> s.CarrierOut:
    """Get a carrier by code or name with its rate table by zone and weight band."""
    carrier = await carriers.get_carrier(ctx.session, params.carrier_code)
    if ctx.principal.is_customer and not carrier.active:
        raise NotFound(f"carrier {params.carrier_code!r} not found")
    return carrier_out(carrier)


@tool(agent=AGENT, method="POST", path="/carriers", roles=MANAGERS, mutates=True,
      examples=["add a new carrier GLS with prefix GL and an on-time rate of 0.92",
                "create carrier mondial_relay named Mondial Relay, prefix MR, on time 0.9"])
async def create_carrier(ctx: ToolContext, params: s.CreateCarrierIn) -> s.CarrierOut:
    """Add a carrier with its tracking prefix, on-time rate and rate table."""
    fields = params.model_dump(exclude={"rates"})
    carrier = await carriers.create_carrier(ctx, fields, [r.model_dump() for r in params.rates])
    return carrier_out(await carriers.get_carrier(ctx.session, carrier.code))


@tool(agent=AGENT, method="PUT", path="/carriers/{carrier_code}", roles=MANAGERS, mutates=True, confirm=True,
      examples=["set the on-time rate of DPD to 0.91", "Colis Privé is not active any more",
                "make the FedEx carrier active again",
                "change the Colissimo domestic price up to 1 kg to 5.90 EUR",
                "Chronopost now uses tracking prefix XQ", "stop offering UPS for the world zone"])
async def update_carrier(ctx: ToolContext, params: s.UpdateCarrierIn) -> s.CarrierOut:
    """Change a carrier's config: on-time rate, active flag, tracking prefix, name or rate rows."""
    carrier = await carriers.get_carrier(ctx.session, params.carrier_code, for_update=True)
    changes = params.model_dump(include={"name", "on_time_rate", "active", "tracking_prefix"}, exclude_none=True)
    await carriers.update_carrier(ctx, carrier, changes, [r.model_dump() for r in params.rates], params.remove_zones)
    await ctx.session.refresh(carrier, ["rates"])
    return carrier_out(carrier)


@tool(agent=AGENT, method="DELETE", path="/carriers/{carrier_code}", roles=MANAGERS, mutates=True, confirm=True,
      examples=["delete the carrier GLS", "remove Colis Privé from our carriers", "drop the test carrier"])
async def delete_carrier(ctx: ToolContext, params: s.CarrierRefIn) -> s.DeleteCarrierOut:
    """Delete a carrier, or deactivate it when shipments or orders refer to it."""
    carrier = await carriers.get_carrier(ctx.session, params.carrier_code, for_update=True)
    code, name = carrier.code, carrier.name
    outcome = await carriers.delete_carrier(ctx, carrier)
    message = (f"carrier {name} was deleted" if outcome == "deleted"
               else f"carrier {name} was deactivated; its shipments keep it")
    return s.DeleteCarrierOut(code=code, outcome=outcome, message=message)


@tool(agent=AGENT, method="GET", path="/shipping/quotes", roles=ALL_ROLES,
      examples=["how much is shipping to Germany for 2 kg", "shipping cost of a 5 kg parcel to Spain",
                "what does it cost to send 1 kg within France", "rates for 12 kg to the USA",
                "quote shipping to the world zone for 3 kg", "price to ship 0.8 kg to Belgium",
                "cheapest way to post a 500 g parcel to Italy", "how much to mail 3kg to Portugal"])
async def quote_shipping(ctx: ToolContext, params: s.QuoteIn) -> s.QuoteList:
    """Quote every carrier's price and transit days for a destination and weight, cheapest first."""
    destination = params.destination or await default_destination(ctx)
    zone, _ = await rates.resolve_destination(ctx.session, destination)
    found = await rates.quotes(ctx.session, zone, params.weight_kg)
    return s.QuoteList(destination=destination, zone=zone, weight_kg=params.weight_kg,
                       quotes=[s.QuoteOut(**quote_out(q)) for q in found])


@tool(agent=AGENT, method="GET", path="/shipping/carrier-selection", roles=ALL_ROLES,
      examples=["which carrier is best for 2 kg to Germany", "choose a carrier for a 3 kg parcel to Italy",
                "best carrier for 1 kg domestic", "recommend a carrier for 10 kg to the US",
                "which carrier should ship this 0.5 kg parcel to Belgium"])
async def select_carrier(ctx: ToolContext, params: s.QuoteIn) -> s.SelectionOut:
    """Choose the carrier for a destination and weight by score (on-time 60 %, price 40 %), with alternatives."""
    destination = params.destination or await default_destination(ctx)
    zone, _ = await rates.resolve_destination(ctx.session, destination)
    ranked = rates.rank(await rates.quotes(ctx.session, zone, params.weight_kg))
    if not ranked:
        raise rates.no_carrier(zone, params.weight_kg)
    scored = [s.ScoredOut(**quote_out(r.quote), normalised_price=r.normalised_price, score=r.score) for r in ranked]
    return s.SelectionOut(destination=destination, zone=zone, weight_kg=params.weight_kg, best=scored[0],
                          alternatives=scored[1:1 + rates.ALTERNATIVES])


@tool(agent=AGENT, method="POST", path="/shipments", roles=SHIPPERS, mutates=True, confirm=True,
      examples=["create a shipment for order #W2611340", "ship order W4817420 with Colissimo",
                "make a DPD shipment for #W2611340 from PAR-1",
                "create the shipment of #W4817420 with tracking number 6A123456789012"])
async def create_shipment(ctx: ToolContext, params: s.CreateShipmentIn) -> s.ShipmentOut:
    """Create a shipment for an order's unsent items, booked with a carrier that gives its tracking number."""
    order = await orders.get_order(ctx.session, params.order_id, for_update=True)
    shipment = await shipments.create(ctx, order, carrier_ref=params.carrier_code,
                                      warehouse_ref=params.warehouse_ref, tracking_number=params.tracking_number)
    return await shipment_out(ctx, shipment)


@tool(agent=AGENT, method="GET", path="/shipments/{shipment_ref}", roles=ALL_ROLES,
      examples=["track my parcel 6A178923456701", "where is parcel XP170000000001",
                "find the shipment with tracking number 1Z170000000002", "track the parcel of my order #W5567936",
                "status of shipment DPD170000000003"])
async def track_shipment(ctx: ToolContext, params: s.ShipmentRefIn) -> s.ShipmentOut:
    """Find a shipment by tracking number (or order number) with its status and tracking events."""
    return s.shipment_out(await shipments.visible_shipment(ctx, params.shipment_ref))


@tool(agent=AGENT, method="GET", path="/shipments", roles=ALL_ROLES,
      examples=["list shipments in transit", "which parcels are in exception", "shipments with DPD this week",
                "list my shipments", "parcels created between 1 and 15 March", "show the shipments of order #W5567936"])
async def list_shipments(ctx: ToolContext, params: s.ListShipmentsIn) -> s.ShipmentList:
    """List shipments by status, carrier, order and creation date, newest first (customers: their own)."""
    rows, total = await shipments.list_shipments(
        ctx.session, customer_id=ctx.customer_scope(None), status=params.status,
        carrier_code=params.carrier_code,
        order_id=normalize_order_id(params.order_id) if params.order_id else None,
        created_from=params.created_from, created_to=params.created_to, limit=params.limit, offset=params.offset,
    )
    return s.ShipmentList(shipments=[s.shipment_out(r, with_events=False) for r in rows], total=total)


@tool(agent=AGENT, method="GET", path="/shipments/{shipment_ref}/events", roles=ALL_ROLES,
      examples=["tracking history of parcel 6A178923456701", "show every scan of my parcel",
                "tracking events for order #W5567936"])
async def list_tracking_events(ctx: ToolContext, params: s.ShipmentRefIn) -> s.TrackingEvents:
    """List a parcel's tracking events, oldest first."""
    shipment = await shipments.visible_shipment(ctx, params.shipment_ref)
    out = s.shipment_out(shipment)
    return s.TrackingEvents(tracking_number=out.tracking_number, status=out.status, events=out.events)


@tool(agent=AGENT, method="POST", path="/shipments/{shipment_ref}/events", roles=SHIPPERS, mutates=True,
      examples=["parcel 6A178923456701 is out for delivery in Lyon",
                "record a tracking event: XP170000000001 in transit at Roissy hub",
                "the carrier says 1Z170000000002 was delivered",
                "carrier reports an exception on DPD170000000003: address not found"])
async def add_tracking_event(ctx: ToolContext, params: s.TrackingEventIn) -> s.ShipmentOut:
    """Record a carrier's tracking event on a shipped parcel (in transit, out for delivery, delivered, exception)."""
    shipment = await shipments.visible_shipment(ctx, params.shipment_ref, for_update=True)
    await fulfilment.advance_or_note(ctx, shipment, params.status, params.location, params.description)
    return await shipment_out(ctx, shipment)


@tool(agent=AGENT, method="POST", path="/shipments/{shipment_ref}/sync", roles=SHIPPERS, mutates=True,
      examples=["refresh the tracking of 6A178923456701 from the carrier", "sync tracking for order #W5567936",
                "fetch the latest carrier scans for parcel XP170000000001"])
async def sync_tracking(ctx: ToolContext, params: s.ShipmentRefIn) -> s.SyncOut:
    """Fetch the carrier's latest tracking events for a parcel and apply the new ones."""
    shipment = await shipments.visible_shipment(ctx, params.shipment_ref, for_update=True)
    applied = await fulfilment.sync(ctx, shipment)
    out = await shipment_out(ctx, shipment)
    return s.SyncOut(**out.model_dump(), applied=applied)

