"""``ecsstack import compose``: a compose file → one Fargate task with every service as a container (the
sidecar pattern), or one ECS service per compose service calling each other through Service Connect."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..rules.tasks import MAX_CONTAINERS
from ._common import ImportFailed, ImportResult, fargate_size, run_blueprint
from ._compose_load import load_compose
from ._compose_map import _ComposeService
from ._mapping import CONTAINER_KEYS
from ._plan import Blueprint, ServicePlan, TaskPlan, VolumePlan, deploy_order, overridden, render
from ._source import Call

__all__ = ["MODES", "import_compose", "load_compose"]

MODES = ("auto", "task", "services")
_CONDITIONS = {"service_started": "START", "service_healthy": "HEALTHY",
               "service_completed_successfully": "SUCCESS"}


class _Compose(_ComposeService):
    """One compose import: decides the mode and fills the plan."""

    # ---- the mode ----------------------------------------------------------------------------------
    def decide(self, mode: str) -> tuple[str, str]:
        ports: dict[int, list[str]] = {}
        for name, service in self.services.items():
            for port in {p for p, _, _ in self._ports(name, service, quiet=True)}:
                ports.setdefault(port, []).append(name)
        clash = next(((p, names) for p, names in sorted(ports.items()) if len(names) > 1), None)
        if mode != "auto":
            return mode, f"--mode {mode}"
        if len(self.services) > MAX_CONTAINERS:
            return "services", f"{len(self.services)} services do not fit in one task (at most {MAX_CONTAINERS})"
        if clash:
            return "services", (f"{' and '.join(clash[1])} both listen on port {clash[0]}, which containers of one "
                                "task (sharing one network namespace) cannot")
        return "task", (f"{len(self.services)} service{'s' if len(self.services) != 1 else ''} fit in one task "
                        f"(at most {MAX_CONTAINERS} containers, no two listening on the same port)")

    # ---- the plan --------------------------------------------------------------------------------
    def _task(self, task_name: str, names: list[str]) -> TaskPlan:
        volumes: dict[str, str] = {}
        task = TaskPlan(task_name, "FargateTaskDefinition")
        for name in names:
            task.containers.append(self.container(name, self.services[name], volumes))
        task.volumes = [VolumePlan(v, "add_bind_volume") for v in volumes]
        used: dict[tuple[int, str], str] = {}
        for name, c in zip(names, task.containers, strict=True):
            kept = []
            for port in c.kwargs.get("ports") or []:
                number = port if isinstance(port, int) else port.args[0]
                protocol = "tcp" if isinstance(port, int) else port.kwargs.get("protocol", "tcp")
                if (number, protocol) in used:
                    self.warn(name, f"port {number}/{protocol} is already {used[number, protocol]}'s in this task "
                              "(its containers share one network namespace); left out of this container.")
                    continue
                used[number, protocol] = name
                kept.append(port)
            if kept:
                c.kwargs["ports"] = kept
            else:
                c.kwargs.pop("ports", None)
        platforms = {str(self.services[n].get("platform", "")).lower() for n in names}
        if platforms in ({"linux/arm64"}, {"linux/arm64/v8"}):
            task.kwargs["cpu_architecture"] = "ARM64"
        elif len(platforms - {""}) > 1:
            self.warn(names[0], f"the containers of one task run on one platform, not {sorted(platforms - {''})}; "
                      "the task runs on X86_64.")
        cpu = sum(c.kwargs.get("cpu", 0) for c in task.containers)
        memory = sum(max(c.kwargs.get("memory", 0), c.kwargs.get("memory_reservation", 0)) for c in task.containers)
        size = fargate_size(max(cpu, 256), max(memory, 512))
        for keys, asked, most, unit in ((("cpu",), cpu, size[0], "CPU units"),
                                        (("memory", "memory_reservation"), memory, size[1], "MiB")):
            if asked > most:  # more than the largest Fargate task: the containers share what there is
                for c in task.containers:
                    for key in keys:
                        c.kwargs.pop(key, None)
                self.warn(names[0], f"the containers ask for {asked} {unit} in all, more than the largest Fargate "
                          f"task ({most}); their {' and '.join(keys)} are left out, so they share the task's.")
        task.kwargs = {"cpu": size[0], "memory": size[1], **task.kwargs}
        if (cpu, memory) != (0, 0) and size != (cpu, memory):
            task.comments.append(f"the containers ask for {cpu} CPU units and {memory} MiB; rounded up to the "
                                 f"nearest Fargate size, {size[0]} CPU units and {size[1]} MiB")
        return task

    def _depends(self, name: str) -> list[tuple[str, str]]:
        value = self.services[name].get("depends_on") or []
        items = {d: {} for d in value} if isinstance(value, list) else value
        out = []
        for target, spec in items.items():
            if target not in self.services:
                self.warn(name, f"depends_on {target}, which is not imported (under an inactive profile, or not "
                          "defined); left out.")
                continue
            condition = _CONDITIONS.get((spec or {}).get("condition", "service_started"), "START")
            out.append((target, condition))
        return out

    def _restarts(self, task: TaskPlan, names: list[str]) -> None:
        """``restart:`` as a restart policy where it means something on ECS: in a task of several containers
        ECS then restarts the one container in place, as compose does, instead of stopping the whole task.
        A task of one container is replaced by its service when the container exits, so there is nothing to
        write. A container others wait on to complete is not restarted when it exits with 0."""
        waited = {target for c in task.containers for target, condition in c.depends
                  if condition in ("SUCCESS", "COMPLETE")}
        for name, c in zip(names, task.containers, strict=True):
            given = self.services[name].get("restart")
            if given in (None, False, "no", ""):
                continue
            kind, _, count = str(given).partition(":")
            if kind not in ("always", "unless-stopped", "on-failure"):
                self.warn(name, f"restart: {given} is not one of no, always, unless-stopped, on-failure[:N]; left out.")
                continue
            if len(task.containers) == 1:
                self.warn(name, f"restart: {given}: its ECS service starts a new task whenever the container exits, "
                          "so no restart policy is needed.")
                continue
            codes = [0] if kind == "on-failure" or c.name in waited else []
            self._carry(c, "restartPolicy", {"enabled": True, **({"ignoredExitCodes": codes} if codes else {})})
            self.warn(name, f"restart: {given} → restart_policy: ECS restarts the container in place when it exits"
                      + (" with a non-zero code" if codes else "")
                      + (" (the others wait for it to complete)" if kind != "on-failure" and codes else "")
                      + ", while the task's other containers keep running (one that exits less than 300 s after "
                      "it started is not restarted)" + (f"; ECS has no retry count (:{count} is left out)" if count
                                                        else "") + ".")

    def plan_task(self, reason: str) -> Blueprint:
        task = self._task(self.name, list(self.services))
        for name in self.services:
            container = task.container(self.container_names[name])
            assert container is not None
            for target, condition in self._depends(name):
                other = task.container(self.container_names[target])
                assert other is not None
                if condition == "HEALTHY" and "health_check" not in other.kwargs:
                    self.warn(name, f"waits for {target} to be healthy, but {target} has no health check; it waits "
                              "for it to start instead.")
                    condition = "START"
                if condition == "SUCCESS":
                    other.kwargs["essential"] = False
                container.depends.append((other.name, condition))
            for item in self.services[name].get("volumes_from") or []:
                source, _, mode = str(item).removeprefix("service:").partition(":")
                if source.startswith("container") or source not in self.container_names:
                    self.warn(name, f"volumes_from {item} names no service of this file; left out.")
                    continue
                container.volumes_from.append((self.container_names[source], mode == "ro"))
        self._restarts(task, list(self.services))
        plan = Blueprint(self.name, "", description=f"Imported from compose: {', '.join(self.services)}")
        plan.notes = [f"Mode: one task, every compose service a container of it, because {reason}.",
                      "Containers of one task share its network: they reach each other on localhost, not by their "
                      "compose service names."]
        plan.tasks.append(task)
        replicas = {(s.get("deploy") or {}).get("replicas") for s in self.services.values()} - {None}
        if len(replicas) > 1:
            self.warnings.append(f"the services ask for different replicas ({sorted(replicas)}); one task runs them "
                                 "together, so the service runs the largest count.")
        kwargs = {"desired_count": int(max(replicas))} if replicas else {}
        plan.services.append(ServicePlan(self.name, task, kwargs))
        return plan

    def plan_services(self, reason: str) -> Blueprint:
        plan = Blueprint(self.name, "", description=f"Imported from compose: {', '.join(self.services)}")
        namespace = f"{self.name.lower()}.local"
        plan.cluster = {"service_connect_namespace": Call("Namespace", [namespace])}
        plan.notes = [f"Mode: one ECS service per compose service, because {reason}.",
                      f"They call each other by their compose names through Service Connect (namespace {namespace})."]
        order: list[str] = []
        dns_names: set[str] = set()
        for name, service in self.services.items():
            task = self._task(self.container_names[name], [name])
            container = task.containers[0]
            ports = container.kwargs.get("ports") or []
            named = []
            sc_ports = []
            dns = base = re.sub(r"[^a-z0-9-]", "-", name.lower()).strip("-")[:50] or "app"
            n = 2
            while dns in dns_names:
                dns, n = f"{base}-{n}", n + 1
            dns_names.add(dns)
            if dns != name:
                self.warn(name, f"is called {dns} through Service Connect (a DNS name), not {name}.")
            for i, port in enumerate(ports):
                number = port if isinstance(port, int) else port.args[0]
                kwargs = dict(port.kwargs) if isinstance(port, Call) else {}
                port_name = f"p{number}"
                kwargs["name"] = port_name
                named.append(Call("PortMapping", [number], kwargs))
                if kwargs.get("protocol", "tcp") == "tcp":
                    sc_ports.append(Call("ServiceConnectPort", [port_name],
                                         {"dns_name": dns if i == 0 else f"{dns}-{number}"}))
            if named:
                container.kwargs["ports"] = named
            elif any(name in dict(self._depends(other)) for other in self.services):
                self.warn(name, "declares no ports, so the services that depend on it cannot call it through "
                          "Service Connect; add the port it listens on to ports: or expose:.")
            if any(dict(self._depends(other)).get(name) == "SUCCESS" for other in self.services):
                self.warn(name, "runs to completion (others wait for it to succeed); as an ECS service it would be "
                          "restarted each time it exits. Run it once per deploy instead (ecsstack run-task, or an "
                          "init container with --mode task).")
            if len(sc_ports) > 1:
                self.warn(name, f"listens on several ports; the first is called {dns}, the others {dns}-<port>.")
            self._restarts(task, [name])
            plan.tasks.append(task)
            replicas = (service.get("deploy") or {}).get("replicas")
            kwargs: dict[str, Any] = {"service_connect": Call("ServiceConnect", [], {"ports": sc_ports})
                                      if sc_ports else Call("ServiceConnect")}
            if replicas is not None:
                kwargs["desired_count"] = int(replicas)
            if service.get("volumes_from"):
                self.warn(name, "volumes_from needs the containers in one task (--mode task); as separate services "
                          "they share no storage (an EFS volume mounted by each can); left out.")
            after = self._depends(name)
            comments = []
            if after:
                comments = [f"compose starts it after {', '.join(t for t, _ in after)}: after= deploys it after "
                            "them, but ECS starts services independently and does not order them at run time, so "
                            "it must retry until they answer"]
                order.append(f"{name} after {', '.join(t for t, _ in after)}")
            plan.services.append(ServicePlan(self.container_names[name], task, kwargs, comments,
                                             after=[self.container_names[t] for t, _ in after]))
        if order:
            plan.notes.append("Deploy order from depends_on (after=): " + "; ".join(order) + ".")
        try:
            deploy_order(plan.services)
        except ValueError as exc:
            raise ImportFailed(f"depends_on makes a cycle through service {exc}; docker compose refuses it too. "
                               "Remove one of the dependencies.") from None
        users: dict[str, list[str]] = {}
        for task in plan.tasks:
            for volume in task.volumes:
                users.setdefault(volume.name, []).append(task.name)
        for volume, names in users.items():
            if len(names) > 1:
                self.warnings.append(f"volume {volume} is shared by {', '.join(names)} in compose; services do not "
                                     "share task storage, so each has its own. To share it, make it one EFS file "
                                     "system mounted by each (task.add_efs_volume).")
        return plan


def import_compose(text: str, *, name: str | None = None, mode: str = "auto", profiles: list[str] | None = None,
                   base_dir: Path | str | None = None, environ: Mapping[str, str] | None = None,
                   origin: str = "compose.yaml") -> ImportResult:
    """A blueprint running the compose file ``text``: ``ImportResult(source, warnings, overrides)``.

    ``mode``: ``auto`` (Default: one task when the services fit in one, else one service each), ``task`` or
    ``services``. ``profiles``: the profiles to enable (Default none, as docker compose). ``base_dir``: where
    ``env_file`` and ``.env`` are read; Default the current directory. ``environ``: variables for
    interpolation; Default the process environment and ``.env``. ``name``: the stack name; Default from
    ``origin``'s directory. Raises ``ImportFailed`` when the file cannot be imported.
    """
    if mode not in MODES:
        raise ImportFailed(f"mode {mode!r} is not one of {', '.join(MODES)}.")
    base = Path(base_dir) if base_dir is not None else Path(".")
    services, doc, warnings = load_compose(text, base, environ, profiles)
    env: dict[str, str] = dict(os.environ if environ is None else environ)
    stack = name or doc.get("name") or (base.resolve().name if base_dir is not None else "app")
    source, template, problems, carried, builder, note = "", None, [], [], None, []
    for demote in (frozenset(), frozenset(kw for kw, _ in CONTAINER_KEYS.values())):
        builder = _Compose(services, doc, str(stack), base, env, [*warnings, *note])
        builder.demote, builder.origin = demote, origin
        source, carried = _render(builder, mode, len(services))
        template, problems = run_blueprint(source)
        if template is not None or not builder.new_keywords:
            break
        # a keyword did not take the value as converted (or a rule refuses it): carry the settings as given
        note = [f"the container settings written with keywords did not synthesize ({'; '.join(problems)}); "
                "they are carried in overrides= instead."]
    if template is None or builder is None:
        raise ImportFailed("the imported compose file does not synthesize:\n  " + "\n  ".join(problems))
    return ImportResult(source, builder.warnings, carried)


def _render(builder: _Compose, mode: str, count: int) -> tuple[str, list[str]]:
    """The blueprint's source and its ``where: Key, Key`` overrides lines."""
    chosen, reason = builder.decide(mode)
    plan = builder.plan_task(reason) if chosen == "task" else builder.plan_services(reason)
    plan.parameters = builder.parameters
    plan.docstring = (f"Imported from {builder.origin} by `ecsstack import compose`: {count} compose service"
                      f"{'s' if count != 1 else ''} as {'one task' if chosen == 'task' else 'ECS services'} "
                      "on Fargate.")
    carried = overridden(plan)
    if carried:
        plan.notes += ["", "Carried in overrides= as given (no keyword of ecsstack says these as given):",
                       *(f"  {line}" for line in carried)]
    if builder.warnings:
        plan.notes += ["", "To look at (also printed by `ecsstack import`):", *(f"  {w}" for w in builder.warnings)]
    return render(plan), carried
