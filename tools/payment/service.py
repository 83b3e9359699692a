"""Payment business logic; callers own the transaction."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import PaymentMethod


async def methods_of(session: AsyncSession, customer_id: str) -> list[PaymentMethod]:
    """A customer's active payment methods, in the order they were saved."""
    rows = await session.execute(
        select(PaymentMethod)
        .where(PaymentMethod.customer_id == customer_id, PaymentMethod.active.is_(True))
        .order_by(PaymentMethod.created_at, PaymentMethod.id)
    )
    return list(rows.scalars())
