"""``import_compose``: each fixture in each mode becomes a blueprint that runs, synthesizes, is cfn-lint clean
and passes ruff; the containers carry what the compose services say, and what ECS cannot run is warned about."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import ecsstack
from ecsstack.importers import ImportFailed, import_compose, load_compose
from ecsstack.importers._units import interpolate, mebibytes, seconds

from ._support import FIXTURES, build, check_lint, check_ruff, task_definitions

SHOP = FIXTURES / "compose" / "shop" / "compose.yaml"
BLOG = FIXTURES / "compose" / "blog" / "compose.yml"
ENV = {"FEATURE_FLAGS": "beta", "LOG_LEVEL": "debug"}


def _import(path: Path, **kwargs: Any):
    result = import_compose(path.read_text(), base_dir=path.parent, environ=kwargs.pop("environ", ENV),
                            origin=path.name, **kwargs)
    return result, ecsstack.synth(build(result.source))


def _containers(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["Name"]: c for td in task_definitions(template) for c in td["ContainerDefinitions"]}


CASES = [(SHOP, "auto"), (SHOP, "task"), (SHOP, "services"), (BLOG, "auto"), (BLOG, "services")]


@pytest.mark.parametrize(("path", "mode"), CASES, ids=lambda v: v.parent.name if isinstance(v, Path) else v)
def test_blueprint_is_formatted_and_clean(path: Path, mode: str, tmp_path: Path) -> None:
    result, _ = _import(path, mode=mode)
    check_ruff(result.source, tmp_path)


@pytest.mark.lint
@pytest.mark.parametrize(("path", "mode"), CASES, ids=lambda v: v.parent.name if isinstance(v, Path) else v)
def test_blueprint_passes_cfn_lint(path: Path, mode: str) -> None:
    _, template = _import(path, mode=mode)
    check_lint(template)


def test_auto_picks_one_task_when_the_services_fit() -> None:
    result, template = _import(BLOG)
    assert "Mode: one task" in result.source and "fit in one task" in result.source
    [td] = task_definitions(template)
    assert [c["Name"] for c in td["ContainerDefinitions"]] == ["ghost", "mysql", "statsd"]  # backup: profile ops
    assert (td["Cpu"], td["Memory"]) == ("2048", "4096")  # 0.75 + 0.5 vCPU, 768M + 1.5gb: rounded up
    ghost = _containers(template)["ghost"]
    assert ghost["DependsOn"] == [{"ContainerName": "mysql", "Condition": "HEALTHY"},
                                  {"ContainerName": "statsd", "Condition": "START"}]
    assert ghost["EntryPoint"] == ["docker-entrypoint.sh"] and ghost["Command"] == ["node", "current/index.js"]
    assert ghost["HealthCheck"]["Command"][0] == "CMD" and ghost["HealthCheck"]["StartPeriod"] == 45
    assert ghost["StopTimeout"] == 120 and any("stop_grace_period 3m" in w for w in result.warnings)
    env = {e["Name"]: e["Value"] for e in ghost["Environment"]}
    assert env["url"] == "https://blog.example.com" and env["mail__secure"] == "true"
    assert ghost["DockerLabels"]["com.example.owner"] == "web-team"  # ${OWNER-web-team}
    mysql = _containers(template)["mysql"]
    assert mysql["MemoryReservation"] == 1536 and mysql["Cpu"] == 512
    assert mysql["HealthCheck"]["Command"] == ["CMD-SHELL", "mysqladmin ping -h 127.0.0.1 --silent"]
    assert mysql["HealthCheck"]["Interval"] == 5 and mysql["HealthCheck"]["Retries"] == 10  # clamped from 2s, 20
    assert mysql["LinuxParameters"]["Capabilities"] == {"Add": ["SYS_PTRACE"], "Drop": ["ALL"]}
    assert mysql["Ulimits"] == [{"Name": "nofile", "SoftLimit": 65536, "HardLimit": 65536}]
    assert {s["Name"] for s in mysql["Secrets"]} == {"MYSQL_PASSWORD"}
    statsd = _containers(template)["statsd"]
    assert "HealthCheck" not in statsd and statsd["PortMappings"][0]["Protocol"] == "udp"
    assert statsd["ReadonlyRootFilesystem"] is True and statsd["User"] == "nobody"
    assert any("NET_ADMIN" in w for w in result.warnings)


def test_auto_picks_services_when_two_listen_on_one_port() -> None:
    result, template = _import(SHOP)
    assert "one ECS service per compose service, because api and migrate both listen on port 8000" in result.source
    services = {k: r for k, r in template["Resources"].items() if r["Type"] == "AWS::ECS::Service"}
    assert len(services) == 4
    api = next(r for k, r in services.items() if k.startswith("Api"))
    [sc] = api["Properties"]["ServiceConnectConfiguration"]["Services"]
    assert sc["ClientAliases"][0]["DnsName"] == "api" and sc["ClientAliases"][0]["Port"] == 8000
    assert "Deploy order from depends_on: web after api; api after db, migrate." in result.source
    assert any("migrate: runs to completion" in w for w in result.warnings)
    assert any("db: declares no ports" in w for w in result.warnings)
    assert any("volume static is shared by web, api, migrate" in w for w in result.warnings)


def test_task_mode_maps_depends_on_and_makes_completed_targets_non_essential() -> None:
    result, template = _import(SHOP, mode="task")
    containers = _containers(template)
    assert set(containers) == {"web", "api", "migrate", "db"}
    assert containers["api"]["DependsOn"] == [{"ContainerName": "db", "Condition": "HEALTHY"},
                                              {"ContainerName": "migrate", "Condition": "SUCCESS"}]
    assert containers["migrate"]["Essential"] is False
    assert containers["web"]["DependsOn"] == [{"ContainerName": "api", "Condition": "START"}]
    # the clash is resolved, with a warning, rather than refused
    assert "PortMappings" not in containers["migrate"]
    assert any("port 8000/tcp is already api's" in w for w in result.warnings)


def test_shop_forms(tmp_path: Path) -> None:
    result, template = _import(SHOP, mode="task")
    containers = _containers(template)
    api, web, db = containers["api"], containers["web"], containers["db"]
    env = {e["Name"]: e["Value"] for e in api["Environment"]}
    # a merge key is shallow: api's own environment replaces the anchor's; env_file values come first
    assert {e["Name"]: e["Value"] for e in web["Environment"]} == {"TZ": "UTC", "LOG_LEVEL": "debug"}
    assert env == {"GUNICORN_CMD_ARGS": "--timeout 60",
                   "CACHE_URL": "redis://localhost:6379/0", "DATABASE_URL": "postgres://shop@localhost:5432/shop",
                   "FEATURE_FLAGS": "beta"}
    assert api["Image"] == {"Ref": "ApiImage"} and "ApiImage" in template["Parameters"]  # build: without image:
    assert (api["Cpu"], api["Memory"], api["MemoryReservation"]) == (512, 512, 256)
    assert api["StopTimeout"] == 90 and api["ReadonlyRootFilesystem"] is True and api["User"] == "1000:1000"
    assert api["Ulimits"][1] == {"Name": "nproc", "SoftLimit": 65535, "HardLimit": 65535}
    assert api["Command"] == ["gunicorn", "app:app", "--bind", "0.0.0.0:8000", "--workers", "2"]
    assert containers["migrate"]["Command"] == ["python", "manage.py", "migrate", "--noinput"]  # extends: api
    assert containers["migrate"]["Environment"] == api["Environment"]
    assert web["HealthCheck"]["Interval"] == 90 and web["HealthCheck"]["Timeout"] == 2  # 1m30s; 1s clamped
    assert web["HealthCheck"]["StartPeriod"] == 300
    assert [m["ContainerPath"] for m in web["MountPoints"]] == ["/usr/share/nginx/html"]  # the bind mount is out
    assert {s["Name"]: s["ValueFrom"] for s in db["Secrets"]} == {"POSTGRES_PASSWORD": "/shop/db_password"}
    for needle in ("host directory ./nginx.conf", "privileged", "devices", "network_mode host",
                   "build: without image:", "named volume pgdata", "health check timeout=1"):
        assert any(needle in w for w in result.warnings), needle
    td = task_definitions(template)[0]
    assert [v["Name"] for v in td["Volumes"]] == ["static", "pgdata"]


def test_profiles_are_left_out_unless_named() -> None:
    services, _, _ = load_compose(SHOP.read_text(), SHOP.parent, ENV)
    assert "adminer" not in services
    _, template = _import(SHOP, mode="services", profiles=["debug"])
    assert "adminer" in _containers(template)


def test_interpolation_required_variable_is_a_clear_error() -> None:
    with pytest.raises(ImportFailed, match="required variable TAG"):
        import_compose("services:\n  a:\n    image: app:${TAG:?set TAG}\n", environ={})


@pytest.mark.parametrize(("text", "expected"), [
    ("${A}", "x"), ("${B:-d}", "d"), ("${E:-d}", "d"), ("${E-d}", ""), ("${B:-${A}}", "x"), ("$A/$$B", "x/$B"),
    ("${A:+alt}", "alt"), ("${B+alt}", ""), ("plain", "plain")])
def test_interpolation(text: str, expected: str) -> None:
    assert interpolate(text, {"A": "x", "E": ""}) == expected


def test_units() -> None:
    assert [seconds(v) for v in ("1m30s", "10s", "500ms", "1h", 5, "2.5s", "nope")] == [90, 10, 1, 3600, 5, 3, None]
    assert [mebibytes(v) for v in ("512M", "1g", "1.5gb", 268435456, "100k", "x")] == [512, 1024, 1536, 256, 1, None]


def test_not_a_compose_file() -> None:
    with pytest.raises(ImportFailed, match="not a compose file"):
        import_compose("version: '3'\n")
    with pytest.raises(ImportFailed, match="extends 'nope'"):
        import_compose("services:\n  a:\n    image: x:1\n    extends: nope\n", environ={})


def test_unset_variables_read_as_empty_with_a_warning() -> None:
    result = import_compose("services:\n  a:\n    image: app:${TAG:-1.0}\n    environment:\n      X: ${UNSET_X}\n",
                            environ={})
    assert any("the variable UNSET_X is not set" in w for w in result.warnings)
    assert not any("TAG" in w for w in result.warnings)


def test_a_keyword_the_model_gains_falls_back_to_overrides_when_it_does_not_fit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from ecsstack.importers import _compose

    today = _compose.container_keywords()
    monkeypatch.setattr(_compose, "container_keywords", lambda: today | {"ulimits"})
    result, template = _import(BLOG)
    assert any("keywords newer than this importer did not synthesize" in w for w in result.warnings)
    assert _containers(template)["mysql"]["Ulimits"] == [{"Name": "nofile", "SoftLimit": 65536, "HardLimit": 65536}]


def test_volumes_from_in_one_task() -> None:
    text = ("services:\n  app:\n    image: php:8.3-fpm\n    volumes: [code:/var/www/html]\n"
            "  web:\n    image: nginx:1.27\n    ports: ['80:80']\n    volumes_from: [app:ro]\nvolumes:\n  code: {}\n")
    result = import_compose(text, environ={})
    web = _containers(ecsstack.synth(build(result.source)))["web"]
    assert web["VolumesFrom"] == [{"SourceContainer": "app", "ReadOnly": True}]
    result = import_compose(text, environ={}, mode="services")
    assert any("volumes_from needs the containers in one task" in w for w in result.warnings)


def test_platform_and_stop_signal() -> None:
    text = "services:\n  a:\n    image: app:1.0\n    platform: linux/arm64\n    stop_signal: SIGQUIT\n"
    result = import_compose(text, environ={})
    [td] = task_definitions(ecsstack.synth(build(result.source)))
    assert td["RuntimePlatform"]["CpuArchitecture"] == "ARM64"
    assert any("stop_signal SIGQUIT" in w for w in result.warnings)
    assert not any("unknown key" in w for w in result.warnings)


def test_containers_asking_more_than_the_largest_fargate_task_share_it() -> None:
    text = ("services:\n  a:\n    image: a:1.0\n    deploy: {resources: {limits: {cpus: '12', memory: 100g}}}\n"
            "  b:\n    image: b:1.0\n    deploy: {resources: {limits: {cpus: '8', memory: 40g}}}\n")
    result = import_compose(text, environ={})
    [td] = task_definitions(ecsstack.synth(build(result.source)))
    assert (td["Cpu"], td["Memory"]) == ("16384", "122880")
    assert all("Cpu" not in c and "Memory" not in c for c in td["ContainerDefinitions"])
    assert any("more than the largest Fargate task" in w for w in result.warnings)
