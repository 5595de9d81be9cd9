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
    assert "Deploy order from depends_on (after=): web after api; api after db, migrate." in result.source
    # depends_on is deploy order: after= on the service, DependsOn in the template; a service is defined
    # after those it names
    assert "after=[db_service, migrate_service]" in result.source and "after=[api_service]" in result.source
    assert result.source.index("db_service = Service(") < result.source.index("api_service = Service(") \
        < result.source.index("web_service = Service(")
    assert api["DependsOn"] == ["DbService", "MigrateService"]
    web = next(r for k, r in services.items() if k.startswith("Web"))
    assert web["DependsOn"] == ["ApiService"]
    assert "ECS starts services # independently and does not order them at run time" in " ".join(result.source.split())
    assert any("migrate: runs to completion" in w for w in result.warnings)
    assert any("db: declares no ports" in w for w in result.warnings)
    assert any("volume static is shared by web, api, migrate" in w for w in result.warnings)


def test_a_depends_on_cycle_is_a_clear_error_in_services_mode() -> None:
    text = ("services:\n  a:\n    image: a:1\n    depends_on: [b]\n  b:\n    image: b:1\n    depends_on: [a]\n")
    with pytest.raises(ImportFailed, match="depends_on makes a cycle through service"):
        import_compose(text, environ={}, mode="services")


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


def test_a_keyword_that_does_not_synthesize_falls_back_to_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should a keyword's value not synthesize (simulated: the ulimits converter writes a value the model
    refuses), the settings go to overrides= as given, with a warning, and the blueprint still synthesizes."""
    from ecsstack.importers import _mapping

    monkeypatch.setitem(_mapping.CONTAINER_KEYS, "ulimits", ("ulimits", lambda value, ctx: {"nofile": "lots"}))
    result, template = _import(BLOG)
    assert any("the container settings written with keywords did not synthesize" in w for w in result.warnings)
    assert "        ulimits=" not in result.source and '"Ulimits"' in result.source
    assert _containers(template)["mysql"]["Ulimits"] == [{"Name": "nofile", "SoftLimit": 65536, "HardLimit": 65536}]


def test_container_settings_are_first_class_keywords(tmp_path: Path) -> None:
    """labels, ulimits, init, capabilities, sysctls, tty and stdin_open are written with the model's keywords
    (no overrides=); what Fargate refuses is left out with a warning saying what EC2 would take."""
    text = ("services:\n  app:\n    image: app:1.0\n    init: true\n    tty: true\n    stdin_open: true\n"
            "    cap_add: [CAP_SYS_PTRACE, NET_ADMIN]\n    cap_drop: [ALL]\n    labels: {team: core}\n"
            "    ulimits: {nofile: {soft: 1024, hard: 4096}}\n"
            "    sysctls: [net.core.somaxconn=1024, kernel.shmmax=65536]\n    shm_size: 256m\n"
            "    tmpfs: [/run]\n    security_opt: [no-new-privileges:true]\n    hostname: app1\n")
    result = import_compose(text, environ={})
    assert result.overrides == [] and "overrides=" not in result.source
    for needle in ("linux_parameters=LinuxParameters(", "init_process_enabled=True", 'capabilities_add=["SYS_PTRACE"]',
                   'capabilities_drop=["ALL"]', 'docker_labels={"team": "core"}', 'ulimits={"nofile": (1024, 4096)}',
                   'system_controls={"net.core.somaxconn": "1024"}', "interactive=True", "pseudo_terminal=True"):
        assert needle in result.source, needle
    [c] = _containers(ecsstack.synth(build(result.source))).values()
    assert c["LinuxParameters"] == {"InitProcessEnabled": True, "Capabilities": {"Add": ["SYS_PTRACE"],
                                                                                  "Drop": ["ALL"]}}
    assert c["SystemControls"] == [{"Namespace": "net.core.somaxconn", "Value": "1024"}]
    assert c["Interactive"] is True and c["PseudoTerminal"] is True
    for needle in ("cap_add ['NET_ADMIN'] is not allowed on Fargate", "kernel.shmmax: Fargate sets only net.*",
                   "shared_memory_size=<MiB>", "LinuxParameters(tmpfs=", "docker_security_options=[...]",
                   "hostname= needs an EC2 task"):
        assert any(needle in w for w in result.warnings), needle
    assert not any("unknown key" in w for w in result.warnings)
    check_ruff(result.source, tmp_path)


def test_restart_becomes_a_restart_policy_in_a_task_of_several_containers() -> None:
    text = ("services:\n  app:\n    image: app:1.0\n    restart: always\n    depends_on:\n"
            "      setup: {condition: service_completed_successfully}\n"
            "  worker:\n    image: app:1.0\n    restart: on-failure:5\n"
            "  setup:\n    image: app:1.0\n    restart: unless-stopped\n  quiet:\n    image: app:1.0\n"
            "    restart: 'no'\n")
    result = import_compose(text, environ={})
    containers = _containers(ecsstack.synth(build(result.source)))
    assert containers["app"]["RestartPolicy"] == {"Enabled": True}
    assert containers["worker"]["RestartPolicy"] == {"Enabled": True, "IgnoredExitCodes": [0]}
    assert containers["setup"]["RestartPolicy"] == {"Enabled": True, "IgnoredExitCodes": [0]}  # waited on
    assert "RestartPolicy" not in containers["quiet"]
    assert "restart_policy=RestartPolicy(ignored_exit_codes=[0])" in result.source
    assert any("worker: restart: on-failure:5 → restart_policy" in w and "no retry count" in w
               for w in result.warnings)
    assert any("setup: restart: unless-stopped → restart_policy" in w and "wait for it to complete" in w
               for w in result.warnings)
    # one container per task: its service replaces the task, nothing to write
    result = import_compose(text, environ={}, mode="services")
    assert "restart_policy" not in result.source
    assert any("app: restart: always: its ECS service starts a new task" in w for w in result.warnings)


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
