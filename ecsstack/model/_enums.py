"""The fixed vocabularies of ECS, spelled as AWS spells them."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Condition", "LaunchType", "NetworkMode", "PropagateTags", "Protocol"]


class Condition(StrEnum):
    """When a container may start relative to another container of the same task."""

    START = "START"  #: the other container has started
    COMPLETE = "COMPLETE"  #: the other container has exited, with any code
    SUCCESS = "SUCCESS"  #: the other container has exited with code 0
    HEALTHY = "HEALTHY"  #: the other container passes its health check


class LaunchType(StrEnum):
    """Where tasks run; also the values of a task definition's compatibilities."""

    FARGATE = "FARGATE"
    EC2 = "EC2"
    EXTERNAL = "EXTERNAL"


class NetworkMode(StrEnum):
    """A task definition's network mode."""

    AWSVPC = "awsvpc"
    BRIDGE = "bridge"
    HOST = "host"
    NONE = "none"


class Protocol(StrEnum):
    """A port mapping's transport protocol."""

    TCP = "tcp"
    UDP = "udp"


class PropagateTags(StrEnum):
    """Where a service's tasks take their tags from."""

    SERVICE = "SERVICE"
    TASK_DEFINITION = "TASK_DEFINITION"
    NONE = "NONE"
