"""Chroma embedding functions: the offline MiniLM one (default) and an OpenAI-compatible one.

Both are registered with Chroma's registry so a persisted collection reopens with the function it was
built with. Chroma's own default function downloads a model from the internet: never rely on it, always
pass one of these explicitly.
"""

import os
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from knowledge.embeddings import MODEL_ID, get_embedder
from shopcrew.settings import Settings

API_KEY_ENV = "SHOPCREW_OPENAI_API_KEY"


@register_embedding_function
class LocalEmbeddingFunction(EmbeddingFunction[Documents]):
    """all-MiniLM-L6-v2 int8 ONNX, run locally through the shared embedder."""

    def __init__(self) -> None:
        # The embedder loads lazily: Chroma rebuilds this function from config on every collection open.
        pass

    def __call__(self, input: Documents) -> Embeddings:
        return list(get_embedder().embed(list(input)))

    @staticmethod
    def name() -> str:
        return "shopcrew-minilm-int8"

    def default_space(self) -> Space:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_ID}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "LocalEmbeddingFunction":
        if config.get("model", MODEL_ID) != MODEL_ID:
            raise ValueError(f"collection was built with {config['model']}, this build ships {MODEL_ID}")
        return LocalEmbeddingFunction()


@register_embedding_function
class OpenAICompatibleEmbeddingFunction(EmbeddingFunction[Documents]):
    """Embeddings from any OpenAI-compatible /v1/embeddings endpoint."""

    def __init__(self, model: str, base_url: str | None = None, api_key: str | None = None) -> None:
        self._model = model
        self._base_url = base_url
        # The key is never written to the persisted config; a reopened collection reads it from the env.
        self._api_key = api_key or os.environ.get(API_KEY_ENV, "not-needed")
        self._client: Any = None

    def __call__(self, input: Documents) -> Embeddings:
        if self._client is None:
            from openai import OpenAI  # imported on first use: the local backend never needs it

            self._client = OpenAI(base_url=self._base_url, api_key=self._api_key)
        response = self._client.embeddings.create(model=self._model, input=list(input))
        return [np.asarray(item.embedding, dtype=np.float32) for item in response.data]

    @staticmethod
    def name() -> str:
        return "shopcrew-openai-compatible"

    def default_space(self) -> Space:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"model": self._model, "base_url": self._base_url}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "OpenAICompatibleEmbeddingFunction":
        return OpenAICompatibleEmbeddingFunction(model=config["model"], base_url=config.get("base_url"))


def embedding_function_for(settings: Settings) -> EmbeddingFunction[Documents]:
    """The embedding function the settings select (local by default)."""
    if settings.embeddings == "openai":
        return OpenAICompatibleEmbeddingFunction(
            model=settings.openai_embedding_model,
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key,
        )
    return LocalEmbeddingFunction()
