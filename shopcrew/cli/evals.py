"""`shopcrew eval`: run a dataset of cases through the crew and write reports; `eval compare` pairs two runs."""

import asyncio
import json
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from evals.tau.data import DEFAULT_TAU_DIR
from shopcrew.settings import get_settings

console = Console()
# Progress bars go to stderr so that --json output on stdout stays parseable.
progress_console = Console(stderr=True)
# The retail benchmark's commands (tau-replay, tau) are defined at the end of this file.
evals_app = typer.Typer(help="Measure the crew: run a dataset and write reports, or compare two runs.")


class ModelName(StrEnum):
    LOCAL = "local"
    OPENAI = "openai"


class UserModelName(StrEnum):
    OPENAI = "openai"


class Split(StrEnum):
    TEST = "test"
    TRAIN = "train"
    ALL = "all"


TAU_DIR_HELP = "Folder of the retail benchmark's data (db.json, tasks.json, expected_states.json, splits)."


def register(app: typer.Typer) -> None:
    """Add the eval sub-app to the CLI."""
    from shopcrew.cli import eval_sets

    eval_sets.add_commands(evals_app)
    app.add_typer(evals_app, name="eval")


@evals_app.callback(invoke_without_command=True)
def run(
    ctx: typer.Context,
    dataset: Path = typer.Option(None, "--dataset", exists=True, dir_okay=False, help="JSONL file of cases."),
    trials: int = typer.Option(1, "--trials", min=1, help="Trials per case (for pass^k and pass@k)."),
    model: ModelName = typer.Option(None, "--model", help="Chat model (default from SHOPCREW_MODEL)."),
    out: Path = typer.Option(None, "--out", help="Output folder (default var/evals/<dataset>-<time>)."),
    jobs: int = typer.Option(2, "--jobs", min=1, help="Trials run at the same time."),
    template: Path = typer.Option(
        None, "--template", exists=True, dir_okay=False, help="Prebuilt SQLite shop to copy instead of seeding one."
    ),
) -> None:
    """Run every case of --dataset on a fresh demo database and write report.json, report.md, report.html."""
    if ctx.invoked_subcommand:
        return
    if dataset is None:
        console.print(ctx.get_help())
        raise typer.Exit(2)
    from evals.checks import expects_write
    from evals.dataset import DatasetError, load_cases
    from evals.report import build_report, write_reports
    from evals.runner import RunConfig, tool_table

    settings = get_settings().model_copy(update={"model": model.value} if model else {})
    tools = tool_table()
    try:
        cases = load_cases(dataset, tools=tools.keys())
    except DatasetError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    # Strict success is judged on state: a write nobody checks would pass even if it never happened.
    unchecked = [case.id for case in cases if expects_write(case, tools) and not case.expect.state]
    if unchecked:
        console.print(f"[yellow]warning: {len(unchecked)} cases expect a write but have no state check: "
                      f"{', '.join(unchecked[:10])}{' ...' if len(unchecked) > 10 else ''}[/]")
    out = out or Path("var/evals") / f"{dataset.stem}-{datetime.now():%Y%m%d-%H%M%S}"
    config = RunConfig(out=out, settings=settings, trials=trials, jobs=jobs, template=template)
    result = _run_with_progress(cases, config)
    model_label = settings.model if settings.model == "local" else f"openai:{settings.openai_model}"
    report = build_report(result, {"dataset": str(dataset), "model": model_label, "jobs": jobs})
    paths = write_reports(report, out)
    _print_summary(report)
    for kind, path in paths.items():
        console.print(f"{kind:>4}: {path}")


def _run_with_progress(cases, config):
    from evals.runner import run_cases

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    tally = {"done": 0, "passed": 0}
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("building the demo database", total=len(cases) * config.trials)

        def on_trial(_trial, verdict) -> None:
            tally["done"] += 1
            tally["passed"] += verdict.success
            progress.update(task, advance=1, description=f"{tally['passed']}/{tally['done']} passed")

        return asyncio.run(run_cases(cases, config, on_trial))


def _print_summary(report) -> None:
    from evals.tables import summary_rows

    meta = report["meta"]
    table = Table("metric", "value", "95% CI", title=f"{meta['cases']} cases x {meta['trials']} trials, "
                                                      f"model {meta['model']}, {meta['seconds']} s")
    for row in summary_rows(report):
        table.add_row(*row)
    console.print(table)
    console.print(f"{len(report['failures'])} failed trials (see report.md)")


@evals_app.command("compare")
def compare_runs(
    a: Path = typer.Argument(..., exists=True, dir_okay=False, help="report.json of run A (the baseline)."),
    b: Path = typer.Argument(..., exists=True, dir_okay=False, help="report.json of run B."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Compare two runs case by case (McNemar's exact test on success, sign test on latency)."""
    from evals.compare import compare, comparison_table, load_report, paired_lines

    try:
        result = compare(load_report(a), load_report(b))
    except (ValueError, KeyError) as exc:
        console.print(f"[red]cannot compare: {exc}[/]")
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    console.print(comparison_table(result, a_name=f"A ({a.parent.name})", b_name=f"B ({b.parent.name})"))
    for line in paired_lines(result):
        typer.echo(line)


def _load_tau(tau_dir: Path, task_ids: list[str] | None, split: str = "all"):
    """The benchmark's data and the tasks to run, or a clear error and exit code 2."""
    from evals.tau.data import TauDataMissing, load_tau

    try:
        data = load_tau(tau_dir)
    except TauDataMissing as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    unknown = [t for t in task_ids or [] if t not in data.tasks]
    if unknown:
        console.print(f"[red]unknown task ids: {', '.join(unknown)} (ids are 0..{len(data.tasks) - 1})[/]")
        raise typer.Exit(2)
    return data, task_ids or data.select(split)


def _tau_progress(total: int, description: str) -> tuple[Progress, int]:
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    progress = Progress(*columns, console=progress_console, transient=True)
    return progress, progress.add_task(description, total=total)


@evals_app.command("tau-replay")
def tau_replay(
    tau_dir: Path = typer.Option(DEFAULT_TAU_DIR, "--tau-dir", help=TAU_DIR_HELP),
    task: list[str] = typer.Option(None, "--task", help="Only this task id (repeat for several)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
    summary_only: bool = typer.Option(False, "--summary", help="Skip the per-task lines."),
) -> None:
    """Replay the retail benchmark's gold actions through our tools and compare with its expected states.

    Exits with 1 when a task fails without a known, documented divergence.
    """
    from evals.tau.replay import FAIL, replay_tasks
    from evals.tau.report import jsonable, replay_json, replay_text

    data, task_ids = _load_tau(tau_dir, task)
    progress, bar = _tau_progress(len(task_ids), "importing db.json, then replaying")
    with progress:
        result = asyncio.run(replay_tasks(data, task_ids, lambda r: progress.update(
            bar, advance=1, description=f"task {r.task_id}: {r.outcome}")))
    if as_json:
        typer.echo(json.dumps(replay_json(result), indent=2, default=jsonable))
    else:
        for line in replay_text(result, per_task=not summary_only):
            typer.echo(line)
    if result.counts[FAIL]:
        raise typer.Exit(1)


@evals_app.command("tau")
def tau_benchmark(
    model: ModelName = typer.Option(None, "--model", help="The crew's chat model (default from SHOPCREW_MODEL)."),
    user_model: UserModelName = typer.Option(UserModelName.OPENAI, "--user-model", help="Who plays the customer."),
    user_base_url: str = typer.Option(
        None, "--user-base-url", help="OpenAI-compatible endpoint for the customer (default SHOPCREW_OPENAI_BASE_URL)."
    ),
    user_model_name: str = typer.Option(
        None, "--user-model-name", help="Model name at that endpoint (default SHOPCREW_OPENAI_MODEL)."
    ),
    tasks: Split = typer.Option(Split.TEST, "--tasks", help="Which split of the 114 tasks."),
    task: list[str] = typer.Option(None, "--task", help="Only this task id (repeat for several); overrides --tasks."),
    trials: int = typer.Option(1, "--trials", min=1, help="Trials per task (for pass^k)."),
    max_turns: int = typer.Option(30, "--max-turns", min=1, help="Customer messages per conversation at most."),
    jobs: int = typer.Option(2, "--jobs", min=1, help="Conversations run at the same time."),
    out: Path = typer.Option(None, "--out", help="Output folder (default var/evals/tau-<time>)."),
    tau_dir: Path = typer.Option(DEFAULT_TAU_DIR, "--tau-dir", help=TAU_DIR_HELP),
) -> None:
    """Run the retail tasks as the benchmark does: a model plays each customer, the crew serves them."""
    from evals.tau.benchmark import BenchmarkConfig, run_benchmark
    from evals.tau.report import benchmark_report, write_report
    from evals.tau.simulator import user_model as make_user_model

    data, task_ids = _load_tau(tau_dir, task, tasks.value)
    settings = get_settings().model_copy(update={"model": model.value} if model else {})
    out = out or Path("var/evals") / f"tau-{datetime.now():%Y%m%d-%H%M%S}"
    config = BenchmarkConfig(out=out, settings=settings, trials=trials, jobs=jobs, max_turns=max_turns,
                             user_model=lambda _task_id: make_user_model(settings, user_base_url, user_model_name))
    started = datetime.now()
    progress, bar = _tau_progress(len(task_ids) * trials, "importing db.json, then conversing")
    tally = {"done": 0, "passed": 0}

    def on_trial(trial) -> None:
        tally["done"] += 1
        tally["passed"] += trial.success
        progress.update(bar, advance=1, description=f"{tally['passed']}/{tally['done']} passed")

    with progress:
        result = asyncio.run(run_benchmark(data, task_ids, config, on_trial))
    crew_label = settings.model if settings.model == "local" else f"openai:{settings.openai_model}"
    meta = {"crew_model": crew_label, "user_model": f"{user_model.value}:{user_model_name or settings.openai_model}",
            "user_base_url": user_base_url or settings.openai_base_url, "split": "custom" if task else tasks.value,
            "trials": trials, "max_turns": max_turns, "seconds": round((datetime.now() - started).total_seconds(), 1)}
    report = benchmark_report(result, meta)
    _print_tau_summary(report)
    console.print(f"json: {write_report(report, out)}")


def _print_tau_summary(report) -> None:
    summary = report["summary"]
    table = Table("metric", "value", "95% CI", title=f"{summary['tasks']} tasks x {report['meta']['trials']} "
                  f"trials, crew {report['meta']['crew_model']}, {report['meta']['seconds']} s")
    for k, figure in summary["pass_hat_k"].items():
        low, high = figure["ci95"]
        table.add_row(f"pass^{k}", f"{figure['value']:.3f}", f"{low:.3f}-{high:.3f}")
    for key in ("state_match", "outputs_said", "errors", "mean_user_turns", "ends"):
        table.add_row(key.replace("_", " "), str(summary[key]), "")
    console.print(table)
    failed = [task for task, trials in report["tasks"].items() if not all(t["success"] for t in trials)]
    console.print(f"tasks not passed in every trial: {', '.join(failed) or 'none'}")


@evals_app.command("kb")
def kb_retrieval(
    questions: Path = typer.Option(None, exists=True, dir_okay=False, help="Question set (default kb_questions)."),
    k: int = typer.Option(3, min=1, max=10, help="Recall is counted within the top k articles."),
) -> None:
    """Index the shop's corpus in a scratch folder and measure recall@k, MRR and refusals of uncovered questions."""
    import tempfile

    from evals.retrieval import QUESTIONS, evaluate, load_questions
    from knowledge.chroma_embedding import embedding_function_for
    from knowledge.corpus import load_corpus
    from knowledge.store import KnowledgeStore

    articles = load_corpus()
    with tempfile.TemporaryDirectory() as folder:
        store = KnowledgeStore(Path(folder), embedding_function_for(get_settings()))
        bar, task = _tau_progress(len(articles), "indexing the corpus")
        with bar:
            for article in articles:
                store.index_article(article.slug, article.title, article.category, 1, article.body,
                                    audience=article.audience)
                bar.advance(task)
        report = evaluate(store, load_questions(questions or QUESTIONS), k=k)
        store.close()
    console.print(f"recall@{report.k} {report.recall_at_k:.3f}, MRR {report.mrr:.3f} over {report.questions} "
                  f"questions; {report.refused}/{report.uncovered} uncovered questions refused")
    for question in report.misses:
        console.print(f"  [dim]not in the top {report.k}:[/] {question}")
