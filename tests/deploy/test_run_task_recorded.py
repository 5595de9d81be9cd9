"""``run_task`` on recorded ECS, CloudWatch Logs and CloudFormation answers (see fakeaws.py): the paths the
emulator cannot produce (a non-zero exit code, a task that never started, RunTask failures, Ctrl-C, a wait
that runs out, a live service's network configuration), the working out of the network from the deployed
template, and the command line's exit codes."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console

import ecsstack.deploy
from ecsstack.cli import main
from ecsstack.deploy import DeployInterrupted, Provider, UsageError, run_task
from ecsstack.deploy._run import EXIT_NOT_STARTED, EXIT_TIMED_OUT, ContainerRun, RunTaskResult, TaskRun
from ecsstack.deploy._runplan import (
    Network,
    Placement,
    Resolver,
    StackTask,
    Unresolved,
    choose_cluster,
    placement_from_template,
    runners,
    stack_tasks,
)

from .fakeaws import BASE, AwsFault, FakeTime, Recorded, make_client, stack_arn, stack_description

ACCOUNT = "123456789012"
CLUSTER = "app-MainCluster-X1"
TD = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/app-migrate:7"
WEB_TD = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/app-web:3"
SERVICE_ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/{CLUSTER}/app-WebService-Y2"
TASK_ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/{CLUSTER}/0123456789abcdef0123456789abcdef"
TASK_ID = TASK_ARN.rsplit("/", 1)[-1]
GROUP = "app-MigrateLogGroup-Z3"


def template(**extra_resources: Any) -> dict[str, Any]:
    return {
        "Parameters": {"Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"},
                       "Env": {"Type": "String", "Default": "dev"}},
        "Resources": {
            "MainCluster": {"Type": "AWS::ECS::Cluster"},
            "MigrateTaskDefinition": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                "Family": {"Fn::Sub": "${AWS::StackName}-migrate"}, "NetworkMode": "awsvpc",
                "RequiresCompatibilities": ["FARGATE"]}},
            "WebTaskDefinition": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                "Family": {"Fn::Sub": "${AWS::StackName}-web"}, "NetworkMode": "awsvpc",
                "RequiresCompatibilities": ["FARGATE"]}},
            "WebServiceSecurityGroup": {"Type": "AWS::EC2::SecurityGroup"},
            "WebService": {"Type": "AWS::ECS::Service", "Properties": {
                "Cluster": {"Ref": "MainCluster"}, "TaskDefinition": {"Ref": "WebTaskDefinition"},
                "CapacityProviderStrategy": [{"CapacityProvider": "FARGATE_SPOT", "Weight": 3},
                                             {"CapacityProvider": "FARGATE", "Base": 1, "Weight": 1}],
                "PlatformVersion": "1.4.0",
                "NetworkConfiguration": {"AwsvpcConfiguration": {
                    "AssignPublicIp": "DISABLED", "Subnets": {"Ref": "Subnets"},
                    "SecurityGroups": [{"Fn::GetAtt": ["WebServiceSecurityGroup", "GroupId"]}]}}}},
            **extra_resources,
        }}


PHYSICAL = {"MainCluster": CLUSTER, "MigrateTaskDefinition": TD, "WebTaskDefinition": WEB_TD,
            "WebServiceSecurityGroup": "sg-0aaa", "WebService": SERVICE_ARN,
            "SecondService": f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/{CLUSTER}/app-SecondService-W",
            "SecondSecurityGroup": "sg-0bbb", "NightlySchedule": "app-nightly"}


def definition(arn: str, *containers: dict[str, Any]) -> dict[str, Any]:
    return {"taskDefinition": {"taskDefinitionArn": arn, "networkMode": "awsvpc",
                               "requiresCompatibilities": ["FARGATE"], "containerDefinitions": list(containers)}}


def awslogs(name: str, essential: bool = True, group: str = GROUP) -> dict[str, Any]:
    return {"name": name, "image": "example/app:1", "essential": essential, "logConfiguration": {
        "logDriver": "awslogs", "options": {"awslogs-group": group, "awslogs-region": "us-east-1",
                                            "awslogs-stream-prefix": name}}}


def task(status: str, exit_code: int | None = None, *, reason: str = "", stop_code: str = "",
         container_reason: str = "", arn: str = TASK_ARN, name: str = "migrate") -> dict[str, Any]:
    container: dict[str, Any] = {"name": name, "lastStatus": status}
    if exit_code is not None:
        container["exitCode"] = exit_code
    if container_reason:
        container["reason"] = container_reason
    answer: dict[str, Any] = {"taskArn": arn, "lastStatus": status, "clusterArn": CLUSTER, "containers": [container]}
    if reason:
        answer["stoppedReason"] = reason
    if stop_code:
        answer["stopCode"] = stop_code
    return answer


class LogStream:
    """A CloudWatch Logs stream that does not exist until ``write`` is first called."""

    def __init__(self) -> None:
        self.lines: list[str] | None = None
        self.reads = 0

    def write(self, *lines: str) -> None:
        self.lines = [*(self.lines or []), *lines]

    def __call__(self, params: dict[str, Any]) -> Any:
        self.reads += 1
        assert params["logGroupName"] == GROUP and params["startFromHead"] is True
        if self.lines is None:
            return AwsFault("ResourceNotFoundException", "The specified log stream does not exist.")
        start = int(params.get("nextToken", "f/0").split("/")[1])
        events = [{"timestamp": 1, "message": m, "ingestionTime": 2} for m in self.lines[start: start + 2]]
        return {"events": events, "nextForwardToken": f"f/{start + len(events)}", "nextBackwardToken": "b/0"}


class World:
    def __init__(self, tpl: dict[str, Any] | None = None, *, live: dict[str, Any] | None = None,
                 subnets: str = "subnet-0a,subnet-0b"):
        self.time = FakeTime()
        self.cfn, self.ecs, self.logs = (Recorded(make_client(s)) for s in ("cloudformation", "ecs", "logs"))
        tpl = tpl or template()
        self.cfn.add("describe_stacks", stack_description("app", "UPDATE_COMPLETE", Parameters=[
            {"ParameterKey": "Subnets", "ParameterValue": subnets},
            {"ParameterKey": "Env", "ParameterValue": "dev"}]), sticky=True)
        self.cfn.add("get_template", {"TemplateBody": json.dumps(tpl)}, sticky=True)
        self.cfn.add("list_stack_resources", {"StackResourceSummaries": [
            {"LogicalResourceId": lid, "PhysicalResourceId": PHYSICAL.get(lid, ""), "ResourceType": r["Type"],
             "LastUpdatedTimestamp": BASE, "ResourceStatus": "UPDATE_COMPLETE"}
            for lid, r in tpl["Resources"].items()]}, sticky=True)
        self.definitions = {TD: definition(TD, awslogs("migrate")),
                            WEB_TD: definition(WEB_TD, awslogs("app"), awslogs("proxy", essential=False))}
        self.ecs.add("describe_task_definition", lambda p: self.definitions[p["taskDefinition"]], sticky=True)
        self.ecs.add("describe_services", lambda p: {"services": [live or {"serviceArn": p["services"][0]}]},
                     sticky=True)
        self.stream = LogStream()
        self.logs.add("get_log_events", self.stream, sticky=True)
        self.buffer = io.StringIO()
        self.console = Console(file=self.buffer, width=300, highlight=False, soft_wrap=True)
        self.provider = Provider(clients={"cloudformation": self.cfn.client, "ecs": self.ecs.client,
                                          "logs": self.logs.client})

    def tasks(self, *states: dict[str, Any], sticky: bool = True) -> None:
        self.ecs.add("run_task", {"tasks": [task("PROVISIONING")], "failures": []})
        self.ecs.add("describe_tasks", *({"tasks": [s], "failures": []} for s in states), sticky=sticky)

    def run(self, name: str = "migrate", **kw: Any) -> RunTaskResult:
        return run_task("app", name, provider=self.provider, console=self.console, sleep=self.time.sleep,
                        clock=self.time.clock, **kw)

    @property
    def request(self) -> dict[str, Any]:
        [params] = self.ecs.params("run_task")
        return params

    @property
    def text(self) -> str:
        return self.buffer.getvalue()


def test_a_non_zero_exit_code_is_the_result_and_the_stream_is_read_once_it_exists() -> None:
    world = World()
    world.tasks(task("PENDING"), task("RUNNING"), task("RUNNING"),
                task("STOPPED", 3, reason="Essential container in task exited", stop_code="EssentialContainerExited"))
    world.time.on_sleep = lambda n: {2: lambda: world.stream.write("applying 0003", "error: column exists"),
                                     3: lambda: world.stream.write("rolled back")}.get(n, lambda: None)()

    result = world.run()

    assert result.exit_code == 3 and not result.ok and result.exit_codes == [3]
    printed = [line for line in world.text.splitlines() if line.startswith(("applying", "error:", "rolled"))]
    assert printed == ["applying 0003", "error: column exists", "rolled back"]
    assert "task 0123456789abcdef0123456789abcdef: container migrate exited with code 3 (Essential container in " \
           "task exited)" in world.text
    assert world.time.sleeps == [2.0, 3.0, 4.5]  # the run's own rhythm: from 2 s, backing off to 6 s


def test_a_task_that_never_started_shows_why_and_exits_125() -> None:
    world = World()
    world.tasks(task("PENDING"), task("STOPPED", reason="CannotPullContainerError: pull image manifest has been "
                                      "retried 5 time(s): example/app:1 not found", stop_code="TaskFailedToStart",
                                      container_reason="CannotPullContainerError: example/app:1 not found"))
    result = world.run()
    assert result.exit_code == EXIT_NOT_STARTED == 125 and result.exit_codes == [None]
    assert result.tasks[0].stopped_reason.startswith("CannotPullContainerError")
    assert "stopped before container migrate ran" in world.text
    assert "CannotPullContainerError: pull image manifest" in world.text
    assert "container migrate: CannotPullContainerError: example/app:1 not found" in world.text


def test_run_task_failures_are_shown_and_exit_125() -> None:
    world = World()
    world.ecs.add("run_task", {"tasks": [], "failures": [
        {"arn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/{CLUSTER}", "reason": "Capacity is unavailable at this time. "
         "Please try again later or in a different availability zone"}]})
    result = world.run()
    assert result.exit_code == EXIT_NOT_STARTED and result.tasks == [] and result.failures
    assert "ECS could not start the task: Capacity is unavailable at this time" in world.text
    assert world.ecs.count("describe_tasks") == 0


def test_ctrl_c_while_waiting_leaves_the_task_running_and_says_how_to_stop_it() -> None:
    world = World()
    world.tasks(task("RUNNING"))

    def interrupt(n: int) -> None:
        if n == 2:
            raise KeyboardInterrupt

    world.time.on_sleep = interrupt
    with pytest.raises(DeployInterrupted) as caught:
        world.run()
    hint = caught.value.hint
    assert "keeps running in ECS" in hint
    assert f"aws ecs stop-task --region us-east-1 --cluster {CLUSTER} --task {TASK_ID}" in hint
    assert f"aws logs tail {GROUP} --region us-east-1 --follow --log-stream-names migrate/migrate/{TASK_ID}" in hint
    assert world.ecs.count("stop_task") == 0  # never stopped behind the user's back


def test_a_wait_that_runs_out_exits_124_and_the_task_keeps_running() -> None:
    world = World()
    world.tasks(task("RUNNING"))
    result = world.run(wait_timeout=10)
    assert result.timed_out and result.exit_code == EXIT_TIMED_OUT == 124
    assert "still running after 10 s" in world.text and "aws ecs stop-task" in world.text
    assert sum(world.time.sleeps) >= 10


def test_the_template_gives_the_network_and_capacity_strategy_of_the_service() -> None:
    world = World()  # the live service reports no network configuration (as the emulator)
    world.tasks(task("STOPPED", 0, name="app"))
    result = world.run("web")
    assert result.ok and result.container == "app"
    assert world.request == {
        "cluster": CLUSTER, "taskDefinition": WEB_TD, "count": 1, "startedBy": result.started_by,
        "clientToken": result.started_by,
        "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 3},
                                     {"capacityProvider": "FARGATE", "weight": 1, "base": 1}],
        "platformVersion": "1.4.0",
        "networkConfiguration": {"awsvpcConfiguration": {
            "subnets": ["subnet-0a", "subnet-0b"], "securityGroups": ["sg-0aaa"], "assignPublicIp": "DISABLED"}}}
    assert "FARGATE_SPOT, FARGATE" in world.text


def test_what_ecs_reports_for_the_service_wins_over_the_template() -> None:
    live = {"serviceArn": SERVICE_ARN, "clusterArn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/{CLUSTER}",
            "launchType": "FARGATE", "platformVersion": "LATEST", "networkConfiguration": {"awsvpcConfiguration": {
                "subnets": ["subnet-0live"], "securityGroups": ["sg-0live"], "assignPublicIp": "ENABLED"}}}
    world = World(live=live)
    world.tasks(task("STOPPED", 0))
    world.run("web")
    request = world.request
    assert request["cluster"] == live["clusterArn"] and request["launchType"] == "FARGATE"
    assert request["networkConfiguration"] == {"awsvpcConfiguration": {
        "subnets": ["subnet-0live"], "securityGroups": ["sg-0live"], "assignPublicIp": "ENABLED"}}
    assert "capacityProviderStrategy" not in request
    [described] = world.ecs.params("describe_services")
    assert described == {"cluster": CLUSTER, "services": [SERVICE_ARN]}


def test_reading_the_logs_denied_warns_once_and_the_run_goes_on() -> None:
    world = World()
    world.logs.queues.clear()
    world.logs.sticky.clear()
    world.logs.add("get_log_events", AwsFault("AccessDeniedException", "not allowed: logs:GetLogEvents"))
    world.tasks(task("RUNNING"), task("RUNNING"), task("STOPPED", 0))
    result = world.run()
    assert result.ok
    assert world.text.count("stopped following the logs of task") == 1
    assert "AccessDeniedException" in world.text and world.logs.count("get_log_events") == 1


def test_logs_false_only_waits() -> None:
    world = World()
    world.tasks(task("RUNNING"), task("STOPPED", 0))
    assert world.run(logs=False).ok and world.logs.count("get_log_events") == 0


def test_a_container_without_awslogs_is_not_streamed_and_says_why() -> None:
    world = World()
    world.definitions[TD] = definition(TD, {"name": "migrate", "image": "x", "essential": True, "logConfiguration": {
        "logDriver": "awsfirelens", "options": {}}})
    world.tasks(task("STOPPED", 0))
    result = world.run()
    assert result.ok and result.tasks[0].log_stream is None
    assert "The logs of container migrate are not streamed: it logs with awsfirelens, not awslogs." in world.text


def test_several_essential_containers_need_container_for_a_command() -> None:
    world = World()
    world.definitions[WEB_TD] = definition(WEB_TD, awslogs("app"), awslogs("worker"))
    with pytest.raises(UsageError, match=r"task web has 2 essential containers \(app, worker\): which one is the "
                                         r"command for\? Name it with --container"):
        world.run("web", command=["true"])
    world.tasks(task("STOPPED", 0))
    assert world.run("web", wait=False).container == "app"
    assert "Following container app (task web has 2 essential containers: app, worker; --container chooses)" \
        in world.text


def two_services(second_subnets: Any) -> dict[str, Any]:
    second = template()["Resources"]["WebService"]
    second = json.loads(json.dumps(second).replace("WebServiceSecurityGroup", "SecondSecurityGroup"))
    second["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"] = second_subnets
    return template(SecondService=second, SecondSecurityGroup={"Type": "AWS::EC2::SecurityGroup"})


def test_a_task_no_service_runs_needs_a_choice_when_the_services_differ() -> None:
    world = World(two_services(["subnet-0c"]))
    with pytest.raises(UsageError) as caught:
        world.run()
    assert "no service of stack app runs task migrate, and its services run their tasks differently " \
           "(SecondService, WebService)" in str(caught.value)
    assert "--network-from SERVICE" in str(caught.value)
    world.tasks(task("STOPPED", 0))
    world.run(network_from="second")  # the blueprint name of SecondService
    assert world.request["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == ["subnet-0c"]
    assert world.request["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"] == ["sg-0bbb"]
    with pytest.raises(UsageError, match="stack app has no service 'third'"):
        world.run(network_from="third")


def test_a_value_the_template_cannot_give_asks_for_the_subnets() -> None:
    world = World(two_services({"Fn::If": ["Prod", ["subnet-p"], ["subnet-d"]]}))
    with pytest.raises(UsageError) as caught:
        world.run(network_from="second")
    assert "cannot work out how SecondService of stack app runs its tasks from the deployed template " \
           "(Fn::If" in str(caught.value)
    assert "Pass --subnet and --security-group" in str(caught.value)


def test_a_parameter_value_that_is_no_subnet_id_is_refused_with_where_it_came_from() -> None:
    world = World(subnets="['subnet-0a', 'subnet-0b']")
    with pytest.raises(UsageError, match="the network configuration from WebService gives subnet \"\\['subnet-0a'\""):
        world.run("web")
    assert world.ecs.count("run_task") == 0


def test_an_awsvpc_task_in_a_stack_without_services_needs_subnets() -> None:
    tpl = template()
    del tpl["Resources"]["WebService"]
    world = World(tpl)
    with pytest.raises(UsageError, match="uses awsvpc networking and the stack has no service that runs it"):
        world.run()
    world.tasks(task("STOPPED", 0))
    assert world.run(subnets=["subnet-0z"]).ok
    assert world.request["launchType"] == "FARGATE"  # a Fargate-only task
    assert world.request["networkConfiguration"]["awsvpcConfiguration"] == {"subnets": ["subnet-0z"],
                                                                            "assignPublicIp": "DISABLED"}


def test_arguments_are_checked_before_any_call() -> None:
    world = World()
    with pytest.raises(UsageError, match=r"Write command=\['./manage', 'migrate'\]"):
        world.run(command="./manage migrate")
    with pytest.raises(UsageError, match="count 11: expected 1 to 10"):
        world.run(count=11)
    with pytest.raises(UsageError, match="security groups and a public IP need subnets too"):
        world.run(security_groups=["sg-1"])
    assert world.ecs.calls == [] and world.cfn.calls == []


def test_the_exit_code_rules() -> None:
    def result(*codes: int | None, **kw: Any) -> RunTaskResult:
        tasks = [TaskRun(f"arn:t/{i}", "STOPPED", containers=[ContainerRun("c", "STOPPED", code)])
                 for i, code in enumerate(codes)]
        return RunTaskResult("s", "t", "td", "c", "c", Placement(), tasks, waited=True, **kw)

    assert result(0, 0).exit_code == 0
    assert result(0, 2, 3).exit_code == 2
    assert result(0, None).exit_code == EXIT_NOT_STARTED
    assert result(-1).exit_code == 1 and result(300).exit_code == 1
    assert result(0, failures=[{"arn": "", "reason": "x", "detail": ""}]).exit_code == EXIT_NOT_STARTED
    assert result(None, timed_out=True).exit_code == EXIT_TIMED_OUT
    assert RunTaskResult("s", "t", "td", "c", "c", Placement(), [TaskRun("a")]).exit_code == 0  # not waited


# -- the template, worked out ---------------------------------------------------------------------------------
def resolver(tpl: dict[str, Any] | None = None, **params: str) -> Resolver:
    return Resolver(tpl or template(), {"Subnets": "subnet-0a, subnet-0b", "Env": "dev", **params}, PHYSICAL,
                    {"AWS::Region": "us-east-1", "AWS::StackName": "app"},
                    lambda name: {"net-PrivateSubnets": "subnet-1,subnet-2"}.get(name))


def test_the_resolver_knows_the_intrinsics_a_network_configuration_uses() -> None:
    r = resolver()
    assert r.value({"Ref": "Subnets"}) == ["subnet-0a", "subnet-0b"]
    assert r.value([{"Ref": "AWS::NoValue"}, {"Fn::GetAtt": "WebServiceSecurityGroup.GroupId"}]) == ["sg-0aaa"]
    assert r.value({"Fn::Select": [1, {"Ref": "Subnets"}]}) == "subnet-0b"
    assert r.value({"Fn::Split": [",", {"Fn::ImportValue": "net-PrivateSubnets"}]}) == ["subnet-1", "subnet-2"]
    assert r.value({"Fn::Join": ["-", ["a", {"Ref": "Env"}]]}) == "a-dev"
    assert r.value({"Fn::Sub": "${AWS::StackName}-${Env}-${!Literal}"}) == "app-dev-${Literal}"
    assert r.value({"Fn::Sub": ["${X}-sg", {"X": {"Ref": "WebServiceSecurityGroup"}}]}) == "sg-0aaa-sg"
    assert r.value({"Ref": "MainCluster"}) == CLUSTER
    for unknown in ({"Fn::If": ["C", "a", "b"]}, {"Fn::ImportValue": "missing"}, {"Ref": "Nope"},
                    {"Fn::GetAtt": ["WebService", "Name"]}):
        with pytest.raises(Unresolved):
            r.value(unknown)


def test_ssm_typed_and_comma_delimited_parameters_are_lists() -> None:
    tpl = {"Parameters": {"A": {"Type": "AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>"},
                          "B": {"Type": "CommaDelimitedList"}}, "Resources": {}}
    r = Resolver(tpl, {"A": "subnet-1,subnet-2", "B": "x, y"}, {})
    assert r.value({"Ref": "A"}) == ["subnet-1", "subnet-2"] and r.value({"Ref": "B"}) == ["x", "y"]


def test_task_names_come_from_the_family_or_the_logical_id() -> None:
    tpl = {"Resources": {
        "WebTaskDefinition": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
            "Family": {"Fn::Sub": "${AWS::StackName}-web-api"}}},
        "BatchTaskDefinition": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"Family": "nightly-batch"}},
        "Odd": {"Type": "AWS::ECS::TaskDefinition", "Properties": {}}}}
    assert [(t.name, t.logical_id) for t in stack_tasks(tpl, {})] == [
        ("web-api", "WebTaskDefinition"), ("nightly-batch", "BatchTaskDefinition"), ("Odd", "Odd")]


def test_schedules_and_event_rules_that_run_the_task_are_found_and_read() -> None:
    schedule = {"Type": "AWS::Scheduler::Schedule", "Properties": {"Target": {
        "Arn": {"Fn::GetAtt": ["MainCluster", "Arn"]}, "EcsParameters": {
            "TaskDefinitionArn": {"Ref": "MigrateTaskDefinition"}, "LaunchType": "FARGATE",
            "NetworkConfiguration": {"AwsvpcConfiguration": {"Subnets": {"Ref": "Subnets"},
                                                             "AssignPublicIp": "ENABLED"}}}}}}
    rule = {"Type": "AWS::Events::Rule", "Properties": {"Targets": [{
        "Arn": "arn:aws:ecs:us-east-1:1:cluster/other", "EcsParameters": {
            "TaskDefinitionArn": {"Ref": "MigrateTaskDefinition"},
            "NetworkConfiguration": {"AwsVpcConfiguration": {"Subnets": ["subnet-r"]}}}}]}}
    tpl = template(NightlySchedule=schedule, HourlyRule=rule)
    migrate = StackTask("migrate", "MigrateTaskDefinition", TD)
    assert runners(tpl, migrate) == [("NightlySchedule", "AWS::Scheduler::Schedule"),
                                     ("HourlyRule", "AWS::Events::Rule")]
    placed = placement_from_template("NightlySchedule", resolver(tpl))
    assert placed == Placement("NightlySchedule", CLUSTER, Network(("subnet-0a", "subnet-0b"), (), True), "FARGATE")
    assert placement_from_template("HourlyRule", resolver(tpl)).network == Network(("subnet-r",))


def test_the_cluster_is_chosen_or_asked_for() -> None:
    tpl = {"Resources": {"MainCluster": {"Type": "AWS::ECS::Cluster"}, "BatchCluster": {"Type": "AWS::ECS::Cluster"}}}
    physical = {"MainCluster": "app-Main-1", "BatchCluster": "app-Batch-2"}
    with pytest.raises(UsageError, match=r"stack app has 2 clusters \(Main, Batch\).*--cluster NAME"):
        choose_cluster(tpl, physical, None, None, "app")
    assert choose_cluster(tpl, physical, "batch", None, "app") == "app-Batch-2"
    assert choose_cluster(tpl, physical, "app-Main-1", None, "app") == "app-Main-1"
    assert choose_cluster(tpl, physical, "elsewhere", None, "app") == "elsewhere"
    assert choose_cluster(tpl, physical, None, "from-the-service", "app") == "from-the-service"
    with pytest.raises(UsageError, match="has no ECS cluster"):
        choose_cluster({"Resources": {}}, {}, None, None, "app")


# -- the command line ---------------------------------------------------------------------------------------
def fake_result(code: int | None, **kw: Any) -> RunTaskResult:
    return RunTaskResult("app", "migrate", TD, CLUSTER, "migrate", Placement(),
                         [TaskRun(TASK_ARN, "STOPPED", containers=[ContainerRun("migrate", "STOPPED", code)])],
                         waited=True, **kw)


@pytest.mark.parametrize(("code", "expected"), [(0, 0), (3, 3), (None, 125)])
def test_the_command_exits_with_the_containers_exit_code(monkeypatch: pytest.MonkeyPatch, code: int | None,
                                                          expected: int) -> None:
    seen: dict[str, Any] = {}

    def fake(stack_name: str, name: str, **kw: Any) -> RunTaskResult:
        seen.update(kw, stack_name=stack_name, task=name)
        return fake_result(code)

    monkeypatch.setattr(ecsstack.deploy, "run_task", fake)
    result = CliRunner().invoke(main, ["run-task", "--stack-name", "app", "--task", "migrate", "--command",
                                       "./manage migrate --fake 'x y'", "--env", "A=1", "--env", "B=", "--count",
                                       "2", "--container", "migrate", "--subnet", "subnet-1", "--security-group",
                                       "sg-1", "--assign-public-ip", "--cluster", "main", "--network-from", "web"])
    assert result.exit_code == expected
    assert seen["command"] == ["./manage", "migrate", "--fake", "x y"]
    assert seen["environment"] == {"A": "1", "B": ""} and seen["count"] == 2 and seen["container"] == "migrate"
    assert seen["subnets"] == ["subnet-1"] and seen["security_groups"] == ["sg-1"] and seen["assign_public_ip"]
    assert seen["cluster"] == "main" and seen["network_from"] == "web" and seen["wait"] is True


def test_ctrl_c_on_the_command_line_exits_130_with_the_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_: Any, **__: Any) -> RunTaskResult:
        raise DeployInterrupted("app", "Interrupted; the task keeps running in ECS. Stop: `aws ecs stop-task ...`.")

    monkeypatch.setattr(ecsstack.deploy, "run_task", interrupted)
    result = CliRunner().invoke(main, ["run-task", "--stack-name", "app", "--task", "migrate"])
    assert result.exit_code == 130 and "aws ecs stop-task" in result.stderr


def test_a_bad_env_pair_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ecsstack.deploy, "run_task", lambda *a, **k: fake_result(0))
    result = CliRunner().invoke(main, ["run-task", "--stack-name", "app", "--task", "migrate", "--env", "NOPE"])
    assert result.exit_code == 2 and "expected KEY=VALUE" in result.stderr


def test_the_stack_arn_gives_the_account_to_the_template() -> None:
    from ecsstack.deploy._run import _pseudo

    values = _pseudo(stack_arn("app"), "app", "us-east-1")
    assert values["AWS::AccountId"] == ACCOUNT and values["AWS::Partition"] == "aws"


def test_an_ec2_service_gives_its_capacity_provider_and_placement() -> None:
    tpl = template()
    props = tpl["Resources"]["WebService"]["Properties"]
    del props["NetworkConfiguration"], props["PlatformVersion"]
    props["CapacityProviderStrategy"] = [{"CapacityProvider": {"Ref": "Ec2CapacityProvider"}, "Weight": 1}]
    props["PlacementStrategies"] = [{"Type": "spread", "Field": "attribute:ecs.availability-zone"},
                                    {"Type": "binpack", "Field": "memory"}]
    props["PlacementConstraints"] = [{"Type": "distinctInstance"}]
    tpl["Resources"]["WebTaskDefinition"]["Properties"].update(NetworkMode="bridge", RequiresCompatibilities=["EC2"])
    tpl["Resources"]["Ec2CapacityProvider"] = {"Type": "AWS::ECS::CapacityProvider"}
    PHYSICAL["Ec2CapacityProvider"] = "app-Ec2CapacityProvider-Q"
    try:
        world = World(tpl)
        world.definitions[WEB_TD]["taskDefinition"]["networkMode"] = "bridge"
        world.tasks(task("STOPPED", 0, name="app"))
        assert world.run("web").ok
    finally:
        del PHYSICAL["Ec2CapacityProvider"]
    request = world.request
    assert request["capacityProviderStrategy"] == [{"capacityProvider": "app-Ec2CapacityProvider-Q", "weight": 1}]
    assert request["placementStrategy"] == [{"type": "spread", "field": "attribute:ecs.availability-zone"},
                                            {"type": "binpack", "field": "memory"}]
    assert request["placementConstraints"] == [{"type": "distinctInstance"}]
    assert "networkConfiguration" not in request and "launchType" not in request


def test_a_lost_connection_while_waiting_says_the_task_keeps_running() -> None:
    from ecsstack.deploy import DeployError

    world = World()
    world.ecs.add("run_task", {"tasks": [task("PROVISIONING")], "failures": []})
    world.ecs.add("describe_tasks", {"tasks": [task("RUNNING")], "failures": []},
                  AwsFault("ServerException", "Service unavailable", 500))
    with pytest.raises(DeployError) as caught:
        world.run()
    message = str(caught.value)
    assert message.startswith("describing the task failed: ServerException: Service unavailable. Stopped waiting.")
    assert f"aws ecs stop-task --region us-east-1 --cluster {CLUSTER} --task {TASK_ID}" in message
    assert "--no-wait" not in message and "\n" not in message


def test_a_stack_in_progress_is_said_and_its_current_task_definition_run() -> None:
    world = World()
    world.cfn.sticky.pop(world.cfn._op("describe_stacks"))
    world.cfn.add("describe_stacks", stack_description("app", "UPDATE_IN_PROGRESS"), sticky=True)
    world.tasks(task("STOPPED", 0))
    assert world.run(subnets=["subnet-0a"]).ok
    assert "stack app is UPDATE_IN_PROGRESS: running the task definition it has now." in world.text
    assert world.request["taskDefinition"] == TD


def test_no_wait_names_the_log_stream() -> None:
    world = World()
    world.ecs.add("run_task", {"tasks": [task("PROVISIONING")], "failures": []})
    result = world.run(wait=False)
    assert result.tasks[0].log_stream == f"migrate/migrate/{TASK_ID}" and world.ecs.count("describe_tasks") == 0
    assert f"(logs: {GROUP} migrate/migrate/{TASK_ID})" in world.text


def test_subnets_imported_from_another_stack_are_looked_up_once() -> None:
    tpl = template()
    config = tpl["Resources"]["WebService"]["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
    config["Subnets"] = {"Fn::Split": [",", {"Fn::ImportValue": "net-PrivateSubnets"}]}
    config["SecurityGroups"] = [{"Fn::ImportValue": "net-AppGroup"}]
    world = World(tpl)
    world.cfn.add("list_exports", {"Exports": [{"ExportingStackId": stack_arn("net"), "Name": "net-AppGroup",
                                                "Value": "sg-0net"}], "NextToken": "2"},
                  {"Exports": [{"ExportingStackId": stack_arn("net"), "Name": "net-PrivateSubnets",
                                "Value": "subnet-0p1,subnet-0p2"}]})
    world.tasks(task("STOPPED", 0, name="app"))
    assert world.run("web").ok
    assert world.request["networkConfiguration"]["awsvpcConfiguration"] == {
        "subnets": ["subnet-0p1", "subnet-0p2"], "securityGroups": ["sg-0net"], "assignPublicIp": "DISABLED"}
    assert world.cfn.count("list_exports") == 2  # both pages, once
