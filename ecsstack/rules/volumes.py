"""ECS8xx: task storage (EFS and bind volumes, mount points, ephemeral storage)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import Problem
from ..model import BindVolume, Container, EfsVolume, LaunchType, MountPoint, TaskDefinition, Token, Volume
from ._helpers import did_you_mean, q
from ._registry import Index, Rule, rule

__all__: list[str] = []

_VOLUME_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
EPHEMERAL_MIN, EPHEMERAL_MAX = 21, 200


def _vpath(ix: Index, task: TaskDefinition, volume: Volume) -> str:
    return f"{ix.task_path(task)} › volume {volume.name}"


@rule("ECS801", "EFS volumes and ephemeral storage need Fargate platform version 1.4.0 or later")
def _platform_version(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        task, version = service.task, service.platform_version
        if not isinstance(version, str):  # None or a parameter: nothing to compare
            continue
        match = _VERSION.match(version)
        if match is None or tuple(int(n) for n in match.groups()) >= (1, 4, 0):
            continue  # LATEST, a parameter or an unknown spelling: nothing to compare
        if service.effective_launch_type is not LaunchType.FARGATE:
            continue
        needs = [f"EFS volume {q(v.name)}" for v in task.volumes if isinstance(v, EfsVolume)]
        if task.ephemeral_storage_gib is not None:
            needs.append("ephemeral_storage_gib")
        if needs:
            yield r.problem(service.path,
                            f"platform_version={version!r}, but {' and '.join(needs)} of task {q(task.family)} "
                            "need Fargate platform version 1.4.0 or later.",
                            'Use platform_version="1.4.0" or "LATEST", or leave it out (LATEST).')


@rule("ECS802", "a container mounts only volumes, and takes volumes_from only containers, of its own task")
def _foreign_volume(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        own = task.volumes
        names = [v.name for v in own]
        members = task.containers
        for container in members:
            path = ix.cpath(task, container)
            for m in container.mount_points:
                vol = m.volume
                if isinstance(vol, Volume) and not any(vol is v for v in own):
                    other = vol.task.family if vol.task is not None else None
                    where = f"of task {q(other)}" if other and vol.task is not task else "not added to this task"
                    yield r.problem(path, f"mounts volume {q(vol.name)}, which is {where}; a container can "
                                    f"mount only volumes of its own task {q(task.family)}.",
                                    f"Add the volume to task {q(task.family)} with task.add_efs_volume(...) "
                                    "or task.add_bind_volume(...), and mount that one.")
                elif isinstance(vol, str) and vol not in names:
                    yield r.problem(path, f"mounts volume {q(vol)}, but task {q(task.family)} has no volume "
                                    f"of that name.{did_you_mean(vol, names)}",
                                    f"Add it with task.add_bind_volume({vol!r}) or task.add_efs_volume({vol!r}, ...).")
            others = [c.name for c in members]
            for source in container.volume_sources:
                other = source.container
                if other is container or other == container.name:
                    yield r.problem(path, "takes volumes_from itself.", "Name another container of the task.")
                elif (isinstance(other, Container) and not any(other is c for c in members)) or (
                        isinstance(other, str) and other not in others):
                    yield r.problem(path, f"takes volumes_from {q(source.container_name)}, which is not a container "
                                    f"of task {q(task.family)}.{did_you_mean(source.container_name, others)}",
                                    "Name a container of the same task.")


@rule("ECS803", "a container mounts at most one volume at each path")
def _same_path(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        for container in task.containers:
            seen: dict[str, MountPoint] = {}
            for m in container.mount_points:
                key = m.container_path.rstrip("/") or "/"
                first = seen.setdefault(key, m)
                if first is not m:
                    yield r.problem(ix.cpath(task, container),
                                    f"mounts both {q(first.volume_name)} and {q(m.volume_name)} at {q(key)}.",
                                    "Mount each volume at its own container_path.")


@rule("ECS804", "an EFS access point or IAM authorization needs transit encryption; an access point takes no "
                "root_directory")
def _efs_settings(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        for v in task.volumes:
            if not isinstance(v, EfsVolume):
                continue
            needs = [name for name, on in (("access_point_id", v.access_point_id is not None),
                                           ("iam_authorization=True", v.iam_authorization is True)) if on]
            if needs and v.transit_encryption is False:
                yield r.problem(_vpath(ix, task, v),
                                f"{' and '.join(needs)} need transit encryption, but transit_encryption=False.",
                                "Remove transit_encryption=False (encryption in transit is the default).")
            if v.access_point_id is not None and v.root_directory not in (None, "/"):
                yield r.problem(_vpath(ix, task, v),
                                f"root_directory={v.root_directory!r} with an access point; the access point "
                                "sets the directory.",
                                "Remove root_directory= and set the directory on the access point.")


@rule("ECS805", "ephemeral_storage_gib is 21 to 200 and set on Fargate tasks only")
def _ephemeral(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        size = task.ephemeral_storage_gib
        if size is None or isinstance(size, Token):
            continue
        path = ix.task_path(task)
        if not EPHEMERAL_MIN <= size <= EPHEMERAL_MAX:
            yield r.problem(path, f"ephemeral_storage_gib={size} is out of range; Fargate offers "
                            f"{EPHEMERAL_MIN} to {EPHEMERAL_MAX} GiB.",
                            "Leave it out for the default 20 GiB, or use a number in range.")
        if not task.is_fargate:
            yield r.problem(path, f"ephemeral_storage_gib={size!r}, but task {q(task.family)} is not a Fargate "
                            "task; EC2 tasks use the container instance's disk.",
                            "Remove ephemeral_storage_gib=, or use a volume (task.add_bind_volume) instead.")


@rule("ECS806", "a bind volume's host_path needs EC2; Fargate has no host to mount")
def _host_path_on_fargate(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        if not task.is_fargate:
            continue
        for v in task.volumes:
            if isinstance(v, BindVolume) and v.host_path is not None:
                yield r.problem(_vpath(ix, task, v),
                                f"host_path={v.host_path!r} on a Fargate task; Fargate has no host path to mount.",
                                "Remove host_path= for a directory that lives as long as the task, or use an "
                                "EFS volume for data that must outlive it.")


@rule("ECS810", "EFS IAM authorization with your own task role needs its grant from you")
def _efs_own_role(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        if task.task_role is None:
            continue
        for v in task.volumes:
            if isinstance(v, EfsVolume) and v.iam_authorization is True:
                yield r.problem(_vpath(ix, task, v),
                                "iam_authorization=True, but the task uses your own task_role, which ecsstack "
                                "does not change.",
                                "Allow that role elasticfilesystem:ClientMount (and ClientWrite to write) on the "
                                "file system, or leave task_role out to get a role with exactly that.",
                                severity="warning")


@rule("ECS811", "a volume name has 1-255 letters, digits, hyphens and underscores and is unique in its task")
def _volume_names(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        seen: set[str] = set()
        for v in task.volumes:
            name = v.name
            if not _VOLUME_NAME.match(name):
                yield r.problem(_vpath(ix, task, v), f"the volume name {name!r} is not valid.",
                                "Use 1 to 255 letters, digits, hyphens and underscores.")
            elif name in seen:
                yield r.problem(_vpath(ix, task, v), f"task {q(task.family)} has two volumes named {q(name)}.",
                                "Give each volume its own name.")
            else:
                seen.add(name)
