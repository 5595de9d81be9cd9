"""Task storage: EFS and bind-mount volumes of a task, and where its containers mount them.

``TaskDefinition.add_efs_volume`` / ``add_bind_volume`` and ``Container.mount`` / ``volumes_from`` are
defined here and attached to those classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._check import as_bool, fail
from ._tokens import Token

if TYPE_CHECKING:
    from ._container import Container
    from ._task import TaskDefinition

__all__ = ["BindVolume", "EfsVolume", "MountPoint", "Volume", "VolumesFrom"]


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


# ---- TaskDefinition methods ------------------------------------------------------------------------

def _new_volume(task: TaskDefinition, name: Any) -> str:
    path = f"{task.path} › volume {name}" if isinstance(name, str) and name else f"{task.path} › volume"
    if not isinstance(name, str) or not name:
        raise fail(path, f"a volume needs a name, got {name!r}.", 'Write task.add_efs_volume("data", ...).')
    return path


def add_efs_volume(self: TaskDefinition, name: str, file_system_id: str | Token,
                   root_directory: str | None = None, access_point_id: str | Token | None = None,
                   transit_encryption: bool = True, iam_authorization: bool = False) -> EfsVolume:
    """Add an EFS volume and return it; mount it with ``container.mount(volume, path)``.

    ``file_system_id``: ``fs-…`` or a stack parameter. ``root_directory``: Default None (the root).
    ``access_point_id``: Default None; ``fsap-…`` or a parameter (then leave ``root_directory`` unset).
    ``transit_encryption``: Default True. ``iam_authorization``: Default False; when True the
    task role may mount (and write, unless every mount is read-only) this file system.
    """
    path = _new_volume(self, name)
    if not isinstance(file_system_id, str | Token) or not file_system_id:
        raise fail(path, f"file_system_id must be an EFS file system ID such as 'fs-0123456789abcdef0' "
                   f"or a stack parameter, got {file_system_id!r}.")
    if root_directory is not None and (not isinstance(root_directory, str) or not root_directory):
        raise fail(path, f"root_directory must be a directory such as '/app', got {root_directory!r}.",
                   "Leave it out to mount the file system's root.")
    if access_point_id is not None and (not isinstance(access_point_id, str | Token) or not access_point_id):
        raise fail(path, f"access_point_id must be an access point ID such as 'fsap-0123456789abcdef0' "
                   f"or a stack parameter, got {access_point_id!r}.")
    volume = EfsVolume(name, file_system_id, root_directory, access_point_id,
                       as_bool(transit_encryption, path, "transit_encryption"),
                       as_bool(iam_authorization, path, "iam_authorization"), task=self)
    self.volumes.append(volume)
    return volume


def add_bind_volume(self: TaskDefinition, name: str, host_path: str | None = None) -> BindVolume:
    """Add a bind-mount volume and return it. ``host_path``: Default None (a Docker-managed directory
    shared by the task's containers); a path on the container instance works on EC2 only."""
    path = _new_volume(self, name)
    if host_path is not None and (not isinstance(host_path, str) or not host_path):
        raise fail(path, f"host_path must be a path on the container instance such as '/var/data', "
                   f"got {host_path!r}.", "Leave it out for a directory that lives as long as the task.")
    volume = BindVolume(name, host_path, task=self)
    self.volumes.append(volume)
    return volume


# ---- Container methods -----------------------------------------------------------------------------

def _mount_points(self: Container) -> list[MountPoint]:
    """The volumes this container mounts, in the order mounted."""
    return self.__dict__.setdefault("_mount_points", [])


def _volume_sources(self: Container) -> list[VolumesFrom]:
    """The containers whose volumes this container mounts (``volumes_from``)."""
    return self.__dict__.setdefault("_volumes_from", [])


MOUNT_POINTS = property(_mount_points)
VOLUME_SOURCES = property(_volume_sources)


def mount(self: Container, volume: Volume | str, container_path: str, read_only: bool = False) -> Container:
    """Mount ``volume`` (one of this container's task, or its name) at ``container_path``.

    ``read_only``: Default False. Returns this container, so calls chain.
    """
    path = self.path
    if not isinstance(volume, Volume | str) or not volume:
        raise fail(path, f"mount() needs a volume of the task, got {volume!r}.",
                   'Make one with volume = task.add_efs_volume("data", ...) and pass it.')
    if not isinstance(container_path, str) or not container_path:
        raise fail(path, f"container_path must be a path such as '/data', got {container_path!r}.")
    _mount_points(self).append(MountPoint(volume, container_path, as_bool(read_only, path, "read_only")))
    return self


def volumes_from(self: Container, other: Container | str, read_only: bool = False) -> Container:
    """Mount every volume of ``other`` (a container of the same task) at the paths it uses.

    ``read_only``: Default False. Returns this container, so calls chain.
    """
    from ._container import Container

    path = self.path
    if not isinstance(other, Container | str) or not other:
        raise fail(path, f"volumes_from() needs a container of the same task, got {other!r}.")
    _volume_sources(self).append(VolumesFrom(other, as_bool(read_only, path, "read_only")))
    return self
