"""Inputs and outputs of the knowledge tools."""

from datetime import datetime
from typing import Literal, Self

from pydantic import Field, model_validator

from db.enums import ArticleStatus
from knowledge.corpus import Category
from tools.schemas import Page, Schema

Audience = Literal["public", "staff"]
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def ArticleRef():  # noqa: N802  (reads like a type where it is used)
    """The article a tool acts on: its slug, numeric id or exact title."""
    return Field(
        min_length=1,
        max_length=200,
        description="Article slug (e.g. returns-policy), numeric id or exact title.",
        examples=["returns-policy"],
    )


def CategoryFilter():  # noqa: N802
    """An optional knowledge base category to search or list in."""
    return Field(None, description="Only this knowledge base category.", examples=["shipping"])


class ArticleRefIn(Schema):
    slug: str = ArticleRef()


class ArticleOut(Schema):
    id: int = Field(description="Article id.")
    slug: str = Field(description="Stable article id used in links and citations.")
    title: str = Field(description="Title.")
    category: str = Field(description="Knowledge base category.")
    audience: str = Field(description="public (everyone) or staff (staff only).")
    status: ArticleStatus = Field(description="draft, published or archived.")
    version: int = Field(description="Content version; every edit adds one.")
    views: int = Field(description="How many times the article was opened.")
    helpful_yes: int = Field(description="Readers who found it helpful.")
    helpful_no: int = Field(description="Readers who did not.")
    author: str = Field(description="Who wrote it.")
    published_at: datetime | None = Field(None, description="When it was last published.")
    updated_at: datetime = Field(description="Last change.")


class ArticleDetails(ArticleOut):
    body: str = Field(description="The article text (markdown).")


class ArticleList(Schema):
    articles: list[ArticleOut] = Field(description="Articles, most recently updated first.")
    total: int = Field(description="How many articles match in all.")


class ListArticlesIn(Page):
    status: ArticleStatus | None = Field(None, description="Only articles in this status (staff).")
    category: Category | None = CategoryFilter()
    query: str | None = Field(
        None, max_length=100, description="Text in the title or slug.", examples=["refund"]
    )


class CreateArticleIn(Schema):
    title: str = Field(min_length=3, max_length=200, description="Title.", examples=["Returning a gift"])
    body: str = Field(min_length=20, max_length=100_000, description="Article text in markdown.")
    category: Category = Field(description="Knowledge base category.", examples=["returns"])
    audience: Audience = Field("public", description="public (everyone) or staff (staff only).")
    slug: str | None = Field(
        None,
        max_length=80,
        pattern=SLUG_PATTERN,
        description="Stable id; made from the title when left out.",
        examples=["returning-a-gift"],
    )


class UpdateArticleIn(Schema):
    slug: str = ArticleRef()
    title: str | None = Field(None, min_length=3, max_length=200, description="New title.")
    body: str | None = Field(None, min_length=20, max_length=100_000, description="New text in markdown.")
    category: Category | None = Field(None, description="New category.")
    audience: Audience | None = Field(None, description="New audience: public or staff.")
    status: ArticleStatus | None = Field(
        None, description="New status: published (indexes it), archived (removes it from search) or draft."
    )

    @model_validator(mode="after")
    def something_to_change(self) -> Self:
        if all(getattr(self, name) is None for name in ("title", "body", "category", "audience", "status")):
            raise ValueError("give at least one of title, body, category, audience or status")
        return self


class HelpfulIn(Schema):
    slug: str = ArticleRef()
    helpful: bool = Field(description="True when the article helped, false when it did not.")


class HelpfulOut(Schema):
    slug: str = Field(description="The article voted on.")
    helpful_yes: int = Field(description="Helpful votes so far.")
    helpful_no: int = Field(description="Not-helpful votes so far.")


class SearchIn(Schema):
    query: str = Field(
        min_length=2,
        max_length=500,
        description="What to look for, in plain words.",
        examples=["refund to a gift card"],
    )
    category: Category | None = CategoryFilter()
    k: int = Field(5, ge=1, le=20, description="How many passages at most (one per article).")


class PassageOut(Schema):
    article_id: str = Field(description="Slug of the article the passage comes from.")
    title: str = Field(description="Article title.")
    category: str = Field(description="Article category.")
    heading: str = Field(description="Section heading path inside the article.")
    text: str = Field(description="The passage text.")
    score: float = Field(ge=0, le=1, description="Similarity to the query, 0 to 1 (higher is closer).")


class SearchOut(Schema):
    query: str = Field(description="The query searched.")
    passages: list[PassageOut] = Field(description="Best passages first, at most one per article.")


class AnswerIn(Schema):
    question: str = Field(
        min_length=3,
        max_length=500,
        description="The question, in the asker's words.",
        examples=["how long do I have to return something?"],
    )
    category: Category | None = CategoryFilter()


class CitationOut(Schema):
    article_id: str = Field(description="Slug of the cited article.")
    title: str = Field(description="Title of the cited article.")
    sections: list[str] = Field(description="Sections of the article the answer used ('' for its opening).")


class AnswerOut(Schema):
    question: str = Field(description="The question answered.")
    answer: str = Field(description="The answer, taken from the knowledge base, or a plain 'not covered'.")
    covered: bool = Field(description="False when the knowledge base does not cover the question.")
    citations: list[CitationOut] = Field(
        description="The articles the answer comes from, once each (empty when not covered)."
    )
