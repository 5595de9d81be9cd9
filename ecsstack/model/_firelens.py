"""FireLens: a Fluent Bit (or Fluentd) log router container that other containers log through.

``TaskDefinition.add_firelens_router`` and ``Container.firelens`` are defined here and attached to
those classes; ``LogConfig.firelens(...)`` is the app side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ._check import as_enum, as_str_map, fail
from ._enums import Condition
from ._tokens import Token

if TYPE_CHECKING:
    from ._container import Container, Dependency
    from ._task import TaskDefinition

__all__ = ["FirelensConfig", "FirelensType"]

#: AWS for Fluent Bit, the image AWS documents for FireLens.
FLUENT_BIT_IMAGE = "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable"
#: The log driver of containers that log through the task's router.
FIRELENS_DRIVER = "awsfirelens"


class FirelensType(StrEnum):
    """The log router a FireLens container runs."""

    FLUENTBIT = "fluentbit"
    FLUENTD = "fluentd"


@dataclass(eq=False)
class FirelensConfig:
    """What makes a container a FireLens log router.

    ``options``: extra FireLens options such as ``{"enable-ecs-log-metadata": "false"}``.
    ``config_file``: Default None; an S3 object ARN (``arn:aws:s3:::bucket/extra.conf``, EC2 only) or
    a path inside the router's image, added to the configuration ECS generates.
    """

    type: FirelensType = FirelensType.FLUENTBIT
    options: dict[str, Any] = field(default_factory=dict)
    config_file: str | Token | None = None

    @property
    def config_file_type(self) -> str | None:
        """``s3`` for an S3 ARN, ``file`` for a path (or a parameter), None without a file."""
        if self.config_file is None:
            return None
        return "s3" if isinstance(self.config_file, str) and self.config_file.startswith("arn:") else "file"


def _firelens(self: Container) -> FirelensConfig | None:
    """The FireLens configuration that makes this container the task's log router, or None."""
    return self.__dict__.get("_firelens")


FIRELENS = property(_firelens)


def add_firelens_router(self: TaskDefinition, image: str | Token | None = None,
                        type: FirelensType | str = FirelensType.FLUENTBIT, config_file: str | Token | None = None,
                        options: dict[str, Any] | None = None, name: str = "log_router",
                        **kwargs: Any) -> Container:
    """Add the FireLens log router that containers with ``logging=LogConfig.firelens(...)`` log through.

    ``image``: Default AWS for Fluent Bit (``public.ecr.aws/aws-observability/aws-for-fluent-bit:stable``);
    required for ``type="fluentd"``. ``type``: Default fluentbit. ``config_file``: Default None; an S3
    ARN (EC2 only) or a file path in the image. ``options``: Default none. ``name``: Default log_router.
    The router is essential (Default True, as AWS recommends: without it the task's logs are lost),
    reserves 50 MiB (Default ``memory_reservation=50``), logs itself with ``awslogs`` into the task's
    log group, and starts first: every container logging through it waits for it to START, and it
    does not wait on init containers. Other keywords as ``add_container``. Returns the router container.
    """
    path = f"{self.path} › container {name}"
    kind = as_enum(FirelensType, type, path, "type")
    if image is None:
        if kind is not FirelensType.FLUENTBIT:
            raise fail(path, "a Fluentd log router needs an image.",
                       'Pass image="fluent/fluentd:v1.17-1", or use the default type="fluentbit".')
        image = FLUENT_BIT_IMAGE
    if config_file is not None and (not isinstance(config_file, str | Token) or not config_file):
        raise fail(path, f"config_file must be an S3 object ARN or a file path in the image, got {config_file!r}.",
                   'Write config_file="/fluent-bit/etc/extra.conf".')
    config = FirelensConfig(kind, as_str_map(options, path, "options"), config_file)
    router = self.add_container(name, image, **{"memory_reservation": 50, **kwargs})
    router.__dict__["_firelens"] = config
    return router


# ---- implied ordering ------------------------------------------------------------------------------

def routers(task: TaskDefinition) -> list[Container]:
    """The task's FireLens log routers (one, in a valid task)."""
    members = getattr(task, "containers", None)
    return [c for c in members if getattr(c, "firelens", None) is not None] if isinstance(members, list | tuple) else []


def logs_through_firelens(container: Container) -> bool:
    return getattr(getattr(container, "logging", None), "driver", None) == FIRELENS_DRIVER


def firelens_dependencies(task: TaskDefinition, container: Container,
                          implied: list[Dependency]) -> list[Dependency]:
    """``implied`` adjusted for FireLens: the router starts first (it waits on no init container), and a
    container logging through it waits for it to START (marked ``implied``)."""
    from ._container import Dependency

    found = routers(task)
    if not found:
        return implied
    if any(container is r for r in found):
        return []
    if logs_through_firelens(container):
        return [Dependency(found[0], Condition.START, reason="FireLens router"), *implied]
    return implied


#: Fluent Bit outputs into CloudWatch Logs; without ``log_group_name`` they write to the task's log group.
CLOUDWATCH_OUTPUTS = ("cloudwatch_logs", "cloudwatch")


def writes_to_task_log_group(container: Container) -> bool:
    """Whether ``container`` logs through FireLens into its task's own log group (the default of
    ``LogConfig.firelens()``): a CloudWatch output that names no ``log_group_name``."""
    if not logs_through_firelens(container):
        return False
    options = getattr(getattr(container, "logging", None), "options", None)
    return isinstance(options, dict) and options.get("Name") in CLOUDWATCH_OUTPUTS and "log_group_name" not in options
