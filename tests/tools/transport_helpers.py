"""Builders for the transport and fulfilment tests: the carriers' reference tables, written like the seed does."""

from db.engine import unit_of_work
from db.models import Carrier, CarrierRate
from tools.transport.reference import carrier_values


async def carriers(sessions) -> None:
    """Store the six carriers and their reference rate tables."""
    async with unit_of_work(sessions) as s:
        for values in carrier_values():
            rates = values.pop("rates")
            s.add(Carrier(**values, rates=[CarrierRate(**r) for r in rates]))
