"""Chunking markdown articles by heading and size."""

from knowledge.chunking import MAX_CHARS, chunk_article

BODY = """# Returns policy

Intro paragraph about returns.

## How long you have

You have 30 days from delivery.

### Faulty items

Faulty items: 90 days.

## Costs

| reason | label |
|---|---|
| defect | free |
| changed mind | 5.50 EUR |

```
## not a heading inside a fence
```
"""


def chunks():
    return chunk_article("returns-policy", "Returns policy", "returns", 3, BODY, status="published")


def test_one_chunk_per_section_with_the_heading_path() -> None:
    headings = [c.heading for c in chunks()]
    assert headings == ["", "How long you have", "How long you have > Faulty items", "Costs"]


def test_metadata_carries_article_fields_and_chunk_index() -> None:
    first, second = chunks()[:2]
    assert first.metadata == {
        "article_id": "returns-policy",
        "title": "Returns policy",
        "category": "returns",
        "version": 3,
        "status": "published",
        "audience": "public",
        "heading": "",
        "chunk": 0,
    }
    assert second.metadata["chunk"] == 1
    assert second.id == "returns-policy#1"


def test_document_is_prefixed_with_title_and_heading_path() -> None:
    faulty = chunks()[2]
    assert faulty.document == "Returns policy > How long you have > Faulty items\nFaulty items: 90 days."
    assert chunks()[0].document.startswith("Returns policy\nIntro")


def test_tables_are_written_out_row_by_row_and_fences_are_not_headings() -> None:
    costs = chunks()[3].text
    assert "reason: defect; label: free." in costs
    assert "reason: changed mind; label: 5.50 EUR." in costs
    assert "## not a heading inside a fence" in costs


def test_long_sections_are_split_under_the_size_limit() -> None:
    sentence = "Refunds go back to the original payment method within ten business days. "
    body = "## Refunds\n\n" + sentence * 40 + "\n\n" + "x" * 2000
    pieces = chunk_article("refunds", "Refund rules", "payments", 1, body)
    assert len(pieces) > 3
    assert all(len(c.text) <= MAX_CHARS for c in pieces)
    assert all(c.heading == "Refunds" for c in pieces)
    assert [c.metadata["chunk"] for c in pieces] == list(range(len(pieces)))


def test_empty_body_has_no_chunks() -> None:
    assert chunk_article("empty", "Empty", "orders", 1, "# Empty\n\n") == []
