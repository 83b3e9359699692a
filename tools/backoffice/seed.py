"""The demo shop's stored sales report, computed by the report service over the seeded rows.

`shopcrew seed` and the eval template run this after seeding (as they seed the knowledge base), so the
report's figures come from the one implementation of the report's rule (tools/backoffice/sales.py).
"""

from sqlalchemy.orm import Session

from db.models import Report, SystemConfig
from db.seed.backoffice import REPORT_BY, REPORT_ID, SETTINGS, report_window
from db.seed.base import sync_engine
from tools.backoffice.reports import report_row, sales_report
from tools.backoffice.sales import Window, figures_sync


def seed_demo_report(url: str) -> bool:
    """Store the demo sales report unless it exists or the database holds no demo shop; True when stored."""
    with sync_engine(url) as engine, Session(engine) as session, session.begin():
        marker = session.get(SystemConfig, SETTINGS[0][0])
        if marker is None or session.get(Report, REPORT_ID) is not None:
            return False
        # The seeded settings were created on the seeding day (db/seed/backoffice.py): the report counts back from it.
        anchor = marker.created_at
        w = Window(*report_window(anchor.date()))
        session.add(report_row(sales_report(REPORT_ID, w, figures_sync(session.execute, w), REPORT_BY, anchor)))
    return True
