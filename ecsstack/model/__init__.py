"""The user's vocabulary: plain objects a blueprint builds. No troposphere, no boto3."""

from ._container import Container, Dependency
from ._enums import Condition, LaunchType, NetworkMode, PropagateTags, Protocol
from ._service import Cluster, Service
from ._stack import Output, Stack
from ._task import Ec2TaskDefinition, FargateTaskDefinition, TaskDefinition
from ._tokens import Attr, Parameter, Sub, Token
from ._values import HealthCheck, LogConfig, PortMapping, Secret

__all__ = [
    "Attr", "Cluster", "Condition", "Container", "Dependency", "Ec2TaskDefinition",
    "FargateTaskDefinition", "HealthCheck", "LaunchType", "LogConfig", "NetworkMode", "Output",
    "Parameter", "PortMapping", "PropagateTags", "Protocol", "Secret", "Service", "Stack", "Sub",
    "TaskDefinition", "Token",
]
