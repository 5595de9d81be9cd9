"""Synth speed: ecsstack (validate + compile + render) against raw troposphere and json.dumps.

Prints figures; nothing here asserts a time. Run: .venv/bin/python benchmarks/synth.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable

from troposphere import Template, ecs

from ecsstack import Cluster, Condition, FargateTaskDefinition, HealthCheck, Secret, Service, Stack
from ecsstack.compile import build_template
from ecsstack.render import to_json


def blueprint(services: int) -> Stack:
    stack = Stack("bench")
    cluster = Cluster("main")
    for i in range(services):
        task = FargateTaskDefinition(f"svc{i}", cpu=512, memory=1024)
        task.add_init_container("migrate", image="app:1", command=["migrate"])
        side = task.add_container("side", image="otel:1", essential=False,
                                  health_check=HealthCheck.shell("true"))
        app = task.add_container("app", image="app:1", ports=[8080], environment={"N": str(i)},
                                 secrets={"PW": Secret.ssm(f"/svc{i}/pw")})
        app.depends_on(side, Condition.HEALTHY)
        stack.add(Service(f"svc{i}", cluster=cluster, task=task, desired_count=2))
    return stack


def raw_troposphere(services: int) -> str:
    t = Template()
    t.add_resource(ecs.Cluster("MainCluster"))
    for i in range(services):
        t.add_resource(ecs.TaskDefinition(
            f"Svc{i}TaskDefinition", Family=f"svc{i}", Cpu="512", Memory="1024", NetworkMode="awsvpc",
            RequiresCompatibilities=["FARGATE"],
            ContainerDefinitions=[ecs.ContainerDefinition(Name=n, Image="app:1") for n in ("migrate", "side", "app")]))
    return json.dumps(t.to_dict(), indent=2, sort_keys=True)


def timeit(fn: Callable[[], object], repeat: int = 7) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1, 10, 50]
    print(f"{'services':>8} {'ecsstack ms':>12} {'compile only':>13} {'raw tropo ms':>13} {'json.dumps ms':>14}")
    for n in sizes:
        full = timeit(lambda n=n: blueprint(n).to_json())
        compile_only = timeit(lambda n=n: build_template(blueprint(n)).template.to_dict())
        raw = timeit(lambda n=n: raw_troposphere(n))
        template = blueprint(n).to_dict()
        dumps = timeit(lambda t=template: to_json(t))
        print(f"{n:>8} {full:>12.1f} {compile_only:>13.1f} {raw:>13.1f} {dumps:>14.2f}")


if __name__ == "__main__":
    main()
