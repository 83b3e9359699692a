"""Fixtures for graph tests: a crew on the test database with a scripted or local model."""

import pytest

from graph.crew import Crew
from shopcrew.settings import Settings


@pytest.fixture
def crew_settings(database_url, tmp_path) -> Settings:
    """Settings pointing at the test database (checkpoints beside a per-test file when on SQLite)."""
    return Settings(database_url=database_url, data_dir=tmp_path)


@pytest.fixture
def open_crew(crew_settings, sessions):
    """`async with open_crew(model) as crew:` gives a crew on the test database."""

    def opener(model=None, model_name=None, **overrides):
        if model_name:  # the settings field `model` names the backend: local or openai
            overrides["model"] = model_name
        settings = crew_settings.model_copy(update=overrides)
        return Crew.open(settings, model=model)

    return opener
