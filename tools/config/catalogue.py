"""The catalogue of typed shop settings: each key is declared once, next to the code that reads it."""

import json
import math
from dataclasses import dataclass
from typing import Any, Literal

from tools.errors import InvalidInput

ConfigType = Literal["string", "number", "boolean", "json"]


@dataclass(frozen=True)
class ConfigKey:
    """A setting staff may change at run time: its name, type, default and limits."""

    key: str
    type: ConfigType
    default: Any
    description: str
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False

    def validate(self, value: Any) -> Any:
        """The value in this key's type, or InvalidInput naming the field and the problem."""
        checker = {"string": _string, "number": _number, "boolean": _boolean, "json": _json}[self.type]
        checked = checker(value)
        if self.type == "number":
            checked = self._in_range(checked)
        return checked

    def _in_range(self, number: float) -> float | int:
        if self.integer and number != int(number):
            raise _bad(f"{self.key} must be a whole number, got {number}")
        if self.minimum is not None and number < self.minimum:
            raise _bad(f"{self.key} must be at least {_fmt(self.minimum)}, got {_fmt(number)}")
        if self.maximum is not None and number > self.maximum:
            raise _bad(f"{self.key} must be at most {_fmt(self.maximum)}, got {_fmt(number)}")
        return int(number) if self.integer else number


CATALOGUE: dict[str, ConfigKey] = {}


def declare(key: str, type: ConfigType, default: Any, description: str, **limits: Any) -> ConfigKey:
    """Declare a setting (once, at import time of the module that reads it) and return it."""
    if key in CATALOGUE:
        raise ValueError(f"config key {key!r} is declared twice")
    spec = ConfigKey(key, type, default, description, **limits)
    spec.validate(default)
    CATALOGUE[key] = spec
    return spec


def lookup(key: str) -> ConfigKey:
    """The declared key, or InvalidInput listing the keys that exist."""
    try:
        return CATALOGUE[key]
    except KeyError:
        known = ", ".join(sorted(CATALOGUE)) or "none"
        raise InvalidInput(f"unknown config key {key!r}; known keys: {known}",
                           details=[{"field": "config_key", "problem": "unknown key"}]) from None


def _bad(message: str) -> InvalidInput:
    return InvalidInput(message, details=[{"field": "value", "problem": message}])


def _fmt(number: float) -> str:
    return f"{number:g}"


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise _bad(f"value must be a string, got {type(value).__name__}")
    return value


def _number(value: Any) -> float:
    # JSON booleans are ints in Python: a number setting never takes true/false. Numeric text is fine ("60").
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _bad(f"value must be a number, got {json.dumps(value)}") from None
    else:
        raise _bad(f"value must be a number, got {_shown(value)}")
    if not math.isfinite(number):
        raise _bad(f"value must be a finite number, got {value}")
    return int(number) if number == int(number) else number


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise _bad(f"value must be true or false, got {_shown(value)}")


def _json(value: Any) -> Any:
    if not _jsonable(value):
        raise _bad("value must be JSON (an object, list, string, number, boolean or null)")
    return value


def _shown(value: Any) -> str:
    return json.dumps(value) if _jsonable(value) else type(value).__name__


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True
