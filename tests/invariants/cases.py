"""Stacks shared by the invariant tests: the shipped and README blueprints, and issue 8's known cases."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from ecsstack import (
    Cluster,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    LogConfig,
    Namespace,
    PortMapping,
    Secret,
    Service,
    ServiceConnect,
    Stack,
    Sub,
)

ROOT = Path(__file__).resolve().parent.parent.parent


def shipped() -> list[Stack]:
    """Every blueprint of blueprints/ and every README blueprint, built."""
    stacks = []
    for path in sorted((ROOT / "blueprints").glob("*.py")):
        if path.name.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(f"blueprint_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        spec.loader.exec_module(module)  # type: ignore[union-attr]
        stacks.append(module.build())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for block in re.findall(r"```python\n(.*?)```", readme, flags=re.S):
        if "def build" in block:
            namespace: dict[str, object] = {}
            exec(compile(block, "README.md", "exec"), namespace)
            stacks.append(namespace["build"]())  # type: ignore[operator]
    return stacks


def case1() -> Stack:
    """Service Connect from a Fargate client to a server on EC2 capacity in bridge mode."""
    stack = Stack("case1")
    cluster = Cluster("main", service_connect_namespace=Namespace("internal"))
    ec2 = cluster.add_ec2_capacity("ec2")
    from ecsstack import CapacityProviderStrategy

    server_task = Ec2TaskDefinition("api", memory=512)
    server_task.add_container("api", image="example/api:1", ports=[PortMapping(8080, name="http")])
    server = Service("api", cluster=cluster, task=server_task, service_connect=ServiceConnect(ports=["http"]),
                     capacity_provider_strategy=[CapacityProviderStrategy(ec2)])
    client_task = FargateTaskDefinition("web")
    client_task.add_container("web", image="example/web:1")
    client = Service("web", cluster=cluster, task=client_task, service_connect=ServiceConnect())
    return stack.add(server, client)


def _one(image: object = "nginx:1.27", **container: object) -> tuple[Stack, FargateTaskDefinition]:
    stack = Stack("case")
    task = FargateTaskDefinition("web")
    task.add_container("app", image=image, **container)
    stack.add(Service("web", cluster=Cluster("main"), task=task))
    return stack, task


def case3() -> Stack:
    """An ECR image as a Sub with a literal account and region."""
    stack, _ = _one(Sub("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:${ImageTag}"))
    stack.parameter("ImageTag", default="1")
    return stack


def case7() -> Stack:
    """An SSM parameter ARN given to Secret.secrets_manager."""
    return _one(secrets={"TOKEN": Secret.secrets_manager("arn:aws:ssm:eu-west-1:123456789012:parameter/demo/token")})[0]


def case11() -> Stack:
    """awslogs into a log group the user names, on Fargate."""
    return _one(logging=LogConfig.awslogs(log_group="/custom/web"))[0]


def found1() -> Stack:
    """Host networking behind an ALB whose target health check uses a port of its own."""
    from ecsstack import ApplicationLoadBalancer, CapacityProviderStrategy, TargetHealthCheck

    stack = Stack("found1")
    cluster = Cluster("main")
    ec2 = cluster.add_ec2_capacity("ec2")
    task = Ec2TaskDefinition("web", network_mode="host", memory=512)
    task.add_container("app", image="example/app:1", ports=[8080])
    service = Service("web", cluster=cluster, task=task, capacity_provider_strategy=[CapacityProviderStrategy(ec2)])
    ApplicationLoadBalancer("public").listen_http().add_target(service, health_check=TargetHealthCheck(port=9000))
    return stack.add(service)


KNOWN_CASES = {"case 1": case1, "case 3": case3, "case 7": case7, "case 11": case11, "found 1": found1}
