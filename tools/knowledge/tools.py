"""Knowledge tools: thin registry entries over the knowledge service."""

from db.enums import Role
from tools.context import ALL_ROLES, ToolContext
from tools.knowledge import schemas as s
from tools.knowledge import service
from tools.registry import tool
from tools.schemas import Message

AGENT = "knowledge"
EDITORS = {Role.SUPPORT, Role.MERCHANT, Role.ADMIN}
MANAGERS = {Role.MERCHANT, Role.ADMIN}


def details(article) -> s.ArticleDetails:
    """The full view of an article row, body included."""
    return s.ArticleDetails.model_validate(article)


@tool(
    agent=AGENT,
    method="POST",
    path="/knowledge/articles",
    roles=EDITORS,
    mutates=True,
    examples=[
        "write a new knowledge base article about returning gifts",
        "create a draft help article on click and collect",
        "add a staff procedure article for damaged pallets",
    ],
)
async def create_article(ctx: ToolContext, params: s.CreateArticleIn) -> s.ArticleDetails:
    """Create a knowledge base article as a draft (publish it to make it searchable)."""
    article = await service.create_article(ctx, params.model_dump())
    return details(article)


@tool(
    agent=AGENT,
    method="GET",
    path="/knowledge/articles/{slug}",
    roles=ALL_ROLES,
    mutates=True,
    examples=[
        "open the knowledge base article returns-policy",
        "show me the full gift cards article",
        "read the article gift-cards in full",
        "display help article 12",
    ],
)
async def get_article(ctx: ToolContext, params: s.ArticleRefIn) -> s.ArticleDetails:
    """Get a knowledge base article with its full text (counts a view)."""
    article = await service.find_article(ctx, params.slug)
    await service.count_view(ctx, article)
    return details(article)


@tool(
    agent=AGENT,
    method="PUT",
    path="/knowledge/articles/{slug}",
    roles=EDITORS,
    mutates=True,
    examples=[
        "update the shipping rates article with the new prices",
        "rename the article loyalty-points to Earning points",
        "move the sizing guide article to the products category",
        "make the carrier selection article public",
    ],
)
async def update_article(ctx: ToolContext, params: s.UpdateArticleIn) -> s.ArticleDetails:
    """Edit an article's title, text, category, audience or status (a published article is re-indexed)."""
    article = await service.find_article(ctx, params.slug)
    changes = params.model_dump(include=set(service.CONTENT_FIELDS), exclude_none=True)
    await service.update_article(ctx, article, changes, params.status)
    return details(article)


@tool(
    agent=AGENT,
    method="DELETE",
    path="/knowledge/articles/{slug}",
    roles=MANAGERS,
    mutates=True,
    confirm=True,
    examples=[
        "delete the knowledge base article old-shipping-rates",
        "remove the draft article about summer sale",
    ],
)
async def delete_article(ctx: ToolContext, params: s.ArticleRefIn) -> Message:
    """Delete a knowledge base article for good (archive it instead to keep it)."""
    article = await service.find_article(ctx, params.slug)
    slug = article.slug
    await service.delete_article(ctx, article)
    return Message(message=f"article {slug} was deleted")


@tool(
    agent=AGENT,
    method="GET",
    path="/knowledge/articles",
    roles=ALL_ROLES,
    examples=[
        "list the knowledge base articles",
        "which help articles do you have about shipping",
        "show draft articles",
        "list archived knowledge articles",
    ],
)
async def list_articles(ctx: ToolContext, params: s.ListArticlesIn) -> s.ArticleList:
    """List knowledge base articles, filtered by status, category or title text."""
    rows, total = await service.list_articles(
        ctx, params.status, params.category, params.query, params.limit, params.offset
    )
    return s.ArticleList(articles=[s.ArticleOut.model_validate(a) for a in rows], total=total)


@tool(
    agent=AGENT,
    method="POST",
    path="/knowledge/articles/{slug}/publish",
    roles=EDITORS,
    mutates=True,
    examples=["publish the article returning-a-gift", "make the new click and collect article live"],
)
async def publish_article(ctx: ToolContext, params: s.ArticleRefIn) -> s.ArticleDetails:
    """Publish a draft article: it becomes readable and searchable."""
    article = await service.find_article(ctx, params.slug)
    await service.publish(ctx, article)
    return details(article)


@tool(
    agent=AGENT,
    method="POST",
    path="/knowledge/articles/{slug}/archive",
    roles=EDITORS,
    mutates=True,
    examples=["archive the article old-shipping-rates", "take the summer sale article offline"],
)
async def archive_article(ctx: ToolContext, params: s.ArticleRefIn) -> s.ArticleDetails:
    """Archive a published article: it leaves search but is kept."""
    article = await service.find_article(ctx, params.slug)
    await service.archive(ctx, article)
    return details(article)


@tool(
    agent=AGENT,
    method="GET",
    path="/knowledge/search",
    roles=ALL_ROLES,
    examples=[
        "search the knowledge base for refunds to a gift card",
        "search the help articles for parcel lockers",
        "find knowledge base passages about receiving inspections",
        "look up the help center for customs duties",
    ],
)
async def search_knowledge(ctx: ToolContext, params: s.SearchIn) -> s.SearchOut:
    """Search the knowledge base by meaning; returns matching passages with their article and score."""
    passages = await service.search(ctx, params.query, params.k, params.category)
    return s.SearchOut(
        query=params.query,
        passages=[s.PassageOut(**{**vars(p), "score": round(p.score, 4)}) for p in passages],
    )


@tool(
    agent=AGENT,
    method="POST",
    path="/knowledge/answer",
    roles=ALL_ROLES,
    # Lent to every specialist: a policy question that reached the order or account specialist ("can I still
    # cancel once it has shipped?", "I forgot my password") is answered from the library instead of declined.
    shared=True,
    examples=[
        "can I still send back a jacket I bought three weeks ago?",
        "how much does shipping to Germany cost and how long does it take?",
        "is my broken blender still under warranty after 14 months?",
        "which payment methods do you accept, can I pay with PayPal?",
        "do gift cards expire?",
        "how do I reach gold tier in the loyalty programme?",
        "can I cancel my order after it has shipped?",
        "how do I get my personal data deleted?",
        "I can't sign in, what do I do?",
        "how can I change my name or email on my account?",
        "what happens if a parcel goes missing?",
        "is return shipping free?",
        "which size should I pick if I'm between two?",
        "are your keyboards hot-swappable?",
        "can you merge two accounts?",
        "do I pay customs fees outside the EU?",
        "how do I stop marketing emails?",
    ],
)
async def answer_question(ctx: ToolContext, params: s.AnswerIn) -> s.AnswerOut:
    """Answer a question about the shop's policies or procedures from the knowledge base, with citations."""
    result = await service.answer(ctx, params.question, params.category)
    cited: dict[str, s.CitationOut] = {}
    for c in result.citations:
        cited.setdefault(c.article_id, s.CitationOut(article_id=c.article_id, title=c.title, sections=[]))
        cited[c.article_id].sections.append(c.heading)
    return s.AnswerOut(
        question=params.question, answer=result.text, covered=result.covered, citations=list(cited.values())
    )


@tool(
    agent=AGENT,
    method="POST",
    path="/knowledge/articles/{slug}/helpful",
    roles=ALL_ROLES,
    mutates=True,
    examples=[
        "this article was helpful",
        "the returns article did not help me",
        "mark the gift cards article helpful",
    ],
)
async def mark_article_helpful(ctx: ToolContext, params: s.HelpfulIn) -> s.HelpfulOut:
    """Record whether an article was helpful (a yes or no vote)."""
    article = await service.find_article(ctx, params.slug)
    await service.vote(ctx, article, params.helpful)
    return s.HelpfulOut(slug=article.slug, helpful_yes=article.helpful_yes, helpful_no=article.helpful_no)
