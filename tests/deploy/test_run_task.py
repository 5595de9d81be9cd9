"""``run_task`` and ``ecsstack run-task`` against the emulator (moto_server on 127.0.0.1).

What moto 5.2.5 does with ``RunTask`` for a FARGATE task (measured): it creates the task RUNNING, and every
``DescribeTasks`` moves it one step on (its ``ecs::task`` state manager, default ``manual`` one step per
look: RUNNING → DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED); its one container reports the first
container definition with exit code 0, so only the exit-0 path ends on the emulator (the others are
recorded, see test_run_task_recorded.py). It needs ``memory`` on every container to run a task (it adds
container memory up), and loses the task definition's network mode and the service's network
configuration, so the network comes from the deployed template. Its CloudWatch Logs answers
put/get_log_events, so the test writes the container's log lines itself while the task "runs".
"""

from __future__ import annotations

import io
import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from local_emulator import ensure_network
from rich.console import Console

from ecsstack import Cluster, FargateTaskDefinition, Service, Stack
from ecsstack.cli import main
from ecsstack.deploy import DeployInterrupted, Provider, UsageError, deploy, run_task

from .fakeaws import FakeTime

REGION = "us-east-1"


def jobs_stack() -> dict[str, Any]:
    """A web service (app + a non-essential proxy) and a migrate task that no service runs."""
    stack = Stack("jobs")
    subnet_a = stack.parameter("SubnetA", "AWS::EC2::Subnet::Id")
    subnet_b = stack.parameter("SubnetB", "AWS::EC2::Subnet::Id")
    stack.parameter("VpcId", "AWS::EC2::VPC::Id")
    cluster = Cluster("main")
    web = FargateTaskDefinition("web", cpu=256, memory=512)
    web.add_container("app", image="example/app:1", memory=384, command=["./serve"])
    web.add_container("proxy", image="envoyproxy/envoy:v1.31", memory=128, essential=False)
    migrate = FargateTaskDefinition("migrate", cpu=256, memory=512)
    migrate.add_container("migrate", image="example/app:1", memory=512, command=["./manage", "migrate"])
    stack.add(cluster, Service("web", cluster=cluster, task=web, subnets=[subnet_a, subnet_b]), migrate)
    return stack.to_dict()


class Jobs:
    """The jobs stack deployed on the emulator, with a provider whose RunTask requests are recorded."""

    def __init__(self, url: str):
        self.url = url
        self.time = FakeTime()
        self.buffer = io.StringIO()
        self.console = Console(file=self.buffer, width=250, highlight=False, soft_wrap=True)
        vpc, subnets = ensure_network(self.client("ec2"))
        self.subnets = subnets[:2]
        result = deploy(jobs_stack(), "jobs", parameters={"SubnetA": subnets[0], "SubnetB": subnets[1], "VpcId": vpc},
                        yes=True, lint=False, endpoint_url=url, region=REGION, console=Console(file=io.StringIO()),
                        sleep=self.time.sleep, clock=self.time.clock)
        assert result.ok
        self.physical = {r.logical_id: r.physical_id for r in result.resources}
        self.provider = Provider(endpoint_url=url, region=REGION)
        self.requests: list[dict[str, Any]] = []
        self.provider.client("ecs").meta.events.register(
            "provide-client-params.ecs.RunTask", lambda params, **_: self.requests.append(dict(params)))

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.url, region_name=REGION)

    def run(self, task: str, **kw: Any) -> Any:
        return run_task("jobs", task, provider=self.provider, console=self.console, sleep=self.time.sleep,
                        clock=self.time.clock, **kw)

    @property
    def text(self) -> str:
        return self.buffer.getvalue()


@pytest.fixture
def jobs(moto: str) -> Jobs:
    return Jobs(moto)


def _state_manager(url: str, action: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(f"{url}/moto-api/state-manager/{action}", method="POST",
                                     data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5):
        pass


@pytest.fixture
def tasks_keep_running(jobs: Jobs) -> Iterator[None]:
    """Through moto's state manager (``/moto-api/state-manager``): a task stays RUNNING however often it
    is described (the reset between tests does not undo a transition, so it is unset afterwards)."""
    _state_manager(jobs.url, "set-transition", {"model_name": "ecs::task",
                                                "transition": {"progression": "manual", "times": 1_000_000}})
    try:
        yield
    finally:
        _state_manager(jobs.url, "unset-transition", {"model_name": "ecs::task"})


def test_a_task_no_service_runs_runs_like_the_stacks_service_and_its_log_stream_is_printed(jobs: Jobs) -> None:
    logs = jobs.client("logs")
    group = jobs.physical["MigrateLogGroup"]
    written = {1: ["migrating 0001_initial", "migrating 0002_users"], 3: ["done: 2 migrations"]}

    def write(sleeps: int) -> None:  # the container writing while the task runs
        arn = jobs.requests and jobs.client("ecs").list_tasks(cluster=jobs.physical["MainCluster"])["taskArns"][0]
        stream = f"migrate/migrate/{arn.rsplit('/', 1)[-1]}"
        if sleeps == 1:
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
        if sleeps in written:
            now = int(time.time() * 1000)
            logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
                {"timestamp": now + i, "message": m} for i, m in enumerate(written[sleeps])])

    jobs.time.on_sleep = write
    result = jobs.run("migrate")

    assert result.exit_code == 0 and result.ok and result.waited
    [request] = jobs.requests
    assert request["cluster"] == jobs.physical["MainCluster"]
    assert request["taskDefinition"] == jobs.physical["MigrateTaskDefinition"]
    assert request["launchType"] == "FARGATE" and request["count"] == 1
    assert request["networkConfiguration"] == {"awsvpcConfiguration": {
        "subnets": jobs.subnets, "securityGroups": [jobs.physical["WebServiceSecurityGroup"]],
        "assignPublicIp": "DISABLED"}}
    assert request["clientToken"] == request["startedBy"] == result.started_by
    assert len(request["clientToken"]) <= 64
    assert "overrides" not in request
    [task] = result.tasks
    assert task.status == "STOPPED" and task.log_group == group
    assert task.log_stream == f"migrate/migrate/{task.task_id}"
    assert result.placement.source == "WebService" and result.container == "migrate"
    lines = jobs.text.splitlines()
    printed = [line for line in lines if line.startswith(("migrating", "done"))]
    assert printed == ["migrating 0001_initial", "migrating 0002_users", "done: 2 migrations"]  # each once, in order
    assert "No service of the stack runs task migrate: running it like WebService." in jobs.text
    assert "container migrate exited with code 0" in jobs.text
    assert jobs.time.sleeps and max(jobs.time.sleeps) <= 6.0


def test_the_command_and_environment_override_the_essential_container(jobs: Jobs) -> None:
    result = jobs.run("web", command=["./manage", "check", "--deploy"], environment={"DRY_RUN": "1"})
    assert result.ok and result.container == "app" and result.placement.source == "WebService"
    expected = {"containerOverrides": [{"name": "app", "command": ["./manage", "check", "--deploy"],
                                        "environment": [{"name": "DRY_RUN", "value": "1"}]}]}
    assert jobs.requests[0]["overrides"] == expected
    described = jobs.client("ecs").describe_tasks(cluster=result.cluster, tasks=result.task_arns)["tasks"][0]
    assert described["overrides"] == expected
    assert described["startedBy"] == result.started_by


def test_a_wrong_task_name_lists_the_stacks_tasks(jobs: Jobs) -> None:
    with pytest.raises(UsageError) as caught:
        jobs.run("migrat")
    assert "stack jobs has no task 'migrat'; its tasks: migrate, web. Did you mean 'migrate'?" in str(caught.value)
    assert jobs.requests == []  # nothing was started
    with pytest.raises(UsageError, match="task web has no container 'ap'; its containers: app, proxy"):
        jobs.run("web", container="ap", command=["true"])


def test_the_logical_id_and_the_blueprint_name_both_name_a_task(jobs: Jobs) -> None:
    assert jobs.run("MigrateTaskDefinition", wait=False).task == "migrate"


def test_no_wait_returns_the_started_task(jobs: Jobs) -> None:
    result = jobs.run("migrate", wait=False)
    assert not result.waited and result.exit_code == 0
    [arn] = result.task_arns
    listed = jobs.client("ecs").list_tasks(cluster=result.cluster, startedBy=result.started_by)["taskArns"]
    assert listed == [arn]
    assert "exited with code" not in jobs.text


def test_count_starts_several_tasks_and_prefixes_nothing_without_logs(jobs: Jobs) -> None:
    result = jobs.run("migrate", count=3, logs=False)
    assert len(result.tasks) == 3 and result.exit_codes == [0, 0, 0] and result.exit_code == 0
    assert jobs.requests[0]["count"] == 3


def test_subnets_given_replace_the_network_found(jobs: Jobs) -> None:
    result = jobs.run("migrate", subnets=[jobs.subnets[1]], security_groups=["sg-0123456789abcdef0"],
                      assign_public_ip=True, wait=False)
    assert result.ok
    assert jobs.requests[0]["networkConfiguration"] == {"awsvpcConfiguration": {
        "subnets": [jobs.subnets[1]], "securityGroups": ["sg-0123456789abcdef0"], "assignPublicIp": "ENABLED"}}
    with pytest.raises(UsageError, match="which is not a subnet id"):
        jobs.run("migrate", subnets=["web-a"], wait=False)


def test_throttled_describe_tasks_is_retried(jobs: Jobs, monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.awsrequest import AWSResponse
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    attempts: list[int] = []

    class Raw:
        def stream(self, **_: Any) -> Any:
            yield json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()

    def throttle(request: Any, **_: Any) -> Any:
        attempts.append(1)
        return AWSResponse(request.url, 400, {}, Raw()) if len(attempts) <= 2 else None

    jobs.provider.client("ecs").meta.events.register("before-send.ecs.DescribeTasks", throttle)
    result = jobs.run("migrate")
    assert result.exit_code == 0 and len(attempts) > 3


def test_a_stack_that_does_not_exist(jobs: Jobs) -> None:
    from ecsstack.deploy import DeployError

    with pytest.raises(DeployError, match="stack nope does not exist"):
        run_task("nope", "migrate", provider=jobs.provider, console=jobs.console)


def test_the_command_line(jobs: Jobs) -> None:
    runner = CliRunner()
    base = ["run-task", "--stack-name", "jobs", "--endpoint-url", jobs.url, "--region", REGION]
    done = runner.invoke(main, [*base, "--task", "web", "--command", "./manage check --tag 'a b'",
                                "--env", "DRY_RUN=1", "--wait-timeout", "600"])
    assert done.exit_code == 0, done.output
    assert "container app exited with code 0" in done.stdout
    described = jobs.client("ecs").list_tasks(cluster=jobs.physical["MainCluster"])["taskArns"]
    task = jobs.client("ecs").describe_tasks(cluster=jobs.physical["MainCluster"], tasks=described)["tasks"][0]
    assert task["overrides"]["containerOverrides"][0]["command"] == ["./manage", "check", "--tag", "a b"]

    started = runner.invoke(main, [*base, "--task", "migrate", "--no-wait"])
    assert started.exit_code == 0
    assert started.stdout.strip().startswith("arn:aws:ecs:") and len(started.stdout.splitlines()) == 1
    assert "Running task migrate" in started.stderr

    wrong = runner.invoke(main, [*base, "--task", "nope"])
    assert wrong.exit_code == 2
    assert "its tasks: migrate, web" in wrong.stderr and "Traceback" not in wrong.output

    both = runner.invoke(main, [*base, "--task", "web", "--command", "a", "--command-json", '["a"]'])
    assert both.exit_code == 2 and "not both" in both.stderr
    bad = runner.invoke(main, [*base, "--task", "web", "--command-json", '"./manage migrate"'])
    assert bad.exit_code == 2 and "JSON list of strings" in bad.stderr
    as_json = runner.invoke(main, [*base, "--task", "web", "--command-json", '["sh", "-c", "echo $X"]',
                                   "--no-wait"])
    assert as_json.exit_code == 0, as_json.output


def test_a_task_that_outlasts_the_wait_keeps_running(jobs: Jobs, tasks_keep_running: None) -> None:
    result = jobs.run("migrate", wait_timeout=15)
    assert result.timed_out and result.exit_code == 124
    [arn] = result.task_arns
    task_id = arn.rsplit("/", 1)[-1]
    assert f"aws ecs stop-task --region us-east-1 --cluster {result.cluster} --task {task_id}" in jobs.text
    described = jobs.client("ecs").describe_tasks(cluster=result.cluster, tasks=[arn])["tasks"][0]
    assert described["lastStatus"] == "RUNNING" and described["desiredStatus"] == "RUNNING"


def test_ctrl_c_while_waiting_does_not_stop_the_task(jobs: Jobs, tasks_keep_running: None,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(n: int) -> None:
        if n == 3:
            raise KeyboardInterrupt

    jobs.time.on_sleep = interrupt
    with pytest.raises(DeployInterrupted) as caught:
        jobs.run("migrate")
    [arn] = jobs.client("ecs").list_tasks(cluster=jobs.physical["MainCluster"])["taskArns"]
    assert f"--task {arn.rsplit('/', 1)[-1]}" in caught.value.hint and "keeps running" in caught.value.hint
    described = jobs.client("ecs").describe_tasks(cluster=jobs.physical["MainCluster"], tasks=[arn])["tasks"][0]
    assert described["lastStatus"] == "RUNNING" and described["desiredStatus"] == "RUNNING"

    # the command line: Ctrl-C during the first wait between looks
    from ecsstack.deploy import _run

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    original = _run.open_session
    monkeypatch.setattr(_run, "open_session", lambda **kw: original(**{**kw, "sleep": interrupted}))
    result = CliRunner().invoke(main, ["run-task", "--stack-name", "jobs", "--task", "migrate", "--endpoint-url",
                                       jobs.url, "--region", REGION])
    assert result.exit_code == 130
    assert "keeps running in ECS" in result.stderr and "aws ecs stop-task" in result.stderr
