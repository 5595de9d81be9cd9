"""Auto-split into nested stacks past CloudFormation's quotas, and apps of several stacks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecsstack import (
    App,
    ApplicationLoadBalancer,
    Attr,
    Cluster,
    FargateTaskDefinition,
    Nesting,
    Service,
    Stack,
    ValidationError,
    Vpc,
    assemble,
)
from ecsstack.compile._nesting import bucket_of


def _service(name: str, cluster: Cluster, **kwargs: Any) -> Service:
    task = FargateTaskDefinition(name, cpu=256, memory=512)
    task.add_container("app", image="app:1", ports=[8080])
    return Service(name, cluster=cluster, task=task, **kwargs)


def _shop(names: list[str], **nesting: Any) -> Stack:
    """Services behind one shared ALB (path rules), each scaled on CPU, in one VPC and cluster."""
    stack = Stack("shop", nesting=Nesting(**nesting))
    vpc = Vpc("main")
    cluster = Cluster("main")
    listener = ApplicationLoadBalancer("public", vpc=vpc).listen_http()
    for i, name in enumerate(names):
        service = _service(name, cluster, vpc=vpc)
        service.auto_scale(min_tasks=1, max_tasks=4).on_cpu(60)
        listener.add_target(service, path=f"/{name}/*", priority=i + 1)
        stack.add(service)
    stack.output("Url", Attr(listener.load_balancer, "DNSName"))
    return stack


NAMES = [f"svc{i}" for i in range(12)]


def _texts(stack: Stack) -> list[tuple[str, str]]:
    return assemble(stack).files()


def test_a_stack_past_the_threshold_splits_into_whole_services_within_quota() -> None:
    stack = _shop(NAMES, max_resources=60, buckets=8)
    assembly = assemble(stack)
    assert assembly.children, "60 resources are not enough for 12 services: it splits"
    root = assembly.template
    assert len(root["Resources"]) <= 60 and all(len(c["Resources"]) <= 60 for c in assembly.children.values())
    # shared things stay in the root: VPC, cluster, load balancer, listener
    for shared in ("MainVpc", "MainCluster", "PublicLoadBalancer", "PublicLoadBalancerListener80"):
        assert shared in root["Resources"]
    # every service is whole in its child: service, task definition, roles, log group, target group, rule, scaling
    for name in NAMES:
        child = assembly.placement[name]
        assert child == f"Services{bucket_of(name, 8):02d}"
        here = assembly.children[child]["Resources"]
        stem = name.capitalize()
        for suffix in ("Service", "TaskDefinition", "LogGroup", "ExecutionRole", "TaskRole", "ServiceTargetGroup",
                       "ServiceListenerRule", "ScalableTarget", "CpuScalingPolicy", "ServiceSecurityGroup",
                       "FromPublicLoadBalancerTcp8080"):
            found = [k for k in here if k.startswith(stem) and k.endswith(suffix)]
            assert found, f"{name}: no {suffix} in {child}"
    # the root wires the shared things in as parameters, by name, and passes the root's stack name
    nested = root["Resources"][assembly.placement["svc0"]]
    assert nested["Type"] == "AWS::CloudFormation::Stack"
    assert nested["Properties"]["TemplateURL"] == f"shop/{assembly.placement['svc0']}.json"
    params = nested["Properties"]["Parameters"]
    assert params["MainCluster"] == {"Ref": "MainCluster"}
    assert params["PublicLoadBalancerListener80"] == {"Ref": "PublicLoadBalancerListener80"}
    assert params["RootStackName"] == {"Ref": "AWS::StackName"}
    # a child names things from the root's stack name, as the unsplit stack does
    child = assembly.children[assembly.placement["svc0"]]
    assert child["Resources"]["Svc0TaskDefinition"]["Properties"]["Family"] == {"Fn::Sub": "${RootStackName}-svc0"}
    assert "Fn::Sub" in json.dumps(child["Resources"]) and "AWS::StackName" not in json.dumps(child)


def test_the_unsplit_stack_is_what_the_split_deploys() -> None:
    """Same resources, the same properties up to the wiring: nothing is lost or made twice."""
    split = assemble(_shop(NAMES, max_resources=60, buckets=8))
    one = assemble(_shop(NAMES))
    assert not one.children
    kept = {k for doc in [split.template, *split.children.values()] for k in doc["Resources"]} - set(split.children)
    assert kept == set(one.template["Resources"])
    assert sum(len(d["Resources"]) for d in split.children.values()) + len(split.template["Resources"]) \
        == len(one.template["Resources"]) + len(split.children)


def test_the_split_is_deterministic_and_stable_under_insertion_and_removal() -> None:
    before = assemble(_shop(NAMES, max_resources=60, buckets=8))
    assert _texts(_shop(NAMES, max_resources=60, buckets=8)) == before.files()
    grown = assemble(_shop([*NAMES, "newcomer"], max_resources=60, buckets=8))
    assert {k: v for k, v in grown.placement.items() if k != "newcomer"} == before.placement
    shrunk = assemble(_shop([n for n in NAMES if n != "svc3"], max_resources=60, buckets=8))
    assert shrunk.placement == {k: v for k, v in before.placement.items() if k != "svc3"}
    # a child that nothing changed keeps its bytes
    untouched = set(before.children) - {grown.placement["newcomer"]}
    for child in untouched:
        assert json.dumps(grown.children[child], sort_keys=True) == json.dumps(before.children[child], sort_keys=True)


def test_always_splits_below_the_quota_and_synth_asks_for_assemble() -> None:
    stack = _shop(["a", "b"], always=True)
    assembly = assemble(stack)
    assert set(assembly.placement) == {"a", "b"}
    with pytest.raises(ValidationError) as info:
        stack.to_dict()
    assert [p.rule for p in info.value.problems] == ["ECS956"]


def test_stack_outputs_stay_in_the_root_read_from_children() -> None:
    stack = _shop(["a"], always=True)
    stack.output("ServiceName", Attr(stack.of_type(Service)[0], "Name"))
    assembly = assemble(stack)
    child = assembly.placement["a"]
    assert assembly.template["Outputs"]["ServiceName"]["Value"] == {"Fn::GetAtt": [child, "Outputs.AServiceName"]}
    assert assembly.children[child]["Outputs"]["AServiceName"] == {"Value": {"Fn::GetAtt": ["AService", "Name"]}}


def test_a_bucket_too_full_names_its_services_and_the_fix() -> None:
    with pytest.raises(ValidationError) as info:
        assemble(_shop(NAMES, max_resources=60, buckets=2))
    problems = info.value.problems
    assert problems and all(p.rule == "ECS901" for p in problems)
    assert "nested stack Services0" in problems[0].path and "Nesting(buckets=)" in problems[0].hint


def test_one_service_bigger_than_a_template_cannot_be_split() -> None:
    stack = Stack("big", nesting=Nesting(max_resources=20))
    cluster = Cluster("main")
    service = _service("fat", cluster)
    scaling = service.auto_scale(min_tasks=1, max_tasks=4)
    for i in range(12):
        scaling.on_schedule(f"s{i}", f"cron(0 {i} * * ? *)", min_tasks=1, max_tasks=2)
        scaling.on_cpu(50 + i) if i == 0 else None
    stack.add(service)
    for i in range(25):
        stack.add(_service(f"other{i}", cluster))
    with pytest.raises(ValidationError) as info:
        assemble(stack)
    assert any(p.rule == "ECS901" for p in info.value.problems)


def test_nesting_settings_are_checked() -> None:
    stack = _shop(["a"], max_resources=600)
    assert "ECS955" in {p.rule for p in stack.problems()}
    with pytest.raises(ValidationError):
        Nesting(buckets="8")  # type: ignore[arg-type]


# ---- apps ----------------------------------------------------------------------------------------------------
def _app() -> tuple[App, Stack, Stack]:
    base = Stack("base")
    vpc = Vpc("main")
    cluster = Cluster("main")
    listener = ApplicationLoadBalancer("public", vpc=vpc).listen_http()
    base.add(vpc, cluster, listener.load_balancer)
    apps = Stack("apps")
    web = _service("web", cluster, vpc=vpc)
    listener.add_target(web, path="/web/*", priority=10)
    apps.add(web)
    apps.output("WebName", Attr(web, "Name"))
    return App("shop").add(base, apps), base, apps


def test_an_app_is_a_root_with_one_nested_stack_per_member_wired_without_exports() -> None:
    app, _, _ = _app()
    assembly = assemble(app)
    assert list(assembly.children) == ["BaseStack", "AppsStack"]
    assert set(assembly.template["Resources"]) == {"BaseStack", "AppsStack"}
    base, apps = assembly.children["BaseStack"], assembly.children["AppsStack"]
    assert "MainCluster" in base["Resources"] and "WebService" in apps["Resources"]
    # the cluster crosses from one member to the other as an output and a parameter the root wires
    assert base["Outputs"]["MainCluster"] == {"Value": {"Ref": "MainCluster"}}
    passed = assembly.template["Resources"]["AppsStack"]["Properties"]["Parameters"]
    assert passed["MainCluster"] == {"Fn::GetAtt": ["BaseStack", "Outputs.MainCluster"]}
    assert apps["Parameters"]["MainCluster"] == {"Type": "String"}
    assert "Export" not in json.dumps(assembly.files())
    assert assembly.template["Outputs"]["WebName"]["Value"] == {"Fn::GetAtt": ["AppsStack", "Outputs.WebServiceName"]}
    assert [name for name, _ in assembly.files()] == ["shop.json", "shop/BaseStack.json", "shop/AppsStack.json"]


def test_an_app_is_validated_as_a_whole() -> None:
    app, base, _ = _app()
    # the service's cluster lives in another member: fine (validation sees the whole app)
    assert assemble(app).children
    # a listener rule priority clash across members is found, though each member alone is fine
    other = Stack("more")
    web2 = _service("web2", base.of_type(Cluster)[0])
    listener = base.of_type(ApplicationLoadBalancer)[0].listeners[0]
    listener.add_target(web2, path="/web2/*", priority=10)  # the priority web has in the other member
    other.add(web2)
    app.add(other)
    with pytest.raises(ValidationError):
        assemble(app)


def test_app_members_must_agree() -> None:
    app, base, apps = _app()
    base.parameter("Env", default="dev")
    apps.parameter("Env", default="prod")
    with pytest.raises(ValidationError) as info:
        assemble(app)
    assert [p.rule for p in info.value.problems] == ["ECS957"]
    with pytest.raises(ValidationError) as info2:
        assemble(App("empty"))
    assert info2.value.problems[0].rule == "ECS957"


@pytest.mark.lint
def test_every_template_of_a_split_and_of_an_app_is_cfn_lint_clean() -> None:
    from ecsstack.lint import lint_template

    app, _, _ = _app()
    for assembly in (assemble(_shop(NAMES, max_resources=60, buckets=8)), assemble(app)):
        for name, text in assembly.files():
            findings = lint_template(text)
            if name.count("/") == 0:  # the root names its children by a local path, as `aws cloudformation package`
                findings = [f for f in findings if not (f.rule == "W3002" and f.path.endswith("TemplateURL"))]
            assert findings == [], name


@pytest.mark.slow
def test_a_thousand_fargate_services_split_within_quota() -> None:
    stack = Stack("thousand")
    cluster = Cluster("main")
    for i in range(1000):
        stack.add(_service(f"svc{i}", cluster))
    assembly = assemble(stack)
    assert len(assembly.placement) == 1000 and len(assembly.children) == 32
    for doc in [assembly.template, *assembly.children.values()]:
        assert len(doc["Resources"]) <= 500 and len(doc.get("Parameters", {})) <= 200
        assert len(doc.get("Outputs", {})) <= 200
    assert all(len(text.encode()) <= 1_000_000 for _, text in assembly.files())


def test_a_split_at_forty_resources() -> None:
    stack = Stack("forty", nesting=Nesting(max_resources=40, buckets=16))
    cluster = Cluster("main")
    for i in range(20):  # 6 resources each: 121 in all
        stack.add(_service(f"worker{i}", cluster))
    assembly = assemble(stack)
    assert len(assembly.placement) == 20
    assert all(len(doc["Resources"]) <= 40 for doc in [assembly.template, *assembly.children.values()])
    assert set(assembly.template["Resources"]) == {"MainCluster", *assembly.children}


@pytest.mark.lint
@pytest.mark.parametrize("name", ["blue_green", "canary", "ec2_bridge", "mesh", "web", "worker"])
def test_every_shipped_blueprint_splits_clean(name: str) -> None:
    from pathlib import Path

    from ecsstack import load_blueprint
    from ecsstack.lint import lint_template

    stack = load_blueprint(Path(__file__).resolve().parents[2] / "blueprints" / f"{name}.py")
    whole = assemble(stack)
    stack.nesting = Nesting(always=True)
    split = assemble(stack)
    assert split.children and set(split.placement) == {s.name for s in stack.of_type(Service)}
    kept = {k for doc in [split.template, *split.children.values()] for k in doc["Resources"]} - set(split.children)
    assert kept == set(whole.template["Resources"])
    for file, text in split.files():
        findings = [f for f in lint_template(text) if not (f.rule == "W3002" and f.path.endswith("TemplateURL"))]
        assert findings == [], file


def test_a_load_balancer_serving_one_service_travels_with_it() -> None:
    """Found by `make bench` after the merge: 100 LoadBalancedWebServices (an ALB each) left every load balancer,
    listener and default target group in the root, 529 resources, so the stack could not be split at all."""
    from ecsstack import Cluster, LoadBalancedWebService, Nesting, Stack, assemble

    stack = Stack("fleet", nesting=Nesting(always=True))
    cluster = Cluster("main")
    for i in range(3):
        LoadBalancedWebService(stack, f"web{i}", image="example/app:1.4", port=8080, cluster=cluster,
                               certificate="arn:aws:acm:us-east-1:123456789012:certificate/abc")
    assembly = assemble(stack)
    root_types = {r["Type"] for r in assembly.template["Resources"].values()}
    assert root_types == {"AWS::ECS::Cluster", "AWS::CloudFormation::Stack"}
    for i in range(3):
        child = assembly.children[assembly.placement[f"web{i}"]]
        assert f"Web{i}LoadBalancer" in child["Resources"] and f"Web{i}ServiceTargetGroup" in child["Resources"]
