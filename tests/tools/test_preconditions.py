"""Declared preconditions: each reads the record with a tool of the same agent that changes nothing."""

from dataclasses import replace

import pytest

from tools.registry import Precondition, ToolRegistry, load_all


def test_every_declared_precondition_reads_with_a_side_effect_free_tool_of_its_agent():
    registry = load_all()
    gated = [t for t in registry.all() if t.precondition]
    assert gated, "the order writes declare their status gates"
    for spec in gated:
        read = registry.get(spec.precondition.read)
        assert not read.mutates and read.agent == spec.agent
        assert set(spec.precondition.given) <= set(read.input_model.model_fields)
        assert spec.precondition.state in read.output_model.model_fields


def test_a_precondition_that_writes_is_refused():
    registry, copy = load_all(), ToolRegistry()
    wrong = Precondition("return_delivered_order_items", ("order_id",), "status", ("pending",))
    copy.register(replace(registry.get("cancel_pending_order"), precondition=wrong))
    copy.register(registry.get("return_delivered_order_items"))
    with pytest.raises(TypeError, match="not a reading tool"):
        copy.check_preconditions()
