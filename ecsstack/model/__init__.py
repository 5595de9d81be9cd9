"""The user's vocabulary: plain objects a blueprint builds. No troposphere, no boto3."""

from ._app import Nesting
from ._capacity import CapacityProviderStrategy, Ec2Capacity
from ._container import Container
from ._deployment import Deployment, LifecycleHook
from ._discovery import DnsRegistration, Namespace, ServiceConnect, ServiceConnectPort
from ._enums import (
    AdjustmentType,
    CapacityProvider,
    Comparison,
    Condition,
    CpuArchitecture,
    DeploymentStrategy,
    FirelensType,
    IpcMode,
    LaunchType,
    LifecycleStage,
    ListenerProtocol,
    NetworkMode,
    OsFamily,
    PidMode,
    PropagateTags,
    Protocol,
    SchedulingStrategy,
    Statistic,
    TargetType,
    VersionConsistency,
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
from ._overrides import Part, Remove
from ._placement import PlacementConstraint, PlacementStrategy
from ._queue import ExistingQueue, Queue, Subscription
from ._scaling import ScalingStep, ServiceScaling
from ._scheduled import ScheduledTask
from ._service import Cluster, Service
from ._settings import (
    Device,
    ExecuteCommandLogging,
    LinuxParameters,
    ManagedEbsVolume,
    ProxyConfiguration,
    ServiceConnectTls,
    Tmpfs,
    Ulimit,
)
from ._stack import App, Output, Stack
from ._task import Ec2TaskDefinition, ExistingTaskDefinition, FargateTaskDefinition, TaskDefinition
from ._tokens import Attr, Parameter, Sub, Token
from ._values import Dependency, HealthCheck, LogConfig, PortMapping, RestartPolicy, Secret
from ._volumes import BindVolume, EbsVolume, EfsVolume, MountPoint, Volume, VolumesFrom

__all__ = [
    "AdjustmentType",
    "Alarm",
    "App",
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
    "Deployment",
    "DeploymentStrategy",
    "Device",
    "DnsRegistration",
    "EbsVolume",
    "Ec2Capacity",
    "Ec2TaskDefinition",
    "EfsVolume",
    "ExecuteCommandLogging",
    "ExistingQueue",
    "ExistingTaskDefinition",
    "FargateTaskDefinition",
    "FirelensConfig",
    "FirelensType",
    "HealthCheck",
    "IpcMode",
    "LaunchType",
    "LifecycleHook",
    "LifecycleStage",
    "LinuxParameters",
    "Listener",
    "ListenerProtocol",
    "LoadBalancer",
    "LoadBalancerTarget",
    "LogConfig",
    "ManagedEbsVolume",
    "Metric",
    "MountPoint",
    "Namespace",
    "Nesting",
    "NetworkLoadBalancer",
    "NetworkMode",
    "OsFamily",
    "Output",
    "Parameter",
    "Part",
    "PidMode",
    "PlacementConstraint",
    "PlacementStrategy",
    "PortMapping",
    "PropagateTags",
    "Protocol",
    "ProxyConfiguration",
    "Queue",
    "Remove",
    "RestartPolicy",
    "ScalingStep",
    "ScheduledTask",
    "SchedulingStrategy",
    "Secret",
    "Service",
    "ServiceConnect",
    "ServiceConnectPort",
    "ServiceConnectTls",
    "ServiceScaling",
    "Stack",
    "Statistic",
    "Sub",
    "SubnetGroup",
    "Subscription",
    "TargetHealthCheck",
    "TargetType",
    "TaskDefinition",
    "Tmpfs",
    "Token",
    "Ulimit",
    "VersionConsistency",
    "Volume",
    "VolumesFrom",
    "Vpc",
]
