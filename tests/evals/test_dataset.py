"""Loading datasets: valid lines become cases; each kind of bad line is an error naming its line and field."""

import json

import pytest

from evals.dataset import DatasetError, load_cases

GOOD = {
    "id": "order-cancel-1",
    "principal": "customer:ava.martin@example.com",
    "turns": ["please cancel order #W3972548", "yes"],
    "expect": {"agent": "order", "tool_calls": [{"name": "cancel_pending_order", "args": {"order_id": "#W3972548"}}],
               "state": [{"tool": "get_order_details", "args": {"order_id": "#W3972548"},
                          "expect": {"status": "cancelled"}}],
               "reply_contains": "cancelled"},
    "tags": ["customer", "confirm"],
}


def write(tmp_path, *lines) -> str:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path


def test_valid_dataset_loads(tmp_path):
    [case] = load_cases(write(tmp_path, GOOD, ""), tools={"cancel_pending_order", "get_order_details"})
    assert case.expect.tool_calls[0].match == "subset"
    assert case.expect.reply_contains == ["cancelled"]
    assert case.expect.refuse is False and case.setup == []


@pytest.mark.parametrize("line, message", [
    ("{not json", ":1: not valid JSON"),
    ({**GOOD, "principal": "ava"}, ":1: principal: String should match pattern"),
    ({**GOOD, "turns": []}, ":1: turns: List should have at least 1 item"),
    ({k: v for k, v in GOOD.items() if k != "id"}, ":1: id: Field required"),
    ({**GOOD, "expect": {"reply_contain": ["x"]}}, ":1: expect.reply_contain: Extra inputs are not permitted"),
    ({**GOOD, "expect": {"tool_calls": [{"name": "x", "match": "fuzzy"}]}}, ":1: expect.tool_calls.0.match"),
])
def test_bad_line_names_line_and_field(tmp_path, line, message):
    with pytest.raises(DatasetError, match=message.replace("[", r"\[")):
        load_cases(write(tmp_path, line))


def test_duplicate_id_names_both_lines(tmp_path):
    with pytest.raises(DatasetError, match=r":3: id: 'order-cancel-1' is already used on line 1"):
        load_cases(write(tmp_path, GOOD, "", GOOD))


def test_unknown_tool_is_reported(tmp_path):
    with pytest.raises(DatasetError, match=r":1: expect.tool_calls.0.name: unknown tool 'cancel_pending_order'"):
        load_cases(write(tmp_path, GOOD), tools={"get_order_details"})


def test_empty_dataset_is_an_error(tmp_path):
    with pytest.raises(DatasetError, match="no cases"):
        load_cases(write(tmp_path, ""))
