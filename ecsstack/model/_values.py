"""Small value types a container is described with."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._check import as_enum, as_int, as_str_list, as_str_map, fail
from ._enums import Condition, Protocol
from ._tokens import Token

if TYPE_CHECKING:
    from ._container import Container

__all__ = ["INIT_ORDER", "SIDECAR_ORDER", "Dependency", "HealthCheck", "LogConfig", "PortMapping", "RestartPolicy",
           "Secret"]

#: the reason of the dependencies add_init_container implies
INIT_ORDER = "init order"
#: the reason of the dependency on a FireLens router
FIRELENS_ORDER = "FireLens router"
#: the reason of the dependencies add_sidecar implies (sidecars start first, in the order added)
SIDECAR_ORDER = "sidecar order"
#: how a health check command says how to run what follows (``NONE`` disables the image's check)
HEALTH_CHECK_FORMS = ("CMD", "CMD-SHELL")


@dataclass(frozen=True)
class Dependency:
    """``source`` may start only when ``target`` reaches ``condition``.

    ``reason`` is set on the ordering ecsstack implies for the user (``"init order"`` from
    ``add_init_container``, ``"sidecar order"`` from ``add_sidecar``, ``"FireLens router"`` for a container
    logging through the router);
    empty for what the user declared.
    """

    target: Container | str
    condition: Condition
    reason: str = ""

    def __post_init__(self) -> None:
        named = isinstance(getattr(self.target, "name", None), str)  # a Container (this module cannot import it)
        if not (isinstance(self.target, str) and self.target) and not named:
            raise fail("dependency", f"target must be a container or a container's name, got {self.target!r}.",
                       "Use container.depends_on(other, condition).")
        object.__setattr__(self, "condition", as_enum(Condition, self.condition, "dependency", "condition"))

    @property
    def implied(self) -> bool:
        return bool(self.reason)

    @property
    def target_name(self) -> str:
        return self.target if isinstance(self.target, str) else self.target.name


@dataclass(frozen=True)
class PortMapping:
    """A port the container listens on.

    ``host_port``: Default: the container port under awsvpc/host networking, a dynamic host port
    under bridge networking. ``protocol``: Default: ``Protocol.TCP``. ``name`` names the mapping
    (needed by Service Connect).
    """

    container_port: int
    host_port: int | None = None
    protocol: Protocol = Protocol.TCP
    name: str | None = None
    app_protocol: str | None = None

    def __post_init__(self) -> None:
        as_int(self.container_port, "port mapping", "container_port")
        as_int(self.host_port, "port mapping", "host_port", optional=True)
        object.__setattr__(self, "protocol", as_enum(Protocol, self.protocol, "port mapping", "protocol"))

    @classmethod
    def of(cls, value: Any, path: str) -> PortMapping:
        if isinstance(value, PortMapping):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(container_port=value)
        raise fail(path, f"ports must hold port numbers or PortMapping(...), got {value!r}.",
                   "Write ports=[8080] or ports=[PortMapping(container_port=8080)].")


@dataclass(frozen=True)
class HealthCheck:
    """A container health check, e.g. ``HealthCheck(["CMD-SHELL", "curl -f localhost/ || exit 1"])``.

    Defaults as ECS: ``interval`` 30 s, ``timeout`` 5 s, ``retries`` 3, ``start_period`` none.
    """

    command: list[str]
    interval: int = 30
    timeout: int = 5
    retries: int = 3
    start_period: int | None = None

    def __post_init__(self) -> None:
        where = "health check"
        if isinstance(self.command, str):  # a shell line: ECS needs it as ["CMD-SHELL", line]
            raise fail(where, f"the command must be a list starting with CMD, CMD-SHELL or NONE, got the string "
                       f"{self.command!r}.", f"Write HealthCheck({_listed(['CMD-SHELL', self.command])}), or "
                       f"HealthCheck.shell({json.dumps(self.command, ensure_ascii=False)}).")
        command = as_str_list(self.command, where, "command", token_ok=False)
        if not command:
            raise fail(where, "the command is empty.",
                       'Write HealthCheck(["CMD-SHELL", "curl -f http://localhost/ || exit 1"]).')
        _check_health_command(command)
        object.__setattr__(self, "command", command)
        for name in ("interval", "timeout", "retries"):
            as_int(getattr(self, name), "health check", name)
        as_int(self.start_period, "health check", "start_period", optional=True)

    @classmethod
    def shell(cls, script: str, **kwargs: Any) -> HealthCheck:
        """A ``CMD-SHELL`` health check running ``script``."""
        return cls(["CMD-SHELL", script], **kwargs)


def _listed(items: list[str]) -> str:
    """A list of strings as Python source with double quotes, as the docs write commands."""
    return json.dumps(items, ensure_ascii=False)


def _check_health_command(command: list[str]) -> None:
    """Refuse a command ECS would reject or misread, naming the list that would work."""
    where = "health check"
    head = command[0]
    if head == "NONE":
        return
    if head in HEALTH_CHECK_FORMS:
        if len(command) < 2 or not all(part.strip() for part in command[1:]):
            raise fail(where, f"{head} needs the command to run after it, got {_listed(command)}.",
                       'Write HealthCheck(["CMD-SHELL", "curl -f http://localhost/ || exit 1"]).')
        if head == "CMD-SHELL" and len(command) > 2:
            raise fail(where, f"CMD-SHELL takes the whole shell line as one string, got {len(command) - 1} strings "
                       f"({_listed(command)}); the shell would run only the first.",
                       f"Write HealthCheck({_listed(['CMD-SHELL', shlex.join(command[1:])])}).")
        return
    if head.upper() in HEALTH_CHECK_FORMS:
        raise fail(where, f"the command starts with {head!r}; ECS knows only CMD, CMD-SHELL and NONE, in capitals.",
                   f"Write HealthCheck({_listed([head.upper(), *command[1:]])}).")
    if len(command) == 1:
        fix = f"Write HealthCheck({_listed(['CMD-SHELL', head])}) to run it with the container's shell."
    else:
        fix = (f"Write HealthCheck({_listed(['CMD', *command])}) to run it directly, or "
               f"HealthCheck({_listed(['CMD-SHELL', shlex.join(command)])}) to run it with the container's shell.")
    raise fail(where, f"the command {_listed(command)} does not start with CMD, CMD-SHELL or NONE, so ECS would not "
               "know how to run it.", fix)


#: the ARN of an SSM parameter or a Secrets Manager secret: arn:<partition>:<service>:<region>:<account>:<resource>
_ARN = re.compile(r"arn:[^:]*:([^:]*):[^:]*:[^:]*:(.*)", re.S)
_SECRET_SOURCES = {"ssm": ("an SSM parameter", "Secret.ssm", "parameter/"),
                   "secretsmanager": ("a Secrets Manager secret", "Secret.secrets_manager", "secret:")}


def _check_arn_service(value: str | Token, source: str) -> None:
    """Refuse an ARN of another service than ``source``'s: the execution role would be granted on the wrong one."""
    match = _ARN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return
    kind, used, resource = _SECRET_SOURCES[source]
    service, rest = match.groups()
    if service == source and rest.startswith(resource):
        return
    if service in _SECRET_SOURCES and service != source:
        other_kind, other = _SECRET_SOURCES[service][:2]
        raise fail("secret", f"{used} got {value!r}, which is the ARN of {other_kind}, not of {kind}.",
                   f"Write {other}({value!r}).")
    raise fail("secret", f"{used} got {value!r}, which is not the ARN of {kind} "
               f"(arn:aws:{source}:<region>:<account>:{resource}…).",
               f"Pass the ARN of {kind}, or its name; use Secret.ssm for SSM parameters and "
               "Secret.secrets_manager for Secrets Manager secrets.")


@dataclass(frozen=True)
class Secret:
    """A secret injected as an environment variable, read by the execution role at task start.

    Use ``Secret.ssm(name)`` or ``Secret.secrets_manager(arn_or_name, key=None)``.
    """

    source: str
    name: str | Token
    key: str | None = None

    @classmethod
    def ssm(cls, name: str) -> Secret:
        """An SSM Parameter Store parameter, by name (``/web/db-password``) or ARN."""
        if not isinstance(name, str | Token) or not name:
            raise fail("secret", f"Secret.ssm needs a parameter name, got {name!r}.")
        _check_arn_service(name, "ssm")
        return cls("ssm", name)

    @classmethod
    def secrets_manager(cls, arn_or_name: str, key: str | None = None) -> Secret:
        """A Secrets Manager secret by ARN or name; ``key`` picks one field of a JSON secret."""
        if not isinstance(arn_or_name, str | Token) or not arn_or_name:
            raise fail("secret", f"Secret.secrets_manager needs an ARN or a name, got {arn_or_name!r}.")
        if key is not None and (not isinstance(key, str) or not key):
            raise fail("secret", f"key must be a non-empty string, got {key!r}.")
        _check_arn_service(arn_or_name, "secretsmanager")
        return cls("secretsmanager", arn_or_name, key)

    @property
    def is_arn(self) -> bool:
        return isinstance(self.name, str) and self.name.startswith("arn:")


@dataclass(frozen=True)
class LogConfig:
    """Where a container's output goes.

    Default: ``awslogs`` into the task's own log group, stream prefix = the container's name.
    ``LogConfig.awslogs(stream_prefix=..., log_group=...)`` to change either;
    ``LogConfig(driver, options)`` for any other driver; ``LogConfig.disabled()`` for none.
    """

    driver: str | None = "awslogs"
    options: dict[str, Any] = field(default_factory=dict)
    stream_prefix: str | None = None
    log_group: str | Token | None = None

    @classmethod
    def awslogs(cls, stream_prefix: str | None = None, log_group: str | Token | None = None) -> LogConfig:
        return cls("awslogs", {}, stream_prefix, log_group)

    @classmethod
    def disabled(cls) -> LogConfig:
        return cls(None)

    @classmethod
    def firelens(cls, options: dict[str, Any] | None = None) -> LogConfig:
        """Log through the task's FireLens router (``task.add_firelens_router()``), driver ``awsfirelens``.

        ``options`` configure the router's output, e.g. ``{"Name": "firehose", "region": "eu-west-1",
        "delivery_stream": "logs"}``. Default: ``{"Name": "cloudwatch_logs"}``, i.e. Fluent Bit into the
        task's own log group (stream prefix = the container's name), which the task role may write to.
        """
        return cls("awsfirelens", as_str_map({"Name": "cloudwatch_logs"} if options is None else options,
                                             "log config", "options"))

    @property
    def uses_task_log_group(self) -> bool:
        return self.driver == "awslogs" and self.log_group is None and "awslogs-group" not in self.options


@dataclass(frozen=True)
class RestartPolicy:
    """ECS restarts the container in place when it exits, instead of replacing the whole task.

    ``enabled``: Default True. ``ignored_exit_codes``: exit codes that are not restarted (say ``[0]`` for a
    container that may finish its work); Default none (every exit is restarted). ``restart_attempt_period``:
    seconds a container must have run before ECS restarts it again, 60 to 1800; Default None (ECS's 300): a
    container that exits sooner after its last start is not restarted (an essential one then stops the task).
    """

    enabled: bool = True
    ignored_exit_codes: tuple[int, ...] = ()
    restart_attempt_period: int | None = None

    def __post_init__(self) -> None:
        where = "restart policy"
        if not isinstance(self.enabled, bool):
            raise fail(where, f"enabled must be True or False, got {self.enabled!r}.")
        codes = self.ignored_exit_codes
        if codes is None:
            codes = ()
        if isinstance(codes, int) and not isinstance(codes, bool):
            codes = (codes,)
        if not isinstance(codes, list | tuple) or not all(isinstance(c, int) and not isinstance(c, bool)
                                                          for c in codes):
            raise fail(where, f"ignored_exit_codes must be a list of exit codes (integers), got {codes!r}.",
                       "Write ignored_exit_codes=[0].")
        object.__setattr__(self, "ignored_exit_codes", tuple(codes))
        as_int(self.restart_attempt_period, where, "restart_attempt_period", optional=True)

    @classmethod
    def of(cls, value: Any, path: str, field_name: str = "restart_policy") -> RestartPolicy | None:
        """``value`` as a policy: True → ``RestartPolicy()``, False/None → None, a policy as given."""
        if value is None or value is False:
            return None
        if value is True:
            return cls()
        if isinstance(value, RestartPolicy):
            return value
        raise fail(path, f"{field_name} must be True, False or RestartPolicy(...), got {value!r}.",
                   f"Write {field_name}=RestartPolicy(ignored_exit_codes=[0]) or {field_name}=True.")

    def restarts_on(self, code: int) -> bool:
        """Whether ECS restarts the container when it exits with ``code``."""
        return self.enabled and code not in self.ignored_exit_codes
