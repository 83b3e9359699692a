"""The offline embedder: shape, normalisation, determinism, and refusal of a wrong model file."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from knowledge.embeddings import (
    DIMENSION,
    Embedder,
    EmbeddingModelError,
    ModelFiles,
    embed,
    get_embedder,
    locate_model_files,
)


def test_vectors_have_the_model_shape_and_unit_length() -> None:
    vectors = embed(["Where is my parcel?", "Returns are accepted for 30 days.", ""])
    assert vectors.shape == (3, DIMENSION)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_no_texts_gives_an_empty_matrix() -> None:
    assert embed([]).shape == (0, DIMENSION)


def test_same_text_same_vector_whatever_the_batch() -> None:
    texts = [f"question number {i} about a refund to my card" for i in range(11)] + ["short"]
    first, second = embed(texts), embed(texts)
    np.testing.assert_array_equal(first, second)
    alone = embed([texts[3]])[0]
    np.testing.assert_allclose(alone, first[3], atol=1e-5)


def test_related_texts_are_closer_than_unrelated_ones() -> None:
    question, policy, weather = embed(
        ["how long do I have to send something back", "You have 30 days to return an item.", "Sunny in Lyon."]
    )
    assert question @ policy > question @ weather + 0.2


def test_embedder_is_a_cached_singleton() -> None:
    assert get_embedder() is get_embedder()


def test_long_text_is_truncated_not_rejected() -> None:
    assert embed(["word " * 2000]).shape == (1, DIMENSION)


def test_checksum_mismatch_fails_with_a_clear_message(tmp_path: Path) -> None:
    files = locate_model_files()
    corrupt = tmp_path / "model.onnx"
    shutil.copyfile(files.model, corrupt)
    with corrupt.open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x00\x01\x02\x03")
    with pytest.raises(EmbeddingModelError, match="SHA-256"):
        Embedder(ModelFiles(model=corrupt, tokenizer=files.tokenizer, sha256=files.sha256))


def test_missing_model_file_fails_with_a_clear_message(tmp_path: Path) -> None:
    files = locate_model_files()
    with pytest.raises(EmbeddingModelError, match="not found"):
        Embedder(ModelFiles(model=tmp_path / "absent.onnx", tokenizer=files.tokenizer, sha256=files.sha256))


def test_model_files_come_from_the_installed_packages() -> None:
    files = locate_model_files()
    assert files.model.name == "model.onnx" and files.model.is_file()
    assert files.tokenizer.name == "tokenizer.json" and files.tokenizer.is_file()
    assert len(files.sha256) == 64
