"""A blue/green web service behind an HTTPS load balancer: each new revision starts in full next to the old one,
answers test traffic on port 9443 first, then takes all production traffic at once; the old revision keeps
running for a 10-minute bake time so a rollback is instant, and a Lambda smoke test gates the switch."""

from ecsstack import Attr, Cluster, Deployment, LifecycleHook, LifecycleStage, LoadBalancedWebService, Stack, Sub

PLACEHOLDER_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
# not a valid bucket name, so no one can own it: deploying without AccessLogsBucket=<your bucket> fails loudly
PLACEHOLDER_ACCESS_LOGS_BUCKET = "replace:with-your-access-logs-bucket"


def build() -> Stack:
    stack = Stack("blue-green", description="Blue/green web service: test listener, smoke test, 10-minute bake")
    stack.parameter("ImageTag", default="2.0", description="Tag of example/shop to run")
    certificate = stack.parameter("Certificate", default=PLACEHOLDER_CERTIFICATE,
                                  description="ARN of the ACM certificate the load balancer serves HTTPS with")
    access_logs = stack.parameter("AccessLogsBucket", default=PLACEHOLDER_ACCESS_LOGS_BUCKET,
                                  description="S3 bucket (SSE-S3, writable by Elastic Load Balancing) for the "
                                              "load balancer's access logs")
    smoke_test = stack.parameter("SmokeTestFunctionArn",
                                 description="ARN of the Lambda function that tests the new revision through the "
                                             "test listener before production traffic moves")
    shop = LoadBalancedWebService(
        stack, "shop", image=Sub("example/shop:${ImageTag}"), port=8080, certificate=certificate,
        cluster=Cluster("shop", container_insights=True), min_tasks=2, max_tasks=6, health_check_path="/health",
        access_logs_bucket=access_logs,
        deployment=Deployment.blue_green(
            bake_time=10, test_port=9443,
            hooks=[LifecycleHook(smoke_test, [LifecycleStage.POST_TEST_TRAFFIC_SHIFT])]),
        environment={"LOG_LEVEL": "info"}, stop_timeout=30,
    )
    stack.output("TestUrl", Sub("https://${Dns}:9443/", {"Dns": Attr(shop.load_balancer, "DNSName")}),
                 description="Where the new revision answers test traffic during a deployment")
    return stack
