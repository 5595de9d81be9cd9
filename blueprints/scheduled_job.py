"""A nightly report: a Fargate task run at 02:30 Paris time by EventBridge Scheduler, no service. The job reads
the database through a proxy sidecar; runs Scheduler could not start land in a dead-letter queue."""

from ecsstack import (
    Cluster,
    FargateTaskDefinition,
    HealthCheck,
    Queue,
    ScheduledTask,
    Secret,
    Stack,
    Sub,
)


def build() -> Stack:
    stack = Stack("scheduled-job", description="Nightly report run by EventBridge Scheduler")
    stack.parameter("ImageTag", default="3.2", description="Tag of example/report to run")
    reports = stack.parameter("ReportsBucket", default="replace-with-your-reports-bucket",
                              description="S3 bucket the report is written to")

    task = FargateTaskDefinition("report", cpu=512, memory=1024)
    task.add_sidecar("db-proxy", image="public.ecr.aws/docker/library/haproxy:3.0", ports=[5432],
                     health_check=HealthCheck.shell("nc -z localhost 5432", start_period=10),
                     readonly_root_filesystem=True)
    task.add_container("report", image=Sub("example/report:${ImageTag}"), command=["./report", "--yesterday"],
                       environment={"DB_HOST": "localhost", "REPORTS_BUCKET": reports},
                       secrets={"DB_PASSWORD": Secret.ssm("/report/db-password")},
                       readonly_root_filesystem=True, stop_timeout=60)
    task.allow("s3:PutObject", Sub("arn:${AWS::Partition}:s3:::${ReportsBucket}/reports/*"))

    failures = Queue("report-failures", dead_letter=False, retention_days=14)
    nightly = ScheduledTask(
        "nightly-report", task=task, cluster=Cluster("jobs", container_insights=True),
        schedule="cron(30 2 * * ? *)", timezone="Europe/Paris",
        description="The daily report, every night at 02:30 Paris time",
        flexible_window_minutes=15, max_retries=3, max_event_age=3600, dead_letter_queue=failures,
    )
    stack.add(nightly)
    stack.output("FailedRunsQueueUrl", failures.url, description="Runs Scheduler gave up on")
    return stack
