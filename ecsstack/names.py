"""Name → identifier derivation shared by the rules (collision checks) and the compiler (logical IDs).

A logical ID is the PascalCase name of the modelled thing followed by a suffix naming the resource
(task definition ``web`` → ``WebTaskDefinition``, its roles ``WebExecutionRole`` and ``WebTaskRole``).
The suffixes are spelled once, here: the compiler builds IDs with them and the rules predict IDs with
them to report collisions (ECS503) before anything is compiled.
"""

from __future__ import annotations

import re

__all__ = [
    "ALARM",
    "AUTO_SCALING_GROUP",
    "CAPACITY_PROVIDER",
    "CAPACITY_PROVIDERS",
    "CLUSTER",
    "DEAD_LETTER_QUEUE",
    "DEFAULT_ROUTE",
    "DISCOVERY",
    "EIP",
    "EXECUTION_ROLE",
    "GATEWAY_ATTACHMENT",
    "GREEN_TARGET_GROUP",
    "HOOK_ROLE",
    "INFRASTRUCTURE_ROLE",
    "INSTANCE",
    "INSTANCE_PROFILE",
    "INSTANCE_ROLE",
    "INTERNET_GATEWAY",
    "LAUNCH_TEMPLATE",
    "LISTENER",
    "LISTENER_RULE",
    "LOAD_BALANCER",
    "LOG_GROUP",
    "NAMESPACE",
    "NAT_GATEWAY",
    "QUEUE",
    "ROUTE_TABLE",
    "ROUTE_TABLE_ASSOCIATION",
    "SCALABLE_TARGET",
    "SCALE_IN_ALARM",
    "SCALE_IN_POLICY",
    "SCALE_OUT_ALARM",
    "SCALE_OUT_POLICY",
    "SCALING_POLICY",
    "SCHEDULE",
    "SCHEDULER_ROLE",
    "SECURITY_GROUP",
    "SERVICE",
    "SUBNET",
    "TARGET_GROUP",
    "TASK_DEFINITION",
    "TASK_ROLE",
    "TEST_LISTENER_RULE",
    "TRAFFIC_ROLE",
    "VPC",
    "logical_id",
    "pascal",
]

_WORD = re.compile(r"[A-Za-z0-9]+")

# ---- suffixes of the resources a modelled thing compiles to ------------------------------------
# network: a VPC and what it implies (its subnets, routes and gateways)
VPC = "Vpc"
INTERNET_GATEWAY = "InternetGateway"
GATEWAY_ATTACHMENT = "GatewayAttachment"
ROUTE_TABLE = "RouteTable"
DEFAULT_ROUTE = "DefaultRoute"
SUBNET = "Subnet"
ROUTE_TABLE_ASSOCIATION = "RouteTableAssociation"
NAT_GATEWAY = "NatGateway"
EIP = "Eip"
# discovery and queues
NAMESPACE = "Namespace"
DISCOVERY = "Discovery"
QUEUE = "Queue"
DEAD_LETTER_QUEUE = "DeadLetterQueue"
SUBSCRIPTION = "Subscription"
QUEUE_POLICY = "QueuePolicy"
# clusters and their capacity
CLUSTER = "Cluster"
CAPACITY_PROVIDER = "CapacityProvider"
#: a cluster's capacity provider associations
CAPACITY_PROVIDERS = "CapacityProviders"
INSTANCE = "Instance"
INSTANCE_ROLE = "InstanceRole"
#: the role ECS manages a service's EBS volumes and Service Connect TLS with
INFRASTRUCTURE_ROLE = "InfrastructureRole"
INSTANCE_PROFILE = "InstanceProfile"
LAUNCH_TEMPLATE = "LaunchTemplate"
AUTO_SCALING_GROUP = "AutoScalingGroup"
# task definitions
TASK_DEFINITION = "TaskDefinition"
LOG_GROUP = "LogGroup"
EXECUTION_ROLE = "ExecutionRole"
TASK_ROLE = "TaskRole"
# services, load balancers, alarms and scaling
SERVICE = "Service"
SECURITY_GROUP = "SecurityGroup"
LOAD_BALANCER = "LoadBalancer"
LISTENER = "Listener"
LISTENER_RULE = "ListenerRule"
TARGET_GROUP = "TargetGroup"
#: blue/green, canary and linear deployments: the second target group, the test route, the roles ECS assumes
GREEN_TARGET_GROUP = "GreenTargetGroup"
TEST_LISTENER_RULE = "TestListenerRule"
TRAFFIC_ROLE = "TrafficRole"
HOOK_ROLE = "HookRole"
ALARM = "Alarm"
SCALABLE_TARGET = "ScalableTarget"
SCALING_POLICY = "ScalingPolicy"
#: step scaling: a policy and the alarm that triggers it, for each direction
SCALE_OUT_POLICY = "ScaleOutPolicy"
SCALE_OUT_ALARM = "ScaleOutAlarm"
SCALE_IN_POLICY = "ScaleInPolicy"
SCALE_IN_ALARM = "ScaleInAlarm"
# scheduled tasks: an EventBridge Scheduler schedule, its role and (awsvpc) its security group
SCHEDULE = "Schedule"
SCHEDULER_ROLE = "SchedulerRole"


def pascal(name: str) -> str:
    """``my-app_v2`` → ``MyAppV2``: the alphanumeric words of ``name``, each capitalised."""
    return "".join(w[0].upper() + w[1:] for w in _WORD.findall(name))


def logical_id(*parts: str) -> str:
    """A CloudFormation logical ID from name parts: ``logical_id("web", TASK_DEFINITION)`` → ``WebTaskDefinition``."""
    return "".join(pascal(p) for p in parts)
