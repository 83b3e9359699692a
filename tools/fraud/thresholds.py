"""The fraud levels' thresholds, as typed settings staff may tune (defaults from DESIGN 6)."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import FraudLevel
from tools.config.catalogue import declare
from tools.config.service import value

FLAG = declare("fraud.flag_threshold", "number", 25,
               "Fraud score from which an order is flagged (medium level).", minimum=0, maximum=100, integer=True)
REVIEW = declare("fraud.review_threshold", "number", 50,
                 "Fraud score from which an order is held for manual review (high level).",
                 minimum=0, maximum=100, integer=True)
BLOCK = declare("fraud.block_threshold", "number", 75,
                "Fraud score from which an order is refused (critical level).", minimum=0, maximum=100, integer=True)


@dataclass(frozen=True)
class Thresholds:
    """The lowest score of each level above low."""

    flag: int
    review: int
    block: int

    def level_for(self, score: int) -> FraudLevel:
        """The level a score falls in, checked from the most severe down."""
        for floor, level in ((self.block, FraudLevel.CRITICAL), (self.review, FraudLevel.HIGH),
                             (self.flag, FraudLevel.MEDIUM)):
            if score >= floor:
                return level
        return FraudLevel.LOW


async def thresholds(session: AsyncSession) -> Thresholds:
    """The thresholds in force (stored settings, else their defaults)."""
    return Thresholds(
        flag=int(await value(session, FLAG)),
        review=int(await value(session, REVIEW)),
        block=int(await value(session, BLOCK)),
    )
