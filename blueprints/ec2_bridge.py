"""A web app on EC2: an Auto Scaling group behind a capacity provider with managed scaling, bridge networking
with dynamic host ports, an HTTPS Application Load Balancer (access logs to S3) sending traffic to the
instances."""

from ecsstack import (
    ApplicationLoadBalancer,
    Attr,
    CapacityProviderStrategy,
    Cluster,
    Ec2TaskDefinition,
    HealthCheck,
    PlacementStrategy,
    Service,
    Stack,
    Sub,
    TargetHealthCheck,
)

PLACEHOLDER_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
# not a valid bucket name, so no one can own it: deploying without AccessLogsBucket=<your bucket> fails loudly
PLACEHOLDER_ACCESS_LOGS_BUCKET = "replace:with-your-access-logs-bucket"


def build() -> Stack:
    stack = Stack("ec2-bridge", description="Bridge-networked web app on an EC2 capacity provider behind an ALB")
    stack.parameter("ImageTag", default="1.4", description="Tag of example/app to run")
    certificate = stack.parameter("Certificate", default=PLACEHOLDER_CERTIFICATE,
                                  description="ARN of the ACM certificate the load balancer serves HTTPS with")
    access_logs = stack.parameter("AccessLogsBucket", default=PLACEHOLDER_ACCESS_LOGS_BUCKET,
                                  description="S3 bucket (SSE-S3, writable by Elastic Load Balancing) for the "
                                              "load balancer's access logs")
    cluster = Cluster("main", container_insights=True)
    capacity = cluster.add_ec2_capacity("ec2", instance_type="t3.medium", min_size=1, max_size=6,
                                        target_capacity=90)

    task = Ec2TaskDefinition("web", cpu=256, memory=512)  # bridge networking: a dynamic host port per task
    task.add_container(
        "app",
        image=Sub("example/app:${ImageTag}"),
        ports=[8080],
        environment={"LOG_LEVEL": "info"},
        health_check=HealthCheck.shell("curl -f localhost:8080/health || exit 1"),
        stop_timeout=30,
    )

    service = Service("web", cluster=cluster, task=task, desired_count=2,
                      capacity_provider_strategy=[CapacityProviderStrategy(capacity)],
                      placement_strategies=[PlacementStrategy.spread("attribute:ecs.availability-zone"),
                                            PlacementStrategy.binpack("memory")])
    alb = ApplicationLoadBalancer("public", access_logs_bucket=access_logs)
    target = alb.listen_https(certificate).add_target(service, health_check=TargetHealthCheck(path="/health"))
    service.auto_scale(min_tasks=2, max_tasks=12).on_cpu(60).on_request_count(target, per_target=1000)

    stack.add(service)
    stack.output("Url", Sub("https://${Name}", {"Name": Attr(alb, "DNSName")}), description="The web app")
    stack.output("ClusterName", cluster)
    return stack
