"""Stacks of N services for the benchmarks: the issue's one-service web stack (a Fargate task with a
migration init container, a telemetry sidecar the app waits on until healthy, and the app; an ALB with an
HTTPS listener and HTTP redirect; CPU autoscaling), repeated N times on one cluster.

    from benchmarks.stacks import web_stack
    stack = web_stack(100)
"""

from __future__ import annotations

from ecsstack import Cluster, Condition, HealthCheck, LoadBalancedWebService, Secret, Stack

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"


def web_stack(services: int, name: str = "bench") -> Stack:
    """A stack of ``services`` load-balanced web services (12 resources each, plus the cluster)."""
    stack = Stack(name)
    cluster = Cluster("main")
    for i in range(services):
        web = LoadBalancedWebService(
            stack, f"web{i}", image="example/app:1.4", port=8080, cpu=512, memory=1024, certificate=CERTIFICATE,
            cluster=cluster, min_tasks=2, max_tasks=10, cpu_target=60, health_check_path="/health",
            environment={"LOG_LEVEL": "info", "N": str(i)}, secrets={"DB_PASSWORD": Secret.ssm(f"/web{i}/db")},
            health_check=HealthCheck.shell("curl -f localhost:8080/health || exit 1"),
        )
        web.task.add_init_container("migrate", image="example/app:1.4", command=["./manage", "migrate"])
        otel = web.task.add_container("otel", image="public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0",
                                      essential=False, health_check=HealthCheck.shell("curl -f localhost:13133"))
        web.container.depends_on(otel, Condition.HEALTHY)
    return stack
