"""Retail benchmark (tau2-bench retail) conformance: gold-action replay and benchmark mode with a real model."""
