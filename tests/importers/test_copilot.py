"""ecsstack import copilot: every service of the fixture workspaces becomes a blueprint that runs, synthesizes,
passes cfn-lint and ruff, and carries what the manifest said."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ecsstack.importers import ImportFailed, import_copilot
from ecsstack.importers._copilot import schedule_expression, seconds

from ._support import FIXTURES, build, check_lint, check_ruff, resolve

WORKSPACES = FIXTURES / "copilot"


@pytest.fixture(scope="module")
def shop():
    return import_copilot(WORKSPACES / "shop")


def _template(source: str) -> dict[str, Any]:
    return json.loads(build(source).to_json())


def _of_type(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [resolve(r["Properties"]) for r in template["Resources"].values() if r["Type"] == kind]


def _container(template: dict[str, Any], name: str) -> dict[str, Any]:
    (task,) = _of_type(template, "AWS::ECS::TaskDefinition")
    return next(c for c in task["ContainerDefinitions"] if c["Name"] == name)


@pytest.mark.parametrize("workspace", sorted(p.name for p in WORKSPACES.iterdir() if p.is_dir()))
def test_every_blueprint_synthesizes_lints_and_is_formatted(workspace: str, tmp_path: Path) -> None:
    result = import_copilot(WORKSPACES / workspace)
    assert result.blueprints
    for imported in result.blueprints.values():
        template = _template(imported.source)
        check_lint(template)
        check_ruff(imported.source, tmp_path)


def test_one_blueprint_per_ecs_workload_and_the_rest_reported(shop) -> None:
    assert set(shop.blueprints) == {"frontend", "api", "orders", "report"}
    assert any(w.startswith("landing: a Static Site") and "not imported" in w for w in shop.warnings)
    assert any(w.startswith("api: addons (db.yml)") for w in shop.warnings)


def test_load_balanced_web_service(shop) -> None:
    source = shop.blueprints["frontend"].source
    assert "LoadBalancedWebService(" in source
    template = _template(source)
    (group,) = _of_type(template, "AWS::ElasticLoadBalancingV2::TargetGroup")
    attributes = {a["Key"]: a["Value"] for a in group["TargetGroupAttributes"]}
    assert attributes["deregistration_delay.timeout_seconds"] == "5"
    assert attributes["stickiness.enabled"] == "true"
    assert group["HealthCheckPath"] == "/healthz" and group["Matcher"] == {"HttpCode": "200,301"}
    assert group["HealthCheckIntervalSeconds"] == 15 and group["HealthyThresholdCount"] == 3
    (service,) = _of_type(template, "AWS::ECS::Service")
    assert service["HealthCheckGracePeriodSeconds"] == 60 and service["EnableExecuteCommand"] is True
    assert service["DeploymentConfiguration"]["MinimumHealthyPercent"] == 0
    assert service["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"] == ["sg-0aaaabbbbccccdddd"]
    (task,) = _of_type(template, "AWS::ECS::TaskDefinition")
    assert task["RuntimePlatform"]["CpuArchitecture"] == "ARM64" and task["EphemeralStorage"]["SizeInGiB"] == 40
    app = _container(template, "app")
    assert {"Name": "DB_PASSWORD", "ValueFrom": "shop/db:password::"} in app["Secrets"] or any(
        s["Name"] == "DB_PASSWORD" and "shop/db" in json.dumps(s["ValueFrom"]) for s in app["Secrets"])
    assert app["LogConfiguration"]["LogDriver"] == "awsfirelens"
    assert app["LogConfiguration"]["Options"]["log_group_name"] == "/copilot/frontend"
    assert {"ContainerName": "envoy", "Condition": "HEALTHY"} in app["DependsOn"]
    assert app["HealthCheck"]["StartPeriod"] == 30
    envoy = _container(template, "envoy")
    assert envoy["Essential"] is False and envoy["PortMappings"][0]["ContainerPort"] == 9901
    policies = _of_type(template, "AWS::ApplicationAutoScaling::ScalingPolicy")
    metrics = {p["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"][
        "PredefinedMetricType"]: p["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] for p in policies}
    assert metrics == {"ECSServiceAverageCPUUtilization": 70, "ECSServiceAverageMemoryUtilization": 80,
                       "ALBRequestCountPerTarget": 500}
    (target,) = _of_type(template, "AWS::ApplicationAutoScaling::ScalableTarget")
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 8)
    warnings = shop.blueprints["frontend"].warnings
    for said in ("image.build", "response_time", "count spot", "http.alias", "environments.test.count.range.min"):
        assert any(said in w for w in warnings), said


def test_environment_overrides_become_parameters(shop) -> None:
    source = shop.blueprints["frontend"].source
    template = _template(source)
    notes = source.replace("\n#   ", " ")  # the comments, unwrapped
    assert template["Parameters"]["VarLogLevel"]["Default"] == "info"
    assert "environment test: ecsstack deploy ... --parameter VarLogLevel=debug" in notes
    assert "--parameter Image=123456789012.dkr.ecr.us-east-1.amazonaws.com/frontend:1.2.0" in notes
    api = _template(shop.blueprints["api"].source)
    assert api["Parameters"]["DesiredCount"] == {"Type": "Number", "Default": 2,
                                                 "Description": "count (differs between environments)"}
    (service,) = _of_type(api, "AWS::ECS::Service")
    assert service["DesiredCount"] == {"Ref": "DesiredCount"}


def test_backend_service_on_service_connect_with_internal_alb(shop) -> None:
    template = _template(shop.blueprints["api"].source)
    (service,) = _of_type(template, "AWS::ECS::Service")
    connect = service["ServiceConnectConfiguration"]
    assert connect["Enabled"] is True and connect["Services"][0]["ClientAliases"][0]["DnsName"] == "api"
    (alb,) = _of_type(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert alb["Scheme"] == "internal"
    (task,) = _of_type(template, "AWS::ECS::TaskDefinition")
    volumes = {v["Name"]: v["EFSVolumeConfiguration"] for v in task["Volumes"]}
    assert volumes["uploads"]["FilesystemId"] == "fs-0123456789abcdef0"
    assert volumes["uploads"]["RootDirectory"] == "/uploads"
    assert volumes["cache"]["FilesystemId"] == {"Ref": "CacheFileSystemId"}
    api = _container(template, "api")
    assert {"ContainerName": "migrate", "Condition": "SUCCESS"} in api["DependsOn"]
    assert api["Command"] == ["./serve", "--port", "8080"]
    assert {"SourceVolume": "uploads", "ContainerPath": "/var/uploads", "ReadOnly": False} in api["MountPoints"]
    assert "RestartPolicy" not in _container(template, "migrate") or \
        _container(template, "migrate")["RestartPolicy"].get("Enabled") is False


def test_worker_service_queue_and_subscriptions(shop) -> None:
    imported = shop.blueprints["orders"]
    template = _template(imported.source)
    assert "QueueWorkerService(" in imported.source
    (queue, *_) = [q for q in _of_type(template, "AWS::SQS::Queue") if q.get("VisibilityTimeout") == 300]
    assert queue
    subscriptions = {r["TopicArn"]["Ref"]: r for r in _of_type(template, "AWS::SNS::Subscription")}
    assert set(subscriptions) == {"ApiOrdersPlacedTopicArn", "ApiRefundsTopicArn"}
    assert set(template["Parameters"]) >= set(subscriptions)
    assert subscriptions["ApiOrdersPlacedTopicArn"]["FilterPolicy"] == {
        "store": ["example_corp"], "price_usd": [{"numeric": [">=", 100]}]}
    assert "FilterPolicy" not in subscriptions["ApiRefundsTopicArn"]
    (policy,) = _of_type(template, "AWS::SQS::QueuePolicy")
    assert policy["PolicyDocument"]["Statement"][0]["Condition"]["ArnEquals"]["aws:SourceArn"] == [
        {"Ref": "ApiOrdersPlacedTopicArn"}, {"Ref": "ApiRefundsTopicArn"}]
    (service,) = _of_type(template, "AWS::ECS::Service")
    assert {s["CapacityProvider"] for s in service["CapacityProviderStrategy"]} == {"FARGATE", "FARGATE_SPOT"}
    assert service["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "ENABLED"
    assert "worker.queue.subscribe(" in imported.source and "api_orders_placed_topic_arn" in imported.source
    assert not any("no SNS subscriptions" in w for w in imported.warnings)
    assert any("publish.topics (ordersShipped)" in w for w in imported.warnings)


def test_copilot_variables_are_interpolated(shop) -> None:
    template = _template(shop.blueprints["orders"].source)
    assert template["Parameters"]["Environment"]["Default"] == "prod"
    worker = _container(template, "orders")
    env = {e["Name"]: e["Value"] for e in worker["Environment"]}
    assert env["APP"] == "shop-orders" and env["STAGE"] == {"Fn::Sub": "${Environment}"}
    secrets = {e["Name"]: e["ValueFrom"] for e in worker["Secrets"]}
    assert "/copilot/shop/${Environment}/secrets/stripe" in json.dumps(secrets["STRIPE_KEY"])
    assert "shop/${Environment}/db" in json.dumps(secrets["DB_JSON"]) and "password" in json.dumps(
        secrets["DB_JSON"])


def test_scheduled_job(shop) -> None:
    imported = shop.blueprints["report"]
    template = _template(imported.source)
    (schedule,) = _of_type(template, "AWS::Scheduler::Schedule")
    assert schedule["ScheduleExpression"] == "rate(6 hours)"
    assert schedule["Target"]["RetryPolicy"]["MaximumRetryAttempts"] == 3
    assert any("timeout 1h30m" in w and "5400s" in w for w in imported.warnings)
    report = _container(template, "report")
    assert report["EntryPoint"] == ["/bin/sh", "-c"]


@pytest.mark.parametrize(("given", "expected"), [
    ("@daily", "cron(0 0 * * ? *)"), ("@hourly", "cron(0 * * * ? *)"), ("@every 1h", "rate(1 hour)"),
    ("@every 90m", "rate(90 minutes)"), ("@every 2d" if False else "@every 48h", "rate(2 days)"),
    ("0 3 * * 1-5", "cron(0 3 ? * 2-6 *)"), ("*/15 * * * *", "cron(*/15 * * * ? *)"),
    ("30 2 1 * *", "cron(30 2 1 * ? *)"), ("none", None), ("rate(5 minutes)", "rate(5 minutes)")])
def test_schedule_forms(given: str, expected: str | None) -> None:
    assert schedule_expression(given) == expected


def test_task_size_rounded_to_fargate(tmp_path: Path) -> None:
    result = import_copilot(WORKSPACES / "nightly")
    imported = result.blueprints["cleanup"]
    (task,) = _of_type(_template(imported.source), "AWS::ECS::TaskDefinition")
    assert (task["Cpu"], task["Memory"]) == ("512", "4096")
    assert any("not a Fargate size" in w for w in imported.warnings)
    assert {"Name": "EMPTY", "Value": ""} in task["ContainerDefinitions"][0]["Environment"]


def test_durations() -> None:
    assert seconds("1m30s", "x") == 90 and seconds("250ms", "x") == 1 and seconds(45, "x") == 45
    with pytest.raises(ImportFailed, match="not a duration"):
        seconds("soon", "x")


def test_request_driven_and_empty_workspaces(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="no copilot/ directory"):
        import_copilot(tmp_path / "nowhere")
    (tmp_path / "copilot" / "site").mkdir(parents=True)
    (tmp_path / "copilot" / "site" / "manifest.yml").write_text("name: site\ntype: Request-Driven Web Service\n")
    (tmp_path / "copilot" / "web").mkdir()
    (tmp_path / "copilot" / "web" / "manifest.yml").write_text(
        "name: web\ntype: Load Balanced Web Service\nimage:\n  location: nginx:1.27\n  port: 80\nhttp:\n  path: /\n")
    result = import_copilot(tmp_path)
    assert set(result.blueprints) == {"web"}
    assert any(w.startswith("site: a Request-Driven Web Service is an App Runner service") for w in result.warnings)


def test_cli_writes_one_file_per_service(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ecsstack.cli import main

    out = tmp_path / "blueprints"
    result = CliRunner().invoke(main, ["import", "copilot", str(WORKSPACES / "shop"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["api.py", "frontend.py", "orders.py", "report.py"]
    assert "landing: a Static Site" in result.stderr and f"wrote {out / 'api.py'}" in result.stderr
    again = CliRunner().invoke(main, ["import", "copilot", str(WORKSPACES / "shop"), "-o", str(out)])
    assert again.exit_code != 0 and "--force" in again.stderr
    synth = CliRunner().invoke(main, ["synth", str(out / "orders.py")])
    assert synth.exit_code == 0 and "AWS::SQS::Queue" in synth.stdout


def test_awkward_manifests_import_or_are_reported(tmp_path: Path) -> None:
    """Forms seen in real workspaces: string numbers, a health check path without its slash, cooldown maps,
    an empty network key; a broken manifest is reported and the others still imported."""
    root = tmp_path / "copilot"
    (root / "web").mkdir(parents=True)
    (root / "web" / "manifest.yml").write_text("""
name: web
type: Load Balanced Web Service
http:
  path: '/'
  healthcheck: _health
image:
  location: nginx:1.27
  port: "8080"
  healthcheck:
    command: curl -f http://localhost:8080/_health
network:
count:
  range: 1-4
  cpu_percentage:
    value: "65"
    cooldown:
      in: 60s
      out: 30s
""")
    (root / "broken").mkdir()
    (root / "broken" / "manifest.yml").write_text("name: broken\ntype: Backend Service\nimage: [1, 2]\n")
    (root / "bad-yaml").mkdir()
    (root / "bad-yaml" / "manifest.yml").write_text("name: x\n  type: : :\n")
    result = import_copilot(tmp_path)
    assert set(result.blueprints) == {"web"}
    assert any(w.startswith("broken: not imported") for w in result.warnings)
    assert any(w.startswith("bad-yaml: not imported") and "YAML" in w for w in result.warnings)
    template = _template(result.blueprints["web"].source)
    (group,) = _of_type(template, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert group["HealthCheckPath"] == "/_health"
    (policy,) = _of_type(template, "AWS::ApplicationAutoScaling::ScalingPolicy")
    assert policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 65
    app = _container(template, "app")
    assert app["HealthCheck"]["Command"] == ["CMD-SHELL", "curl -f http://localhost:8080/_health"]
    (root / "web" / "manifest.yml").unlink()
    with pytest.raises(ImportFailed, match="no service could be imported"):
        import_copilot(tmp_path)
