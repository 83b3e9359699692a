"""The six carriers and their rate tables, written from the transport service's reference tables."""

from db.models import Carrier, CarrierRate
from db.seed.base import Rows
from tools.transport.reference import carrier_values


def add_carriers(rows: Rows) -> None:
    """Queue the carriers and their rate tables."""
    for values in carrier_values():
        rates = values.pop("rates")
        rows.add(Carrier, **values)
        for rate in rates:
            rows.add(CarrierRate, id=rows.next_id(CarrierRate), **rate)
