"""The supervisor graph's state."""

from langgraph.graph import MessagesState


class CrewState(MessagesState):
    """Messages plus who owns the thread and which specialists are still to act this turn."""

    owner: str
    plan: list[str]
