"""Clients for the OpenAI-compatible endpoint the settings name (the production option)."""

from langchain_core.language_models import BaseChatModel

from shopcrew.settings import Settings


def openai_chat_model(settings: Settings) -> BaseChatModel:
    """ChatOpenAI on the configured base URL, key and model: OpenAI, vLLM, Ollama, llama.cpp all work."""
    from langchain_openai import ChatOpenAI  # imported on first use: the local backend never needs it

    return ChatOpenAI(
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key,
        model=settings.openai_model,
        temperature=0,
        max_retries=settings.openai_max_retries,
        timeout=settings.openai_timeout_seconds,
    )
