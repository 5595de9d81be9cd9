"""A background worker on Fargate: no ports, a Secrets Manager key, graceful shutdown."""

from ecsstack import Cluster, FargateTaskDefinition, Secret, Service, Stack


def build() -> Stack:
    stack = Stack("worker", description="Queue worker on Fargate")
    queue_url = stack.parameter("QueueUrl", description="URL of the SQS queue to drain")
    cluster = Cluster("jobs")

    task = FargateTaskDefinition("worker", cpu=1024, memory=2048)
    task.add_container(
        "worker",
        image="123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:2.0",
        command=["python", "-m", "worker"],
        environment={"QUEUE_URL": queue_url, "CONCURRENCY": 8},
        secrets={"API_TOKEN": Secret.secrets_manager("worker/api", key="token")},
        stop_timeout=120,
        readonly_root_filesystem=True,
    )
    task.allow(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
               "arn:aws:sqs:us-east-1:123456789012:jobs")

    stack.add(Service("worker", cluster=cluster, task=task, desired_count=1, min_healthy_percent=0,
                      max_percent=200))
    stack.output("ClusterName", cluster)
    return stack
