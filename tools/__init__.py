"""Typed tools: the one definition behind agents, REST routes, the CLI and the evals."""
