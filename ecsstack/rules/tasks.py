"""ECS3xx: task definitions (containers, Fargate sizes, networking, memory, logs, names)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import Problem
from ..model import CpuArchitecture, NetworkMode
from ._helpers import fmt_list, name_hint, q
from ._registry import Index, Rule, rule

__all__ = ["FARGATE_SIZES", "LOG_RETENTION_DAYS", "MAX_CONTAINERS"]

MAX_CONTAINERS = 10

#: Fargate task sizes: CPU units → the memory values (MiB) Fargate offers with that CPU.
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

#: The retention periods CloudWatch Logs accepts, in days.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                      2557, 2922, 3288, 3653)

FAMILY = re.compile(r"[A-Za-z0-9_-]{1,255}")
#: a family prefixed with the stack name (≤ 128) and a hyphen stays within ECS's 255 characters
PREFIXED_FAMILY_MAX = 255 - 128 - 1


@rule("ECS301", "a task needs at least one essential container")
def _no_essential(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        members = task.containers
        if members and not any(c.essential for c in members):
            ordinary = [c.name for c in members if not c.init]
            example = q(ordinary[0]) if ordinary else "one container"
            yield r.problem(
                ix.task_path(task),
                f"no container of task {q(task.family)} is essential; ECS needs at least one.",
                f"Mark {example} essential=True (the default of add_container).",
            )


@rule("ECS302", f"a task has at most {MAX_CONTAINERS} containers")
def _too_many(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        count = len(task.containers)
        if count > MAX_CONTAINERS:
            yield r.problem(
                ix.task_path(task),
                f"task {q(task.family)} has {count} containers; ECS allows at most {MAX_CONTAINERS}.",
                "Split it into two task definitions (each with its own service).",
            )


@rule("ECS303", "a task has at least one container")
def _no_containers(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        if not task.containers:
            yield r.problem(
                ix.task_path(task),
                f"task {q(task.family)} has no containers.",
                'Add one with task.add_container("app", image="...").',
            )


def _allowed(memories: tuple[int, ...]) -> str:
    if len(memories) <= 4:
        return fmt_list(memories)
    return f"{memories[0]} to {memories[-1]} in steps of {memories[1] - memories[0]}"


def _closest(value: int, choices: tuple[int, ...]) -> int:
    return min(choices, key=lambda c: (abs(c - value), c))


@rule("ECS310", "Fargate supports only certain cpu/memory pairs")
def _fargate_size(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        if not task.is_fargate:
            continue
        cpu, memory = task.cpu, task.memory
        where = ix.task_path(task)
        missing = [name for name, value in (("cpu", cpu), ("memory", memory)) if value is None]
        if missing:
            yield r.problem(
                where,
                f"Fargate needs task-level cpu and memory; {' and '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set.",
                "Set both on the task, e.g. cpu=256, memory=512.",
            )
            continue
        cpus = tuple(FARGATE_SIZES)
        if cpu not in FARGATE_SIZES:
            fits = [c for c, ms in FARGATE_SIZES.items() if memory in ms]
            larger = [c for c in cpus if c >= cpu]
            suggestion = fits[0] if fits else (larger[0] if larger else cpus[-1])
            yield r.problem(
                where,
                f"Fargate does not support cpu={cpu} (Fargate offers cpu {fmt_list(cpus)}).",
                f"Use cpu={suggestion}.",
            )
            continue
        memories = FARGATE_SIZES[cpu]
        if memory in memories:
            continue
        fits = [c for c, ms in FARGATE_SIZES.items() if memory in ms]
        hint = f"Use memory={_closest(memory, memories)} with cpu={cpu}"
        hint += f", or cpu={fits[0]} for memory={memory}." if fits else "."
        yield r.problem(
            where,
            f"Fargate does not support cpu={cpu} with memory={memory} "
            f"({cpu} CPU allows {_allowed(memories)}).",
            hint,
        )


@rule("ECS311", "Fargate needs the awsvpc network mode")
def _fargate_awsvpc(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        if not task.is_fargate:
            continue
        mode = task.network_mode
        if mode is not NetworkMode.AWSVPC:
            yield r.problem(
                ix.task_path(task),
                f"task {q(task.family)} runs on Fargate with network_mode={mode.value}, "
                "but Fargate supports only awsvpc.",
                "Remove network_mode= (Fargate tasks default to awsvpc), or use Ec2TaskDefinition.",
            )


@rule("ECS312", "port mappings must fit the task's network mode")
def _ports_fit_mode(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        mode = task.network_mode
        for container in task.containers:
            for port in container.ports:
                if mode is NetworkMode.NONE:
                    yield r.problem(
                        ix.cpath(task, container),
                        f"maps port {port.container_port}, but task {q(task.family)} has network_mode=none, "
                        "which allows no port mappings.",
                        "Remove ports=, or use another network mode (awsvpc, bridge or host).",
                    )
                    break
                if mode not in (NetworkMode.AWSVPC, NetworkMode.HOST):
                    continue
                cport, hport = port.container_port, port.host_port
                if hport is None or hport == cport:
                    continue
                yield r.problem(
                    ix.cpath(task, container),
                    f"maps host port {hport} to container port {cport}, but under {mode.value} networking "
                    "the host port must equal the container port.",
                    f"Remove host_port=, or set host_port={cport}.",
                )


@rule("ECS313", "two port mappings of a task must not claim the same port")
def _port_clash(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        mode = task.network_mode
        if mode not in (NetworkMode.AWSVPC, NetworkMode.HOST, NetworkMode.BRIDGE):
            continue
        owner: dict[tuple[int, str], str] = {}
        for container in task.containers:
            for port in container.ports:
                number: int | None
                if mode is NetworkMode.BRIDGE:
                    number, kind = port.host_port, "host port"
                    if number == 0:  # dynamic host port
                        number = None
                else:
                    number, kind = port.container_port, "port"
                if number is None:
                    continue
                key = (number, port.protocol.value)
                name = container.name
                if key not in owner:
                    owner[key] = name
                    continue
                spelled = f"{kind} {number}/{key[1]}"
                if owner[key] == name:
                    message = f"maps {spelled} twice."
                    hint = "Remove the repeated port mapping."
                else:
                    message = f"maps {spelled}, which container {q(owner[key])} already uses."
                    if mode is NetworkMode.BRIDGE:
                        hint = "Give each a different host_port, or leave host_port out for a dynamic port."
                    else:
                        hint = (f"Under {mode.value} networking the containers of a task share one network "
                                "namespace; make them listen on different ports.")
                yield r.problem(ix.cpath(task, container), message, hint)


@rule("ECS314", "containers fit in the task's cpu and memory")
def _fits_task(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        members = task.containers
        task_cpu, task_memory = task.cpu, task.memory
        if task_cpu is not None:
            total = sum(c.cpu for c in members if c.cpu is not None)
            if total > task_cpu:
                yield r.problem(
                    ix.task_path(task),
                    f"the containers of task {q(task.family)} ask for {total} CPU units in all, "
                    f"more than the task's cpu={task_cpu}.",
                    f"Lower the containers' cpu= to {task_cpu} units in all, or raise the task's cpu.",
                )
        if task_memory is None:
            continue
        over = False
        reserved = 0
        for container in members:
            memory, reservation = container.memory, container.memory_reservation
            reserved += reservation if reservation is not None else (memory or 0)
            if memory is not None and memory > task_memory:
                over = True
                yield r.problem(
                    ix.cpath(task, container),
                    f"memory={memory} MiB is more than the task's memory={task_memory} MiB.",
                    f"Lower memory to at most {task_memory}, or raise the task's memory.",
                )
        if not over and reserved > task_memory:
            yield r.problem(
                ix.task_path(task),
                f"the containers of task {q(task.family)} reserve {reserved} MiB in all, more than the "
                f"task's memory={task_memory} MiB.",
                "Lower the containers' memory_reservation (or memory), or raise the task's memory.",
            )


@rule("ECS315", "without task memory, every EC2 container needs memory or memory_reservation")
def _ec2_memory(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        if task.is_fargate or task.memory is not None:
            continue
        for container in task.containers:
            if container.memory is None and container.memory_reservation is None:
                yield r.problem(
                    ix.cpath(task, container),
                    f"has neither memory nor memory_reservation, and task {q(task.family)} sets no memory; "
                    "ECS on EC2 needs one of them.",
                    f"Add memory_reservation=256 (a soft limit) or memory= to {q(container.name)}, "
                    "or memory= to the task.",
                )


@rule("ECS316", "log_retention_days is a period CloudWatch Logs accepts")
def _log_retention(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        days = task.log_retention_days
        if days in LOG_RETENTION_DAYS:
            continue
        nearest = _closest(days, LOG_RETENTION_DAYS)
        yield r.problem(
            ix.task_path(task),
            f"log_retention_days={days} is not a period CloudWatch Logs accepts "
            f"({fmt_list(LOG_RETENTION_DAYS)}).",
            f"Use log_retention_days={nearest}.",
        )


@rule("ECS317", "a task family has 1-255 letters, digits, hyphens and underscores")
def _family(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        family = task.family
        if not FAMILY.fullmatch(family):
            yield r.problem(ix.task_path(task), f"the family name {family!r} is not valid.", name_hint(family))
        elif task.explicit_family is None and len(family) > PREFIXED_FAMILY_MAX:
            yield r.problem(ix.task_path(task), f"the family name {family!r} has {len(family)} characters; "
                            f"prefixed with the stack name (up to 128 characters and a hyphen) it may pass "
                            f"the 255 ECS allows.", f"Use at most {PREFIXED_FAMILY_MAX} characters, or give "
                            "the registered name yourself with family=.")


#: the task CPU values Fargate offers Windows containers (memory as for Linux, rule ECS310)
WINDOWS_FARGATE_CPU = (1024, 2048, 4096)


@rule("ECS318", "a Windows task on Fargate has 1, 2 or 4 vCPU and the X86_64 architecture")
def _windows_fargate(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        family = task.os_family
        if not task.is_fargate or family is None or not family.value.startswith("WINDOWS"):
            continue
        if task.cpu is not None and task.cpu not in WINDOWS_FARGATE_CPU:
            yield r.problem(ix.task_path(task), f"task {q(task.family)} runs {family.value} on Fargate with "
                            f"cpu={task.cpu}; Fargate runs Windows containers with cpu "
                            f"{fmt_list(WINDOWS_FARGATE_CPU)} only.",
                            "Use cpu=1024 with memory=2048 (the smallest Windows size), or a Linux os_family.")
        if task.cpu_architecture is CpuArchitecture.ARM64:
            yield r.problem(ix.task_path(task), f"task {q(task.family)} runs {family.value} on ARM64; Fargate "
                            "runs Windows containers on X86_64 only.",
                            'Use cpu_architecture="X86_64" (or leave it out), or a Linux os_family for ARM64.')
