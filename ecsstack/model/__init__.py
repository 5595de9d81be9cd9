"""The user's vocabulary: plain objects a blueprint builds. No troposphere, no boto3."""

from ._capacity import CapacityProvider, CapacityProviderStrategy, CpuArchitecture, Ec2Capacity, OsFamily
from ._container import Container, Dependency
from ._discovery import DnsRegistration, Namespace, ServiceConnect, ServiceConnectPort
from ._enums import Condition, LaunchType, NetworkMode, PropagateTags, Protocol
from ._firelens import FirelensConfig, FirelensType
from ._loadbalancing import (
    ApplicationLoadBalancer,
    Listener,
    ListenerProtocol,
    LoadBalancer,
    LoadBalancerTarget,
    NetworkLoadBalancer,
    TargetHealthCheck,
    TargetType,
)
from ._metrics import Alarm, Comparison, Metric, Statistic
from ._network import SubnetGroup, Vpc
from ._placement import PlacementConstraint, PlacementStrategy
from ._queue import ExistingQueue, Queue
from ._scaling import AdjustmentType, ScalingStep, ServiceScaling
from ._service import Cluster, Service
from ._stack import Output, Stack
from ._task import Ec2TaskDefinition, FargateTaskDefinition, TaskDefinition
from ._tokens import Attr, Parameter, Sub, Token
from ._values import HealthCheck, LogConfig, PortMapping, Secret
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
