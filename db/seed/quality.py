"""Demo quality inspections in every state, with defects, for a few products of different suppliers.

Scores and results come from the quality domain's own rules (tools/quality/scoring.py), so the completed
inspections read exactly like ones completed through the tools. Added after the demo shop is built.
"""

import random
from datetime import datetime, timedelta

from db.enums import DefectSeverity, InspectionStatus
from db.models import Defect, Product, ProductVariant, QualityInspection
from db.seed.base import Rows, stable_uuid
from tools.quality.scoring import result, score

RANDOM_SEED = 8_030  # this module's own generator: the demo shop's draws stay as they were
S, D = InspectionStatus, DefectSeverity

# number, SKU, status, sample, inspector, days ago (scheduled), defects (severity, units, description), batch
INSPECTIONS = [
    ("QI-DEMO0001", "KB-TKL-02", S.SCHEDULED, 20, "wendy.warehouse", -1, [], "PO-2026-0107"),
    ("QI-DEMO0002", "DK-LAMP-01", S.IN_PROGRESS, 10, "wendy.warehouse", 1,
     [(D.MINOR, 1, "small scratch on the lamp arm")], "PO-2026-0101"),
    ("QI-DEMO0003", "KB-CLICKY-03", S.COMPLETED, 20, "wendy.warehouse", 12,
     [(D.CRITICAL, 1, "exposed wiring at the USB port"), (D.MAJOR, 1, "space bar not registering")], "PO-2026-0088"),
    ("QI-DEMO0004", "AU-SPEAKER-01", S.SCHEDULED, 15, "", -2, [], "PO-2026-0109"),
    ("QI-DEMO0005", "AU-BUDS-02", S.COMPLETED, 50, "mia.merchant", 20,
     [(D.MAJOR, 1, "left earbud does not pair"), (D.MINOR, 2, "loose case hinge")], "PO-2026-0079"),
    ("QI-DEMO0006", "KB-CLICKY-01", S.COMPLETED, 50, "wendy.warehouse", 30,
     [(D.MINOR, 1, "misaligned legend print")], "PO-2026-0071"),
    ("QI-DEMO0007", "DK-MAT-01", S.COMPLETED, 50, "wendy.warehouse", 40, [], "PO-2026-0065"),
    ("QI-DEMO0008", "HM-MUG-01", S.CANCELLED, 10, "", 5, [], "PO-2026-0094"),
]


def add_quality(rows: Rows, anchor: datetime) -> None:
    """Queue the demo inspections and their defects."""
    rng = random.Random(RANDOM_SEED)
    variants = {v["sku"]: v for v in rows.of(ProductVariant)}
    suppliers = {p["id"]: p["supplier"] for p in rows.of(Product)}
    for number, sku, status, sample, inspector, days, defects, batch in INSPECTIONS:
        variant = variants[sku]
        planned = anchor - timedelta(days=days, hours=rng.randint(-3, 3)) + timedelta(hours=9)
        started = planned + timedelta(minutes=rng.randint(5, 40)) if status in (S.IN_PROGRESS, S.COMPLETED) else None
        completed = started + timedelta(hours=rng.randint(1, 3)) if status == S.COMPLETED else None
        points = score((severity, units) for severity, units, _ in defects) if completed else None
        critical = any(severity is D.CRITICAL for severity, _, _ in defects)
        inspection_id = stable_uuid("inspection", number)
        rows.add(QualityInspection, id=inspection_id, inspection_number=number, kind="receiving",
                 product_id=variant["product_id"], variant_id=variant["id"], supplier=suppliers[variant["product_id"]],
                 batch_reference=batch, rma_id=None, sample_size=sample, status=status,
                 result=result(points, critical) if completed else None, score=points, inspector=inspector,
                 scheduled_for=planned, started_at=started, completed_at=completed, notes="",
                 created_at=planned - timedelta(days=2), updated_at=completed or started or planned - timedelta(days=2))
        for position, (severity, units, description) in enumerate(defects):
            rows.add(Defect, id=rows.next_id(Defect), inspection_id=inspection_id, product_id=variant["product_id"],
                     variant_id=variant["id"], rma_id=None, severity=severity, description=description, quantity=units,
                     created_at=(started or planned) + timedelta(minutes=10 * (position + 1)))


def describe(rows: Rows) -> list[list[str]]:
    """Rows for docs/demo-data.md: number, SKU, supplier, status, result and score, defects, inspector."""
    skus = {v["id"]: v["sku"] for v in rows.of(ProductVariant)}
    units: dict[str, int] = {}
    for defect in rows.of(Defect):
        units[defect["inspection_id"]] = units.get(defect["inspection_id"], 0) + defect["quantity"]
    return [[f"`{q['inspection_number']}`", f"`{skus[q['variant_id']]}`", q["supplier"], q["status"],
             f"{q['result']} ({q['score']})" if q["result"] else "-", f"{units.get(q['id'], 0)} of {q['sample_size']}",
             q["inspector"] or "unassigned"] for q in rows.of(QualityInspection)]
