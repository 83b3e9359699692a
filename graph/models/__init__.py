"""Chat models behind the crew: `local` (offline, default) or any OpenAI-compatible endpoint."""

from langchain_core.language_models import BaseChatModel

from shopcrew.settings import Settings


def make_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model the settings select."""
    if settings.model == "openai":
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key,
            model=settings.openai_model,
            temperature=0,
            max_retries=1,
            timeout=60,
        )
    from graph.models.local import LocalChatModel

    return LocalChatModel()
