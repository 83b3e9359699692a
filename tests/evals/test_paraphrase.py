"""The routing paraphrase set: deterministic, labelled by the registry, and each edit does what it says."""

import random
import re

from evals.paraphrase import EDITS, drop_word, paraphrase_set, reorder, spread, synonym, typo
from evals.routing import summarise
from tools.registry import load_all

ORDER = re.compile(r"#?W\d{7}")


def test_the_set_is_deterministic_and_labelled_by_the_registry():
    registry = load_all()
    first, again = paraphrase_set(registry, per_example=3), paraphrase_set(registry, per_example=3)
    assert first == again
    assert paraphrase_set(registry, per_example=3, seed=1) != first
    for item in first:
        spec = registry.get(item.tool)
        assert item.agent == spec.agent and spec.allows(item.role)
        assert item.edits and set(item.edits) <= set(EDITS)
        assert item.text.casefold() != item.source.casefold()
    assert {item.agent for item in first} == {spec.agent for spec in registry.all()}
    assert len(first) > 2 * sum(len(spec.examples) for spec in registry.all())


def test_edits_keep_identifiers_and_change_only_what_they_say():
    rng = random.Random(7)
    text = "please cancel my order #W3972548 for me"
    for _ in range(50):
        assert ORDER.findall(typo(text, rng)) == ["#W3972548"]
        assert ORDER.findall(drop_word(text, rng)) == ["#W3972548"]
    dropped = drop_word(text, random.Random(1))
    assert "cancel" in dropped and "order" in dropped and len(dropped.split()) == len(text.split()) - 1
    assert synonym("show my orders", random.Random(0)).split()[-1] == "orders"
    assert synonym("zzz qqq", random.Random(0)) == "zzz qqq"
    assert reorder("refund order #W1, the item arrived damaged", rng) == "the item arrived damaged, refund order #W1"


def test_spread_takes_items_from_across_the_set():
    items = list(range(100))
    assert spread(items, 4) == [0, 25, 50, 75]
    assert spread(items, None) == items and spread(items, 500) == items


def test_summary_counts_per_agent_edit_and_confusion():
    items = [p for p in paraphrase_set(load_all(), per_example=1) if p.agent in {"order", "product"}][:6]
    chosen = [items[0].agent, None, "product", *[i.agent for i in items[3:]]]
    report = summarise(items, chosen)
    wrong = [i for i, c in zip(items, chosen, strict=True) if c != i.agent]
    assert report["total"] == 6 and report["correct"] == 6 - len(wrong)
    assert sum(a["total"] for a in report["per_agent"].values()) == 6
    assert sum(c["count"] for c in report["confusion"]) == len(wrong) == len(report["misses"])
    assert report["accuracy"] == round((6 - len(wrong)) / 6, 4)
