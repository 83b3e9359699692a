"""The retail benchmark's files (db.json, tasks, expected states, splits) and whom each task concerns."""

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FILES = ("db.json", "tasks.json", "expected_states.json", "split_tasks.json")
# The data sits beside the repository: <workspace>/shared/tau2-retail next to <workspace>/main.
DEFAULT_TAU_DIR = Path(__file__).resolve().parents[3] / "shared" / "tau2-retail"


class TauDataMissing(Exception):
    """The benchmark's data folder or one of its files is not there."""


@dataclass(frozen=True)
class TauData:
    """The benchmark's files, read once: db.json, tasks by id (in file order), expected states, splits."""

    root: Path
    db: dict[str, Any]
    tasks: dict[str, dict[str, Any]]
    expected: dict[str, dict[str, Any]]
    splits: dict[str, list[str]]

    def gold(self, task_id: str) -> list[dict[str, Any]]:
        """The task's gold actions with the benchmark's own outcome of each (`ok`, `result`), in order."""
        actions = self.tasks[task_id]["evaluation_criteria"]["actions"]
        recorded = self.expected[task_id]["actions"]
        # Both files list the same calls by position; a mismatch means they come from different versions.
        if [(a["name"], a["arguments"]) for a in actions] != [(r["name"], r["arguments"]) for r in recorded]:
            raise TauDataMissing(f"task {task_id}: tasks.json and expected_states.json disagree on the gold actions")
        return recorded

    def select(self, split: str) -> list[str]:
        """Task ids of a split (train, test, base/all), in file order."""
        wanted = set(self.tasks) if split in ("all", "base") else set(self.splits[split])
        return [task_id for task_id in self.tasks if task_id in wanted]


@cache
def load_tau(root: Path = DEFAULT_TAU_DIR) -> TauData:
    """Read the benchmark's folder, with a clear error naming what is missing."""
    root = Path(root).resolve()
    missing = [name for name in FILES if not (root / name).is_file()]
    if missing:
        raise TauDataMissing(f"retail benchmark data not found in {root} (missing {', '.join(missing)}); "
                             "point --tau-dir at a copy of tau2-retail")
    files = {name: json.loads((root / name).read_text(encoding="utf-8")) for name in FILES}
    tasks = {task["id"]: task for task in files["tasks.json"]}
    return TauData(root, files["db.json"], tasks, files["expected_states.json"]["tasks"], files["split_tasks.json"])


def gold_users(data: TauData, task_id: str) -> set[str]:
    """Users the gold calls name: user_id arguments, owners of named orders, users the lookups found."""
    users = set()
    for action in data.expected[task_id]["actions"]:
        args = action["arguments"]
        if "user_id" in args:
            users.add(args["user_id"])
        if order := data.db["orders"].get(args.get("order_id", "")):
            users.add(order["user_id"])
        if action["name"].startswith("find_user_id") and action["ok"]:
            users.add(action["result"])
    return users


def scenario_users(data: TauData, task_id: str) -> set[str]:
    """Users the scenario's known info names: by id, by email, or by first name, last name and zip."""
    text = data.tasks[task_id]["user_scenario"]["instructions"]["known_info"].lower()
    # Emails keep their dots; a sentence's full stop does not stick to the word before it.
    words = {word.strip(".") for word in re.findall(r"[\w.@]+", text)}
    found = set()
    for user in data.db["users"].values():
        name = user["name"]
        by_name = {name["first_name"].lower(), name["last_name"].lower(), user["address"]["zip"]} <= words
        if user["user_id"] in words or user["email"].lower() in words or by_name:
            found.add(user["user_id"])
    return found


def task_user(data: TauData, task_id: str) -> str | None:
    """The one customer a task concerns (the policy allows one per conversation), or None if it names nobody."""
    users = gold_users(data, task_id) or scenario_users(data, task_id)
    if len(users) > 1:
        raise ValueError(f"task {task_id} concerns several users: {', '.join(sorted(users))}")
    return next(iter(users), None)
