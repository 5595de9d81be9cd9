"""The user's vocabulary: plain objects a blueprint builds. No troposphere, no boto3."""

from ._capacity import CapacityProviderStrategy, Ec2Capacity
from ._container import Container
from ._discovery import DnsRegistration, Namespace, ServiceConnect, ServiceConnectPort
from ._enums import (
    AdjustmentType,
    CapacityProvider,
    Comparison,
    Condition,
    CpuArchitecture,
    FirelensType,
    LaunchType,
    ListenerProtocol,
    NetworkMode,
    OsFamily,
    PropagateTags,
    Protocol,
    Statistic,
    TargetType,
)
from ._firelens import FirelensConfig
from ._loadbalancing import (
    ApplicationLoadBalancer,
    Listener,
    LoadBalancer,
    LoadBalancerTarget,
    NetworkLoadBalancer,
    TargetHealthCheck,
)
from ._metrics import Alarm, Metric
from ._network import SubnetGroup, Vpc
from ._placement import PlacementConstraint, PlacementStrategy
from ._queue import ExistingQueue, Queue
from ._scaling import ScalingStep, ServiceScaling
from ._service import Cluster, Service
from ._stack import Output, Stack
from ._task import Ec2TaskDefinition, ExistingTaskDefinition, FargateTaskDefinition, TaskDefinition
from ._tokens import Attr, Parameter, Sub, Token
from ._values import Dependency, HealthCheck, LogConfig, PortMapping, Secret
from ._volumes import BindVolume, EfsVolume, MountPoint, Volume, VolumesFrom

__all__ = [
    "AdjustmentType",
    "Alarm",
    "ApplicationLoadBalancer",

    "Attr",
    "BindVolume",
    "CapacityProvider",
    "CapacityProviderStrategy",
    "Cluster",
    "Comparison",
    "Condition",
    "Container",
    "CpuArchitecture",
    "Dependency",
    "DnsRegistration",
    "Ec2Capacity",
    "Ec2TaskDefinition",
    "EfsVolume",
    "ExistingQueue",
    "ExistingTaskDefinition",
    "FargateTaskDefinition",
    "FirelensConfig",
    "FirelensType",
    "HealthCheck",
    "LaunchType",
    "Listener",
    "ListenerProtocol",
    "LoadBalancer",
    "LoadBalancerTarget",
    "LogConfig",
    "Metric",
    "MountPoint",
    "Namespace",
    "NetworkLoadBalancer",
    "NetworkMode",
    "OsFamily",
    "Output",
    "Parameter",
    "PlacementConstraint",
    "PlacementStrategy",
    "PortMapping",
    "PropagateTags",
    "Protocol",
    "Queue",
    "ScalingStep",
    "Secret",
    "Service",
    "ServiceConnect",
    "ServiceConnectPort",
    "ServiceScaling",
    "Stack",
    "Statistic",
    "Sub",
    "SubnetGroup",
    "TargetHealthCheck",
    "TargetType",
    "TaskDefinition",
    "Token",
    "Volume",
    "VolumesFrom",
    "Vpc",
]
