"""The benchmarks still run: each piece at a tiny size (the figures themselves live in docs/benchmarks.md)."""

import json

import tiktoken

from bench import analytics, kb_index, report
from bench.crew_turns import ENCODING, prompt_tokens


def test_analytics_times_and_explains_a_tiny_shop_with_and_without_the_0011_indexes(tmp_path):
    result = analytics.run_backend("sqlite", f"sqlite:///{tmp_path / 'tiny.db'}", 50, repeat=1, before=True)
    assert result["orders_in_database"] >= 50
    assert set(result["timings"]) == set(result["before_indexes"]) == set(analytics.calls("x"))
    search = result["timings"]["order search: busiest customer"]["plans"]
    before = result["before_indexes"]["order search: busiest customer"]["plans"]
    assert any("ix_orders_customer_placed" in line for p in search for line in p["plan"])
    assert not any("ix_orders_customer_placed" in line for p in before for line in p["plan"])


def test_growth_is_the_p50_ratio_per_step():
    by_size = {10: {"timings": {"a": {"p50_ms": 2.0}}}, 100: {"timings": {"a": {"p50_ms": 7.0}}}}
    assert analytics.growth(by_size) == {"10->100": {"a": 3.5}}


def test_prompt_tokens_count_system_history_and_tool_schemas_offline():
    encoding = tiktoken.get_encoding(ENCODING)
    tool = {"type": "function", "function": {"name": "get_order", "description": "Get an order", "parameters": {}}}
    call = {"messages": [{"role": "system", "content": "You help."}, {"role": "user", "content": "where is it?"}],
            "tools": [tool]}
    counted = prompt_tokens(call, encoding)
    assert counted["system"] > 3 and counted["history"] > 3
    assert counted["tools"] == len(encoding.encode(json.dumps([tool])))
    assert counted["total"] == counted["system"] + counted["history"] + counted["tools"]


def test_synthetic_articles_add_up_to_the_chunks_asked_and_continue_where_they_stopped():
    first, rest = kb_index.synthetic_articles(0, 25), kb_index.synthetic_articles(25, 40)
    assert sum(body.count("## Section") for _, body in first) == 25
    assert sum(body.count("## Section") for _, body in rest) == 15
    assert kb_index.synthetic_articles(0, 25) == first


def test_report_renders_a_table():
    assert report.table(["a", "b"], [[1, 2]]).splitlines() == ["| a | b |", "|---|---|", "| 1 | 2 |"]
