"""Inputs and outputs of the quality tools."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from db.enums import DefectSeverity, InspectionResult, InspectionStatus
from tools.schemas import Number, Page, Schema

InspectionRef = Annotated[str, Field(
    pattern=r"^(?:[Qq][Ii]-[A-Za-z0-9]{8}|[A-Fa-f0-9-]{36})$", description="Inspection number (QI-7K2M9P4X) or id.",
    examples=["QI-7K2M9P4X"],
)]
ProductRef = Annotated[str, Field(
    min_length=1, max_length=200, description="Product id, name or one of its SKUs.",
    examples=["KB-CLICKY-01", "6496450637"],
)]


class ScheduleIn(Schema):
    sku: str | None = Field(None, max_length=64, description="SKU (or product) to inspect.", examples=["KB-CLICKY-01"])
    rma_number: str | None = Field(None, max_length=32, description="A received return to inspect, by RMA number.",
                                   examples=["RMA-20261201-AB12CD34"])
    receipt_reference: str | None = Field(None, max_length=64, description="Reference of an inbound receipt "
                                          "(stock movement) to inspect.", examples=["PO-2026-0042"])
    sample_size: int | None = Field(None, gt=0, le=10000, description="Units to inspect. Default: 5 % of a receipt "
                                    "(5 to 50 units), every returned unit of an RMA, else 5.", examples=[20])
    scheduled_for: datetime | None = Field(None, description="When to inspect (UTC); now when left out.",
                                           examples=["2026-12-04T09:00:00Z"])
    inspector: str | None = Field(None, max_length=64, description="Username of the inspector assigned.",
                                  examples=["wendy.warehouse"])
    notes: str = Field("", max_length=1000, description="Anything the inspector should know.")

    @model_validator(mode="after")
    def _one_subject(self):
        if not (self.sku or self.rma_number or self.receipt_reference):
            raise ValueError("give a sku, an rma_number or a receipt_reference")
        if self.rma_number and self.receipt_reference:
            raise ValueError("give either an rma_number or a receipt_reference, not both")
        return self


class InspectionRefIn(Schema):
    inspection_id: InspectionRef


class CancelIn(Schema):
    inspection_id: InspectionRef
    reason: str = Field("no longer needed", min_length=3, max_length=300, description="Why it is cancelled.")


class DefectIn(Schema):
    inspection_id: InspectionRef
    severity: DefectSeverity = Field(description="critical, major, minor or trivial.", examples=["major"])
    description: str = Field(min_length=3, max_length=1000, description="What is wrong.",
                             examples=["key not registering", "small scratch on the case"])
    quantity: int = Field(1, gt=0, le=10000, description="Defective units with this defect.", examples=[1])


class ListInspectionsIn(Page):
    status: InspectionStatus | None = Field(None, description="Only inspections in this status.")
    product: ProductRef | None = Field(None, description="Only inspections of this product.")
    result: InspectionResult | None = Field(None, description="Only completed inspections with this result.")


class ProductIn(Schema):
    product_id: ProductRef


class SupplierIn(Schema):
    supplier: str = Field(min_length=2, max_length=100, description="Supplier name (any case).",
                          examples=["Keystone Components"])


class NoInput(Schema):
    pass


class DefectOut(Schema):
    id: int = Field(description="Defect id.")
    severity: DefectSeverity = Field(description="Severity.")
    description: str = Field(description="What is wrong.")
    quantity: int = Field(description="Defective units.")
    inspection_number: str | None = Field(None, description="Inspection that found it.")
    sku: str | None = Field(None, description="SKU, when known.")
    created_at: datetime = Field(description="When it was recorded (UTC).")


class InspectionOut(Schema):
    inspection_number: str = Field(description="Number people quote, e.g. QI-7K2M9P4X.")
    id: str = Field(description="Inspection id.")
    kind: str = Field(description="receiving or return.")
    status: InspectionStatus = Field(description="scheduled, in_progress, completed or cancelled.")
    result: InspectionResult | None = Field(None, description="pass, conditional_pass or fail once completed.")
    score: int | None = Field(None, description="0-100, computed from the defects at completion.")
    product_id: str = Field(description="Product inspected.")
    product_name: str = Field(description="Its name.")
    sku: str | None = Field(None, description="SKU inspected, when one.")
    supplier: str = Field(description="Supplier of the product.")
    batch_reference: str = Field(description="Receipt reference or RMA number inspected.")
    sample_size: int = Field(description="Units inspected.")
    defective_units: int = Field(description="Defective units recorded so far.")
    inspector: str = Field(description="Assigned inspector (username), empty when unassigned.")
    scheduled_for: datetime = Field(description="When it is planned (UTC).")
    started_at: datetime | None = Field(None, description="When it started.")
    completed_at: datetime | None = Field(None, description="When it was completed.")
    notes: str = Field("", description="Notes.")
    defects: list[DefectOut] = Field(description="Defects recorded.")


class InspectionList(Schema):
    inspections: list[InspectionOut] = Field(description="Inspections, soonest scheduled first.")
    total: int = Field(description="How many match in all.")


class ProductDefects(Schema):
    product_id: str = Field(description="Product.")
    product_name: str = Field(description="Its name.")
    defects: list[DefectOut] = Field(description="Every defect recorded for it, newest first.")
    total_units: int = Field(description="Defective units in all.")


class ProductMetrics(Schema):
    product_id: str = Field(description="Product.")
    product_name: str = Field(description="Its name.")
    supplier: str = Field(description="Supplier.")
    inspections: int = Field(description="Inspections in any status.")
    completed: int = Field(description="Completed inspections.")
    results: dict[str, int] = Field(description="Completed inspections per result.")
    pass_rate_pct: Number | None = Field(None, description="Share of completed inspections that passed "
                                         "(pass or conditional pass), percent.")
    average_score: Number | None = Field(None, description="Average score of completed inspections.")
    defects_by_severity: dict[str, int] = Field(description="Defective units per severity (inspections).")
    inspection_defect_rate_pct: Number | None = Field(None, description="Defective / inspected units, percent.")
    units_shipped: int = Field(description="Units shipped to customers.")
    units_returned_defective: int = Field(description="Units returned with the reason product_defect.")
    return_defect_rate_pct: Number | None = Field(None, description="Defect returns / units shipped, percent.")
    needs_inspection: bool = Field(description="True when the return defect rate is above 5 %.")


class SupplierProduct(Schema):
    product_id: str = Field(description="Product.")
    name: str = Field(description="Its name.")
    inspected_units: int = Field(description="Units inspected in the window.")
    defective_units: int = Field(description="Defective units found in the window.")


class SupplierRating(Schema):
    supplier: str = Field(description="Supplier.")
    summary: str = Field(description="The rating in a sentence, e.g. 'Sonata Audio: poor (6.00 % defective)'.")
    rating: Literal["excellent", "good", "fair", "poor", "unrated"] = Field(description="The rating.")
    defect_rate_pct: Number | None = Field(None, description="Defective / inspected units, percent.")
    inspected_units: int = Field(description="Units inspected in the window.")
    defective_units: int = Field(description="Defective units found in the window.")
    inspections: int = Field(description="Completed inspections in the window.")
    window_days: int = Field(description="Days looked back.")
    products: list[SupplierProduct] = Field(description="Per product.")


class SupplierRatingList(Schema):
    suppliers: list[SupplierRating] = Field(description="Every supplier, worst rating first.")

