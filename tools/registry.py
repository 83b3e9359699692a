"""The tool registry: each tool is declared once and every face (agent, REST, CLI, evals) reads it here."""

import importlib
import inspect
import pkgutil
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, get_args, get_type_hints

from pydantic import BaseModel, SecretStr, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from tools.context import ToolContext
from tools.errors import Forbidden, InvalidInput
from tools.schemas import FileOut

ToolFunc = Callable[[ToolContext, Any], Awaitable[BaseModel]]
# The names a tool's records go by, read from the database ("Micro Camp Stove", "Northtrail"): what the tool
# can find, which a model may use to tell that a request is about those records.
Vocabulary = Callable[[AsyncSession], Awaitable[list[str]]]
NAME_PATTERN = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")
HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
HIDDEN = "[hidden]"


def nul_fields(value: Any, path: str = "") -> list[str]:
    """Dotted paths of the strings in raw arguments that contain a NUL character (PostgreSQL text refuses them)."""
    if isinstance(value, str):
        return [path or "body"] if "\x00" in value else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list | tuple) else ()
    return [bad for key, item in items for bad in nul_fields(item, f"{path}.{key}" if path else str(key))]


def holds_secret(annotation: Any) -> bool:
    """True when a field's type is or contains a SecretStr (e.g. dict[str, SecretStr] | None)."""
    return annotation is SecretStr or any(holds_secret(arg) for arg in get_args(annotation))


@dataclass(frozen=True)
class Precondition:
    """A side-effect-free check a write runs before it asks for its details: read the record, compare its state.

    The reading tool shows the record the write names (an order by its number); the write can go ahead only
    when the result's `state` field holds one of `allowed`. The write itself still enforces its rule: this
    only lets a chat say at once "order #W1 was delivered, so it can no longer be cancelled".
    """

    read: str
    given: tuple[str, ...]
    state: str
    allowed: tuple[str, ...]

    def describe(self) -> dict[str, Any]:
        """The precondition as tool metadata (plain JSON)."""
        return {"read": self.read, "given": list(self.given), "state": self.state, "allowed": list(self.allowed)}


@dataclass(frozen=True)
class ToolSpec:
    """A registered tool and its metadata."""

    name: str
    agent: str
    description: str
    func: ToolFunc
    input_model: type[BaseModel]
    output_model: type[BaseModel]
    method: str
    path: str
    roles: frozenset[Role]
    mutates: bool
    confirm: bool
    examples: tuple[str, ...]
    precondition: Precondition | None = None
    # Every specialist may use it besides its own agent (handing a conversation to a person, a customer's saved
    # payment methods).
    shared: bool = False
    # Every specialist may read with it for its own writes, never for a request by itself (a product's variants,
    # which changing an order's items needs).
    lookup: bool = False
    vocabulary: Vocabulary | None = None

    @property
    def path_params(self) -> list[str]:
        """Names of the {placeholders} in the REST path."""
        return re.findall(r"{(\w+)}", self.path)

    @property
    def returns_file(self) -> bool:
        """True when the tool's result is a file (REST sends its bytes, not JSON)."""
        return issubclass(self.output_model, FileOut)

    @property
    def secret_fields(self) -> frozenset[str]:
        """Input fields that carry secrets: never shown, logged or recorded as given."""
        return frozenset(name for name, f in self.input_model.model_fields.items() if holds_secret(f.annotation))

    def redact(self, args: dict[str, Any]) -> dict[str, Any]:
        """The arguments with every secret field's value hidden, fit to show or record."""
        hidden = self.secret_fields
        return {k: HIDDEN if k in hidden and v is not None else v for k, v in args.items()}

    def allows(self, role: Role) -> bool:
        """True when a caller with this role may use the tool."""
        return role in self.roles

    def parse(self, args: BaseModel | dict[str, Any]) -> BaseModel:
        """Validate raw arguments into the input model, as an InvalidInput naming each bad field."""
        if isinstance(args, self.input_model):
            return args
        if bad := nul_fields(args):
            problem = "must not contain NUL (\\x00) characters"
            raise InvalidInput(f"invalid arguments for {self.name}: " + "; ".join(f"{f}: {problem}" for f in bad),
                               details=[{"field": f, "problem": problem} for f in bad])
        try:
            return self.input_model.model_validate(args)
        except ValidationError as exc:
            raise InvalidInput(
                f"invalid arguments for {self.name}: "
                + "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()),
                details=[{"field": ".".join(map(str, e["loc"])), "problem": e["msg"]} for e in exc.errors()],
            ) from None

    async def invoke(self, ctx: ToolContext, args: BaseModel | dict[str, Any]) -> BaseModel:
        """Check the caller's role, validate the arguments and run the tool (no commit here)."""
        if not self.allows(ctx.principal.role):
            raise Forbidden(f"{self.name} is not available to the {ctx.principal.role} role")
        return await self.func(ctx, self.parse(args))

    def summary(self) -> dict[str, Any]:
        """The row `shopcrew tools` prints."""
        return {
            "name": self.name,
            "agent": self.agent,
            "method": self.method,
            "path": "/api/v1" + self.path,
            "roles": sorted(self.roles),
            "mutates": self.mutates,
            "confirm": self.confirm,
            "returns": "file" if self.returns_file else "json",
            "description": self.description,
        }


class ToolRegistry:
    """Name -> ToolSpec, filled by the @tool decorator when domain modules are imported."""

    def __init__(self) -> None:
        self._tools: dict[str, ToolSpec] = {}

    def register(self, spec: ToolSpec) -> None:
        """Add a tool, refusing a second definition of the same name or route."""
        if spec.name in self._tools:
            raise ValueError(f"tool {spec.name!r} is registered twice")
        clash = next((t for t in self._tools.values() if (t.method, t.path) == (spec.method, spec.path)), None)
        if clash:
            raise ValueError(f"{spec.name} and {clash.name} both claim {spec.method} {spec.path}")
        self._tools[spec.name] = spec

    def unregister(self, name: str) -> None:
        """Remove a tool (used by tests that register throwaway tools)."""
        self._tools.pop(name, None)

    def get(self, name: str) -> ToolSpec:
        """The tool of that name (KeyError if unknown)."""
        return self._tools[name]

    def __contains__(self, name: str) -> bool:
        return name in self._tools

    def all(self) -> list[ToolSpec]:
        """Every tool, sorted by agent then name."""
        return sorted(self._tools.values(), key=lambda t: (t.agent, t.name))

    def check_preconditions(self) -> None:
        """Refuse a precondition whose reading tool is unknown, writes, serves another agent or lacks the fields."""
        for spec in self._tools.values():
            check = spec.precondition
            read = self._tools.get(check.read) if check else None
            if check and (read is None or read.mutates or read.agent != spec.agent
                          or set(check.given) - set(read.input_model.model_fields)
                          or check.state not in read.output_model.model_fields):
                raise TypeError(f"{spec.name}: precondition {check.read!r} is not a reading tool taking {check.given}")

    def shared_with(self, agent: str) -> list[ToolSpec]:
        """Tools of other agents that every specialist may use too (see ToolSpec.shared and ToolSpec.lookup)."""
        return [t for t in self.all() if (t.shared or t.lookup) and t.agent != agent]

    def for_agent(self, agent: str, role: Role | None = None) -> list[ToolSpec]:
        """The agent's tools, limited to those the role may call when a role is given."""
        return [t for t in self.all() if t.agent == agent and (role is None or t.allows(role))]


REGISTRY = ToolRegistry()


def tool(
    *,
    agent: str,
    method: str,
    path: str,
    roles: Iterable[Role],
    mutates: bool = False,
    confirm: bool = False,
    examples: Iterable[str] = (),
    precondition: Precondition | None = None,
    shared: bool = False,
    lookup: bool = False,
    vocabulary: Vocabulary | None = None,
) -> Callable[[ToolFunc], ToolFunc]:
    """Register an async `(ctx, params) -> Output` function as a tool; its name is the function's."""

    def decorate(func: ToolFunc) -> ToolFunc:
        hints = get_type_hints(func)
        params = list(inspect.signature(func).parameters)
        if len(params) != 2 or not inspect.iscoroutinefunction(func):
            raise TypeError(f"{func.__name__} must be `async def {func.__name__}(ctx, params)`")
        description = (inspect.getdoc(func) or "").split("\n", 1)[0].strip()
        if not NAME_PATTERN.match(func.__name__) or not description:
            raise TypeError(f"{func.__name__}: tools are named verb_noun and need a docstring")
        if method not in HTTP_METHODS or not path.startswith("/"):
            raise TypeError(f"{func.__name__}: bad HTTP route {method} {path}")
        spec = ToolSpec(
            name=func.__name__,
            agent=agent,
            description=description,
            func=func,
            input_model=hints[params[1]],
            output_model=hints["return"],
            method=method,
            path=path,
            roles=frozenset(roles),
            mutates=mutates,
            confirm=confirm,
            examples=tuple(examples),
            precondition=precondition,
            shared=shared,
            lookup=lookup,
            vocabulary=vocabulary,
        )
        missing = set(spec.path_params) - set(spec.input_model.model_fields)
        if missing:
            raise TypeError(f"{func.__name__}: path parameters {missing} are not input fields")
        if precondition and (not mutates or set(precondition.given) - set(spec.input_model.model_fields)):
            raise TypeError(f"{func.__name__}: a precondition belongs to a write and reads the write's own fields")
        REGISTRY.register(spec)
        return func

    return decorate


def load_all() -> ToolRegistry:
    """Import every domain package's tools module (tools/<domain>/tools.py) and return the registry."""
    import tools as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.ispkg:
            try:
                importlib.import_module(f"tools.{info.name}.tools")
            except ModuleNotFoundError as exc:
                if exc.name != f"tools.{info.name}.tools":
                    raise
    REGISTRY.check_preconditions()
    return REGISTRY
