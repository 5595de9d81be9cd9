"""The rules of the first-class settings: ECS120-130 (containers), ECS340-343 (tasks), ECS460-463 and ECS470
(services, clusters, tags). Each: what it catches (message, path, severity) and what it allows."""

from __future__ import annotations

from typing import Any

import pytest

from ecsstack import (
    Cluster,
    Device,
    Ec2TaskDefinition,
    ExecuteCommandLogging,
    FargateTaskDefinition,
    LinuxParameters,
    ManagedEbsVolume,
    Namespace,
    PlacementConstraint,
    PortMapping,
    ProxyConfiguration,
    Service,
    ServiceConnect,
    ServiceConnectPort,
    Stack,
    Tmpfs,
    Ulimit,
)

APP = "service web › task web › container app"


def _fargate(**kwargs: Any) -> FargateTaskDefinition:
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", **kwargs)
    return task


def _ec2(network_mode: str = "bridge", task_kwargs: dict[str, Any] | None = None, **kwargs: Any) -> Ec2TaskDefinition:
    task = Ec2TaskDefinition("web", network_mode=network_mode, memory=512, **(task_kwargs or {}))
    task.add_container("app", image="app:1", **kwargs)
    return task


# ---- ECS120: Fargate ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "named"), [
    ({"privileged": True}, "privileged="),
    ({"disable_networking": True}, "disable_networking="),
    ({"dns_servers": ["10.0.0.2"]}, "dns_servers="),
    ({"dns_search_domains": ["corp"]}, "dns_search_domains="),
    ({"extra_hosts": {"db": "10.0.0.5"}}, "extra_hosts="),
    ({"docker_security_options": ["no-new-privileges"]}, "docker_security_options="),
    ({"linux_parameters": LinuxParameters(shared_memory_size=64)}, "shared_memory_size"),
    ({"linux_parameters": LinuxParameters(tmpfs=[Tmpfs("/t", 1)])}, "tmpfs"),
    ({"linux_parameters": LinuxParameters(devices=[Device("/dev/fuse")])}, "devices"),
    ({"linux_parameters": LinuxParameters(max_swap=1)}, "max_swap"),
    ({"linux_parameters": LinuxParameters(max_swap=1, swappiness=1)}, "swappiness"),
    ({"linux_parameters": LinuxParameters(capabilities_add=["NET_ADMIN", "SYS_PTRACE"])}, "capabilities_add NET_ADMIN"),
])
def test_ecs120_refuses_what_fargate_does_not_support(stack_of, found, kwargs, named) -> None:
    problems = found(stack_of(_fargate(**kwargs)), "ECS120")
    assert problems and all(p.path == APP and p.severity == "error" for p in problems)
    problem = next(p for p in problems if named in p.message)
    assert "not supported on Fargate" in problem.message and "micro-VM" in problem.message
    assert "Ec2TaskDefinition" in problem.hint


def test_ecs120_allows_what_fargate_supports(stack_of, found) -> None:
    task = _fargate(linux_parameters=LinuxParameters(init_process_enabled=True, capabilities_add=["SYS_PTRACE"],
                                                     capabilities_drop=["ALL"]),
                    ulimits={"nofile": 65536}, system_controls={"net.core.somaxconn": "1024"}, privileged=False)
    assert found(stack_of(task), "ECS120") == []
    assert found(stack_of(_ec2(privileged=True, dns_servers=["10.0.0.2"])), "ECS120") == []


# ---- ECS121: network mode -----------------------------------------------------------------------------------
def test_ecs121_links_need_bridge(stack_of, found) -> None:
    task = _ec2("host", links=["db"])
    task.add_container("db", image="db:1", essential=False)
    [problem] = found(stack_of(task), "ECS121")
    assert problem.path == APP and "links= needs the bridge network mode (the task uses host)" in problem.message


@pytest.mark.parametrize("kwargs", [{"hostname": "app"}, {"extra_hosts": {"db": "10.0.0.5"}},
                                    {"dns_servers": ["10.0.0.2"]}])
def test_ecs121_awsvpc_refuses_host_names_and_dns(stack_of, found, kwargs) -> None:
    [problem] = found(stack_of(_ec2("awsvpc", **kwargs)), "ECS121")
    assert "not supported with the awsvpc network mode" in problem.message and problem.path == APP


def test_ecs121_allows_them_under_bridge(stack_of, found) -> None:
    task = _ec2(hostname="app", extra_hosts={"db": "10.0.0.5"}, dns_servers=["10.0.0.2"], links=["db"])
    task.add_container("db", image="db:1", essential=False)
    assert found(stack_of(task), "ECS121") == []


# ---- ECS122: Windows ----------------------------------------------------------------------------------------
def test_ecs122_windows_refuses_linux_settings(stack_of, found) -> None:
    task = _ec2(task_kwargs={"os_family": "WINDOWS_SERVER_2022_CORE"}, privileged=True, ulimits={"nofile": 1})
    problems = found(stack_of(task), "ECS122")
    assert sorted(p.message.split("=")[0] for p in problems) == ["privileged", "ulimits"]
    assert "not supported for Windows containers" in problems[0].message


def test_ecs122_allows_a_plain_windows_container(stack_of, found) -> None:
    assert found(stack_of(_ec2(task_kwargs={"os_family": "WINDOWS_SERVER_2022_CORE"})), "ECS122") == []


# ---- ECS123: ulimits ----------------------------------------------------------------------------------------
def test_ecs123_ulimits(stack_of, found) -> None:
    task = _fargate(ulimits=[Ulimit("nofile", 10, 5), Ulimit("files", 1, 1), Ulimit("nofile", 1, 1),
                             Ulimit("core", -2, 0), Ulimit("stack", -1, 1024)])
    messages = [p.message for p in found(stack_of(task), "ECS123")]
    assert "ulimit 'nofile' has a soft limit 10 above its hard limit 5; a process may raise its soft limit only up " \
           "to the hard one." in messages
    assert "ulimit 'files' is not one ECS knows." in messages
    assert "ulimit 'nofile' is given twice." in messages
    assert any("negative" in m for m in messages)
    assert "ulimit 'stack' has a soft limit -1 above its hard limit 1024; a process may raise its soft limit only " \
           "up to the hard one." in messages  # -1: unlimited


def test_ecs123_allows_soft_up_to_hard(stack_of, found) -> None:
    assert found(stack_of(_fargate(ulimits={"nofile": (1024, 65536), "core": 0,
                                                                   "memlock": (-1, -1), "stack": (1024, -1)})),
                 "ECS123") == []


# ---- ECS124: Linux parameters -------------------------------------------------------------------------------
def test_ecs124_ranges(stack_of, found) -> None:
    lp = LinuxParameters(swappiness=101, max_swap=-1, shared_memory_size=0, capabilities_drop=["SYS_MAGIC"],
                         tmpfs=[Tmpfs("scratch", 0, ["noexec", "bogus"])],
                         devices=[Device("/dev/fuse", "fuse", ["read", "admin"])])
    problems = found(stack_of(_ec2(linux_parameters=lp)), "ECS124")
    assert {p.path for p in problems} == {f"{APP} › linux_parameters"}
    text = " ".join(p.message for p in problems)
    for part in ("swappiness=101", "max_swap=-1", "shared_memory_size=0", "'SYS_MAGIC'", "tmpfs scratch has size 0",
                 "'scratch' is not absolute", "bogus", "container_path 'fuse'", "permissions admin"):
        assert part in text


def test_ecs124_warns_on_swappiness_without_max_swap(stack_of, found) -> None:
    [problem] = found(stack_of(_ec2(linux_parameters=LinuxParameters(swappiness=10))), "ECS124")
    assert problem.severity == "warning" and "max_swap" in problem.hint


def test_ecs124_allows_sound_parameters(stack_of, found) -> None:
    lp = LinuxParameters(swappiness=0, max_swap=0, shared_memory_size=64, capabilities_add=["NET_ADMIN"],
                         tmpfs=[Tmpfs("/scratch", 64, ["noexec", "mode=1777"])], devices=[Device("/dev/fuse")])
    assert found(stack_of(_ec2(linux_parameters=lp)), "ECS124") == []


# ---- ECS125: system controls --------------------------------------------------------------------------------
def test_ecs125_only_namespaced_parameters(stack_of, found) -> None:
    [problem] = found(stack_of(_ec2(system_controls={"vm.max_map_count": "262144"})), "ECS125")
    assert "not a namespaced kernel parameter" in problem.message and problem.path == APP


def test_ecs125_fargate_sets_only_net(stack_of, found) -> None:
    [problem] = found(stack_of(_fargate(system_controls={"kernel.shmmax": "1"})), "ECS125")
    assert "not supported on Fargate" in problem.message


def test_ecs125_host_modes(stack_of, found) -> None:
    [problem] = found(stack_of(_ec2("host", system_controls={"net.core.somaxconn": "1"})), "ECS125")
    assert "host network mode" in problem.message
    task = _ec2(task_kwargs={"ipc_mode": "host"}, system_controls={"kernel.sem": "1"})
    [problem] = found(stack_of(task), "ECS125")
    assert "ipc_mode='host'" in problem.message


def test_ecs125_allows_net_and_ipc_parameters(stack_of, found) -> None:
    task = _ec2(task_kwargs={"ipc_mode": "task"}, system_controls={"net.core.somaxconn": "1", "kernel.shmmax": "1",
                                                                     "fs.mqueue.msg_max": "10"})
    assert found(stack_of(task), "ECS125") == []


# ---- ECS126-130 ---------------------------------------------------------------------------------------------
def test_ecs126_addresses(stack_of, found) -> None:
    task = _ec2(dns_servers=["dns.example.com"], extra_hosts={"db local": "db"}, hostname="-app")
    messages = [p.message for p in found(stack_of(task), "ECS126")]
    assert len(messages) == 4 and "dns_servers 'dns.example.com' is not an IP address." in messages


def test_ecs126_allows_addresses(stack_of, found) -> None:
    task = _ec2(dns_servers=["10.0.0.2", "fd00::2"], extra_hosts={"db.local": "10.0.0.5"}, hostname="app-1")
    assert found(stack_of(task), "ECS126") == []


def test_ecs127_links(stack_of, found) -> None:
    task = _ec2(links=["app", "cache:redis"])
    task.add_container("db", image="db:1", essential=False)
    messages = [p.message for p in found(stack_of(task), "ECS127")]
    assert messages == ["links 'app' links the container to itself.", "links 'cache:redis' names no container of "
                        "task 'web'."]
    task = _ec2(links=["db:database"])
    task.add_container("db", image="db:1", essential=False)
    assert found(stack_of(task), "ECS127") == []


def test_ecs128_environment_files(stack_of, found) -> None:
    files = ["s3://b/a.env", "arn:aws:s3:::bucket/a.txt"] + [f"arn:aws:s3:::bucket/{i}.env" for i in range(9)]
    messages = [p.message for p in found(stack_of(_fargate(environment_files=files)), "ECS128")]
    assert messages[0] == "11 environment_files; ECS allows at most 10."
    assert "environment_files 's3://b/a.env' is not an S3 object ARN." in messages
    assert any("does not end in .env" in m for m in messages)
    stack = Stack("app")
    ok = _fargate(environment_files=["arn:aws:s3:::bucket/a.env", stack.parameter("EnvFile")])
    stack.add(Service("web", cluster=Cluster("main"), task=ok))
    assert found(stack, "ECS128") == []


def test_ecs129_repository_credentials(stack_of, found) -> None:
    task = _fargate(repository_credentials="arn:aws:ssm:eu-west-1:123456789012:parameter/registry")
    [problem] = found(stack_of(task), "ECS129")
    assert problem.severity == "error" and "only from Secrets Manager" in problem.message
    task = FargateTaskDefinition("web")
    task.add_container("app", image="123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1",
                       repository_credentials="registry")
    [problem] = found(stack_of(task), "ECS129")
    assert problem.severity == "warning" and "ignored for an ECR image" in problem.message
    assert found(stack_of(_fargate(repository_credentials="registry")), "ECS129") == []


def test_ecs130_security_options_and_credential_specs(stack_of, found) -> None:
    task = _ec2(docker_security_options=["seccomp=unconfined", "apparmor:docker-default"],
                credential_specs=["credentialspec:file://spec.json", "credentialspec:arn:aws:s3:::b/s.json"])
    messages = [p.message for p in found(stack_of(task), "ECS130")]
    assert "docker_security_options 'seccomp=unconfined' is not an option ECS passes to Docker." in messages
    assert "2 credential_specs; a container takes one." in messages
    assert any("'credentialspec:file://spec.json' is not" in m for m in messages) and len(messages) == 3
    ok = _ec2(docker_security_options=["no-new-privileges", "label:type:container_t"],
              credential_specs=["credentialspecdomainless:arn:aws:ssm:eu-west-1:123456789012:parameter/gmsa"])
    assert found(stack_of(ok), "ECS130") == []


# ---- tasks --------------------------------------------------------------------------------------------------
def test_ecs340_namespaces(stack_of, found) -> None:
    task = FargateTaskDefinition("web", pid_mode="host", ipc_mode="task")
    task.add_container("app", image="app:1")
    messages = [p.message for p in found(stack_of(task), "ECS340")]
    assert len(messages) == 2 and any("pid_mode='host' is not supported on Fargate" in m for m in messages)
    windows = _ec2(task_kwargs={"os_family": "WINDOWS_SERVER_2019_CORE", "pid_mode": "task"})
    [problem] = found(stack_of(windows), "ECS340")
    assert problem.path == "service web › task web" and "Windows" in problem.message
    ok = FargateTaskDefinition("web", pid_mode="task")
    ok.add_container("app", image="app:1")
    assert found(stack_of(ok), "ECS340") == []
    assert found(stack_of(_ec2(task_kwargs={"pid_mode": "host", "ipc_mode": "host"})), "ECS340") == []


def test_ecs341_proxy(stack_of, found) -> None:
    task = _ec2(task_kwargs={"proxy_configuration": ProxyConfiguration("envoy", app_ports=[15000, 70000],
                                                                       egress_ignored_ips=["x"])})
    problems = found(stack_of(task), "ECS341")
    assert {p.path for p in problems} == {"service web › task web › proxy_configuration"}
    text = " ".join(p.message for p in problems)
    for part in ("needs the awsvpc network mode", "'envoy' is not a container of the task",
                 "neither ignored_uid nor ignored_gid", "out of range: 70000", "port 15000 is both",
                 "egress_ignored_ips holds x"):
        assert part in text
    ok = FargateTaskDefinition("web", proxy_configuration=ProxyConfiguration(
        "envoy", ignored_uid=1337, app_ports=[8080], egress_ignored_ips=["169.254.170.2", "10.0.0.0/8"]))
    ok.add_container("app", image="app:1")
    ok.add_container("envoy", image="envoy:1")
    assert found(stack_of(ok), "ECS341") == []


def test_ecs342_task_placement(stack_of, found) -> None:
    task = FargateTaskDefinition("web", placement_constraints=[PlacementConstraint.distinct_instance()])
    task.add_container("app", image="app:1")
    messages = [p.message for p in found(stack_of(task), "ECS342")]
    assert messages == ["a task definition takes only memberOf placement constraints.",
                        "placement_constraints are not supported on Fargate: there are no container instances to "
                        "choose."]
    ok = _ec2(task_kwargs={"placement_constraints": [PlacementConstraint.member_of("attribute:a == b")]})
    assert found(stack_of(ok), "ECS342") == []


def test_ecs343_fault_injection(stack_of, found) -> None:
    [problem] = found(stack_of(_ec2(task_kwargs={"enable_fault_injection": True})), "ECS343")
    assert "(the task uses bridge)" in problem.message
    assert found(stack_of(_ec2("host", task_kwargs={"enable_fault_injection": True})), "ECS343") == []


# ---- services -----------------------------------------------------------------------------------------------
def test_ecs460_daemon(found) -> None:
    task = _fargate()
    service = Service("web", cluster=Cluster("main"), task=task, scheduling="DAEMON", desired_count=2,
                      availability_zone_rebalancing=True)
    service.auto_scale(1, 3)
    problems = found(Stack("app").add(service), "ECS460")
    assert {p.path for p in problems} == {"service web"}
    text = " ".join(p.message for p in problems)
    for part in ("Fargate has none", "desired_count=", "auto_scale()", "availability_zone_rebalancing="):
        assert part in text
    daemon = Service("web", cluster=Cluster("main"), task=_ec2(), scheduling="DAEMON")
    assert found(Stack("app").add(daemon), "ECS460") == []


def _ebs_task() -> FargateTaskDefinition:
    task = FargateTaskDefinition("web")
    data = task.add_ebs_volume("data")
    task.add_container("app", image="app:1").mount(data, "/data")
    return task


def test_ecs461_volumes_match(found) -> None:
    service = Service("web", cluster=Cluster("main"), task=_ebs_task(),
                      volume_configurations=[ManagedEbsVolume("logs", size_gib=1),
                                             ManagedEbsVolume("logs", size_gib=1)])
    messages = [p.message for p in found(Stack("app").add(service), "ECS461")]
    assert "volume_configurations configures 'logs' twice." in messages
    assert "ManagedEbsVolume 'logs' names no volume the task configures at launch." in messages
    assert any("has the EBS volume 'data', configured at launch, but the service does not configure it" in m
               for m in messages)
    ok = Service("web", cluster=Cluster("main"), task=_ebs_task(),
                 volume_configurations=[ManagedEbsVolume("data", size_gib=1)])
    assert found(Stack("app").add(ok), "ECS461") == []


@pytest.mark.parametrize(("kwargs", "part"), [
    ({}, "neither size_gib nor snapshot_id"),
    ({"size_gib": 20000}, "size_gib=20000 is out of range for gp3"),
    ({"size_gib": 10, "volume_type": "st1"}, "size_gib=10 is out of range for st1"),
    ({"size_gib": 10, "volume_type": "gp2", "iops": 3000}, "iops= does not apply to gp2"),
    ({"size_gib": 10, "volume_type": "io2"}, "io2 volumes need iops="),
    ({"size_gib": 10, "iops": 20000}, "iops=20000 is out of range for gp3"),
    ({"size_gib": 10, "volume_type": "io1", "iops": 1000, "throughput": 200}, "throughput= applies to gp3"),
    ({"size_gib": 10, "throughput": 2000}, "throughput=2000 is out of range"),
    ({"size_gib": 10, "volume_type": "ssd"}, "'ssd' is not an EBS volume type"),
    ({"size_gib": 10, "file_system_type": "ntfs"}, "'ntfs' is not one ECS formats"),
    ({"size_gib": 10, "volume_type": "standard"}, "not supported on Fargate"),
    ({"size_gib": 10, "encrypted": False, "kms_key": "arn:aws:kms:eu-west-1:123456789012:key/abc"}, "encrypted=False"),
])
def test_ecs462_ebs_ranges(found, kwargs, part) -> None:
    service = Service("web", cluster=Cluster("main"), task=_ebs_task(),
                      volume_configurations=[ManagedEbsVolume("data", **kwargs)])
    problems = found(Stack("app").add(service), "ECS462")
    assert any(part in p.message for p in problems), [p.message for p in problems]
    assert all(p.path == "service web › managed EBS volume data" for p in problems)


def test_ecs462_allows_volumes_in_range(found) -> None:
    for kwargs in ({"size_gib": 16384, "iops": 16000, "throughput": 1000}, {"snapshot_id": "snap-0123"},
                   {"size_gib": 4, "volume_type": "io2", "iops": 256000}, {"size_gib": 125, "volume_type": "sc1"}):
        service = Service("web", cluster=Cluster("main"), task=_ebs_task(),
                          volume_configurations=[ManagedEbsVolume("data", **kwargs)])
        assert found(Stack("app").add(service), "ECS462") == [], kwargs


def test_ecs463_service_connect_timeouts(found) -> None:
    task = FargateTaskDefinition("api")
    task.add_container("app", image="app:1", ports=[PortMapping(8080, name="api"),
                                                    PortMapping(9090, name="web", app_protocol="http")])
    sc = ServiceConnect(namespace=Namespace("internal"), ports=[
        ServiceConnectPort("api", per_request_timeout=5, idle_timeout=-1),
        ServiceConnectPort("web", per_request_timeout=5)])
    problems = found(Stack("app").add(Service("api", cluster=Cluster("main"), task=task, service_connect=sc)), "ECS463")
    assert [(p.path, p.message.split(" ")[0]) for p in problems] == [
        ("service api › service connect port api", "idle_timeout=-1"),
        ("service api › service connect port api", "per_request_timeout")]


def test_ecs470_tags(found) -> None:
    stack = Stack("app", tags={"aws:owner": "x", "k" * 129: "v", "long": "v" * 257})
    stack.add(Cluster("main", tags={f"t{i}": "v" for i in range(51)}))
    problems = found(stack, "ECS470")
    assert {p.path for p in problems} == {"stack app", "cluster main"}
    text = " ".join(p.message for p in problems)
    for part in ("starts with aws:", "129 characters", "value of 257 characters", "51 tags"):
        assert part in text
    ok = Stack("app", tags={"team": "web"})
    task = _fargate()
    task.tags["app"] = "web"
    ok.add(Service("web", cluster=Cluster("main", tags={"tier": "prod"}), task=task, tags={"svc": "web"}))
    assert found(ok, "ECS470") == []


def test_ecs471_exec_logging(found) -> None:
    stack = Stack("app").add(Cluster("main", execute_command_logging=ExecuteCommandLogging(
        s3_prefix="exec/", cloudwatch_encryption=True)))
    problems = found(stack, "ECS471")
    assert {p.path for p in problems} == {"cluster main › execute_command_logging"}
    assert sorted(p.message.split(" ")[0] for p in problems) == ["ExecuteCommandLogging", "cloudwatch_encryption",
                                                                 "s3_prefix"]
    ok = Stack("app").add(Cluster("main", execute_command_logging=ExecuteCommandLogging(s3_bucket="audit",
                                                                                      s3_prefix="exec/")))
    assert found(ok, "ECS471") == []


def test_ecs460_daemon_max_percent(found) -> None:
    daemon = Service("web", cluster=Cluster("main"), task=_ec2(), scheduling="DAEMON", max_percent=150)
    [problem] = found(Stack("app").add(daemon), "ECS460")
    assert "max_percent=150" in problem.message and "100 only" in problem.message
    for kwargs in ({"max_percent": 100}, {"max_percent": 100, "min_healthy_percent": 100}, {}):
        daemon = Service("web", cluster=Cluster("main"), task=_ec2(), scheduling="DAEMON", **kwargs)
        assert [p for p in found(Stack("app").add(daemon)) if p.severity == "error"] == [], kwargs


def test_ecs460_daemon_deployment(found) -> None:
    from ecsstack import Deployment

    shifting = Service("web", cluster=Cluster("main"), task=_ec2(), scheduling="DAEMON",
                       deployment=Deployment.blue_green(bake_time=5))
    [problem] = found(Stack("app").add(shifting), "ECS460")
    assert "REPLICA services only" in problem.message and "Deployment.rolling" in problem.hint
    rolling = Service("web", cluster=Cluster("main"), task=_ec2(), scheduling="DAEMON",
                      deployment=Deployment.rolling())
    [problem] = found(Stack("app").add(rolling), "ECS460")
    assert "max_percent=200" in problem.message
    fine = Service("web", cluster=Cluster("main"), task=_ec2(), scheduling="DAEMON",
                   deployment=Deployment.rolling(min_healthy_percent=0, max_percent=100))
    assert found(Stack("app").add(fine), "ECS460") == []
