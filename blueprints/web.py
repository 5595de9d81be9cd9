"""A web app: a migration init container, a telemetry sidecar waited on until healthy, an app with a secret."""

from ecsstack import (
    Cluster,
    Condition,
    FargateTaskDefinition,
    HealthCheck,
    Secret,
    Service,
    Stack,
    Sub,
)


def build() -> Stack:
    stack = Stack("web", description="Web app with a migration step and a telemetry sidecar")
    stack.parameter("ImageTag", default="1.4", description="Tag of example/app to run")
    image = Sub("example/app:${ImageTag}")
    cluster = Cluster("main", container_insights=True)

    task = FargateTaskDefinition("web", cpu=512, memory=1024)
    task.add_init_container("migrate", image=image, command=["./manage", "migrate"])
    otel = task.add_container(
        "otel",
        image="public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0",
        essential=False,
        health_check=HealthCheck(["CMD-SHELL", "curl -f localhost:13133 || exit 1"], start_period=10),
    )
    app = task.add_container(
        "app",
        image=image,
        ports=[8080],
        environment={"LOG_LEVEL": "info", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317"},
        secrets={"DB_PASSWORD": Secret.ssm("/web/db-password")},
        health_check=HealthCheck.shell("curl -f localhost:8080/health || exit 1"),
        stop_timeout=30,
    )
    app.depends_on(otel, Condition.HEALTHY)

    service = Service("web", cluster=cluster, task=task, desired_count=2)
    stack.add(service)
    stack.output("ClusterName", cluster, description="The cluster the web service runs in")
    stack.output("ServiceArn", service, description="The web service")
    return stack
