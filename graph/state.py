"""The supervisor graph's state."""

from langgraph.graph import MessagesState


class CrewState(MessagesState):
    """Messages, the thread's owner, the last routing decision and the specialists still to act this turn."""

    owner: str
    plan: list[str]
    routing: dict
