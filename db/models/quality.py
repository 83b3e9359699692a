"""Quality inspections and the defects found in them (or reported through returns)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Timestamped, utcnow
from db.enums import DefectSeverity, InspectionResult, InspectionStatus


class QualityInspection(Timestamped, Base):
    """An inspection of a sample of a product batch; score (0-100) is computed from its defects."""

    __tablename__ = "quality_inspections"
    __table_args__ = (CheckConstraint("sample_size > 0", name="sample_size_positive"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    inspection_number: Mapped[str] = mapped_column(String(32), unique=True)
    # receiving, production or return
    kind: Mapped[str] = mapped_column(String(32), index=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    variant_id: Mapped[str | None] = mapped_column(ForeignKey("product_variants.id"), index=True)
    supplier: Mapped[str] = mapped_column(String(100), default="", index=True)
    # The delivery or return inspected: an inbound receipt reference or the RMA number.
    batch_reference: Mapped[str] = mapped_column(String(64), default="", index=True)
    rma_id: Mapped[str | None] = mapped_column(ForeignKey("return_requests.id"), index=True)
    sample_size: Mapped[int]
    status: Mapped[InspectionStatus] = mapped_column(
        String(16), default=InspectionStatus.SCHEDULED, index=True
    )
    result: Mapped[InspectionResult | None] = mapped_column(String(24), index=True)
    score: Mapped[int | None]
    inspector: Mapped[str] = mapped_column(String(64), default="")
    scheduled_for: Mapped[datetime] = mapped_column(index=True)
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    notes: Mapped[str] = mapped_column(Text, default="")

    defects: Mapped[list["Defect"]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="Defect.id"
    )


class Defect(Base):
    """Defective units of a product, found in an inspection or reported through a return."""

    __tablename__ = "defects"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[str | None] = mapped_column(ForeignKey("quality_inspections.id"), index=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    variant_id: Mapped[str | None] = mapped_column(ForeignKey("product_variants.id"), index=True)
    rma_id: Mapped[str | None] = mapped_column(ForeignKey("return_requests.id"), index=True)
    severity: Mapped[DefectSeverity] = mapped_column(String(16), index=True)
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    inspection: Mapped[QualityInspection | None] = relationship(back_populates="defects")
