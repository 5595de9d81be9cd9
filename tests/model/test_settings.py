"""The first-class settings' shapes: what normalise() brings to one form and what it refuses (ECS001)."""

from __future__ import annotations

import pytest

from ecsstack import (
    Cluster,
    Device,
    EbsVolume,
    Ec2TaskDefinition,
    ExecuteCommandLogging,
    FargateTaskDefinition,
    IpcMode,
    LinuxParameters,
    ManagedEbsVolume,
    PidMode,
    PlacementConstraint,
    ProxyConfiguration,
    SchedulingStrategy,
    Service,
    ServiceConnect,
    ServiceConnectPort,
    ServiceConnectTls,
    Stack,
    Tmpfs,
    Ulimit,
    VersionConsistency,
)
from ecsstack.model.derived import normalise_all

from ._support import raises

CA = "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/abc"


def _app(**kwargs):
    return FargateTaskDefinition("web").add_container("app", image="app:1", **kwargs)


def test_ulimits_take_pairs_numbers_or_objects() -> None:
    assert _app(ulimits={"nofile": (1, 2), "nproc": 5}).ulimits == [Ulimit("nofile", 1, 2), Ulimit("nproc", 5, 5)]
    assert _app(ulimits=Ulimit("core", 0, 0)).ulimits == [Ulimit("core", 0, 0)]
    assert _app().ulimits == []


@pytest.mark.parametrize("bad", [{"nofile": (1, 2, 3)}, {"nofile": "many"}, ["nofile"], {"nofile": (1, "2")}])
def test_malformed_ulimits_are_refused(bad) -> None:
    error = raises(_app, ulimits=bad)
    assert "ulimit" in str(error)


def test_capabilities_drop_the_cap_prefix_and_are_upper_case() -> None:
    lp = LinuxParameters(capabilities_add=["cap_sys_ptrace"], capabilities_drop=["NET_RAW"])
    assert (lp.capabilities_add, lp.capabilities_drop) == (["SYS_PTRACE"], ["NET_RAW"])


def test_linux_parameters_refuse_wrong_shapes() -> None:
    raises(LinuxParameters, capabilities_add="SYS_PTRACE")  # a lone string
    raises(LinuxParameters, swappiness="10")
    raises(LinuxParameters, tmpfs=["/tmp"])
    raises(Tmpfs, "/tmp", size="64")
    raises(Device, "")
    raises(_app, linux_parameters={"init_process_enabled": True})


def test_a_lone_tmpfs_or_device_becomes_a_list() -> None:
    lp = LinuxParameters(tmpfs=Tmpfs("/t", 1), devices=Device("/dev/fuse", permissions=["READ"]))
    assert len(lp.tmpfs) == 1 and lp.devices[0].permissions == ["read"]


def test_version_consistency_takes_booleans_and_spellings() -> None:
    assert _app(version_consistency=True).version_consistency is VersionConsistency.ENABLED
    assert _app(version_consistency="DISABLED").version_consistency is VersionConsistency.DISABLED
    raises(_app, version_consistency="sometimes")


def test_container_settings_refuse_wrong_types() -> None:
    raises(_app, privileged="yes")
    raises(_app, dns_servers="10.0.0.2")  # a lone string is almost always a mistake
    raises(_app, extra_hosts=["db:10.0.0.5"])
    raises(_app, repository_credentials="")
    raises(_app, credential_specs=[1])
    raises(_app, hostname=5)


def test_single_values_become_lists() -> None:
    c = _app(environment_files="arn:aws:s3:::b/a.env", credential_specs="credentialspec:arn:aws:s3:::b/s.json")
    assert c.environment_files == ["arn:aws:s3:::b/a.env"]
    assert c.credential_specs == ["credentialspec:arn:aws:s3:::b/s.json"]
    assert c.credential_spec_arns == ["arn:aws:s3:::b/s.json"]


def test_environment_file_buckets() -> None:
    stack = Stack("t")
    param = stack.parameter("EnvFile")
    c = _app(environment_files=["arn:aws:s3:::config/dir/a.env", param])
    assert c.environment_file_objects == [("arn:aws:s3:::config/dir/a.env", "arn:aws:s3:::config"), (param, None)]


def test_a_misspelt_keyword_names_the_right_one() -> None:
    error = raises(_app, ulimit={"nofile": 1})
    assert "Did you mean 'ulimits'" in str(error)


def test_task_settings_normalise() -> None:
    task = Ec2TaskDefinition("web", pid_mode="HOST", ipc_mode="none", tags={"n": 1, "b": True},
                             placement_constraints=PlacementConstraint.member_of("attribute:a == b"))
    assert task.pid_mode is PidMode.HOST and task.ipc_mode is IpcMode.NONE
    assert task.tags == {"n": "1", "b": "true"}
    assert len(task.placement_constraints) == 1
    raises(FargateTaskDefinition, "web", pid_mode="shared")
    raises(FargateTaskDefinition, "web", proxy_configuration={"container_name": "envoy"})
    raises(FargateTaskDefinition, "web", placement_constraints=["memberOf"])
    raises(FargateTaskDefinition, "web", enable_fault_injection="yes")
    raises(FargateTaskDefinition, "web", tags=["team"])


def test_proxy_configuration_takes_a_container_or_a_name() -> None:
    task = FargateTaskDefinition("web")
    envoy = task.add_container("envoy", image="envoy:1")
    assert ProxyConfiguration(envoy, ignored_uid=1337).name == "envoy"
    assert ProxyConfiguration("envoy", app_ports=8080).app_ports == [8080]
    raises(ProxyConfiguration, "")
    raises(ProxyConfiguration, "envoy", app_ports=["8080"])


def test_an_ebs_volume_is_a_task_volume() -> None:
    task = FargateTaskDefinition("web")
    volume = task.add_ebs_volume("data")
    assert isinstance(volume, EbsVolume) and task.volumes == [volume] and volume.task is task
    raises(task.add_ebs_volume, "")


def test_managed_ebs_volume_shapes() -> None:
    v = ManagedEbsVolume("data", size_gib=10, volume_type="GP3", file_system_type="EXT4")
    assert (v.volume_type, v.file_system_type, v.encrypted) == ("gp3", "ext4", True)
    raises(ManagedEbsVolume, "")
    raises(ManagedEbsVolume, "data", size_gib="10")
    raises(ManagedEbsVolume, "data", kms_key="alias/mine")


def test_service_settings_normalise() -> None:
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1")
    s = Service("web", cluster=Cluster("main"), task=task, scheduling="daemon", availability_zone_rebalancing="enabled",
                volume_configurations=ManagedEbsVolume("data", size_gib=1))
    assert s.scheduling is SchedulingStrategy.DAEMON and s.is_daemon
    assert s.availability_zone_rebalancing is True and len(s.volume_configurations) == 1
    raises(Service, "web", cluster=Cluster("main"), task=task, scheduling="SPREAD")
    raises(Service, "web", cluster=Cluster("main"), task=task, availability_zone_rebalancing="sometimes")
    raises(Service, "web", cluster=Cluster("main"), task=task, volume_configurations=[{"name": "data"}])
    raises(Service, "web", cluster=Cluster("main"), task=task, enable_ecs_managed_tags=None)


def test_service_connect_tls_and_timeouts() -> None:
    sc = ServiceConnect(ports=[ServiceConnectPort("http", idle_timeout=10, per_request_timeout=5)],
                        tls=ServiceConnectTls(CA))
    assert sc.ports[0].idle_timeout == 10 and sc.tls.issuer_certificate_authority_arn == CA
    raises(ServiceConnect, ports=["http"], tls=CA)
    raises(ServiceConnectPort, "http", idle_timeout="10s")
    raises(ServiceConnectTls, "")


@pytest.mark.parametrize(("given", "kept"), [(True, True), (False, False), ("enhanced", "enhanced"),
                                             ("Enhanced", "enhanced"), ("enabled", True), ("disabled", False)])
def test_container_insights_spellings(given, kept) -> None:
    assert Cluster("main", container_insights=given).container_insights == kept


def test_cluster_refuses_wrong_settings() -> None:
    raises(Cluster, "main", container_insights="maybe")
    raises(Cluster, "main", managed_storage_kms_key="my-key")
    raises(Cluster, "main", tags="team=web")


def test_stack_tags() -> None:
    assert Stack("t", tags={"team": "web", "n": 2}).tags == {"team": "web", "n": "2"}
    assert Stack("t").tags == {}
    raises(Stack, "t", tags=[("team", "web")])


def test_execute_command_logging_shapes() -> None:
    assert Cluster("main", execute_command_logging="default").execute_command_logging == "DEFAULT"
    logging = ExecuteCommandLogging(log_group="ecs-exec")
    assert Cluster("main", execute_command_logging=logging).execute_command_logging is logging
    raises(Cluster, "main", execute_command_logging="cloudwatch")
    raises(ExecuteCommandLogging, log_group="")
    raises(ExecuteCommandLogging, s3_encryption="yes")
    raises(Cluster, "main", execute_command_kms_key="alias/exec")


def test_a_changed_setting_is_reported_under_its_owner() -> None:
    task = FargateTaskDefinition("web")
    app = task.add_container("app", image="app:1", linux_parameters=LinuxParameters())
    stack = Stack("t").add(task)
    app.linux_parameters.swappiness = "high"
    problems = normalise_all(stack)
    assert [(p.rule, p.path) for p in problems] == [("ECS001", "task web › container app › linux_parameters")]
