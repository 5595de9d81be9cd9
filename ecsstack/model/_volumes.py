"""Task storage: EFS and bind-mount volumes of a task, and where its containers mount them.

The value types, and the pure builders behind ``TaskDefinition.add_efs_volume`` / ``add_bind_volume``
and ``Container.mount`` / ``volumes_from``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._check import as_bool, fail
from ._tokens import Token

if TYPE_CHECKING:
    from ._container import Container
    from ._task import TaskDefinition

__all__ = ["BindVolume", "EbsVolume", "EfsVolume", "MountPoint", "Volume", "VolumesFrom", "bind_volume",
           "ebs_volume", "efs_volume", "mount_point"]


@dataclass(eq=False)
class Volume:
    """A named volume of a task definition. Make one with ``task.add_efs_volume(...)`` or
    ``task.add_bind_volume(...)``; mount it with ``container.mount(volume, "/data")``."""

    name: str
    task: TaskDefinition | None = field(default=None, repr=False, kw_only=True)

    @property
    def path(self) -> str:
        where = f"task {self.task.family} › " if self.task is not None else ""
        return f"{where}volume {self.name}"


@dataclass(eq=False)
class EfsVolume(Volume):
    """An Amazon EFS file system (or a directory of it) mounted into the task.

    Defaults: ``root_directory`` None (the file system's root); ``access_point_id`` None;
    ``transit_encryption`` True (TLS); ``iam_authorization`` False (when True the task role is granted
    ``elasticfilesystem:ClientMount``, and ``ClientWrite`` unless every mount is read-only).
    """

    file_system_id: str | Token
    root_directory: str | None = None
    access_point_id: str | Token | None = None
    transit_encryption: bool = True
    iam_authorization: bool = False


@dataclass(eq=False)
class BindVolume(Volume):
    """A bind mount. ``host_path``: Default None, a Docker-managed directory that lives as long as the
    task (on Fargate, in its ephemeral storage); a path on the container instance works on EC2 only."""

    host_path: str | None = None


@dataclass(eq=False)
class EbsVolume(Volume):
    """An Amazon EBS volume configured at launch (``ConfiguredAtLaunch``): the task definition names it, and
    each service running the task says what volume ECS creates for it (``Service(...,
    volume_configurations=[ManagedEbsVolume(name, size_gib=...)])``). Make one with ``task.add_ebs_volume``."""


@dataclass(frozen=True)
class MountPoint:
    """``volume`` mounted at ``container_path`` of a container. ``read_only``: Default False."""

    volume: Volume | str
    container_path: str
    read_only: bool = False

    @property
    def volume_name(self) -> str:
        return self.volume.name if isinstance(self.volume, Volume) else str(self.volume)


@dataclass(frozen=True)
class VolumesFrom:
    """Every volume of ``container`` (of the same task), mounted at the same paths. ``read_only``: Default False."""

    container: Container | str
    read_only: bool = False

    @property
    def container_name(self) -> str:
        name = self.container if isinstance(self.container, str) else getattr(self.container, "name", "")
        return str(name)


# ---- builders (the task's and the container's methods delegate here) ---------------------------------

def _volume_path(task_path: str, name: Any) -> str:
    path = f"{task_path} › volume {name}" if isinstance(name, str) and name else f"{task_path} › volume"
    if not isinstance(name, str) or not name:
        raise fail(path, f"a volume needs a name, got {name!r}.", 'Write task.add_efs_volume("data", ...).')
    return path


def efs_volume(task: TaskDefinition, name: str, file_system_id: str | Token, root_directory: str | None,
               access_point_id: str | Token | None, transit_encryption: bool, iam_authorization: bool) -> EfsVolume:
    """A checked ``EfsVolume`` of ``task``."""
    path = _volume_path(task.path, name)
    if not isinstance(file_system_id, str | Token) or not file_system_id:
        raise fail(path, f"file_system_id must be an EFS file system ID such as 'fs-0123456789abcdef0' "
                   f"or a stack parameter, got {file_system_id!r}.")
    if root_directory is not None and (not isinstance(root_directory, str) or not root_directory):
        raise fail(path, f"root_directory must be a directory such as '/app', got {root_directory!r}.",
                   "Leave it out to mount the file system's root.")
    if access_point_id is not None and (not isinstance(access_point_id, str | Token) or not access_point_id):
        raise fail(path, f"access_point_id must be an access point ID such as 'fsap-0123456789abcdef0' "
                   f"or a stack parameter, got {access_point_id!r}.")
    return EfsVolume(name, file_system_id, root_directory, access_point_id,
                     as_bool(transit_encryption, path, "transit_encryption"),
                     as_bool(iam_authorization, path, "iam_authorization"), task=task)


def bind_volume(task: TaskDefinition, name: str, host_path: str | None) -> BindVolume:
    """A checked ``BindVolume`` of ``task``."""
    path = _volume_path(task.path, name)
    if host_path is not None and (not isinstance(host_path, str) or not host_path):
        raise fail(path, f"host_path must be a path on the container instance such as '/var/data', "
                   f"got {host_path!r}.", "Leave it out for a directory that lives as long as the task.")
    return BindVolume(name, host_path, task=task)


def mount_point(path: str, volume: Volume | str, container_path: str, read_only: bool) -> MountPoint:
    """A checked ``MountPoint``; ``path`` names the container for messages."""
    if not isinstance(volume, Volume | str) or not volume:
        raise fail(path, f"mount() needs a volume of the task, got {volume!r}.",
                   'Make one with volume = task.add_efs_volume("data", ...) and pass it.')
    if not isinstance(container_path, str) or not container_path:
        raise fail(path, f"container_path must be a path such as '/data', got {container_path!r}.")
    return MountPoint(volume, container_path, as_bool(read_only, path, "read_only"))



def ebs_volume(task: TaskDefinition, name: str) -> EbsVolume:
    """A checked ``EbsVolume`` of ``task``."""
    _volume_path(task.path, name)
    return EbsVolume(name, task=task)
