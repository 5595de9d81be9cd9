"""ECS1xx: one container definition at a time (names, timeouts, ports, memory, environment)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import Problem
from ..model import PortMapping, Stack
from ._helpers import as_list, as_map, cpath, int_or_none, name_hint, q, task_containers
from ._registry import Rule, rule, tasks

__all__: list[str] = []

NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TIMEOUT_MIN, TIMEOUT_MAX = 2, 120
PORT_MIN, PORT_MAX = 1, 65535


def _containers(stack: Stack) -> Iterator[tuple[str, object]]:
    for task in tasks(stack):
        for container in task_containers(task):
            yield cpath(stack, task, container), container


@rule("ECS101", "a container name has 1-255 letters, digits, hyphens and underscores")
def _container_name(stack: Stack, r: Rule) -> Iterator[Problem]:
    for task in tasks(stack):
        for container in task_containers(task):
            name = container.name
            if isinstance(name, str) and NAME.fullmatch(name):
                continue
            if isinstance(name, str) and len(name) > 255:
                message = f"the container name is {len(name)} characters long; ECS allows at most 255."
            else:
                message = f"the container name {name!r} is not valid."
            yield r.problem(cpath(stack, task, container), message, name_hint(name))


@rule("ECS102", "container names are unique within a task")
def _duplicate_container(stack: Stack, r: Rule) -> Iterator[Problem]:
    for task in tasks(stack):
        seen: dict[object, int] = {}
        for container in task_containers(task):
            try:
                seen[container.name] = seen.get(container.name, 0) + 1
            except TypeError:  # an unhashable name; ECS101 reports it
                continue
            if seen[container.name] == 2:
                yield r.problem(
                    cpath(stack, task, container),
                    f"task {q(task.family)} has more than one container named {q(container.name)}.",
                    "Give each container of a task its own name.",
                )


@rule("ECS103", "start_timeout and stop_timeout are between 2 and 120 seconds")
def _timeouts(stack: Stack, r: Rule) -> Iterator[Problem]:
    for path, container in _containers(stack):
        for field in ("start_timeout", "stop_timeout"):
            value = int_or_none(getattr(container, field, None))
            if value is None or TIMEOUT_MIN <= value <= TIMEOUT_MAX:
                continue
            bound = f"at least {TIMEOUT_MIN}" if value < TIMEOUT_MIN else f"at most {TIMEOUT_MAX}"
            fix = TIMEOUT_MIN if value < TIMEOUT_MIN else TIMEOUT_MAX
            yield r.problem(
                path,
                f"{field}={value} is out of range: ECS allows {bound} seconds "
                f"({TIMEOUT_MIN} to {TIMEOUT_MAX}).",
                f"Use {field}={fix}, or leave it out for the ECS default.",
            )


@rule("ECS104", "a variable is either a secret or a plain environment variable, not both")
def _secret_and_env(stack: Stack, r: Rule) -> Iterator[Problem]:
    for path, container in _containers(stack):
        environment = as_map(getattr(container, "environment", None))
        for name in as_map(getattr(container, "secrets", None)):
            if name in environment:
                yield r.problem(
                    path,
                    f"{q(name)} is both a secret and an environment variable.",
                    f"Remove {q(name)} from environment= (a secret should not also be set in plain text), "
                    "or rename one of them.",
                )


def _ports(container: object) -> Iterator[PortMapping]:
    for port in as_list(getattr(container, "ports", None)):
        if isinstance(port, PortMapping):
            yield port


@rule("ECS105", "port numbers are between 1 and 65535")
def _port_range(stack: Stack, r: Rule) -> Iterator[Problem]:
    for path, container in _containers(stack):
        for port in _ports(container):
            cport = int_or_none(port.container_port)
            if cport is not None and not PORT_MIN <= cport <= PORT_MAX:
                yield r.problem(
                    path,
                    f"container port {cport} is out of range; ports are {PORT_MIN} to {PORT_MAX}.",
                    "Use the port the application listens on.",
                )
            hport = int_or_none(port.host_port)
            # host port 0 is how ECS spells "pick a dynamic host port" under bridge networking
            if hport is not None and not (hport == 0 or PORT_MIN <= hport <= PORT_MAX):
                yield r.problem(
                    path,
                    f"host port {hport} is out of range; ports are {PORT_MIN} to {PORT_MAX}.",
                    "Leave host_port out for the default (the container port, or a dynamic port "
                    "under bridge networking).",
                )


@rule("ECS106", "container memory and memory_reservation are positive, the reservation at most the memory")
def _reservation(stack: Stack, r: Rule) -> Iterator[Problem]:
    for path, container in _containers(stack):
        memory = int_or_none(getattr(container, "memory", None))
        reservation = int_or_none(getattr(container, "memory_reservation", None))
        for field, value in (("memory", memory), ("memory_reservation", reservation)):
            if value is not None and value <= 0:
                yield r.problem(path, f"{field}={value} MiB: it must be a positive number of MiB.",
                                f"Set {field} to at least 6 MiB, or leave it out.")
        if memory is None or reservation is None or memory <= 0 or reservation <= 0:
            continue
        if reservation > memory:
            yield r.problem(
                path,
                f"memory_reservation={reservation} MiB is more than memory={memory} MiB; the reservation "
                "(soft limit) cannot exceed the hard limit.",
                f"Lower memory_reservation to at most {memory}, or raise memory.",
            )


@rule("ECS107", "environment variable names are valid")
def _env_names(stack: Stack, r: Rule) -> Iterator[Problem]:
    for path, container in _containers(stack):
        for kind, names in (("environment variable", as_map(getattr(container, "environment", None))),
                            ("secret", as_map(getattr(container, "secrets", None)))):
            for name in names:
                if not isinstance(name, str) or not name.strip():
                    yield r.problem(path, f"a {kind} has the name {name!r}; names must not be empty.",
                                    "Give every variable a name such as 'LOG_LEVEL'.")
                elif not ENV_NAME.fullmatch(name):
                    suggestion = re.sub(r"[^A-Za-z0-9_]", "_", name)
                    if suggestion[0].isdigit():
                        suggestion = "_" + suggestion
                    yield r.problem(
                        path,
                        f"the {kind} name {q(name)} is not a portable variable name; many shells and "
                        "programs cannot read it.",
                        "Use letters, digits and underscores, not starting with a digit, "
                        f"e.g. {q(suggestion)}.",
                        severity="warning",
                    )
