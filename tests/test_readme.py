"""The README is the front door: every setting a person can change is documented there."""

from pathlib import Path

from shopcrew.settings import Settings

README = (Path(__file__).parents[1] / "README.md").read_text()


def test_every_setting_is_in_the_readme_configuration_table():
    missing = [f"SHOPCREW_{name.upper()}" for name in Settings.model_fields
               if f"`SHOPCREW_{name.upper()}`" not in README]
    assert missing == []
