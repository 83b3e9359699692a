"""Knowledge article tools: lifecycle, visibility, views, votes; each refusal leaves nothing changed."""

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from db.enums import ArticleStatus
from db.models import AuditEvent, KnowledgeArticle
from knowledge.chroma_embedding import LocalEmbeddingFunction
from knowledge.store import KnowledgeStore
from tests import factories as f
from tests.tools.knowledge_helpers import FRAUD, RETURNS, SHIPPING, article, indexed, stored
from tools.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound
from tools.knowledge.service import use_store

BODY = "# Click and collect\n\nOrders can be collected at our Paris warehouse from the next business day."


@pytest.fixture
def kb_store(tmp_path) -> Iterator[KnowledgeStore]:
    """An empty store with the offline model, used by the knowledge tools in this test only."""
    with use_store(tmp_path / "chroma", LocalEmbeddingFunction()) as store:
        yield store


async def count(sessions, model) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(model))


async def test_create_article_is_a_draft_with_a_slug_from_the_title(sessions, call, support, kb_store):
    out = await call(support, "create_article", title="Click & collect!", body=BODY, category="shipping")
    assert (out.slug, out.status, out.version, out.author) == ("click-collect", "draft", 1, support.subject)
    assert out.audience == "public" and out.published_at is None
    assert not indexed(kb_store, "click-collect")


async def test_create_refuses_customers_duplicates_and_bad_input(
    sessions, call, support, as_customer, kb_store
):
    ava = await f.customer(sessions)
    with pytest.raises(Forbidden):
        await call(as_customer(ava), "create_article", title="My rules", body=BODY, category="shipping")
    await call(support, "create_article", title="Click and collect", body=BODY, category="shipping")
    with pytest.raises(Conflict) as err:
        await call(
            support, "create_article", title="Other", slug="click-and-collect", body=BODY, category="orders"
        )
    assert err.value.code == "duplicate_slug"
    with pytest.raises(InvalidInput) as err:
        await call(support, "create_article", title="Bad", body=BODY, category="groceries")
    assert err.value.details[0]["field"] == "category"
    assert await count(sessions, KnowledgeArticle) == 1


async def test_publish_indexes_and_archive_removes_from_search(
    sessions, call, merchant, as_customer, kb_store
):
    ava = await f.customer(sessions)
    await call(merchant, "create_article", title="Click and collect", body=BODY, category="shipping")
    before = await call(as_customer(ava), "search_knowledge", query="collect my order at the warehouse")
    assert before.passages == []
    out = await call(merchant, "publish_article", slug="click-and-collect")
    assert out.status == "published" and out.published_at is not None
    found = await call(as_customer(ava), "search_knowledge", query="collect my order at the warehouse")
    assert [p.article_id for p in found.passages] == ["click-and-collect"]
    assert found.passages[0].title == "Click and collect" and 0 < found.passages[0].score <= 1
    out = await call(merchant, "archive_article", slug="click-and-collect")
    assert out.status == "archived"
    gone = await call(as_customer(ava), "search_knowledge", query="collect my order at the warehouse")
    assert gone.passages == [] and not indexed(kb_store, "click-and-collect")


async def test_invalid_transitions_change_nothing(sessions, call, support, kb_store):
    await article(sessions, "old-rates", SHIPPING, status=ArticleStatus.ARCHIVED, category="shipping")
    with pytest.raises(InvalidTransition) as err:
        await call(support, "publish_article", slug="old-rates")
    assert err.value.details["allowed"] == ["draft"]
    with pytest.raises(InvalidTransition):
        await call(support, "archive_article", slug="old-rates")
    assert (await stored(sessions, "old-rates")).status == ArticleStatus.ARCHIVED
    assert not indexed(kb_store, "old-rates") and await count(sessions, AuditEvent) == 0
    out = await call(support, "update_article", slug="old-rates", status="draft")
    assert out.status == "draft"
    assert (await call(support, "publish_article", slug="old-rates")).status == "published"
    assert indexed(kb_store, "old-rates")


async def test_customers_cannot_publish_or_archive(sessions, call, as_customer, kb_store):
    ava = await f.customer(sessions)
    await article(sessions, "draft-one", BODY, status=ArticleStatus.DRAFT)
    with pytest.raises(Forbidden):
        await call(as_customer(ava), "publish_article", slug="draft-one")
    assert (await stored(sessions, "draft-one")).status == ArticleStatus.DRAFT
    assert not indexed(kb_store, "draft-one")


async def test_get_counts_views_and_finds_by_id_or_title(sessions, call, support, as_customer, kb_store):
    ava = await f.customer(sessions)
    row = await article(sessions, "returns-policy", RETURNS, title="Returns policy")
    first = await call(as_customer(ava), "get_article", slug="returns-policy")
    assert first.views == 1 and first.body == RETURNS
    assert (await call(support, "get_article", slug=str(row.id))).views == 2
    assert (await call(support, "get_article", slug="RETURNS POLICY")).views == 3
    assert (await stored(sessions, "returns-policy")).views == 3


async def test_customer_cannot_read_staff_or_draft_articles(sessions, call, support, as_customer, kb_store):
    ava = await f.customer(sessions)
    await article(sessions, "fraud-review", FRAUD, audience="staff", category="staff-procedures")
    await article(sessions, "summer-sale", BODY, status=ArticleStatus.DRAFT)
    for slug in ("fraud-review", "summer-sale", "no-such-article", "12345678901234567890"):
        with pytest.raises(NotFound) as err:
            await call(as_customer(ava), "get_article", slug=slug)
        assert err.value.message == f"article {slug!r} not found"
    assert (await stored(sessions, "fraud-review")).views == 0
    assert (await call(support, "get_article", slug="fraud-review")).audience == "staff"


async def test_update_bumps_version_and_reindexes_a_published_article(sessions, call, support, kb_store):
    await article(sessions, "returns-policy", RETURNS, store=kb_store)
    new_body = "# Returns\n\nYou now have 45 days from delivery to send an item back, for any reason."
    out = await call(support, "update_article", slug="returns-policy", body=new_body, title="Returns")
    assert (out.version, out.title, out.status) == (2, "Returns", "published")
    hit = kb_store.search("how many days to send an item back", k=1)[0]
    assert "45 days" in hit.text and hit.title == "Returns"
    same = await call(support, "update_article", slug="returns-policy", body=new_body)
    assert same.version == 2  # nothing changed, no new version


async def test_update_refuses_bad_moves_and_empty_changes(sessions, call, support, as_customer, kb_store):
    ava = await f.customer(sessions)
    await article(sessions, "draft-one", BODY, status=ArticleStatus.DRAFT)
    with pytest.raises(InvalidTransition):
        await call(support, "update_article", slug="draft-one", title="Archived draft", status="archived")
    with pytest.raises(InvalidInput):
        await call(support, "update_article", slug="draft-one")
    with pytest.raises(Forbidden):
        await call(as_customer(ava), "update_article", slug="draft-one", title="Mine now")
    row = await stored(sessions, "draft-one")
    assert (row.title, row.version, row.status) == ("Draft one", 1, ArticleStatus.DRAFT)


async def test_update_with_status_publishes_the_new_content(sessions, call, support, kb_store):
    await article(sessions, "draft-one", BODY, status=ArticleStatus.DRAFT)
    out = await call(support, "update_article", slug="draft-one", audience="staff", status="published")
    assert (out.status, out.audience, out.version) == ("published", "staff", 2)
    assert kb_store.search("collect at the warehouse", k=1, audience="public") == []
    assert kb_store.search("collect at the warehouse", k=1, audience="staff")[0].article_id == "draft-one"


async def test_delete_removes_row_and_chunks(sessions, call, merchant, support, kb_store):
    await article(sessions, "returns-policy", RETURNS, store=kb_store)
    with pytest.raises(Forbidden):
        await call(support, "delete_article", slug="returns-policy")
    assert indexed(kb_store, "returns-policy")
    out = await call(merchant, "delete_article", slug="returns-policy")
    assert out.ok and "returns-policy" in out.message
    assert await stored(sessions, "returns-policy") is None and not indexed(kb_store, "returns-policy")
    with pytest.raises(NotFound):
        await call(merchant, "delete_article", slug="returns-policy")


async def test_list_filters_and_customer_scope(sessions, call, support, as_customer, kb_store):
    ava = await f.customer(sessions)
    await article(sessions, "returns-policy", RETURNS)
    await article(sessions, "shipping-rates", SHIPPING, category="shipping")
    await article(sessions, "fraud-review", FRAUD, audience="staff", category="staff-procedures")
    await article(sessions, "summer-sale", BODY, status=ArticleStatus.DRAFT, category="shipping")
    mine = await call(as_customer(ava), "list_articles")
    assert sorted(a.slug for a in mine.articles) == ["returns-policy", "shipping-rates"] and mine.total == 2
    assert (await call(as_customer(ava), "list_articles", status="draft")).total == 0
    staff = await call(support, "list_articles", category="shipping")
    assert sorted(a.slug for a in staff.articles) == ["shipping-rates", "summer-sale"]
    assert [a.slug for a in (await call(support, "list_articles", status="draft")).articles] == [
        "summer-sale"
    ]
    assert (await call(support, "list_articles", query="FRAUD")).total == 1
    page = await call(support, "list_articles", limit=2, offset=2)
    assert len(page.articles) == 2 and page.total == 4
    with pytest.raises(InvalidInput):
        await call(support, "list_articles", status="deleted")


async def test_helpful_votes(sessions, call, support, as_customer, kb_store):
    ava = await f.customer(sessions)
    await article(sessions, "returns-policy", RETURNS)
    await article(sessions, "fraud-review", FRAUD, audience="staff", category="staff-procedures")
    await call(as_customer(ava), "mark_article_helpful", slug="returns-policy", helpful=True)
    out = await call(support, "mark_article_helpful", slug="returns-policy", helpful=False)
    assert (out.slug, out.helpful_yes, out.helpful_no) == ("returns-policy", 1, 1)
    with pytest.raises(NotFound):
        await call(as_customer(ava), "mark_article_helpful", slug="fraud-review", helpful=True)
    with pytest.raises(InvalidInput):
        await call(as_customer(ava), "mark_article_helpful", slug="returns-policy")
    row = await stored(sessions, "fraud-review")
    assert (row.helpful_yes, row.helpful_no) == (0, 0)


async def test_rest_parity_for_get_and_search(sessions, call, api, as_customer, kb_store):
    ava = await f.customer(sessions)
    key = await f.api_key(sessions, owner=ava)
    await article(sessions, "returns-policy", RETURNS, store=kb_store)
    headers = {"Authorization": f"Bearer {key}"}
    direct = await call(as_customer(ava), "search_knowledge", query="send back a faulty item", k=2)
    response = await api.get(
        "/api/v1/knowledge/search", params={"query": "send back a faulty item", "k": 2}, headers=headers
    )
    assert response.status_code == 200 and response.json() == direct.model_dump(mode="json")
    direct = await call(as_customer(ava), "get_article", slug="returns-policy")
    response = await api.get("/api/v1/knowledge/articles/returns-policy", headers=headers)
    assert response.status_code == 200
    assert response.json() == {**direct.model_dump(mode="json"), "views": direct.views + 1}
    response = await api.post("/api/v1/knowledge/articles/returns-policy/publish", headers=headers)
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


async def test_without_a_configured_store_search_says_so(sessions, call, support, monkeypatch):
    from tools.knowledge import service

    monkeypatch.setattr(service, "_configured", None)
    with pytest.raises(service.KnowledgeUnavailable) as err:
        await call(support, "search_knowledge", query="returns")
    assert err.value.http_status == 503 and "configure_store" in err.value.message
