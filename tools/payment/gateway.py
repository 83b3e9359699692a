"""The payment gateway seam, the sandbox *test* gateway, and the record of money a sales channel collected.

`SandboxGateway` never talks to the outside world. It is deterministic: it approves every
operation except these documented test triggers, which decline an authorization or a sale:

- a card whose last four digits are "0002" (the classic "card declined" test number);
- any amount whose cents are .13 (e.g. 10.13 or 250.13), whatever the method.

Captures, voids and refunds of earlier approved operations are always approved. References look
like `sbx_sale_<hex>`. A real adapter (Stripe, Adyen, PayPal...) would implement `PaymentGateway`
with the same methods and be registered in `GATEWAYS` under its own name.

`ChannelCollection` is not a payment provider: marketplace orders are paid to the channel, and it
records that money (and refunds the channel owes the buyer) on `marketplace` payment methods.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from db.enums import PaymentMethodKind
from db.models import PaymentMethod

DECLINE_LAST_FOUR = "0002"
DECLINE_CENTS = Decimal("0.13")


@dataclass(frozen=True)
class GatewayResult:
    """What a gateway answered: approved or not, its reference and a human-readable message."""

    approved: bool
    reference: str
    message: str


class PaymentGateway(Protocol):
    """The operations Shopcrew needs from a payment provider."""

    name: str
    display_name: str
    test_mode: bool
    triggers: tuple[str, ...]  # documented ways to provoke a decline; empty for a live gateway
    method_kinds: tuple[PaymentMethodKind, ...]  # the kinds of payment method it takes money on

    async def authorize(self, method: PaymentMethod, amount: Decimal) -> GatewayResult:
        """Reserve an amount on the method without taking it."""
        ...

    async def capture(self, authorization: str, amount: Decimal) -> GatewayResult:
        """Take (part of) a reserved amount."""
        ...

    async def sale(self, method: PaymentMethod, amount: Decimal) -> GatewayResult:
        """Take an amount at once (authorize and capture in one step)."""
        ...

    async def void(self, authorization: str) -> GatewayResult:
        """Release an authorization of which nothing was captured."""
        ...

    async def refund(self, method: PaymentMethod, amount: Decimal, original: str | None) -> GatewayResult:
        """Give money back on the method, against an earlier charge when there is one."""
        ...


class SandboxGateway:
    """The test gateway: approves everything except the documented test triggers."""

    name = "sandbox"
    display_name = "Sandbox test gateway (no real money moves)"
    test_mode = True
    triggers = (
        f"a card ending in {DECLINE_LAST_FOUR} is declined",
        "an amount ending in .13 (e.g. 10.13) is declined",
        "captures, voids and refunds of approved operations are always approved",
    )
    method_kinds = (PaymentMethodKind.CREDIT_CARD, PaymentMethodKind.PAYPAL, PaymentMethodKind.GIFT_CARD)

    @staticmethod
    def _result(operation: str, approved: bool, message: str) -> GatewayResult:
        return GatewayResult(approved, f"sbx_{operation}_{uuid.uuid4().hex[:20]}", message)

    def _charge(self, operation: str, method: PaymentMethod, amount: Decimal) -> GatewayResult:
        if method.kind == PaymentMethodKind.CREDIT_CARD and method.last_four == DECLINE_LAST_FOUR:
            return self._result(operation, False, f"declined: card ending {DECLINE_LAST_FOUR} is the decline test card")
        if amount % 1 == DECLINE_CENTS:
            return self._result(operation, False, "declined: amounts ending in .13 are the decline test trigger")
        return self._result(operation, True, "approved")

    async def authorize(self, method: PaymentMethod, amount: Decimal) -> GatewayResult:
        """Approve unless a test trigger matches."""
        return self._charge("auth", method, amount)

    async def capture(self, authorization: str, amount: Decimal) -> GatewayResult:
        """Always approved."""
        return self._result("capture", True, "approved")

    async def sale(self, method: PaymentMethod, amount: Decimal) -> GatewayResult:
        """Approve unless a test trigger matches."""
        return self._charge("sale", method, amount)

    async def void(self, authorization: str) -> GatewayResult:
        """Always approved."""
        return self._result("void", True, "approved")

    async def refund(self, method: PaymentMethod, amount: Decimal, original: str | None) -> GatewayResult:
        """Always approved."""
        return self._result("refund", True, "approved")


class ChannelCollection:
    """Money a sales channel (Amazon, eBay...) collected from the buyer for a marketplace order.

    No money moves through us: a sale records what the channel took, and a refund records what the
    channel is to give back (the channel refunds the buyer; the connection's adapter tells it). It
    never declines, since the channel has already been paid.
    """

    name = "marketplace"
    display_name = "Collected by the sales channel (marketplace orders; no money moves through the shop)"
    test_mode = False
    triggers: tuple[str, ...] = ()
    method_kinds = (PaymentMethodKind.MARKETPLACE,)

    @staticmethod
    def _recorded(operation: str) -> GatewayResult:
        return GatewayResult(True, f"mkt_{operation}_{uuid.uuid4().hex[:20]}", "recorded")

    async def authorize(self, method: PaymentMethod, amount: Decimal) -> GatewayResult:
        """Recorded: the channel holds the money."""
        return self._recorded("auth")

    async def capture(self, authorization: str, amount: Decimal) -> GatewayResult:
        """Recorded."""
        return self._recorded("capture")

    async def sale(self, method: PaymentMethod, amount: Decimal) -> GatewayResult:
        """Recorded: the channel collected the amount."""
        return self._recorded("sale")

    async def void(self, authorization: str) -> GatewayResult:
        """Recorded."""
        return self._recorded("void")

    async def refund(self, method: PaymentMethod, amount: Decimal, original: str | None) -> GatewayResult:
        """Recorded: the channel gives the amount back to the buyer."""
        return self._recorded("refund")


GATEWAYS: dict[str, PaymentGateway] = {g.name: g for g in (SandboxGateway(), ChannelCollection())}
DEFAULT_GATEWAY = SandboxGateway.name


def gateway_for(name: str) -> PaymentGateway:
    """The gateway a payment was made through."""
    return GATEWAYS[name]


def gateway_name_for(method: PaymentMethod) -> str:
    """The gateway that takes money on the method: the channel for marketplace methods, else the default."""
    return ChannelCollection.name if method.kind == PaymentMethodKind.MARKETPLACE else DEFAULT_GATEWAY
