"""A container definition: how to run one image inside a task."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import _firelens, _volumes
from ._check import as_bool, as_enum, as_int, as_overrides, as_str_list, as_str_map, fail
from ._enums import Condition
from ._tokens import Token
from ._values import HealthCheck, LogConfig, PortMapping, Secret

if TYPE_CHECKING:
    from ._task import TaskDefinition

__all__ = ["Container", "Dependency"]


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

    @property
    def implied(self) -> bool:
        return bool(self.reason)

    @property
    def target_name(self) -> str:
        return self.target if isinstance(self.target, str) else self.target.name


@dataclass(eq=False)
class Container:
    """One container of a task definition. Create it with ``task.add_container(...)``.

    Defaults: ``essential`` True; logs go to the task's log group (``awslogs``, stream prefix =
    name); no health check; ports are TCP.
    """

    name: str
    image: str | Token
    essential: bool = True
    ports: list[PortMapping] = field(default_factory=list)
    command: list[str] | None = None
    entry_point: list[str] | None = None
    environment: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, Secret] = field(default_factory=dict)
    health_check: HealthCheck | None = None
    cpu: int | None = None
    memory: int | None = None
    memory_reservation: int | None = None
    working_directory: str | None = None
    user: str | None = None
    readonly_root_filesystem: bool | None = None
    start_timeout: int | None = None
    stop_timeout: int | None = None
    logging: LogConfig = field(default_factory=LogConfig)
    overrides: dict[str, Any] = field(default_factory=dict)
    # mount points, log routing
    mount = _volumes.mount
    volumes_from = _volumes.volumes_from
    mount_points = _volumes.MOUNT_POINTS
    volume_sources = _volumes.VOLUME_SOURCES
    firelens = _firelens.FIRELENS
    init: bool = False
    task: TaskDefinition | None = field(default=None, repr=False)
    dependencies: list[Dependency] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        path = f"container {self.name}" if isinstance(self.name, str) else "container"
        if not isinstance(self.name, str) or not self.name:
            raise fail(path, f"a container needs a name, got {self.name!r}.")
        if not isinstance(self.image, str | Token) or not self.image:
            raise fail(path, f"image must be an image reference such as 'nginx:1.27', got {self.image!r}.",
                       f"Write add_container({self.name!r}, image=\"nginx:1.27\", ...).")
        self.essential = as_bool(self.essential, path, "essential")
        if self.ports is None:
            self.ports = []
        if isinstance(self.ports, int | PortMapping):
            self.ports = [self.ports]
        if not isinstance(self.ports, list | tuple):
            raise fail(path, f"ports must be a list, got {self.ports!r}.", "Write ports=[8080].")
        self.ports = [PortMapping.of(p, path) for p in self.ports]
        self.command = as_str_list(self.command, path, "command")
        self.entry_point = as_str_list(self.entry_point, path, "entry_point")
        self.environment = as_str_map(self.environment, path, "environment")
        if self.secrets is None:
            self.secrets = {}
        if not isinstance(self.secrets, dict):
            raise fail(path, "secrets must map variable names to Secret.ssm(...) or Secret.secrets_manager(...).")
        for key, secret in self.secrets.items():
            if not isinstance(secret, Secret):
                raise fail(path, f"secrets[{key!r}] must be Secret.ssm(...) or Secret.secrets_manager(...), "
                           f"got {secret!r}.")
        if self.health_check is not None and not isinstance(self.health_check, HealthCheck):
            if isinstance(self.health_check, list | tuple):
                self.health_check = HealthCheck(list(self.health_check))
            else:
                raise fail(path, f"health_check must be HealthCheck([...]), got {self.health_check!r}.")
        for name in ("cpu", "memory", "memory_reservation", "start_timeout", "stop_timeout"):
            as_int(getattr(self, name), path, name, optional=True)
        if self.readonly_root_filesystem is not None:
            as_bool(self.readonly_root_filesystem, path, "readonly_root_filesystem")
        if self.logging is None:
            self.logging = LogConfig.disabled()
        if not isinstance(self.logging, LogConfig):
            raise fail(path, f"logging must be LogConfig.awslogs(...) or LogConfig(...), got {self.logging!r}.")
        self.overrides = as_overrides(self.overrides, path)

    def depends_on(self, other: Container | str, condition: Condition | str = Condition.START) -> Container:
        """Start this container only once ``other`` (of the same task) reaches ``condition``.

        Returns this container, so calls chain.
        """
        path = self.path
        if not isinstance(other, Container | str):
            raise fail(path, f"depends_on needs a container of the same task, got {other!r}.")
        self.dependencies.append(Dependency(other, as_enum(Condition, condition, path, "condition")))
        return self

    @property
    def path(self) -> str:
        where = f"task {self.task.family} › " if self.task is not None else ""
        return f"{where}container {self.name}"

    @property
    def secret_names(self) -> list[str]:
        return list(self.secrets)
