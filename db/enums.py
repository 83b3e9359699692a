"""Every enumerated value the data model stores, one StrEnum each."""

from enum import StrEnum


class Role(StrEnum):
    CUSTOMER = "customer"
    SUPPORT = "support"
    WAREHOUSE = "warehouse"
    MERCHANT = "merchant"
    ADMIN = "admin"


class OrderStatus(StrEnum):
    PENDING = "pending"
    ON_HOLD = "on_hold"
    PROCESSED = "processed"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURN_REQUESTED = "return_requested"
    EXCHANGE_REQUESTED = "exchange_requested"


class OrderChannel(StrEnum):
    WEB = "web"
    MARKETPLACE = "marketplace"
    STAFF = "staff"


class PaymentMethodKind(StrEnum):
    CREDIT_CARD = "credit_card"
    PAYPAL = "paypal"
    GIFT_CARD = "gift_card"
    # The buyer paid a sales channel (Amazon, eBay...), which collected the money for us.
    MARKETPLACE = "marketplace"


class PaymentStatus(StrEnum):
    PENDING = "pending"
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    VOIDED = "voided"
    FAILED = "failed"


class TransactionKind(StrEnum):
    AUTHORIZE = "authorize"
    CAPTURE = "capture"
    SALE = "sale"
    VOID = "void"
    REFUND = "refund"


class TransactionResult(StrEnum):
    SUCCESS = "success"
    DECLINED = "declined"


class MovementKind(StrEnum):
    RECEIPT = "receipt"
    SHIPMENT = "shipment"
    ADJUSTMENT = "adjustment"
    TRANSFER_IN = "transfer_in"
    TRANSFER_OUT = "transfer_out"
    WRITE_OFF = "write_off"
    RETURN = "return"


class ReservationStatus(StrEnum):
    ACTIVE = "active"
    RELEASED = "released"
    EXPIRED = "expired"
    CONSUMED = "consumed"


class ShipmentStatus(StrEnum):
    PENDING = "pending"
    PICKING = "picking"
    PACKED = "packed"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"


class ShippingZone(StrEnum):
    DOMESTIC = "domestic"
    EU = "eu"
    WORLD = "world"


class RmaStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    INSPECTED = "inspected"
    REFUNDED = "refunded"
    EXCHANGED = "exchanged"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ReturnReason(StrEnum):
    CHANGED_MIND = "changed_mind"
    BETTER_PRICE = "better_price"
    PRODUCT_DEFECT = "product_defect"
    NOT_AS_DESCRIBED = "not_as_described"
    DAMAGED_IN_SHIPPING = "damaged_in_shipping"
    WRONG_ITEM = "wrong_item"
    OTHER = "other"


class ReturnResolution(StrEnum):
    REFUND = "refund"
    EXCHANGE = "exchange"
    STORE_CREDIT = "store_credit"


class ItemCondition(StrEnum):
    UNOPENED = "unopened"
    OPENED = "opened"
    USED = "used"
    DAMAGED = "damaged"
    DEFECTIVE = "defective"


class Disposition(StrEnum):
    RESTOCK = "restock"
    REFURBISH = "refurbish"
    LIQUIDATE = "liquidate"
    DISPOSE = "dispose"
    RETURN_TO_SUPPLIER = "return_to_supplier"


class ExchangeStatus(StrEnum):
    REQUESTED = "requested"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class WarrantyStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    RESOLVED = "resolved"


class InspectionStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class InspectionResult(StrEnum):
    PASS = "pass"
    CONDITIONAL_PASS = "conditional_pass"
    FAIL = "fail"


class DefectSeverity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    TRIVIAL = "trivial"


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class AlertSeverity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class InvoiceStatus(StrEnum):
    ISSUED = "issued"
    SENT = "sent"
    VOIDED = "voided"


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    PACKING_SLIP = "packing_slip"
    SHIPPING_LABEL = "shipping_label"


class DocumentFormat(StrEnum):
    PDF = "pdf"
    PNG = "png"
    ZPL = "zpl"


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class FraudLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class BlockedKind(StrEnum):
    EMAIL = "email"
    IP = "ip"
    CUSTOMER = "customer"
    CARD = "card"


class LoyaltyTier(StrEnum):
    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    # Approved, but the held action was refused when it ran (e.g. the money was refunded meanwhile).
    FAILED = "failed"


class ConnectionStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ERROR = "error"
    # Deleted by staff: credentials wiped, kept only so imported orders still name their channel.
    DISCONNECTED = "disconnected"


class ChannelKind(StrEnum):
    AMAZON = "amazon"
    EBAY = "ebay"
    CDISCOUNT = "cdiscount"
    ETSY = "etsy"
    # The file-backed test channel (tools/marketplace/sandbox.py); no real marketplace behind it.
    SANDBOX = "sandbox"


class SyncStatus(StrEnum):
    """Where a channel order stands in our shop."""

    IMPORTED = "imported"
    FAILED = "failed"


class RunOutcome(StrEnum):
    ANSWERED = "answered"
    CONFIRMATION_REQUESTED = "confirmation_requested"
    CANCELLED = "cancelled"
    REFUSED = "refused"
    LIMIT_REACHED = "limit_reached"
    ERROR = "error"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    DEAD = "dead"


class CallVia(StrEnum):
    """Which face of a tool was used."""

    REST = "rest"
    CHAT = "chat"
    # Called by our own code (evaluation set-up and checks, scripts), not by a person.
    INTERNAL = "internal"
