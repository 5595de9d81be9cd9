"""ECS1xx: one container definition at a time (names, timeouts, ports, memory, environment, health check, image)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import Problem
from ..model import Container, LaunchType, NetworkMode, Token
from ._helpers import name_hint, q
from ._registry import Index, Rule, rule

__all__: list[str] = []

NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TIMEOUT_MIN, TIMEOUT_MAX = 2, 120
PORT_MIN, PORT_MAX = 1, 65535
#: what ECS accepts for a container health check, in seconds (retries: a count), with its defaults
HEALTH_CHECK_RANGES = (("interval", 5, 300, "30"), ("timeout", 2, 120, "5"), ("retries", 1, 10, "3"),
                       ("start_period", 0, 300, "none"))


def _containers(ix: Index) -> Iterator[tuple[str, Container]]:
    for task in ix.tasks:
        for container in task.containers:
            yield ix.cpath(task, container), container


@rule("ECS101", "a container name has 1-255 letters, digits, hyphens and underscores")
def _container_name(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        for container in task.containers:
            name = container.name
            if NAME.fullmatch(name):
                continue
            if len(name) > 255:
                message = f"the container name is {len(name)} characters long; ECS allows at most 255."
            else:
                message = f"the container name {name!r} is not valid."
            yield r.problem(ix.cpath(task, container), message, name_hint(name))


@rule("ECS102", "container names are unique within a task")
def _duplicate_container(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        seen: dict[str, int] = {}
        for container in task.containers:
            seen[container.name] = seen.get(container.name, 0) + 1
            if seen[container.name] == 2:
                yield r.problem(
                    ix.cpath(task, container),
                    f"task {q(task.family)} has more than one container named {q(container.name)}.",
                    "Give each container of a task its own name.",
                )


@rule("ECS103", "start_timeout and stop_timeout are between 2 and 120 seconds")
def _timeouts(ix: Index, r: Rule) -> Iterator[Problem]:
    for path, container in _containers(ix):
        for field, value in (("start_timeout", container.start_timeout), ("stop_timeout", container.stop_timeout)):
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
def _secret_and_env(ix: Index, r: Rule) -> Iterator[Problem]:
    for path, container in _containers(ix):
        for name in container.secrets:
            if name in container.environment:
                yield r.problem(
                    path,
                    f"{q(name)} is both a secret and an environment variable.",
                    f"Remove {q(name)} from environment= (a secret should not also be set in plain text), "
                    "or rename one of them.",
                )


@rule("ECS105", "port numbers are between 1 and 65535")
def _port_range(ix: Index, r: Rule) -> Iterator[Problem]:
    for path, container in _containers(ix):
        for port in container.ports:
            cport = port.container_port
            if not PORT_MIN <= cport <= PORT_MAX:
                yield r.problem(
                    path,
                    f"container port {cport} is out of range; ports are {PORT_MIN} to {PORT_MAX}.",
                    "Use the port the application listens on.",
                )
            hport = port.host_port
            # host port 0 is how ECS spells "pick a dynamic host port" under bridge networking
            if hport is not None and not (hport == 0 or PORT_MIN <= hport <= PORT_MAX):
                yield r.problem(
                    path,
                    f"host port {hport} is out of range; ports are {PORT_MIN} to {PORT_MAX}.",
                    "Leave host_port out for the default (the container port, or a dynamic port "
                    "under bridge networking).",
                )


@rule("ECS106", "container memory and memory_reservation are positive, the reservation at most the memory")
def _reservation(ix: Index, r: Rule) -> Iterator[Problem]:
    for path, container in _containers(ix):
        memory, reservation = container.memory, container.memory_reservation
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
def _env_names(ix: Index, r: Rule) -> Iterator[Problem]:
    for path, container in _containers(ix):
        for kind, names in (("environment variable", container.environment), ("secret", container.secrets)):
            for name in names:
                if not name.strip():
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


@rule("ECS108", "container health check interval 5-300 s, timeout 2-120 s, retries 1-10, start_period 0-300 s")
def _health_check_ranges(ix: Index, r: Rule) -> Iterator[Problem]:
    for path, container in _containers(ix):
        check = container.health_check
        if check is None:
            continue
        for field, low, high, default in HEALTH_CHECK_RANGES:
            value = getattr(check, field)
            if value is None or low <= value <= high:
                continue
            unit = "" if field == "retries" else " seconds"
            yield r.problem(
                path,
                f"health check {field}={value} is out of range: ECS allows {low} to {high}{unit}.",
                f"Use {field}={low if value < low else high}, or leave it out for the default ({default}).",
            )


#: the digest an image may be pinned by: ``sha256:`` and 64 hex digits (``sha512:`` and 128)
DIGEST = re.compile(r"sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128}")


def _tag_of(image: str) -> tuple[str, str | None, str | None]:
    """(repository, tag, digest) of an image reference: ``("nginx", "1.27", None)`` for ``nginx:1.27``,
    ``("localhost:5000/app", None, None)`` for ``localhost:5000/app`` (that colon is the registry's port)."""
    name, _, digest = image.partition("@")
    head, _, last = name.rpartition("/")
    repository, _, tag = last.partition(":")
    return (f"{head}/{repository}" if head else repository), tag or None, digest or None


@rule("ECS109", "an image is pinned to a version tag or a digest, not latest; a digest is well formed")
def _image_tag(ix: Index, r: Rule) -> Iterator[Problem]:
    for path, container in _containers(ix):
        image = container.image
        if isinstance(image, Token):  # a parameter or Sub names its tag at deploy time
            continue
        repository, tag, digest = _tag_of(image)
        pin = f"Pin a version, e.g. image={repository + ':1.2.3'!r}, or a digest ({repository}@sha256:…)."
        if digest is not None:
            if not DIGEST.fullmatch(digest):
                yield r.problem(path, f"image {image!r} has {('@' + digest)!r} where a digest goes, which is not "
                                "one (sha256: and 64 hex digits), so the image cannot be pulled.", pin)
            continue
        if tag is not None and tag != "latest":
            continue
        said = f"has no tag, so it means {repository}:latest" if tag is None else "uses the tag latest"
        yield r.problem(
            path,
            f"image {image!r} {said}: each deploy, and each task ECS replaces, may pull a different image, "
            "and rolling back does not bring the old one back.",
            pin,
            severity="warning",
        )


@rule("ECS112", "an image whose registry is known only at deploy time names its ECR repository")
def _ecr_wildcard(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        if task.execution_role is not None:
            continue  # the user's own role: nothing is granted on it
        for container in task.containers:
            if container.pulls_any_repository:
                yield r.problem(
                    ix.cpath(task, container),
                    "the image's registry is only known at deploy time, so the execution role may pull from "
                    "every ECR repository of the stack's account and region.",
                    'Name the repository: ecr_repository="my-repo" (or its ARN), or write the image with a '
                    "literal registry, e.g. Sub(\"123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:${Tag}\").",
                    severity="warning")


#: the application protocols ECS takes on a port mapping (``appProtocol``)
APP_PROTOCOLS = ("http", "http2", "grpc")
#: the first Fargate platform version that reads one key of a JSON secret (and a secret's version)
SECRET_KEY_PLATFORM = (1, 4, 0)
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


@rule("ECS113", "port mapping names are not empty and unique within a task")
def _port_names(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        owners: dict[str, str] = {}
        for container in task.containers:
            path = ix.cpath(task, container)
            for port in container.ports:
                name = port.name
                if name is None:
                    continue
                if not name.strip():
                    yield r.problem(path, f"port mapping {port.container_port} has an empty name {name!r}; it "
                                    "would be left out of the template, and Service Connect could not find it.",
                                    f'Name it (PortMapping({port.container_port}, name="http")), or leave name= out.')
                    continue
                other = owners.get(name)
                if other is None:
                    owners[name] = container.name
                    continue
                where = "this container" if other == container.name else f"container {q(other)}"
                yield r.problem(path, f"port mapping {port.container_port} is named {q(name)}, a name {where} "
                                f"already gives a port mapping; ECS needs port mapping names unique within task "
                                f"{q(task.family)}.",
                                f'Give each mapping its own name, e.g. name="{name}-{port.container_port}".')


def _app_protocol_fix(proto: object) -> str:
    lower = str(proto).lower()
    return lower if lower in APP_PROTOCOLS else "http"


@rule("ECS114", "a port mapping's app_protocol is http, http2 or grpc, on a named port mapping")
def _app_protocol(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        for container in task.containers:
            path = ix.cpath(task, container)
            for port in container.ports:
                proto = port.app_protocol
                if proto is not None and proto not in APP_PROTOCOLS:
                    yield r.problem(path, f"port mapping {port.container_port} has app_protocol={proto!r}; ECS "
                                    f"takes {', '.join(repr(p) for p in APP_PROTOCOLS)}.",
                                    f'Write app_protocol="{_app_protocol_fix(proto)}", or leave it out.')
                if proto is not None and port.name is None:
                    yield r.problem(path, f"port mapping {port.container_port} sets app_protocol={proto!r} but has "
                                    "no name; ECS takes an application protocol only on a named port mapping.",
                                    f'Name it: PortMapping({port.container_port}, name="http", '
                                    f"app_protocol={proto!r}).")


@rule("ECS115", "a Secrets Manager JSON key needs Fargate platform version 1.4.0 or later")
def _secret_key_platform(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        version = service.platform_version
        if not isinstance(version, str) or service.effective_launch_type is not LaunchType.FARGATE:
            continue
        match = _VERSION.match(version)
        if match is None or tuple(int(n) for n in match.groups()) >= SECRET_KEY_PLATFORM:
            continue  # LATEST or an unknown spelling: nothing to compare
        for container in service.task.containers:
            keyed = [name for name, s in container.secrets.items() if s.key is not None]
            if keyed:
                yield r.problem(f"{service.path} › {service.task.path} › container {container.name}",
                                f"secret{'s' if len(keyed) > 1 else ''} {', '.join(q(k) for k in keyed)} "
                                f"read{'' if len(keyed) > 1 else 's'} "
                                f"one key of a JSON secret, which Fargate supports from platform version 1.4.0; "
                                f"the service pins platform_version={version!r}.",
                                'Use platform_version="1.4.0" or "LATEST" (or leave it out), or store the value in '
                                "a secret of its own and drop key=.")


@rule("ECS116", "a port mapping's name and app_protocol are for the bridge and awsvpc network modes")
def _named_port_mode(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        mode = task.network_mode
        if mode in (NetworkMode.AWSVPC, NetworkMode.BRIDGE):
            continue
        for container in task.containers:
            for port in container.ports:
                given = [k for k, v in (("name", port.name), ("app_protocol", port.app_protocol)) if v is not None]
                if given:
                    fields = " and ".join(given)
                    yield r.problem(ix.cpath(task, container),
                                    f"port mapping {port.container_port} sets {fields}, which ECS takes only in the "
                                    f"bridge and awsvpc network modes (Service Connect); task {q(task.family)} uses "
                                    f"{mode.value}.",
                                    f'Use network_mode="bridge" or "awsvpc" for a Service Connect server, or leave '
                                    f"{fields} out.")
