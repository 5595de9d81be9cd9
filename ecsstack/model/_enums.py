"""The fixed vocabularies of ECS, spelled as AWS spells them."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AdjustmentType", "CapacityProvider", "Comparison", "Condition", "CpuArchitecture", "DeploymentStrategy",
    "FirelensType", "IpcMode", "LaunchType", "LifecycleStage", "ListenerProtocol", "NetworkMode", "OsFamily",
    "PidMode", "PropagateTags", "Protocol", "SchedulingStrategy", "Statistic", "TargetType", "VersionConsistency",
]


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


class CpuArchitecture(StrEnum):
    """The CPU architecture a task (``RuntimePlatform``) or an EC2 capacity runs on."""

    X86_64 = "X86_64"
    ARM64 = "ARM64"


class OsFamily(StrEnum):
    """The operating system family of a task's runtime platform."""

    LINUX = "LINUX"
    WINDOWS_SERVER_2019_FULL = "WINDOWS_SERVER_2019_FULL"
    WINDOWS_SERVER_2019_CORE = "WINDOWS_SERVER_2019_CORE"
    WINDOWS_SERVER_2022_FULL = "WINDOWS_SERVER_2022_FULL"
    WINDOWS_SERVER_2022_CORE = "WINDOWS_SERVER_2022_CORE"


class CapacityProvider(StrEnum):
    """The capacity providers every account has; an EC2 capacity is an ``Ec2Capacity``."""

    FARGATE = "FARGATE"
    FARGATE_SPOT = "FARGATE_SPOT"


class FirelensType(StrEnum):
    """The log router a FireLens container runs."""

    FLUENTBIT = "fluentbit"
    FLUENTD = "fluentd"


class ListenerProtocol(StrEnum):
    """What a listener speaks."""

    HTTP = "HTTP"
    HTTPS = "HTTPS"
    TCP = "TCP"
    UDP = "UDP"


class TargetType(StrEnum):
    """How a target group addresses tasks: by IP (awsvpc) or by container instance (bridge/host)."""

    IP = "ip"
    INSTANCE = "instance"


class AdjustmentType(StrEnum):
    """What a scaling step's ``change`` means: a number of tasks, or a percentage of the running tasks."""

    CHANGE_IN_CAPACITY = "ChangeInCapacity"
    PERCENT_CHANGE_IN_CAPACITY = "PercentChangeInCapacity"


class Statistic(StrEnum):
    """How a metric's data points are aggregated over a period."""

    AVERAGE = "Average"
    SUM = "Sum"
    MINIMUM = "Minimum"
    MAXIMUM = "Maximum"
    SAMPLE_COUNT = "SampleCount"


class Comparison(StrEnum):
    """How an alarm compares the metric with its threshold."""

    GREATER_OR_EQUAL = "GreaterThanOrEqualToThreshold"
    GREATER = "GreaterThanThreshold"
    LESS = "LessThanThreshold"
    LESS_OR_EQUAL = "LessThanOrEqualToThreshold"


class PidMode(StrEnum):
    """The process namespace a task's containers share: the host's, or one for the task."""

    HOST = "host"
    TASK = "task"


class IpcMode(StrEnum):
    """The IPC namespace a task's containers use: the host's, one shared by the task, or a private one each."""

    HOST = "host"
    TASK = "task"
    NONE = "none"


class SchedulingStrategy(StrEnum):
    """How a service places tasks: a desired count of them (REPLICA), or one on every container instance (DAEMON)."""

    REPLICA = "REPLICA"
    DAEMON = "DAEMON"


class VersionConsistency(StrEnum):
    """Whether ECS resolves a container's image tag to a digest at deployment, so every task runs one image."""

    ENABLED = "enabled"
    DISABLED = "disabled"


class DeploymentStrategy(StrEnum):
    """How ECS replaces a service's tasks with a new revision (``DeploymentConfiguration.Strategy``)."""

    ROLLING = "ROLLING"  #: replace tasks a batch at a time (min/max percent)
    BLUE_GREEN = "BLUE_GREEN"  #: start the whole new revision, then shift all traffic at once
    CANARY = "CANARY"  #: shift a percentage of traffic, wait, then shift the rest
    LINEAR = "LINEAR"  #: shift traffic in equal steps, waiting between steps


class LifecycleStage(StrEnum):
    """A stage of a blue/green, canary or linear deployment where a lifecycle hook runs."""

    RECONCILE_SERVICE = "RECONCILE_SERVICE"  #: reconciling a service with more than one active revision
    PRE_SCALE_UP = "PRE_SCALE_UP"  #: before the new (green) revision starts
    POST_SCALE_UP = "POST_SCALE_UP"  #: the green revision runs; blue still takes all traffic
    TEST_TRAFFIC_SHIFT = "TEST_TRAFFIC_SHIFT"  #: test traffic is moving to green
    POST_TEST_TRAFFIC_SHIFT = "POST_TEST_TRAFFIC_SHIFT"  #: green takes all test traffic
    PRE_PRODUCTION_TRAFFIC_SHIFT = "PRE_PRODUCTION_TRAFFIC_SHIFT"  #: before each production traffic shift
    PRODUCTION_TRAFFIC_SHIFT = "PRODUCTION_TRAFFIC_SHIFT"  #: production traffic is moving to green
    POST_PRODUCTION_TRAFFIC_SHIFT = "POST_PRODUCTION_TRAFFIC_SHIFT"  #: green takes all production traffic
