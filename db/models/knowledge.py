"""Knowledge base articles (policies, FAQs) searched by the knowledge agent."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Timestamped
from db.enums import ArticleStatus


class KnowledgeArticle(Timestamped, Base):
    """A policy or answer; publishing indexes it for semantic search, audience limits who sees it."""

    __tablename__ = "knowledge_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32), index=True)
    # public (everyone) or staff (staff roles only)
    audience: Mapped[str] = mapped_column(String(16), default="public", index=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[ArticleStatus] = mapped_column(String(16), default=ArticleStatus.DRAFT, index=True)
    version: Mapped[int] = mapped_column(default=1)
    views: Mapped[int] = mapped_column(default=0)
    helpful_yes: Mapped[int] = mapped_column(default=0)
    helpful_no: Mapped[int] = mapped_column(default=0)
    author: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime | None]
