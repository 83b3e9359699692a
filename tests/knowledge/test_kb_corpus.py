"""The knowledge base corpus: front matter parsing and the articles themselves."""

import re
from pathlib import Path

import pytest

from knowledge.corpus import CORPUS_DIR, CorpusArticle, CorpusError, load_corpus, parse_article

REQUIRED_CATEGORIES = {
    "returns",
    "shipping",
    "payments",
    "warranty",
    "orders",
    "account",
    "loyalty",
    "marketplace",
    "staff-procedures",
    "products",
}


def test_corpus_has_enough_substantive_articles(corpus: list[CorpusArticle]) -> None:
    assert len(corpus) >= 28
    for article in corpus:
        words = len(re.findall(r"\w+", article.body))
        assert 200 <= words <= 650, f"{article.slug} has {words} words"


def test_corpus_covers_every_category_and_both_audiences(corpus: list[CorpusArticle]) -> None:
    assert {a.category for a in corpus} == REQUIRED_CATEGORIES
    assert {a.audience for a in corpus} == {"public", "staff"}


def test_each_file_is_named_after_its_slug() -> None:
    for path in CORPUS_DIR.glob("*.md"):
        assert parse_article(path).slug == path.stem


def test_business_numbers_match_the_design(corpus: list[CorpusArticle]) -> None:
    text = {a.slug: a.body for a in corpus}
    assert "30 days from the day the parcel was delivered" in text["returns-policy"]
    assert "90 days from delivery" in text["returns-policy"]
    assert "Colissimo | 5.50 EUR, 1 day" in text["shipping-rates"]
    assert "75 or more | critical" in text["fraud-review"]
    assert "starts at 100" in text["quality-inspections"]
    assert "Default **10 units**" in text["low-stock-and-reordering"]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_parses_front_matter_and_body(tmp_path: Path) -> None:
    path = write(
        tmp_path, "a.md", "---\nslug: a-b\ntitle: A title\ncategory: orders\naudience: staff\n---\n# A\n\nBody."
    )
    article = parse_article(path)
    assert (article.slug, article.category, article.audience) == ("a-b", "orders", "staff")
    assert article.body == "# A\n\nBody."


@pytest.mark.parametrize(
    "text",
    [
        "no front matter at all",
        "---\nslug: a\ntitle: Title\n",
        "---\nslug: a\ntitle: Title\ncategory: groceries\naudience: public\n---\nBody",
        "---\nslug: a\ntitle: Title\ncategory: orders\naudience: public\nauthor: me\n---\nBody",
        "---\nslug: Not A Slug\ntitle: Title\ncategory: orders\naudience: public\n---\nBody",
        "---\nslug a\n---\nBody",
    ],
)
def test_bad_front_matter_names_the_file(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "broken.md", text)
    with pytest.raises(CorpusError, match="broken.md"):
        parse_article(path)


def test_duplicate_slugs_are_refused(tmp_path: Path) -> None:
    front = "---\nslug: same\ntitle: Title\ncategory: orders\naudience: public\n---\nBody"
    write(tmp_path, "one.md", front)
    write(tmp_path, "two.md", front)
    with pytest.raises(CorpusError, match="two.md"):
        load_corpus(tmp_path)
