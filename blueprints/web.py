"""A web app behind an HTTPS load balancer (plain HTTP is redirected, access logs go to S3), autoscaled on
CPU: a migration init container and a telemetry sidecar the app waits on until healthy."""

from ecsstack import (
    Attr,
    Cluster,
    Condition,
    HealthCheck,
    LoadBalancedWebService,
    Secret,
    Stack,
    Sub,
)

PLACEHOLDER_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
# not a valid bucket name, so no one can own it: deploying without AccessLogsBucket=<your bucket> fails loudly
PLACEHOLDER_ACCESS_LOGS_BUCKET = "replace:with-your-access-logs-bucket"


def build() -> Stack:
    stack = Stack("web", description="Web app behind an HTTPS load balancer, with a migration step and a sidecar")
    stack.parameter("ImageTag", default="1.4", description="Tag of example/app to run")
    certificate = stack.parameter("Certificate", default=PLACEHOLDER_CERTIFICATE,
                                  description="ARN of the ACM certificate the load balancer serves HTTPS with")
    access_logs = stack.parameter("AccessLogsBucket", default=PLACEHOLDER_ACCESS_LOGS_BUCKET,
                                  description="S3 bucket (SSE-S3, writable by Elastic Load Balancing) for the "
                                              "load balancer's access logs")
    image = Sub("example/app:${ImageTag}")

    web = LoadBalancedWebService(
        stack, "web", image=image, port=8080, cpu=512, memory=1024, certificate=certificate,
        cluster=Cluster("main", container_insights=True), min_tasks=2, max_tasks=10, cpu_target=60,
        health_check_path="/health",
        environment={"LOG_LEVEL": "info", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317"},
        secrets={"DB_PASSWORD": Secret.ssm("/web/db-password")},
        health_check=HealthCheck.shell("curl -f localhost:8080/health || exit 1"),
        stop_timeout=30, access_logs_bucket=access_logs,
    )
    web.task.add_init_container("migrate", image=image, command=["./manage", "migrate"])
    otel = web.task.add_container(
        "otel",
        image="public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0",
        essential=False,
        health_check=HealthCheck(["CMD-SHELL", "curl -f localhost:13133 || exit 1"], start_period=10),
    )
    web.container.depends_on(otel, Condition.HEALTHY)

    stack.output("ClusterName", web.cluster, description="The cluster the web service runs in")
    stack.output("ServiceArn", web.service, description="The web service")
    stack.output("LoadBalancerDns", Attr(web.load_balancer, "DNSName"), description="Where the site answers")
    return stack
