"""`shopcrew kb`: load markdown articles into the knowledge base, search it, rebuild its index."""

from pathlib import Path
from typing import get_args

import typer
from rich.console import Console
from rich.table import Table

from shopcrew.cli.seed import ProgressBars
from shopcrew.settings import Settings, get_settings

kb_app = typer.Typer(
    help="The knowledge base: ingest articles, search them, rebuild the search index.", no_args_is_help=True
)
console = Console()


def register(app: typer.Typer) -> None:
    """Add the kb sub-app to the CLI."""
    app.add_typer(kb_app, name="kb")


def open_store(settings: Settings):
    """The knowledge store the settings point at, with the embedding function they select."""
    from knowledge.chroma_embedding import embedding_function_for
    from knowledge.store import KnowledgeStore

    return KnowledgeStore(settings.chroma_dir, embedding_function_for(settings))


@kb_app.command("ingest")
def ingest(
    directory: Path = typer.Argument(..., exists=True, file_okay=False, help="Folder of markdown articles."),
    author: str = typer.Option("cli", help="Author recorded on new articles."),
) -> None:
    """Load every *.md article (front matter: slug, title, category, audience) as published, and index it."""
    from db.migrate import upgrade
    from knowledge.corpus import CorpusError, load_corpus
    from tools.knowledge.ingest import ingest as ingest_articles

    try:
        articles = load_corpus(directory)
    except CorpusError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    if not articles:
        console.print(f"no *.md articles in {directory}")
        raise typer.Exit(1)
    settings = get_settings()
    upgrade(settings.database_url)
    store = open_store(settings)
    with ProgressBars(console) as bars:
        result = ingest_articles(settings.database_url, articles, store, author, bars)
    console.print(
        f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged; "
        f"{store.count()} chunks in the index"
    )


@kb_app.command("search")
def search(
    text: str = typer.Argument(..., help="What to look for, in plain words."),
    category: str = typer.Option(None, "--category", help="Only this category."),
    k: int = typer.Option(5, "-k", min=1, max=50, help="How many passages (one per article)."),
) -> None:
    """Search the published articles by meaning and print the best passages with their scores."""
    from knowledge.corpus import Category

    if category is not None and category not in get_args(Category):
        raise typer.BadParameter(f"one of {', '.join(get_args(Category))}", param_hint="--category")
    passages = open_store(get_settings()).search(text, k=k, category=category)
    if not passages:
        console.print("nothing found (is the index empty? run `shopcrew kb reindex`)")
        raise typer.Exit(1)
    table = Table("score", "article", "section", "passage", show_lines=True)
    for p in passages:
        snippet = p.text if len(p.text) <= 300 else p.text[:297] + "..."
        table.add_row(f"{p.score:.3f}", p.article_id, p.heading, snippet)
    console.print(table)


@kb_app.command("reindex")
def reindex() -> None:
    """Rebuild the search index from the database's published articles."""
    from db.migrate import upgrade
    from tools.knowledge.ingest import reindex as rebuild

    settings = get_settings()
    upgrade(settings.database_url)
    store = open_store(settings)
    with ProgressBars(console) as bars:
        count = rebuild(settings.database_url, store, bars)
    console.print(f"indexed {count} published articles ({store.count()} chunks)")
