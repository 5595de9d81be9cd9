"""Small value types a container is described with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._check import as_enum, as_int, as_str_list, as_str_map, fail
from ._enums import Condition, Protocol
from ._tokens import Token

if TYPE_CHECKING:
    from ._container import Container

__all__ = ["INIT_ORDER", "Dependency", "HealthCheck", "LogConfig", "PortMapping", "Secret"]

#: the reason of the dependencies add_init_container implies
INIT_ORDER = "init order"
#: the reason of the dependency on a FireLens router
FIRELENS_ORDER = "FireLens router"


@dataclass(frozen=True)
class Dependency:
    """``source`` may start only when ``target`` reaches ``condition``.

    ``reason`` is set on the ordering ecsstack implies for the user (``"init order"`` from
    ``add_init_container``, ``"FireLens router"`` for a container logging through the router);
    empty for what the user declared.
    """

    target: Container | str
    condition: Condition
    reason: str = ""

    def __post_init__(self) -> None:
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
        command = as_str_list(self.command, "health check", "command", token_ok=False)
        if not command:
            raise fail("health check", "the command is empty.",
                       'Write HealthCheck(["CMD-SHELL", "curl -f http://localhost/ || exit 1"]).')
        if command[0] not in ("CMD", "CMD-SHELL", "NONE"):
            command = ["CMD-SHELL", " ".join(command)] if len(command) > 1 else ["CMD-SHELL", command[0]]
        object.__setattr__(self, "command", command)
        for name in ("interval", "timeout", "retries"):
            as_int(getattr(self, name), "health check", name)
        as_int(self.start_period, "health check", "start_period", optional=True)

    @classmethod
    def shell(cls, script: str, **kwargs: Any) -> HealthCheck:
        """A ``CMD-SHELL`` health check running ``script``."""
        return cls(["CMD-SHELL", script], **kwargs)


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
        return cls("ssm", name)

    @classmethod
    def secrets_manager(cls, arn_or_name: str, key: str | None = None) -> Secret:
        """A Secrets Manager secret by ARN or name; ``key`` picks one field of a JSON secret."""
        if not isinstance(arn_or_name, str | Token) or not arn_or_name:
            raise fail("secret", f"Secret.secrets_manager needs an ARN or a name, got {arn_or_name!r}.")
        if key is not None and (not isinstance(key, str) or not key):
            raise fail("secret", f"key must be a non-empty string, got {key!r}.")
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
