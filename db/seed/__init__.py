"""Seed data: the deterministic demo shop, a large shop for benchmarks, and the retail benchmark import."""
