"""The offline, deterministic default chat model: tool choice by similarity, arguments from the request."""

from graph.models.local.model import LocalChatModel

__all__ = ["LocalChatModel"]
