"""Persistence: SQLAlchemy models, engine and sessions, migrations and seed data."""
