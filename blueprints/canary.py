"""A canary API service: each new revision first takes 10 % of production traffic for 15 minutes while two
CloudWatch alarms watch it; if either fires, ECS rolls back; otherwise the rest of the traffic moves."""

from ecsstack import (
    Alarm,
    ApplicationLoadBalancer,
    Attr,
    Cluster,
    Comparison,
    Deployment,
    FargateTaskDefinition,
    HealthCheck,
    Metric,
    Service,
    Stack,
    Statistic,
    TargetHealthCheck,
)

PLACEHOLDER_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
# not a valid bucket name, so no one can own it: deploying without AccessLogsBucket=<your bucket> fails loudly
PLACEHOLDER_ACCESS_LOGS_BUCKET = "replace:with-your-access-logs-bucket"


def build() -> Stack:
    stack = Stack("canary", description="Canary API service: 10% for 15 minutes, rolled back on 5xx or latency")
    certificate = stack.parameter("Certificate", default=PLACEHOLDER_CERTIFICATE,
                                  description="ARN of the ACM certificate the load balancer serves HTTPS with")
    cluster = Cluster("api", container_insights=True)
    task = FargateTaskDefinition("api", cpu=512, memory=1024)
    task.add_container("app", image="123456789012.dkr.ecr.us-east-1.amazonaws.com/api:3.1", ports=[9000],
                       health_check=HealthCheck.shell("curl -f localhost:9000/ping || exit 1"),
                       readonly_root_filesystem=True, stop_timeout=20)

    access_logs = stack.parameter("AccessLogsBucket", default=PLACEHOLDER_ACCESS_LOGS_BUCKET,
                                  description="S3 bucket (SSE-S3, writable by Elastic Load Balancing) for the "
                                              "load balancer's access logs")
    alb = ApplicationLoadBalancer("api", access_logs_bucket=access_logs)
    load_balancer = {"LoadBalancer": Attr(alb, "LoadBalancerFullName")}
    errors = Alarm("api-5xx", Metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", load_balancer,
                                     statistic=Statistic.SUM, period=60), threshold=10, evaluation_periods=2,
                   comparison=Comparison.GREATER_OR_EQUAL, description="The API answers with server errors")
    latency = Alarm("api-latency", Metric("AWS/ApplicationELB", "TargetResponseTime", load_balancer, period=60),
                    threshold=0.5, evaluation_periods=3, description="The API answers slowly")

    service = Service("api", cluster=cluster, task=task, desired_count=4, rollback_alarms=[errors, latency],
                      deployment=Deployment.canary(percent=10, interval=15, bake_time=5, test_port=9443))
    alb.listen_https(certificate).add_target(service, health_check=TargetHealthCheck(path="/ping"))
    stack.add(cluster, service)
    stack.output("ServiceArn", service, description="The canary-deployed API service")
    return stack
