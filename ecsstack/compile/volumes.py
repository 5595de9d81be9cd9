"""Task storage: EFS and bind volumes, ephemeral storage, mount points and the EFS grant of the task role
(properties and statements the task compiler merges)."""

from __future__ import annotations

from typing import Any

import awacs.elasticfilesystem as efs
from awacs.aws import Allow, Condition, Statement, StringEquals
from troposphere import Sub, ecs

from ..model import BindVolume, Container, EbsVolume, EfsVolume, TaskDefinition, Volume
from ._context import Context

__all__ = ["container_properties", "task_properties", "task_role_statements"]

_EFS_ARN = "arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:"


def _efs_volume(v: EfsVolume, ctx: Context) -> ecs.Volume:
    cfg: dict[str, Any] = {"FilesystemId": ctx.value(v.file_system_id),
                           "TransitEncryption": "ENABLED" if v.transit_encryption else "DISABLED"}
    if v.root_directory is not None:
        cfg["RootDirectory"] = v.root_directory
    if v.access_point_id is not None or v.iam_authorization:
        auth: dict[str, Any] = {"IAM": "ENABLED" if v.iam_authorization else "DISABLED"}
        if v.access_point_id is not None:
            auth["AccessPointId"] = ctx.value(v.access_point_id)
        cfg["AuthorizationConfig"] = ecs.AuthorizationConfig(**auth)
    return ecs.Volume(Name=v.name, EFSVolumeConfiguration=ecs.EFSVolumeConfiguration(**cfg))


def _volume(v: Volume, ctx: Context) -> ecs.Volume:
    if isinstance(v, EfsVolume):
        return _efs_volume(v, ctx)
    if isinstance(v, EbsVolume):
        return ecs.Volume(Name=v.name, ConfiguredAtLaunch=True)
    if isinstance(v, BindVolume) and v.host_path is not None:
        return ecs.Volume(Name=v.name, Host=ecs.Host(SourcePath=v.host_path))
    return ecs.Volume(Name=v.name)


def _arn(kind: str, ident: Any, ctx: Context) -> Sub:
    """``file-system/fs-…`` or ``access-point/fsap-…`` of this account and region, as ``Fn::Sub``."""
    if isinstance(ident, str):
        return Sub(f"{_EFS_ARN}{kind}/{ident}")
    return Sub(_EFS_ARN + kind + "/${Id}", Id=ctx.value(ident))


def _writable(v: EfsVolume, task: TaskDefinition) -> bool:
    """Whether any container of ``task`` mounts ``v`` read-write."""
    return any((m.volume is v or m.volume == v.name) and not m.read_only
               for c in task.containers for m in c.mount_points)


def _efs_statement(v: EfsVolume, task: TaskDefinition, ctx: Context) -> Statement:
    actions = [efs.ClientMount, efs.ClientWrite] if _writable(v, task) else [efs.ClientMount]
    kwargs: dict[str, Any] = {}
    if v.access_point_id is not None:  # only through the access point the task mounts
        kwargs["Condition"] = Condition(StringEquals(
            "elasticfilesystem:AccessPointArn", _arn("access-point", v.access_point_id, ctx)))
    return Statement(Effect=Allow, Action=actions, Resource=[_arn("file-system", v.file_system_id, ctx)], **kwargs)


def task_properties(task: TaskDefinition, ctx: Context) -> dict[str, Any]:
    """``Volumes`` and ``EphemeralStorage`` of the task definition."""
    props: dict[str, Any] = {}
    if task.volumes:
        props["Volumes"] = [_volume(v, ctx) for v in task.volumes]
    if task.ephemeral_storage_gib is not None:
        props["EphemeralStorage"] = ecs.EphemeralStorage(SizeInGiB=ctx.value(task.ephemeral_storage_gib))
    return props


def task_role_statements(task: TaskDefinition, ctx: Context) -> list[Statement]:
    """What the task role needs to mount the EFS volumes that use IAM authorization."""
    return [_efs_statement(v, task, ctx) for v in task.volumes if isinstance(v, EfsVolume) and v.iam_authorization]


def container_properties(c: Container) -> dict[str, Any]:
    """A container's ``MountPoints`` and ``VolumesFrom`` (the containers it takes volumes from)."""
    props: dict[str, Any] = {}
    if c.mount_points:
        props["MountPoints"] = [ecs.MountPoint(SourceVolume=m.volume_name, ContainerPath=m.container_path,
                                               ReadOnly=m.read_only) for m in c.mount_points]
    if c.volume_sources:
        props["VolumesFrom"] = [ecs.VolumesFrom(SourceContainer=v.container_name, ReadOnly=v.read_only)
                                for v in c.volume_sources]
    return props
