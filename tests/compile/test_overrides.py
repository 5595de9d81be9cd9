"""Overrides everywhere: every part of every builder reaches the resource it names, lists merge by the keys AWS
gives them, None removes, parts that are not generated are ECS940, and schema errors name the override."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck as Health
from hypothesis import given, settings
from hypothesis import strategies as st

from ecsstack import (
    Alarm,
    ApplicationLoadBalancer,
    Cluster,
    Deployment,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    LifecycleHook,
    LifecycleStage,
    ManagedEbsVolume,
    Metric,
    Namespace,
    NetworkLoadBalancer,
    PortMapping,
    Queue,
    Remove,
    ScalingStep,
    ScheduledTask,
    Secret,
    Service,
    ServiceConnect,
    Stack,
    ValidationError,
    Vpc,
    parts,
    synth,
)
from ecsstack.compile import build_template, compile_full
from ecsstack.compile._merge import KEYED, merge
from ecsstack.invariants import schemas
from ecsstack.model.derived import builders_of

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"


def rich() -> Stack:
    """A stack in which every builder generates every part it documents at least once."""
    stack = Stack("rich")
    vpc = Vpc("net", nat_gateways=2)
    ns = Namespace("internal", vpc=vpc)
    queue = Queue("jobs").subscribe("arn:aws:sns:us-east-1:123456789012:orders", filter_policy={"event": ["a"]})
    cluster = Cluster("main", service_connect_namespace=ns)
    cluster.add_ec2_capacity("ec2", subnets=vpc)

    web_task = FargateTaskDefinition("web", cpu=256, memory=512)
    web_task.add_container("app", image=IMAGE, ports=[PortMapping(8080, name="http")],
                           secrets={"TOKEN": Secret.ssm("/web/token")})
    web = Service("web", cluster=cluster, task=web_task, vpc=vpc,
                  service_connect=ServiceConnect(ports=["http"], client=False))
    api_task = FargateTaskDefinition("api", cpu=256, memory=512)
    api_task.add_container("app", image=IMAGE, ports=[8081])
    api = Service("api", cluster=cluster, task=api_task, vpc=vpc, service_connect=ServiceConnect())
    api.register_dns(ns)

    alb = ApplicationLoadBalancer("public", vpc=vpc)
    https = alb.listen_https(CERTIFICATE)
    https.add_target(web)
    https.add_target(api, path="/api/*")
    web.auto_scale(1, 4).on_cpu(60).on_metric(
        "depth", Metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": queue.physical_name}),
        [ScalingStep(upper=0, change=-1), ScalingStep(lower=100, change=+1)])

    legacy_task = Ec2TaskDefinition("legacy", memory=256, network_mode="bridge")
    legacy_task.add_container("app", image="legacy:1", ports=[9000])
    legacy = Service("legacy", cluster=cluster, task=legacy_task, launch_type="EC2", vpc=vpc)
    nlb = NetworkLoadBalancer("internal-nlb", vpc=vpc, internet_facing=False, allow_from=["10.0.0.0/8"])
    nlb.listen_tcp(9000).add_target(legacy)

    alarm = Alarm("deep", Metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": "jobs"}),
                  threshold=100)
    job_task = FargateTaskDefinition("job", cpu=256, memory=512)
    job_task.add_container("run", image=IMAGE)
    nightly = ScheduledTask("nightly", task=job_task, cluster=cluster, schedule="rate(1 day)", vpc=vpc)
    data_task = FargateTaskDefinition("data", cpu=256, memory=512)
    data_task.add_container("app", image=IMAGE).mount(data_task.add_ebs_volume("data"), "/data")
    data = Service("data", cluster=cluster, task=data_task, vpc=vpc,
                   volume_configurations=[ManagedEbsVolume("data", size_gib=20)])
    shop_task = FargateTaskDefinition("shop", cpu=256, memory=512)
    shop_task.add_container("app", image=IMAGE, ports=[8082])
    smoke = LifecycleHook("arn:aws:lambda:us-east-1:123456789012:function:smoke",
                          [LifecycleStage.POST_TEST_TRAFFIC_SHIFT])
    shop = Service("shop", cluster=cluster, task=shop_task, vpc=vpc,
                   deployment=Deployment.blue_green(bake_time=5, test_port=9443, hooks=[smoke]))
    https.add_target(shop, path="/shop/*")
    return stack.add(queue, web, api, legacy, alb, nlb, alarm, nightly, data, shop)


def test_every_documented_part_resolves_to_a_resource_of_its_type_and_every_resource_is_a_part() -> None:
    stack = rich()
    ctx = build_template(stack)
    resources = ctx.template.to_dict()["Resources"]
    builders = builders_of(stack)
    kinds = {type(b).__name__ for b in builders}
    assert kinds >= {"Vpc", "Namespace", "Queue", "Cluster", "Ec2Capacity", "FargateTaskDefinition",
                     "Ec2TaskDefinition", "Service", "ServiceScaling", "ApplicationLoadBalancer",
                     "NetworkLoadBalancer", "Listener", "LoadBalancerTarget", "Alarm", "ScheduledTask"}
    reached: set[str] = set()
    documented: dict[str, set[str]] = {}
    for builder in builders:
        _, generated = ctx.parts[id(builder)]
        for part, logical in generated.items():
            spec = next(p for p in type(builder).PARTS if p.name == part.partition(":")[0])
            assert resources[logical]["Type"] == spec.resource_type, (builder.path, part)
            assert bool(spec.each) == (":" in part)
            reached.add(logical)
        documented.setdefault(type(builder).__name__, set()).update(p.partition(":")[0] for p in generated)
    # every part each builder class documents is generated by some builder of that class in this stack
    for builder in builders:
        assert {p.name for p in type(builder).PARTS} <= documented[type(builder).__name__], type(builder).__name__
    # and every resource of the template is some builder's part: nothing generated is out of reach
    assert reached == set(resources)


TAG = {"Tags": [{"Key": "marker", "Value": "here"}]}


@pytest.mark.parametrize(("find", "part", "logical", "props"), [
    (lambda s: s.of_type(Vpc)[0], "PublicSubnet:2", "NetVpcPublicSubnet2", TAG),
    (lambda s: s.of_type(Vpc)[0], "NatGatewayEip:2", "NetVpcNatGateway2Eip", TAG),
    (lambda s: s.of_type(Vpc)[0], "PrivateDefaultRoute:1", "NetVpcPrivateDefaultRoute1",
     {"DestinationCidrBlock": "0.0.0.0/1"}),
    (lambda s: s.of_type(Queue)[0], "DeadLetterQueue", "JobsDeadLetterQueue", TAG),
    (lambda s: s.of_type(Queue)[0], "Subscription:orders", "JobsOrdersSubscription", {"RawMessageDelivery": False}),
    (lambda s: s.of_type(Cluster)[0], "CapacityProviderAssociations", "MainClusterCapacityProviders",
     {"CapacityProviders": ["FARGATE"]}),
    (lambda s: s.of_type(Cluster)[0].ec2_capacity[0], "LaunchTemplate", "Ec2LaunchTemplate",
     {"LaunchTemplateName": "rich-ec2"}),
    (lambda s: s.of_type(Cluster)[0].ec2_capacity[0], "InstanceRole", "Ec2InstanceRole", TAG),
    (lambda s: s.of_type(FargateTaskDefinition)[0], "TaskRole", "WebTaskRole", TAG),
    (lambda s: s.of_type(FargateTaskDefinition)[0], "ExecutionRole", "WebExecutionRole", TAG),
    (lambda s: s.of_type(FargateTaskDefinition)[0], "LogGroup", "WebLogGroup", TAG),
    (lambda s: s.of_type(Service)[0], "SecurityGroup", "WebServiceSecurityGroup", TAG),
    (lambda s: s.of_type(Service)[1], "CloudMapService", "ApiServiceDiscovery", {"Description": "api"}),
    (lambda s: s.of_type(Service)[0].scalings[0], "ScalingPolicy:cpu", "WebCpuScalingPolicy",
     {"PolicyName": "web-cpu-marker"}),
    (lambda s: s.of_type(Service)[0].scalings[0], "ScaleInAlarm:depth", "WebDepthScaleInAlarm",
     {"AlarmDescription": "marker"}),
    (lambda s: s.of_type(ApplicationLoadBalancer)[0], "Listener:80", "PublicLoadBalancerListener80",
     {"ListenerAttributes": [{"Key": "routing.http.response.server.enabled", "Value": "false"}]}),
    (lambda s: s.of_type(ApplicationLoadBalancer)[0].listeners[0], "Listener", "PublicLoadBalancerListener443",
     {"SslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"}),
    (lambda s: s.of_type(ApplicationLoadBalancer)[0].targets[1], "ListenerRule", "ApiServiceListenerRule",
     {"Priority": 7}),
    (lambda s: s.of_type(ApplicationLoadBalancer)[0].targets[0], "TargetGroup", "WebServiceTargetGroup", TAG),
])
def test_a_part_override_lands_on_its_resource(find, part, logical, props) -> None:
    stack = rich()
    before = synth(stack)["Resources"]
    find(stack).override(part, props)
    after = synth(stack)["Resources"]
    [(key, value)] = props.items()
    got = after[logical]["Properties"][key]
    assert got == value or all(entry in got for entry in value)
    # no other resource changed
    assert [name for name in after if after[name] != before[name]] == [logical]


def test_ingress_parts_reach_the_rules_opening_a_group() -> None:
    stack = rich()
    web, _, _legacy, _data, _shop = stack.of_type(Service)
    ctx = build_template(stack)
    assert "Ingress:FromPublicLoadBalancerTcp8080" in ctx.parts[id(web)][1]
    capacity = stack.of_type(Cluster)[0].ec2_capacity[0]
    assert any(p.startswith("Ingress:From") for p in ctx.parts[id(capacity)][1])
    web.override("Ingress:FromPublicLoadBalancerTcp8080", {"Description": "from the ALB"})
    resources = synth(stack)["Resources"]
    assert resources["WebServiceFromPublicLoadBalancerTcp8080"]["Properties"]["Description"] == "from the ALB"


def test_parts_lists_what_each_builder_generates() -> None:
    found = parts(rich())
    assert found["service web"]["Ingress:FromPublicLoadBalancerTcp8080"] == "WebServiceFromPublicLoadBalancerTcp8080"
    assert found["service web › scaling"]["ScaleOutPolicy:depth"] == "WebDepthScaleOutPolicy"
    assert found["load balancer public"]["Listener:80"] == "PublicLoadBalancerListener80"
    assert "ListenerRule" not in found["service web › load balancer public › listener 443"]
    assert found["service api › load balancer public › listener 443"]["ListenerRule"] == "ApiServiceListenerRule"


def test_chained_overrides_of_one_part_merge_and_main_overrides_still_apply() -> None:
    stack = rich()
    web = stack.of_type(Service)[0]
    web.overrides = {"HealthCheckGracePeriodSeconds": 90}
    assert web.override("Service", {"Tags": [{"Key": "a", "Value": "1"}]}).override(
        "Service", {"EnableExecuteCommand": True}) is web
    props = synth(stack)["Resources"]["WebService"]["Properties"]
    assert props["HealthCheckGracePeriodSeconds"] == 90 and props["EnableExecuteCommand"] is True
    assert props["Tags"] == [{"Key": "a", "Value": "1"}]


def test_ec2_capacity_overrides_still_mean_the_auto_scaling_group() -> None:
    stack = rich()
    stack.of_type(Cluster)[0].ec2_capacity[0].overrides = {"MaxSize": "9"}
    assert synth(stack)["Resources"]["Ec2AutoScalingGroup"]["Properties"]["MaxSize"] == "9"


# ---- the merge table --------------------------------------------------------------------------------------


def _merged(compiled: dict, raw: dict) -> dict:
    merge(compiled, raw)
    return compiled


@pytest.mark.parametrize(("prop", "compiled", "override", "expected"), [
    ("Tags", [{"Key": "Name", "Value": "x"}], [{"Key": "team", "Value": "t"}, {"Key": "Name", "Value": "y"}],
     [{"Key": "Name", "Value": "y"}, {"Key": "team", "Value": "t"}]),
    ("LoadBalancerAttributes", [{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"}],
     [{"Key": "idle_timeout.timeout_seconds", "Value": "120"}],
     [{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
      {"Key": "idle_timeout.timeout_seconds", "Value": "120"}]),
    ("TargetGroupAttributes", [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}],
     [{"Key": "deregistration_delay.timeout_seconds", "Value": "5"}],
     [{"Key": "deregistration_delay.timeout_seconds", "Value": "5"}]),
    ("Environment", [{"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}], [{"Name": "B", "Value": "3"}],
     [{"Name": "A", "Value": "1"}, {"Name": "B", "Value": "3"}]),
    ("Secrets", [{"Name": "T", "ValueFrom": "/a"}], [{"Name": "U", "ValueFrom": "/b"}],
     [{"Name": "T", "ValueFrom": "/a"}, {"Name": "U", "ValueFrom": "/b"}]),
    ("PortMappings", [{"ContainerPort": 80, "Protocol": "tcp", "HostPort": 80}],
     [{"ContainerPort": 80, "Name": "web"}, {"ContainerPort": 80, "Protocol": "udp"}],
     [{"ContainerPort": 80, "Protocol": "tcp", "HostPort": 80, "Name": "web"},
      {"ContainerPort": 80, "Protocol": "udp"}]),
    ("Ulimits", [{"Name": "nofile", "SoftLimit": 1, "HardLimit": 2}], [{"Name": "nofile", "SoftLimit": 2}],
     [{"Name": "nofile", "SoftLimit": 2, "HardLimit": 2}]),
    ("MountPoints", [{"ContainerPath": "/data", "SourceVolume": "d"}], [{"ContainerPath": "/data", "ReadOnly": True}],
     [{"ContainerPath": "/data", "SourceVolume": "d", "ReadOnly": True}]),
    ("Volumes", [{"Name": "d"}], [{"Name": "e"}], [{"Name": "d"}, {"Name": "e"}]),
    ("SecurityGroupIngress",
     [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "10.0.0.0/8", "Description": "a"}],
     [{"IpProtocol": "tcp", "FromPort": "80", "ToPort": "80", "CidrIp": "10.0.0.0/8", "Description": "b"}],
     [{"IpProtocol": "tcp", "FromPort": "80", "ToPort": "80", "CidrIp": "10.0.0.0/8", "Description": "b"}]),
    ("Policies", [{"PolicyName": "execution", "PolicyDocument": {"Version": "2012-10-17"}}],
     [{"PolicyName": "extra", "PolicyDocument": {}}],
     [{"PolicyName": "execution", "PolicyDocument": {"Version": "2012-10-17"}},
      {"PolicyName": "extra", "PolicyDocument": {}}]),
    ("ClusterSettings", [{"Name": "containerInsights", "Value": "disabled"}],
     [{"Name": "containerInsights", "Value": "enhanced"}], [{"Name": "containerInsights", "Value": "enhanced"}]),
    ("Command", ["a", "b"], ["c"], ["c"]),  # not keyed: replaced
    ("Subnets", ["s-1", "s-2"], ["s-3"], ["s-3"]),
])
def test_keyed_lists_merge_by_key_and_others_replace(prop, compiled, override, expected) -> None:
    assert _merged({prop: compiled}, {prop: override}) == {prop: expected}


def test_container_definitions_merge_by_name_down_to_their_environment() -> None:
    compiled = {"ContainerDefinitions": [
        {"Name": "app", "Environment": [{"Name": "A", "Value": "1"}], "DockerLabels": {"x": "1"}},
        {"Name": "side", "Image": "side:1"}]}
    merge(compiled, {"ContainerDefinitions": [{"Name": "app", "Environment": [{"Name": "B", "Value": "2"}],
                                               "DockerLabels": {"y": "2"}}]})
    app, side = compiled["ContainerDefinitions"]
    assert app["Environment"] == [{"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}]
    assert app["DockerLabels"] == {"x": "1", "y": "2"}  # a map merges key by key
    assert side == {"Name": "side", "Image": "side:1"}


def test_none_removes_a_property_and_remove_drops_a_keyed_entry() -> None:
    compiled = {"Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}], "PropagateTags": "SERVICE",
                "DeploymentConfiguration": {"MaximumPercent": 200, "MinimumHealthyPercent": 100}}
    merge(compiled, {"Tags": [Remove(Key="a")], "PropagateTags": None,
                     "DeploymentConfiguration": {"MaximumPercent": None}})
    assert compiled == {"Tags": [{"Key": "b", "Value": "2"}], "DeploymentConfiguration": {"MinimumHealthyPercent": 100}}


def test_every_keyed_property_names_its_key_fields() -> None:
    assert all(fields and all(f[0].isupper() for f in fields) for fields in KEYED.values())


def test_load_balancer_attributes_keep_the_safe_default_through_an_override() -> None:
    stack = rich()
    stack.of_type(ApplicationLoadBalancer)[0].overrides = {
        "LoadBalancerAttributes": [{"Key": "idle_timeout.timeout_seconds", "Value": "120"}]}
    attributes = synth(stack)["Resources"]["PublicLoadBalancer"]["Properties"]["LoadBalancerAttributes"]
    assert {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"} in attributes
    assert {"Key": "idle_timeout.timeout_seconds", "Value": "120"} in attributes


def test_a_container_override_merges_its_environment_by_name() -> None:
    stack = Stack("t")
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", environment={"A": "1", "B": "2"},
                       overrides={"Environment": [{"Name": "B", "Value": "3"}, Remove(Name="A")]})
    stack.add(Service("web", cluster=Cluster("main"), task=task))
    [app] = synth(stack)["Resources"]["WebTaskDefinition"]["Properties"]["ContainerDefinitions"]
    assert app["Environment"] == [{"Name": "B", "Value": "3"}]


def test_a_task_override_of_container_definitions_merges_by_name() -> None:
    stack = Stack("t")
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", environment={"A": "1"})
    task.add_container("side", image="side:1", essential=False)
    task.override("TaskDefinition", {"ContainerDefinitions": [{"Name": "side", "Environment": [
        {"Name": "MODE", "Value": "sidecar"}]}]})
    stack.add(Service("web", cluster=Cluster("main"), task=task))
    definitions = synth(stack)["Resources"]["WebTaskDefinition"]["Properties"]["ContainerDefinitions"]
    assert [c["Name"] for c in definitions] == ["app", "side"]
    assert definitions[0]["Environment"] == [{"Name": "A", "Value": "1"}]
    assert definitions[1]["Environment"] == [{"Name": "MODE", "Value": "sidecar"}]


def test_tokens_in_part_overrides_resolve() -> None:
    stack = rich()
    param = stack.parameter("Team")
    stack.of_type(Queue)[0].override("DeadLetterQueue", {"Tags": [{"Key": "team", "Value": param}]})
    template = synth(stack)
    tags = template["Resources"]["JobsDeadLetterQueue"]["Properties"]["Tags"]
    assert {"Key": "team", "Value": {"Ref": "Team"}} in tags
    assert "Team" in template["Parameters"]


# ---- parts that are not generated: ECS940 -------------------------------------------------------------------


def _absent(stack: Stack) -> list:
    with pytest.raises(ValidationError) as info:
        synth(stack)
    return [p for p in info.value.problems if p.rule == "ECS940"]


def test_a_part_the_settings_do_not_generate_is_ecs940_saying_when_it_exists() -> None:
    stack = Stack("t")
    task = FargateTaskDefinition("web", task_role="arn:aws:iam::123456789012:role/mine")
    task.add_container("app", image="app:1", ports=[8080])
    web = Service("web", cluster=Cluster("main"), task=task, security_groups=["sg-123"])
    web.override("SecurityGroup", {"Tags": []})
    task.override("TaskRole", {"Policies": []})
    web.auto_scale(1, 3).on_memory(70).override("ScalingPolicy:cpu", {"PolicyName": "x"})
    stack.add(web)
    problems = {p.path: p for p in _absent(stack)}
    assert set(problems) == {"service web", "task web", "service web › scaling"}
    assert problems["service web"].severity == "error"
    assert "'SecurityGroup'" in problems["service web"].message
    assert "for an awsvpc task without security_groups=" in problems["service web"].message
    assert "without task_role=" in problems["task web"].message
    scaling = problems["service web › scaling"]
    assert "these exist: ScalingPolicy:memory" in scaling.message and "'ScalingPolicy:memory'" in scaling.hint


def test_a_qualifier_that_names_nothing_lists_what_exists() -> None:
    stack = rich()
    stack.of_type(Vpc)[0].override("PublicSubnet:3", {"Tags": []})
    [problem] = _absent(stack)
    assert problem.path == "vpc net" and "PublicSubnet:1, PublicSubnet:2" in problem.message


def test_remove_outside_a_keyed_list_or_with_another_key_is_ecs946() -> None:
    stack = rich()
    web_task = stack.of_type(FargateTaskDefinition)[0]
    web_task.override("TaskRole", {"Tags": [Remove(Name="x")]})
    stack.of_type(Queue)[0].overrides = {"RedrivePolicy": Remove(Key="x")}
    with pytest.raises(ValidationError) as info:
        synth(stack)
    problems = sorted(info.value.problems, key=lambda p: p.path)
    assert [(p.rule, p.path) for p in problems] == [("ECS946", "queue jobs › overrides"),
                                                    ("ECS946", "task web › part TaskRole")]
    assert "RedrivePolicy" in problems[0].message
    assert "Tags entries are keyed by Key" in problems[1].message and "Remove(Key=" in problems[1].hint


# ---- schema errors name the override ------------------------------------------------------------------------


def test_a_misspelled_property_in_a_part_override_names_the_builder_and_part() -> None:
    stack = rich()
    stack.of_type(ApplicationLoadBalancer)[0].targets[0].override("TargetGroup", {"HealthCheckPth": "/ready"})
    with pytest.raises(ValidationError) as info:
        synth(stack)
    [problem] = info.value.problems
    assert problem.rule == "ECS930"
    assert problem.path == ("service web › load balancer public › listener 443 › part TargetGroup › "
                            "resource WebServiceTargetGroup")
    assert "HealthCheckPth is not a property" in problem.message and "override" in problem.hint


def test_a_wrong_type_in_a_part_override_names_the_builder_and_part() -> None:
    stack = rich()
    stack.of_type(FargateTaskDefinition)[0].override("LogGroup", {"RetentionInDays": "forever"})
    with pytest.raises(ValidationError) as info:
        synth(stack)
    [problem] = info.value.problems
    assert problem.rule == "ECS930" and problem.path == "task web › part LogGroup › resource WebLogGroup"
    assert "RetentionInDays" in problem.message


def test_a_schema_error_ecsstack_made_keeps_the_resource_path() -> None:
    stack = rich()
    web = stack.of_type(Service)[0]
    web.override("Service", {"Tags": [{"Key": "a", "Value": "1"}]})  # an override elsewhere on the resource
    compiled = compile_full(stack)
    assert [o.where for o in compiled.origins["WebService"]] == ["service web › part Service"]
    assert compiled.base["Resources"]["WebService"]["Properties"].get("Tags") is None


def test_what_an_override_opens_or_grants_is_not_an_invariant_error() -> None:
    # reachability and grants check what ecsstack compiled; the rules warn about the override (ECS941, ECS944)
    stack = rich()
    stack.of_type(Service)[0].override("SecurityGroup", {"SecurityGroupIngress": [
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "CidrIp": "0.0.0.0/0"}]})
    stack.of_type(FargateTaskDefinition)[0].override("TaskRole", {"Policies": [{
        "PolicyName": "extra", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}]})
    template = synth(stack)
    ingress = template["Resources"]["WebServiceSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert ingress == [{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "CidrIp": "0.0.0.0/0"}]
    assert {p.rule for p in stack.problems()} >= {"ECS941", "ECS944"}


# ---- any override ends in a template or in problems, never a crash ------------------------------------------

_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 70000) | st.sampled_from(["", "x", "0.0.0.0/0", "tcp", "true"])
    | st.builds(Remove, Key=st.sampled_from(["x", "Name"])),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["Key", "Value", "Name", "Enable"]),
                                                                 inner, max_size=3),
    max_leaves=8)


@settings(max_examples=int(os.environ.get("ECSSTACK_FUZZ_OVERRIDES", "40")), deadline=None,
          suppress_health_check=[Health.too_slow])
@given(st.data())
def test_any_part_override_compiles_or_is_refused_with_problems(data) -> None:
    stack = rich()
    ctx = build_template(stack)
    builders = builders_of(stack)
    builder = data.draw(st.sampled_from(builders), label="builder")
    parts = sorted(ctx.parts[id(builder)][1]) + [p.spelled.replace("<", "").replace(">", "").replace(" ", "")
                                                  for p in type(builder).PARTS]
    part = data.draw(st.sampled_from(parts), label="part")
    spec = next(p for p in type(builder).PARTS if p.name == part.partition(":")[0])
    schema = schemas.schema_for(spec.resource_type) or {}
    names = sorted(schema.get("properties", {})) or ["Tags"]
    props = data.draw(st.dictionaries(st.sampled_from([*names, "Bogus"]), _VALUES | st.builds(Remove, Key=st.just("x")),
                                      min_size=1, max_size=3), label="properties")
    try:
        builder.override(part, props)
    except ValidationError as exc:
        assert {p.rule for p in exc.problems} == {"ECS001"}
        return
    try:
        template = synth(stack)
    except ValidationError as exc:
        assert exc.problems and all(p.rule.startswith("ECS9") for p in exc.problems), exc
        return
    assert template["Resources"]


def test_realistic_part_overrides_lint_clean() -> None:
    from ecsstack.lint import lint_template

    stack = rich()
    web, api, *_ = stack.of_type(Service)
    web_task = stack.of_type(FargateTaskDefinition)[0]
    alb = stack.of_type(ApplicationLoadBalancer)[0]
    capacity = stack.of_type(Cluster)[0].ec2_capacity[0]
    alb.targets[0].override("TargetGroup", {"HealthCheckPath": "/ready", "TargetGroupAttributes": [
        {"Key": "deregistration_delay.timeout_seconds", "Value": "10"}]})
    alb.targets[1].override("ListenerRule", {"Priority": 5})
    alb.override("Listener:443", {"SslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"}).override(
        "LoadBalancer", {"LoadBalancerAttributes": [{"Key": "idle_timeout.timeout_seconds", "Value": "120"}]})
    web_task.override("LogGroup", {"RetentionInDays": 90}).override("TaskRole", {"Policies": [{
        "PolicyName": "reports", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}}]})
    capacity.override("AutoScalingGroup", {"Tags": [{"Key": "team", "Value": "shop", "PropagateAtLaunch": True}]})
    web.override("SecurityGroup", {"Tags": [{"Key": "team", "Value": "shop"}]})
    web.scalings[0].override("ScalingPolicy:cpu", {"TargetTrackingScalingPolicyConfiguration": {"TargetValue": 55}})
    api.override("CloudMapService", {"Description": "the api"})
    template = synth(stack)
    resources = template["Resources"]
    assert {t["Key"] for t in resources["Ec2AutoScalingGroup"]["Properties"]["Tags"]} == {
        "Name", "AmazonECSManaged", "team"}
    policy = resources["WebCpuScalingPolicy"]["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    assert policy["TargetValue"] == 55 and policy["PredefinedMetricSpecification"]  # merged, not replaced
    assert [p for p in stack.problems() if p.rule.startswith("ECS94")] == []
    assert [str(f) for f in lint_template(template) if f.is_error] == []


def test_found_by_the_override_fuzz_after_the_merge_of_revisions_and_overrides() -> None:
    """A wrong type in a task override is a schema problem, not a crash of the later invariants; and a service
    whose TaskDefinition an override points elsewhere is the user's choice, not ECS339's compile bug."""
    task = FargateTaskDefinition("job", cpu=256, memory=512)
    task.add_container("run", image=IMAGE)
    task.override("TaskDefinition", {"ContainerDefinitions": True})
    with pytest.raises(ValidationError) as caught:
        synth(Stack("app").add(Service("job", cluster=Cluster("main"), task=task)))
    assert {p.rule for p in caught.value.problems} == {"ECS930"}
    task = FargateTaskDefinition("job", cpu=256, memory=512)
    task.add_container("run", image=IMAGE)
    service = Service("job", cluster=Cluster("main"), task=task)
    service.override("Service", {"TaskDefinition": "job:7"})
    template = synth(Stack("app").add(service))
    assert template["Resources"]["JobService"]["Properties"]["TaskDefinition"] == "job:7"
