"""The stack: everything one CloudFormation template holds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import Problem
from ._app import Nesting
from ._check import as_text, fail
from ._settings import as_tags
from ._tokens import Parameter, Token

__all__ = ["App", "Output", "Pipeline", "Stack", "use_pipeline"]


class Pipeline(Protocol):
    """The verbs that validate and compile a stack (``ecsstack.synth`` provides them)."""

    def problems(self, stack: Stack) -> list[Problem]: ...
    def validate(self, stack: Stack) -> list[Problem]: ...
    def synth(self, stack: Stack) -> dict[str, Any]: ...
    def to_json(self, stack: Stack) -> str: ...
    def to_yaml(self, stack: Stack) -> str: ...


_pipeline: Pipeline | None = None


def use_pipeline(pipeline: Pipeline) -> None:
    """Give ``Stack.to_dict()`` and its siblings the verbs they delegate to. ``ecsstack.synth`` calls this when
    it is imported (and ``import ecsstack`` imports it), so the model never imports the layers above it."""
    global _pipeline
    _pipeline = pipeline


def _verbs() -> Pipeline:
    if _pipeline is None:  # only when ecsstack.model is loaded without the ecsstack package, which cannot happen
        raise RuntimeError("ecsstack.synth is not loaded; import ecsstack")
    return _pipeline


@dataclass(eq=False)
class Output:
    """A stack output. ``value``: a string, a parameter or a modelled resource (its ``Ref``)."""

    name: str
    value: Any
    description: str | None = None
    export_name: str | Token | None = None


class Stack:
    """A CloudFormation stack built from clusters, task definitions and services.

    ``Stack(name, description=, tags=)``; add things with ``stack.add(...)``; a service brings its cluster
    and task definition along. ``tags``: key → value, put on every resource the template creates that takes
    tags (a resource's own tags win by key); Default none. ``nesting``: how the stack splits into nested stacks
    past CloudFormation's quotas (``Nesting(...)``); Default ``Nesting()`` (split only when needed, 32 buckets).
    """

    def __init__(self, name: str, description: str | None = None, tags: dict[str, Any] | None = None,
                 nesting: Nesting | None = None):
        self.name = name
        self.description = description
        self.tags: dict[str, Any] = tags or {}
        self.nesting = nesting if nesting is not None else Nesting()
        #: what the stack holds (clusters, task definitions, services, load balancers, …), in the order added
        self.resources: list[Any] = []
        self.parameters: dict[str, Parameter] = {}
        self.outputs: dict[str, Output] = {}
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type (run at construction and before the rules)."""
        if not isinstance(self.name, str) or not self.name:
            raise fail("stack", f"a stack needs a name, got {self.name!r}.")
        path = self.path
        as_text(self.description, path, "description")
        self.tags = as_tags(self.tags, path)
        if not isinstance(self.nesting, Nesting):
            raise fail(path, f"nesting must be a Nesting(...), got {self.nesting!r}.")
        self.nesting.normalise()
        if not isinstance(self.resources, list):
            raise fail(path, f"resources must be a list, got {self.resources!r}.", "Add things with stack.add(...).")
        for name, kind in (("parameters", Parameter), ("outputs", Output)):
            items = getattr(self, name)
            if not isinstance(items, dict) or not all(isinstance(k, str) and isinstance(v, kind)
                                                      for k, v in items.items()):
                raise fail(path, f"{name} must map names to {kind.__name__} objects, got {items!r}.",
                           f"Declare them with stack.{name.removesuffix('s')}(...) rather than assigning.")

    @property
    def path(self) -> str:
        return f"stack {self.name}"

    def add(self, *things: Any) -> Stack:
        """Add clusters, task definitions, services (and what they use); returns the stack."""
        for thing in things:
            if isinstance(thing, list | tuple):
                self.add(*thing)
                continue
            if not hasattr(thing, "path") or isinstance(thing, Stack | Parameter | Output):
                raise fail(self.path, f"cannot add {thing!r} to a stack.",
                           "Add Cluster, TaskDefinition or Service objects.")
            if hasattr(thing, "normalise"):
                thing.normalise()  # a field changed since construction is refused here, not deep inside a rule
            for related in getattr(thing, "related", lambda: [])():
                self.add(related)
            if not self._holds(thing):
                self.resources.append(thing)
                self._added.add(id(thing))
        return self

    def _holds(self, thing: Any) -> bool:
        """Whether ``thing`` is in ``resources``: a set lookup (adding stays linear), redone when the list was
        changed by hand."""
        added = self.__dict__.setdefault("_added", set())
        if len(added) != len(self.resources):
            added.clear()
            added.update(id(r) for r in self.resources)
        return id(thing) in added

    def of_type(self, kind: type) -> list[Any]:
        """Every added resource that is a ``kind``, in the order added."""
        return list(self.remembered(kind, lambda: [r for r in self.resources if isinstance(r, kind)]))

    def remembered(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``, computed once per ``key`` while the stack is ``unchanging()`` (else every time)."""
        memo = self.__dict__.get("_memo")
        if memo is None:
            return compute()
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    @contextmanager
    def unchanging(self) -> Iterator[Stack]:
        """While validating and compiling, nothing changes the stack, so lookups over it (``of_type``, its load
        balancers, a service's targets) are made once, keeping synthesis linear in the number of services.
        Re-entrant; leaving it forgets them."""
        if self.__dict__.get("_memo") is not None:
            yield self
            return
        self._memo: dict[Any, Any] | None = {}
        try:
            yield self
        finally:
            self._memo = None

    def parameter(self, name: str, type: str = "String", default: Any = None, *,
                  description: str | None = None, allowed_values: list[Any] | None = None,
                  allowed_pattern: str | None = None, no_echo: bool = False,
                  min_length: int | None = None, max_length: int | None = None) -> Parameter:
        """Declare (or fetch) a stack parameter; the result can be used as a value anywhere."""
        spec = Parameter(name, type, default, description, allowed_values, allowed_pattern,
                         min_length, max_length, no_echo)
        existing = self.parameters.get(name)
        if existing is not None:
            if (existing.type, existing.default) != (type, default):
                raise fail(f"{self.path} › parameter {name}",
                           "is declared twice with different types or defaults.",
                           "Declare it once and reuse the returned object.")
            return existing
        self.parameters[name] = spec
        return spec

    def output(self, name: str, value: Any, description: str | None = None, *,
               export_name: str | Token | None = None) -> Output:
        """Declare a stack output."""
        if name in self.outputs:
            raise fail(f"{self.path} › output {name}", "is declared twice.", "Give each output its own name.")
        out = Output(name, value, description, export_name)
        self.outputs[name] = out
        return out

    # The verbs live in ecsstack.synth (``ecsstack.synth(stack)`` and friends); these delegate to them.
    def problems(self) -> list[Problem]:
        """Every problem the rules find, without raising (``ecsstack.problems(stack)``)."""
        return _verbs().problems(self)

    def validate(self) -> None:
        """Raise ``ValidationError`` listing every problem, if any (``ecsstack.validate(stack)``)."""
        _verbs().validate(self)

    def to_dict(self) -> dict[str, Any]:
        """Validate and compile to a CloudFormation template as plain data (``ecsstack.synth(stack)``)."""
        return _verbs().synth(self)

    def to_json(self) -> str:
        """The template as deterministic JSON text (``ecsstack.to_json(stack)``)."""
        return _verbs().to_json(self)

    def to_yaml(self) -> str:
        """The template as deterministic YAML text (``ecsstack.to_yaml(stack)``)."""
        return _verbs().to_yaml(self)

    def __repr__(self) -> str:
        return f"Stack({self.name!r})"


class App:
    """Several stacks deployed together as one root stack with one nested stack per member.

    ``App(name, description=)``; ``app.add(stack, ...)``. A blueprint's ``build()`` may return an App. References
    between the members (a service in one stack, its cluster, VPC or load balancer in another) become parameters
    and outputs of the nested stacks, wired by the root: no export names. Validation sees the whole app: the
    rules run once over every member's resources together. An object that several members hold (a service
    brings its cluster along) belongs to the first member, in the order added, that holds it.
    ``description``: the root template's; Default none.
    """

    def __init__(self, name: str, description: str | None = None):
        self.name = name
        self.description = description
        #: the member stacks, in the order added
        self.stacks: list[Any] = []
        self.normalise()

    @property
    def path(self) -> str:
        return f"app {self.name}"

    def normalise(self) -> None:
        """Check every field's type."""
        if not isinstance(self.name, str) or not self.name:
            raise fail("app", f"an app needs a name, got {self.name!r}.")
        as_text(self.description, self.path, "description")

    def add(self, *stacks: Any) -> App:
        """Add member stacks (each once; their names must differ); returns the app."""
        for stack in stacks:
            if not isinstance(stack, Stack):
                raise fail(self.path, f"cannot add {stack!r} to an app.", "Add Stack objects.")
            if any(s is stack for s in self.stacks):
                continue
            if any(s.name == stack.name for s in self.stacks):
                raise fail(self.path, f"holds two stacks named {stack.name!r}.", "Give each stack its own name.")
            self.stacks.append(stack)
        return self

    def __repr__(self) -> str:
        return f"App({self.name!r})"
