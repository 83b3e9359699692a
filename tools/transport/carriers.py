"""Carrier configuration: list, get, create, change (on-time rate, active flag, prefix, rates), delete."""

from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.models import Carrier, CarrierRate, Order, Shipment
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Ambiguous, Conflict, NotFound


async def get_carrier(session: AsyncSession, ref: str, *, for_update: bool = False) -> Carrier:
    """A carrier by code or name in any case ("Colis Privé", "colis_prive"), or failing those by a word of
    its name ("Colis") or the start of its code or name ("chrono"); several matches are ambiguous."""
    text = ref.strip().lower()
    stmt = (select(Carrier).options(selectinload(Carrier.rates))
            .where(or_(func.lower(Carrier.code) == text.replace(" ", "_"), func.lower(Carrier.name) == text)))
    found = (await session.execute(stmt)).scalars().first()
    if found is None:
        found = await _by_part(session, ref, text)
    if for_update:
        await session.refresh(found, with_for_update=True)
    return found


async def _by_part(session: AsyncSession, ref: str, text: str) -> Carrier:
    everyone = list((await session.execute(
        select(Carrier).options(selectinload(Carrier.rates)).order_by(Carrier.code))).scalars())
    for matches in (
        [c for c in everyone if text in c.name.lower().split()],
        [c for c in everyone if c.code.startswith(text) or c.name.lower().startswith(text)],
    ):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise Ambiguous(f"{len(matches)} carriers match {ref!r}; say which",
                            details=[{"code": c.code, "name": c.name} for c in matches])
    raise NotFound(f"carrier {ref!r} not found", details={"codes": [c.code for c in everyone]})


async def list_carriers(session: AsyncSession, include_inactive: bool) -> list[Carrier]:
    """Carriers by code, with their rates."""
    stmt = select(Carrier).options(selectinload(Carrier.rates)).order_by(Carrier.code)
    if not include_inactive:
        stmt = stmt.where(Carrier.active.is_(True))
    return list((await session.execute(stmt)).scalars())


def zones(carrier: Carrier) -> list[str]:
    """The zones the carrier has rates for."""
    return sorted({str(r.zone) for r in carrier.rates})


async def _check_prefix_free(session: AsyncSession, prefix: str, own_code: str | None = None) -> None:
    owner = await session.scalar(select(Carrier.code).where(Carrier.tracking_prefix == prefix))
    if owner is not None and owner != own_code:
        raise Conflict(f"tracking prefix {prefix} is already used by {owner}", code="duplicate_prefix")


def _set_rates(carrier: Carrier, rows: list[dict[str, Any]], remove_zones: list[str]) -> None:
    """Replace or add rate rows by (zone, band); drop the zones no longer served."""
    by_band = {(str(r.zone), Decimal(r.max_weight_kg)): r for r in carrier.rates}
    for row in rows:
        key = (str(row["zone"]), Decimal(row["max_weight_kg"]))
        if key in by_band:
            by_band[key].price, by_band[key].transit_days = row["price"], row["transit_days"]
        else:
            carrier.rates.append(CarrierRate(**row))
    for rate in [r for r in carrier.rates if str(r.zone) in set(map(str, remove_zones))]:
        carrier.rates.remove(rate)


async def create_carrier(ctx: ToolContext, fields: dict[str, Any], rates: list[dict[str, Any]]) -> Carrier:
    """Add a carrier with its rate table; code and tracking prefix must be unused."""
    if await ctx.session.get(Carrier, fields["code"]) is not None:
        raise Conflict(f"carrier {fields['code']} already exists", code="duplicate_code")
    await _check_prefix_free(ctx.session, fields["tracking_prefix"])
    carrier = Carrier(**fields, active=True, config={"currency": "EUR"}, rates=[])
    _set_rates(carrier, rates, [])
    ctx.session.add(carrier)
    await ctx.session.flush()
    audit(ctx, "carrier", carrier.code, "created", data={"rates": len(carrier.rates)})
    emit(ctx, "carrier.created", carrier.code, {"name": carrier.name})
    return carrier


async def update_carrier(ctx: ToolContext, carrier: Carrier, changes: dict[str, Any], rates: list[dict[str, Any]],
                         remove_zones: list[str]) -> None:
    """Change a carrier's settings and rate rows; the next quote uses them."""
    if "tracking_prefix" in changes:
        await _check_prefix_free(ctx.session, changes["tracking_prefix"], carrier.code)
    before = {name: str(getattr(carrier, name)) for name in changes}
    for name, value in changes.items():
        setattr(carrier, name, value)
    _set_rates(carrier, rates, remove_zones)
    await ctx.session.flush()
    facts = {"fields": sorted(changes), "rates_set": len(rates), "zones_removed": sorted(map(str, remove_zones))}
    audit(ctx, "carrier", carrier.code, "updated", data={**facts, "before": before})
    emit(ctx, "carrier.updated", carrier.code, facts)


async def is_referenced(session: AsyncSession, code: str) -> bool:
    """True when shipments or orders name the carrier."""
    for column in (Shipment.carrier_code, Order.carrier_code):
        if await session.scalar(select(exists().where(column == code))):
            return True
    return False


async def delete_carrier(ctx: ToolContext, carrier: Carrier) -> str:
    """Delete a carrier nothing refers to, or deactivate one that shipments or orders name; returns which."""
    code = carrier.code
    if not await is_referenced(ctx.session, code):
        await ctx.session.delete(carrier)
        await ctx.session.flush()
        outcome = "deleted"
    elif carrier.active:
        carrier.active = False
        outcome = "deactivated"
    else:
        raise Conflict(f"carrier {code} is already deactivated and its shipments keep it", code="already_inactive")
    audit(ctx, "carrier", code, outcome)
    emit(ctx, "carrier.deleted" if outcome == "deleted" else "carrier.deactivated", code, {"name": carrier.name})
    return outcome
