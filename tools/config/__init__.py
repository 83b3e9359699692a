"""Typed shop settings stored in the database, each declared once by the domain that reads it."""
