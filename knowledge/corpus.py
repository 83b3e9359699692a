"""Load the markdown knowledge base: a front matter block, then the article body."""

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

CORPUS_DIR = Path(__file__).parent / "corpus"
FENCE = "---"

Category = Literal[
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
]


class CorpusError(ValueError):
    """A corpus file is malformed; the message names the file."""


class CorpusArticle(BaseModel):
    """One knowledge base article as written in the corpus."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80, description="Stable id, e.g. returns-policy.")
    title: str = Field(min_length=3, max_length=200, description="Human title.")
    category: Category = Field(description="Knowledge base category.")
    audience: Literal["public", "staff"] = Field(description="Who may read it.")
    body: str = Field(min_length=1, description="Markdown body after the front matter.")


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split 'key: value' lines between two --- fences from the body."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != FENCE:
        raise ValueError("file must start with a '---' front matter block")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == FENCE)
    except StopIteration:
        raise ValueError("front matter block is not closed by '---'") from None
    fields: dict[str, str] = {}
    for line in lines[1:end]:
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise ValueError(f"front matter line is not 'key: value': {line!r}")
        fields[key.strip()] = value.strip()
    return fields, "\n".join(lines[end + 1 :]).strip()


def parse_article(path: Path) -> CorpusArticle:
    """Parse one corpus file; CorpusError names the file on any problem."""
    try:
        fields, body = _front_matter(path.read_text(encoding="utf-8"))
        return CorpusArticle(**fields, body=body)
    except (ValueError, ValidationError) as exc:
        raise CorpusError(f"{path}: bad article: {exc}") from exc


def load_corpus(directory: Path = CORPUS_DIR) -> list[CorpusArticle]:
    """Every *.md article of a directory, sorted by file name; slugs must be unique."""
    articles: list[CorpusArticle] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.md")):
        article = parse_article(path)
        if article.slug in seen:
            raise CorpusError(f"{path}: slug {article.slug!r} already used by {seen[article.slug]}")
        seen[article.slug] = path.name
        articles.append(article)
    return articles
