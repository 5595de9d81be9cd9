"""A queue worker: Fargate Spot tasks draining an SQS queue (with a dead-letter queue), scaled on its depth."""

from ecsstack import Cluster, Secret, Stack
from ecsstack.patterns import QueueWorkerService


def build() -> Stack:
    stack = Stack("worker", description="Queue worker on Fargate Spot, scaled on queue depth")
    worker = QueueWorkerService(
        stack,
        "worker",
        cluster=Cluster("worker", container_insights=True),
        image="123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:2.0",
        cpu=1024,
        memory=2048,
        min_tasks=0,
        max_tasks=20,
        messages_per_task=50,
        visibility_timeout=300,
        command=["python", "-m", "worker"],
        environment={"CONCURRENCY": 8},
        secrets={"API_TOKEN": Secret.secrets_manager("worker/api", key="token")},
        readonly_root_filesystem=True,
    )
    stack.output("QueueUrl", worker.queue.url, description="Send jobs here")
    stack.output("ClusterName", worker.cluster)
    return stack
