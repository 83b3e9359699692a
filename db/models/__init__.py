"""All models, imported so that Base.metadata knows every table."""

from db.models.audit import AgentRun, AuditEvent, OutboxEvent
from db.models.catalog import Category, Product, ProductVariant
from db.models.customer import Address, Customer, Interaction
from db.models.documents import Document, Invoice, InvoiceSequence
from db.models.events import EventDelivery
from db.models.fraud import BlockedEntity, FraudCheck
from db.models.inventory import StockLevel, StockMovement, StockReservation, Warehouse
from db.models.knowledge import KnowledgeArticle
from db.models.marketplace import (
    MarketplaceConnection,
    MarketplaceListing,
    MarketplaceMessage,
    MarketplaceOrder,
)
from db.models.monitoring import SystemAlert, ToolCall
from db.models.order import Order, OrderLine, OrderNote
from db.models.payment import Payment, PaymentMethod, PaymentTransaction
from db.models.quality import Defect, QualityInspection
from db.models.returns import (
    Exchange,
    ExchangeLine,
    ReturnLine,
    ReturnRequest,
    SatisfactionSurvey,
    WarrantyClaim,
)
from db.models.risk import MetricSample, RiskAlert
from db.models.shipping import Carrier, CarrierRate, Shipment, TrackingEvent
from db.models.staff import ApiKey, ApprovalRequest, Report, StaffUser, SystemConfig

__all__ = [
    "Address", "AgentRun", "ApiKey", "ApprovalRequest", "AuditEvent", "BlockedEntity", "Carrier",
    "CarrierRate", "Category", "Customer", "Defect", "Document", "EventDelivery", "Exchange", "ExchangeLine",
    "FraudCheck",
    "Interaction", "Invoice", "InvoiceSequence", "KnowledgeArticle", "MarketplaceConnection",
    "MarketplaceListing", "MarketplaceMessage", "MarketplaceOrder", "MetricSample", "Order", "OrderLine",
    "OrderNote", "OutboxEvent", "Payment", "PaymentMethod", "PaymentTransaction", "Product", "ProductVariant",
    "QualityInspection", "Report", "ReturnLine", "ReturnRequest", "RiskAlert", "SatisfactionSurvey",
    "Shipment", "StaffUser", "StockLevel", "StockMovement", "StockReservation", "SystemAlert",
    "SystemConfig", "ToolCall", "TrackingEvent", "Warehouse", "WarrantyClaim",
]
