"""Chat models behind the crew: `local` (offline, default) or any OpenAI-compatible endpoint."""

from functools import cache

from langchain_core.language_models import BaseChatModel

from shopcrew.endpoints import openai_chat_model
from shopcrew.settings import Settings


def make_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model the settings select."""
    if settings.model == "openai":
        return openai_chat_model(settings)
    return _local_model()


@cache
def _local_model() -> BaseChatModel:
    """The local model holds no state between calls (binding tools makes a copy), so one instance serves all.

    Sharing it also lets every crew reuse the specialists compiled for it (graph.build).
    """
    from graph.models.local import LocalChatModel

    return LocalChatModel()
