"""FireLens: a Fluent Bit (or Fluentd) log router container that other containers log through.

The router's configuration and the pure helpers behind ``TaskDefinition.add_firelens_router`` and the
ordering it implies; ``LogConfig.firelens(...)`` is the app side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._check import as_enum, as_str_map, fail
from ._enums import Condition, FirelensType
from ._tokens import Token
from ._values import FIRELENS_ORDER, Dependency

if TYPE_CHECKING:
    from ._container import Container
    from ._task import TaskDefinition

__all__ = ["FirelensConfig", "router_config"]

#: AWS for Fluent Bit, the image AWS documents for FireLens.
FLUENT_BIT_IMAGE = "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable"
#: The log driver of containers that log through the task's router.
FIRELENS_DRIVER = "awsfirelens"


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

    @property
    def s3_config(self) -> tuple[str, str] | None:
        """(object ARN, bucket ARN) of a configuration file in S3; None for a file in the image or none."""
        if self.config_file_type != "s3" or not isinstance(self.config_file, str):
            return None
        bucket = self.config_file.split(":::", 1)[-1].split("/", 1)[0]
        return self.config_file, f"arn:{self.config_file.split(':')[1]}:s3:::{bucket}"


def router_config(path: str, image: str | Token | None, type: FirelensType | str, config_file: str | Token | None,
                  options: dict[str, Any] | None) -> tuple[str | Token, FirelensConfig]:
    """The router's image (AWS for Fluent Bit by default) and its checked ``FirelensConfig``."""
    kind = as_enum(FirelensType, type, path, "type")
    if image is None:
        if kind is not FirelensType.FLUENTBIT:
            raise fail(path, "a Fluentd log router needs an image.",
                       'Pass image="fluent/fluentd:v1.17-1", or use the default type="fluentbit".')
        image = FLUENT_BIT_IMAGE
    if config_file is not None and (not isinstance(config_file, str | Token) or not config_file):
        raise fail(path, f"config_file must be an S3 object ARN or a file path in the image, got {config_file!r}.",
                   'Write config_file="/fluent-bit/etc/extra.conf".')
    return image, FirelensConfig(kind, as_str_map(options, path, "options"), config_file)


# ---- implied ordering ------------------------------------------------------------------------------

def routers(task: TaskDefinition) -> list[Container]:
    """The task's FireLens log routers (one, in a valid task)."""
    return [c for c in task.containers if c.firelens is not None]


def logs_through_firelens(container: Container) -> bool:
    return container.logging.driver == FIRELENS_DRIVER


def firelens_dependencies(task: TaskDefinition, container: Container,
                          implied: list[Dependency]) -> list[Dependency]:
    """``implied`` adjusted for FireLens: the router starts first (it waits on no init container), and a
    container logging through it waits for it to START (marked ``implied``)."""
    found = routers(task)
    if not found:
        return implied
    if any(container is r for r in found):
        return []
    if logs_through_firelens(container):
        return [Dependency(found[0], Condition.START, reason=FIRELENS_ORDER), *implied]
    return implied


#: Fluent Bit outputs into CloudWatch Logs; without ``log_group_name`` they write to the task's log group.
CLOUDWATCH_OUTPUTS = ("cloudwatch_logs", "cloudwatch")


def writes_to_task_log_group(container: Container) -> bool:
    """Whether ``container`` logs through FireLens into its task's own log group (the default of
    ``LogConfig.firelens()``): a CloudWatch output that names no ``log_group_name``."""
    if not logs_through_firelens(container):
        return False
    options = container.logging.options
    return options.get("Name") in CLOUDWATCH_OUTPUTS and "log_group_name" not in options
