"""Two services in a created VPC calling each other by name through ECS Service Connect: a frontend
behind a public HTTPS load balancer that calls the API at http://api:8080, and the API that calls back the
frontend's render endpoint at http://frontend:3000."""

from ecsstack import (
    ApplicationLoadBalancer,
    Attr,
    Cluster,
    FargateTaskDefinition,
    HealthCheck,
    Namespace,
    PortMapping,
    Service,
    ServiceConnect,
    Stack,
    TargetHealthCheck,
    Vpc,
)

PLACEHOLDER_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
# not a valid bucket name, so no one can own it: deploying without AccessLogsBucket=<your bucket> fails loudly
PLACEHOLDER_ACCESS_LOGS_BUCKET = "replace:with-your-access-logs-bucket"


def build() -> Stack:
    stack = Stack("mesh", description="Frontend and API calling each other through Service Connect, in their own VPC")
    certificate = stack.parameter("Certificate", default=PLACEHOLDER_CERTIFICATE,
                                  description="ARN of the ACM certificate the load balancer serves HTTPS with")
    access_logs = stack.parameter("AccessLogsBucket", default=PLACEHOLDER_ACCESS_LOGS_BUCKET,
                                  description="S3 bucket (SSE-S3, writable by Elastic Load Balancing) for the "
                                              "load balancer's access logs")
    vpc = Vpc("main", cidr="10.20.0.0/16", max_azs=2, nat_gateways=1)
    cluster = Cluster("mesh", container_insights=True, service_connect_namespace=Namespace("mesh.local", vpc=vpc))

    api_task = FargateTaskDefinition("api", cpu=256, memory=512)
    api_task.add_container(
        "api", image="example/api:2.1",
        ports=[PortMapping(8080, name="http", app_protocol="http")],
        environment={"RENDER_URL": "http://frontend:3000/render"},
        health_check=HealthCheck.shell("curl -f localhost:8080/health || exit 1"),
    )
    api = Service("api", cluster=cluster, task=api_task, vpc=vpc, desired_count=2,
                  service_connect=ServiceConnect(ports=["http"]))  # serves http://api:8080, calls the frontend

    front_task = FargateTaskDefinition("frontend", cpu=512, memory=1024)
    front_task.add_container(
        "web", image="example/frontend:3.0",
        ports=[PortMapping(3000, name="http", app_protocol="http")],
        environment={"API_URL": "http://api:8080"},
    )
    frontend = Service("frontend", cluster=cluster, task=front_task, vpc=vpc, desired_count=2,
                       service_connect=ServiceConnect(ports=["http"]))  # client of api, and a server itself

    alb = ApplicationLoadBalancer("public", vpc=vpc, access_logs_bucket=access_logs)
    alb.listen_https(certificate).add_target(frontend, health_check=TargetHealthCheck(path="/health"))

    stack.add(frontend, api)
    stack.output("LoadBalancerDns", Attr(alb, "DNSName"), description="Where the frontend answers")
    stack.output("ClusterName", cluster)
    return stack
