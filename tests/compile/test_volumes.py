"""Task storage in the template: volumes, mount points, ephemeral storage and the EFS grant of the task role."""

from __future__ import annotations

from ecsstack import Cluster, Ec2TaskDefinition, FargateTaskDefinition, LogConfig, Service, Stack
from ecsstack.lint import lint_template

FS = "fs-0123456789abcdef0"
AP = "fsap-0123456789abcdef0"
EFS_ARN = "arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:"


def web(**task_kwargs) -> tuple[Stack, FargateTaskDefinition]:
    stack = Stack("t")
    task = FargateTaskDefinition("web", cpu=512, memory=1024, **task_kwargs)
    stack.add(Service("web", cluster=Cluster("main"), task=task))
    return stack, task


def task_props(stack: Stack) -> dict:
    return stack.to_dict()["Resources"]["WebTaskDefinition"]["Properties"]


def containers(stack: Stack) -> dict[str, dict]:
    return {c["Name"]: c for c in task_props(stack)["ContainerDefinitions"]}


def task_policies(stack: Stack) -> dict[str, list[dict]]:
    role = stack.to_dict()["Resources"]["WebTaskRole"]["Properties"]
    return {p["PolicyName"]: p["PolicyDocument"]["Statement"] for p in role.get("Policies", [])}


def test_efs_volume_with_defaults_encrypts_in_transit_and_grants_nothing():
    stack, task = web()
    data = task.add_efs_volume("data", FS)
    task.add_container("app", image="app").mount(data, "/data")
    assert task_props(stack)["Volumes"] == [
        {"Name": "data", "EFSVolumeConfiguration": {"FilesystemId": FS, "TransitEncryption": "ENABLED"}}]
    assert containers(stack)["app"]["MountPoints"] == [
        {"SourceVolume": "data", "ContainerPath": "/data", "ReadOnly": False}]
    assert "efs" not in task_policies(stack)


def test_efs_access_point_and_iam_grant_mount_and_write_through_that_access_point():
    stack, task = web()
    data = task.add_efs_volume("data", FS, access_point_id=AP, iam_authorization=True)
    task.add_container("app", image="app").mount(data, "/data")
    task.add_container("reader", image="app", essential=False).mount(data, "/data", read_only=True)
    assert task_props(stack)["Volumes"][0]["EFSVolumeConfiguration"] == {
        "FilesystemId": FS, "TransitEncryption": "ENABLED",
        "AuthorizationConfig": {"AccessPointId": AP, "IAM": "ENABLED"}}
    [statement] = task_policies(stack)["efs"]
    assert statement == {
        "Effect": "Allow", "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        "Resource": [{"Fn::Sub": f"{EFS_ARN}file-system/{FS}"}],
        "Condition": {"StringEquals": {"elasticfilesystem:AccessPointArn": {"Fn::Sub": f"{EFS_ARN}access-point/{AP}"}}},
    }


def test_efs_parameters_and_read_only_mounts_grant_mount_only():
    stack, task = web()
    fs = stack.parameter("FileSystemId")
    data = task.add_efs_volume("data", fs, root_directory="/shared", transit_encryption=False, iam_authorization=False)
    ro = task.add_efs_volume("ro", fs, iam_authorization=True)
    task.add_container("app", image="app").mount(data, "/data").mount(ro, "/ro", read_only=True)
    volumes = {v["Name"]: v["EFSVolumeConfiguration"] for v in task_props(stack)["Volumes"]}
    assert volumes["data"] == {"FilesystemId": {"Ref": "FileSystemId"}, "RootDirectory": "/shared",
                               "TransitEncryption": "DISABLED"}
    assert volumes["ro"]["AuthorizationConfig"] == {"IAM": "ENABLED"}
    [statement] = task_policies(stack)["efs"]
    assert statement["Action"] == ["elasticfilesystem:ClientMount"]
    assert statement["Resource"] == [{"Fn::Sub": [EFS_ARN + "file-system/${Id}", {"Id": {"Ref": "FileSystemId"}}]}]
    assert "Condition" not in statement


def test_efs_grant_is_added_beside_the_users_own_permissions():
    stack, task = web()
    task.allow("s3:GetObject", "arn:aws:s3:::bucket/*")
    task.add_efs_volume("data", FS, iam_authorization=True)
    task.add_container("app", image="app").mount("data", "/data")
    assert list(task_policies(stack)) == ["task", "efs"]


def test_own_task_role_is_left_alone():
    stack, task = web(task_role="arn:aws:iam::123456789012:role/web")
    task.add_efs_volume("data", FS, iam_authorization=True)
    task.add_container("app", image="app").mount("data", "/data")
    assert "WebTaskRole" not in stack.to_dict()["Resources"]
    assert task_props(stack)["TaskRoleArn"] == "arn:aws:iam::123456789012:role/web"


def test_bind_volumes_and_volumes_from():
    stack = Stack("t")
    task = Ec2TaskDefinition("web", memory=512)
    stack.add(task)
    logs = task.add_bind_volume("logs", host_path="/var/log/web")
    tmp = task.add_bind_volume("tmp")
    app = task.add_container("app", image="app").mount(logs, "/logs").mount(tmp, "/tmp")
    task.add_container("shipper", image="shipper", essential=False).volumes_from(app, read_only=True)
    assert task_props(stack)["Volumes"] == [{"Name": "logs", "Host": {"SourcePath": "/var/log/web"}},
                                            {"Name": "tmp"}]
    assert containers(stack)["shipper"]["VolumesFrom"] == [{"SourceContainer": "app", "ReadOnly": True}]
    assert "MountPoints" not in containers(stack)["shipper"]


def test_ephemeral_storage():
    stack, task = web(ephemeral_storage_gib=100)
    task.add_container("app", image="app")
    assert task_props(stack)["EphemeralStorage"] == {"SizeInGiB": 100}
    stack, task = web(ephemeral_storage_gib=Stack("t").parameter("Storage", "Number", 50))
    task.add_container("app", image="app")
    assert task_props(stack)["EphemeralStorage"] == {"SizeInGiB": {"Ref": "Storage"}}


def test_nothing_changes_without_the_features():
    stack, task = web()
    task.add_container("app", image="app")
    props = task_props(stack)
    assert not {"Volumes", "EphemeralStorage"} & set(props)
    assert not {"MountPoints", "VolumesFrom", "FirelensConfiguration"} & set(containers(stack)["app"])
    assert task_policies(stack) == {}


def realistic() -> Stack:
    """A web task with shared EFS storage behind an access point, scratch space, FireLens logs and
    alarm-based rollback."""
    stack = Stack("storage", description="EFS, FireLens, ephemeral storage and rollback alarms")
    fs = stack.parameter("FileSystemId", description="EFS file system of the uploads")
    task = FargateTaskDefinition("web", cpu=512, memory=1024, ephemeral_storage_gib=50)
    uploads = task.add_efs_volume("uploads", fs, access_point_id=stack.parameter("UploadsAccessPoint"),
                                  iam_authorization=True)
    scratch = task.add_bind_volume("scratch")
    task.add_firelens_router(options={"enable-ecs-log-metadata": "true"})
    task.add_container("app", image="example/app:1.4", ports=[8080], logging=LogConfig.firelens(),
                       readonly_root_filesystem=True).mount(uploads, "/srv/uploads").mount(scratch, "/tmp")
    task.add_container("thumbs", image="example/thumbs:1.0", essential=False,
                       logging=LogConfig.firelens()).mount(uploads, "/srv/uploads", read_only=True)
    stack.add(Service("web", cluster=Cluster("main"), task=task, desired_count=2, platform_version="1.4.0",
                      rollback_alarms=["web-5xx", stack.parameter("LatencyAlarm")]))
    return stack


def test_realistic_task_is_cfn_lint_clean():
    findings = lint_template(realistic().to_dict())
    assert [str(f) for f in findings] == []
