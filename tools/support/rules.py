"""Who picks up a support case and when (knowledge/corpus/escalation-to-human.md, contacting-support.md)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from db.enums import Role

SHOP_TIME = ZoneInfo("Europe/Paris")
OPENS, CLOSES = time(9, 0), time(18, 0)
# Topic -> the staff role whose queue takes the case (the article's "Who picks it up" table).
QUEUES: dict[str, Role] = {
    "order": Role.SUPPORT, "return": Role.SUPPORT, "delivery": Role.SUPPORT, "account": Role.SUPPORT,
    "product": Role.SUPPORT, "payment": Role.SUPPORT, "complaint": Role.SUPPORT, "other": Role.SUPPORT,
    "stock": Role.WAREHOUSE, "refund": Role.MERCHANT, "fraud": Role.MERCHANT, "safety": Role.MERCHANT,
    "legal": Role.ADMIN, "privacy": Role.ADMIN,
}
URGENT = frozenset({"safety"})


def is_open(at: datetime) -> bool:
    """True during opening hours: Monday to Friday, 9:00 to 18:00 Paris time (public holidays not modelled)."""
    local = at.astimezone(SHOP_TIME)
    return local.weekday() < 5 and OPENS <= local.time() < CLOSES


def next_business_noon(at: datetime) -> datetime:
    """12:00 Paris time on the next business day after `at`."""
    day = at.astimezone(SHOP_TIME).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(12, 0), SHOP_TIME)


def answer_by(topic: str, at: datetime) -> datetime:
    """When a person answers a case opened at `at`: 15 minutes in opening hours (5 for safety), else by
    12:00 the next business day (safety the same day by the on-call merchant); complaints within 5 business days."""
    if topic == "complaint":
        return _plus_business_days(at, 5)
    if is_open(at):
        return at + timedelta(minutes=5 if topic in URGENT else 15)
    if topic in URGENT:
        return at + timedelta(hours=4)
    return next_business_noon(at)


def next_steps(topic: str, at: datetime) -> str:
    """What happens next, in words the person understands."""
    due = answer_by(topic, at).astimezone(SHOP_TIME)
    when = due.strftime("%A %d %B at %H:%M") + " (Paris time)"
    if topic == "complaint":
        return f"A team lead reviews every complaint and replies by {when}, by email and in your account."
    if topic in URGENT:
        return f"This is a safety case: it goes to the top of the queue and a person answers by {when}."
    if is_open(at):
        return f"A member of the team picks up this conversation by {when}, with its full history."
    return f"We are closed right now; a person answers by {when}, with the full history of this conversation."


def _plus_business_days(at: datetime, days: int) -> datetime:
    local = at.astimezone(SHOP_TIME)
    while days:
        local += timedelta(days=1)
        if local.weekday() < 5:
            days -= 1
    return local
