"""Prompt files: the supervisor, one per specialist, and the local model's reply templates."""
