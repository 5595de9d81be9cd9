"""ecsstack: Python blueprints for Amazon ECS, compiled to validated, deterministic CloudFormation."""

from .errors import BlueprintError, EcsstackError, Problem, ValidationError
from .model import (
    Attr,
    Cluster,
    Condition,
    Container,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    HealthCheck,
    LaunchType,
    LogConfig,
    NetworkMode,
    Parameter,
    PortMapping,
    PropagateTags,
    Protocol,
    Secret,
    Service,
    Stack,
    Sub,
    TaskDefinition,
)

__version__ = "0.1.0"

__all__ = [
    "Attr",
    "BlueprintError",
    "Cluster",
    "Condition",
    "Container",
    "Ec2TaskDefinition",
    "EcsstackError",
    "FargateTaskDefinition",
    "HealthCheck",
    "LaunchType",
    "LogConfig",
    "NetworkMode",
    "Parameter",
    "PortMapping",
    "Problem",
    "PropagateTags",
    "Protocol",
    "Secret",
    "Service",
    "Stack",
    "Sub",
    "TaskDefinition",
    "ValidationError",
    "__version__",
]
