"""The reply template syntax, and the templates in prompts/replies against the tools' output models."""

import re

import pytest

from graph.models.local import templates
from graph.models.local.templates import REPLIES, fill, load
from tools.registry import NAME_PATTERN, REGISTRY

TEMPLATE_FILES = sorted(p for p in REPLIES.glob("*.md") if p.name != "README.md")


def test_placeholders_paths_alternatives_and_filters():
    data = {
        "order_id": "#W1",
        "total": 5,
        "currency": "USD",
        "items": [{"name": "Mug"}, {"name": "Cup"}],
        "address": {"address1": "1 Main St", "city": "Denver", "zip": "80202", "country": "USA"},
        "status": "on_hold",
        "args": {"reason": "ordered by mistake"},
    }
    lines = [
        "Order {order_id} ({status|words}) costs {total|money}.",
        "It has {items|count:item}: {items|list:name}.",
        "First: {items.0.name}, last: {items.-1.name|upper}.",
        "Ships to {address|address}.",
        "Reason: {cancel_reason,args.reason}.",
    ]
    assert fill(lines, data) == (
        "Order #W1 (on hold) costs 5.00 USD. It has 2 items: Mug and Cup. First: Mug, "
        "last: CUP. Ships to 1 Main St, Denver, 80202, USA. Reason: ordered by mistake."
    )


def test_a_line_after_a_list_starts_a_line_of_its_own():
    lines = ["Received:", "{items|bullets}", "Next step: {next}."]
    data = {"items": ["1 x Mug", "2 x Cup"], "next": "inspected"}
    assert fill(lines, data) == "Received:\n- 1 x Mug\n- 2 x Cup\nNext step: inspected."


def test_a_value_ending_its_own_sentence_takes_no_second_full_stop():
    data = {"defects": [{"description": "a scratch"}, {"description": "Two lamps are dead out of the box."}],
            "note": "Wait..."}
    assert fill(["Defects: {defects|list:description}.", "Note: {note}"], data) == (
        "Defects: a scratch and Two lamps are dead out of the box. Note: Wait...")


def test_a_line_with_a_missing_value_is_dropped_unless_it_has_a_default():
    lines = ["Known {a}.", "Unknown {b}.", "Empty {c}.", "Defaulted {b|default:nothing}."]
    assert fill(lines, {"a": 1, "c": []}) == "Known 1. Defaulted nothing."


def test_a_share_is_no_amount_of_money():
    data = {"currency": "EUR", "price": 12.5, "price_adjustment_pct": 5.0}
    assert fill(["{price}, adjusted by {price_adjustment_pct}%."], data) == "12.50 EUR, adjusted by 5%."


def test_long_lists_are_cut_and_bullets_go_on_their_own_lines():
    data = {"rows": [{"name": f"R{i}"} for i in range(7)]}
    assert fill(["Rows: {rows|list:name}."], data) == "Rows: R0, R1, R2, R3, R4 and 2 more."
    assert fill(["Rows:{rows|bullets}"], {"rows": [{"name": "A"}, {"name": "B"}]}) == "Rows:\n- A\n- B"


def test_sections_and_comments(tmp_path):
    (tmp_path / "do_thing.md").write_text(
        "<!-- comment -->\nDone {x}.\n## empty\nNothing.\n## error:not_found\nNo {args.id}.\n", encoding="utf-8"
    )
    sections = load(tmp_path, "do_thing")
    assert sections == {"ok": ["Done {x}."], "empty": ["Nothing."], "error:not_found": ["No {args.id}."]}
    assert load(tmp_path, "other_thing") is None


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: p.stem)
def test_every_template_is_named_for_a_tool_and_renders(path):
    assert NAME_PATTERN.match(path.stem)
    sections = load(REPLIES, path.stem)
    assert sections and sections["ok"]
    for lines in sections.values():
        assert "{" not in fill(lines, {"args": {}})


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: p.stem)
def test_template_fields_exist_in_the_tools_output_model(path):
    if path.stem not in REGISTRY:
        pytest.skip(f"{path.stem} is not registered yet")
    spec = REGISTRY.get(path.stem)
    for section, lines in load(REPLIES, path.stem).items():
        # A blocked section answers before the write, from the record its precondition read.
        model = (REGISTRY.get(spec.precondition.read) if section.startswith("blocked") else spec).output_model
        fields = set(model.model_fields) | set(model.model_computed_fields)  # computed fields are output too
        for expr in re.findall(r"{([^{}|]+)", "\n".join(lines)):
            roots = {alt.strip().split(".")[0] for alt in expr.split(",")}
            assert roots & (fields | {"args", "message", "code"}), f"{path.stem}: {{{expr}}} names no output field"


def test_templates_are_read_from_prompts_replies():
    assert templates.REPLIES.parts[-2:] == ("prompts", "replies")
