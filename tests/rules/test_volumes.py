"""ECS8xx: task storage — EFS and bind volumes, mount points, ephemeral storage — and their argument checks."""

from __future__ import annotations

import pytest

from ecsstack import (
    BindVolume,
    Cluster,
    Ec2TaskDefinition,
    EfsVolume,
    FargateTaskDefinition,
    LaunchType,
    MountPoint,
    Parameter,
    Service,
    Stack,
    TaskDefinition,
    ValidationError,
)

FS = "fs-0123456789abcdef0"
AP = "fsap-0123456789abcdef0"


def efs_task(family: str = "web", **volume_kwargs) -> tuple[FargateTaskDefinition, EfsVolume]:
    task = FargateTaskDefinition(family)
    volume = task.add_efs_volume("data", FS, **volume_kwargs)
    task.add_container("app", image="app:1").mount(volume, "/data")
    return task, volume


def served(task: TaskDefinition, **kwargs) -> Stack:
    return Stack("app").add(Service("web", cluster=Cluster("main"), task=task, **kwargs))


# ---- the model ---------------------------------------------------------------------------------------

def test_volumes_belong_to_their_task_and_mounts_chain():
    task = FargateTaskDefinition("web")
    data = task.add_efs_volume("data", FS, access_point_id=AP, iam_authorization=True)
    tmp = task.add_bind_volume("tmp")
    app = task.add_container("app", image="app:1")
    assert app.mount(data, "/data", read_only=True).mount("tmp", "/tmp") is app
    assert task.volumes == [data, tmp] and data.task is task and isinstance(tmp, BindVolume)
    assert data.path == "task web › volume data"
    assert app.mount_points == [MountPoint(data, "/data", True), MountPoint("tmp", "/tmp", False)]
    assert [m.volume_name for m in app.mount_points] == ["data", "tmp"]
    side = task.add_container("side", image="side:1", essential=False)
    assert side.volumes_from(app, read_only=True) is side
    assert [(v.container_name, v.read_only) for v in side.volume_sources] == [("app", True)]
    assert app.volume_sources == [] and side.mount_points == []


def test_efs_volume_takes_a_parameter_and_defaults_to_transit_encryption():
    stack = Stack("app")
    fs = stack.parameter("FileSystemId")
    volume = FargateTaskDefinition("web").add_efs_volume("data", fs)
    assert volume.file_system_id is fs and volume.transit_encryption is True
    assert volume.iam_authorization is False and volume.root_directory is None


@pytest.mark.parametrize(("call", "text"), [
    (lambda t: t.add_efs_volume("", FS), "needs a name"),
    (lambda t: t.add_efs_volume("data", ""), "file_system_id"),
    (lambda t: t.add_efs_volume("data", 5), "file_system_id"),
    (lambda t: t.add_efs_volume("data", FS, root_directory=""), "root_directory"),
    (lambda t: t.add_efs_volume("data", FS, access_point_id=3), "access_point_id"),
    (lambda t: t.add_efs_volume("data", FS, transit_encryption="yes"), "transit_encryption"),
    (lambda t: t.add_efs_volume("data", FS, iam_authorization=1), "iam_authorization"),
    (lambda t: t.add_bind_volume(None), "needs a name"),
    (lambda t: t.add_bind_volume("tmp", host_path=""), "host_path"),
    (lambda t: t.add_container("app", image="a").mount(None, "/data"), "needs a volume"),
    (lambda t: t.add_container("app", image="a").mount("data", ""), "container_path"),
    (lambda t: t.add_container("app", image="a").mount("data", "/d", read_only="no"), "read_only"),
    (lambda t: t.add_container("app", image="a").volumes_from(5), "volumes_from"),
])
def test_wrong_arguments_raise_ecs001(call, text):
    with pytest.raises(ValidationError) as info:
        call(FargateTaskDefinition("web"))
    [problem] = info.value.problems
    assert problem.rule == "ECS001" and text in problem.message and problem.path.startswith("task web")


# ---- ECS801 --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("version", ["1.3.0", "1.2.0"])
def test_ecs801_efs_below_platform_1_4(found, version):
    [problem] = found(served(efs_task()[0], platform_version=version), "ECS801")
    assert problem.path == "service web" and "EFS volume 'data'" in problem.message and version in problem.message


def test_ecs801_ephemeral_storage_below_platform_1_4(found):
    task = FargateTaskDefinition("web", ephemeral_storage_gib=50)
    task.add_container("app", image="app:1")
    [problem] = found(served(task, platform_version="1.3.0"), "ECS801")
    assert "ephemeral_storage_gib" in problem.message


@pytest.mark.parametrize("version", [None, "LATEST", "1.4.0", "1.10.0", Parameter("Platform")])
def test_ecs801_allows_1_4_latest_and_default(found, version):
    assert found(served(efs_task()[0], platform_version=version), "ECS801") == []


def test_ecs801_allows_old_platform_without_efs(found):
    task = FargateTaskDefinition("web")
    task.add_bind_volume("tmp")
    task.add_container("app", image="app:1").mount("tmp", "/tmp")
    assert found(served(task, platform_version="1.3.0"), "ECS801") == []


# ---- ECS802 --------------------------------------------------------------------------------------------

def test_ecs802_volume_of_another_task(found):
    other, volume = efs_task("other")
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1").mount(volume, "/data")
    [problem] = found(Stack("app").add(task, other), "ECS802")
    assert problem.path == "task web › container app" and "of task 'other'" in problem.message


def test_ecs802_unknown_volume_name_suggests_a_close_one(found):
    task = FargateTaskDefinition("web")
    task.add_bind_volume("cache")
    task.add_container("app", image="app:1").mount("cach", "/cache")
    [problem] = found(served(task), "ECS802")
    assert problem.path == "service web › task web › container app"
    assert "has no volume of that name. Did you mean 'cache'?" in problem.message


def test_ecs802_volumes_from_itself_or_another_task(found):
    task = FargateTaskDefinition("web")
    app = task.add_container("app", image="app:1")
    app.volumes_from(app)
    stranger = FargateTaskDefinition("other").add_container("x", image="x")
    task.add_container("side", image="side:1", essential=False).volumes_from(stranger).volumes_from("ap")
    problems = found(served(task), "ECS802")
    assert [(p.path.rsplit(" ", 1)[-1], p.message) for p in problems] == [
        ("app", "takes volumes_from itself."),
        ("side", "takes volumes_from 'ap', which is not a container of task 'web'. Did you mean 'app'?"),
        ("side", "takes volumes_from 'x', which is not a container of task 'web'."),
    ]


def test_ecs802_allows_own_volumes_by_object_and_name(found):
    task, _ = efs_task()
    task.add_container("side", image="side:1", essential=False).mount("data", "/data").volumes_from("app")
    assert found(served(task), "ECS802") == []


# ---- ECS803 --------------------------------------------------------------------------------------------

def test_ecs803_two_mounts_at_one_path(found):
    task = FargateTaskDefinition("web")
    a, b = task.add_bind_volume("a"), task.add_bind_volume("b")
    task.add_container("app", image="app:1").mount(a, "/data").mount(b, "/data/")
    [problem] = found(served(task), "ECS803")
    assert problem.path.endswith("container app") and "'a' and 'b' at '/data'" in problem.message


def test_ecs803_allows_one_volume_at_two_paths_and_two_containers_at_one(found):
    task = FargateTaskDefinition("web")
    a = task.add_bind_volume("a")
    task.add_container("app", image="app:1").mount(a, "/data").mount(a, "/copy", read_only=True)
    task.add_container("side", image="side:1", essential=False).mount(a, "/data")
    assert found(served(task), "ECS803") == []


# ---- ECS804 --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "text"), [
    ({"access_point_id": AP, "transit_encryption": False}, "access_point_id need transit encryption"),
    ({"iam_authorization": True, "transit_encryption": False}, "iam_authorization=True need transit"),
    ({"access_point_id": AP, "root_directory": "/app"}, "root_directory='/app' with an access point"),
])
def test_ecs804_efs_settings(found, kwargs, text):
    [problem] = found(served(efs_task(**kwargs)[0]), "ECS804")
    assert problem.path == "service web › task web › volume data" and text in problem.message


@pytest.mark.parametrize("kwargs", [
    {}, {"transit_encryption": False}, {"root_directory": "/app"}, {"access_point_id": AP},
    {"access_point_id": AP, "root_directory": "/", "iam_authorization": True},
])
def test_ecs804_allows(found, kwargs):
    assert found(served(efs_task(**kwargs)[0]), "ECS804") == []


# ---- ECS805 --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [20, 201])
def test_ecs805_size(found, size):
    task = FargateTaskDefinition("web", ephemeral_storage_gib=size)
    task.add_container("app", image="app:1")
    [problem] = found(served(task), "ECS805")
    assert problem.path == "service web › task web" and "out of range" in problem.message


@pytest.mark.parametrize("size", ["30", 30.0, True])
def test_ephemeral_storage_must_be_a_whole_number(size):
    with pytest.raises(ValidationError) as info:
        FargateTaskDefinition("web", ephemeral_storage_gib=size)
    [problem] = info.value.problems
    assert problem.rule == "ECS001" and "whole number" in problem.message and problem.path == "task web"


def test_ecs805_not_on_ec2(found):
    task = Ec2TaskDefinition("web", memory=512, ephemeral_storage_gib=30)
    task.add_container("app", image="app:1")
    [problem] = found(Stack("app").add(task), "ECS805")
    assert problem.path == "task web" and "not a Fargate task" in problem.message


@pytest.mark.parametrize("size", [None, 21, 100, 200, Parameter("Storage")])
def test_ecs805_allows(found, size):
    task = FargateTaskDefinition("web", ephemeral_storage_gib=size)
    task.add_container("app", image="app:1")
    assert found(served(task), "ECS805") == []


# ---- ECS806 --------------------------------------------------------------------------------------------

def test_ecs806_host_path_on_fargate(found):
    task = TaskDefinition("web", cpu=256, memory=512, compatibilities=[LaunchType.EC2, LaunchType.FARGATE])
    task.add_bind_volume("logs", host_path="/var/log/app")
    task.add_container("app", image="app:1").mount("logs", "/logs")
    [problem] = found(Stack("app").add(task), "ECS806")
    assert problem.path == "task web › volume logs" and "host_path='/var/log/app'" in problem.message


def test_ecs806_allows_host_path_on_ec2_and_no_host_path_on_fargate(found):
    ec2 = Ec2TaskDefinition("worker", memory=512)
    ec2.add_bind_volume("logs", host_path="/var/log/app")
    ec2.add_container("app", image="app:1").mount("logs", "/logs")
    fargate = FargateTaskDefinition("web")
    fargate.add_bind_volume("tmp")
    fargate.add_container("app", image="app:1").mount("tmp", "/tmp")
    assert found(Stack("app").add(ec2, fargate), "ECS806") == []


# ---- ECS810 --------------------------------------------------------------------------------------------

def test_ecs810_iam_authorization_with_own_task_role_is_a_warning(found):
    task = FargateTaskDefinition("web", task_role="arn:aws:iam::123456789012:role/web")
    task.add_efs_volume("data", FS, iam_authorization=True)
    [problem] = found(served(task), "ECS810")
    assert problem.severity == "warning" and problem.path == "service web › task web › volume data"
    assert "ClientMount" in problem.hint


def test_ecs810_allows_made_role_or_no_iam(found):
    made, _ = efs_task(iam_authorization=True)
    own = FargateTaskDefinition("own", task_role="arn:aws:iam::123456789012:role/web")
    own.add_efs_volume("data", FS)
    assert found(Stack("app").add(made, own), "ECS810") == []


# ---- ECS811 --------------------------------------------------------------------------------------------

def test_ecs811_duplicate_and_invalid_names(found):
    task = FargateTaskDefinition("web")
    task.add_bind_volume("data")
    task.add_bind_volume("data")
    task.add_bind_volume("my data")
    problems = found(served(task), "ECS811")
    assert sorted(p.message for p in problems) == ["task 'web' has two volumes named 'data'.",
                                                   "the volume name 'my data' is not valid."]


def test_ecs811_allows_distinct_valid_names_and_the_same_name_in_two_tasks(found):
    a, _ = efs_task("a")
    b, _ = efs_task("b")
    assert found(Stack("app").add(a, b), "ECS811") == []
