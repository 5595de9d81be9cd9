"""Synth speed by stage: build the model, run the rules, compile to troposphere, troposphere's own
to_dict, render JSON; against a bare json.dumps of the same template.

Prints figures; nothing here asserts a time. Run: .venv/bin/python benchmarks/synth.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable

from ecsstack import Cluster, Condition, FargateTaskDefinition, HealthCheck, Secret, Service, Stack
from ecsstack.compile import build_template
from ecsstack.render import to_json
from ecsstack.rules import check_stack


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


def timeit(fn: Callable[[], object], repeat: int = 7) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1, 10, 50]  # 80+ services exceed 500 resources
    print("median of 7 runs, milliseconds; every column is the same template")
    print(f"{'services':>8} {'model':>7} {'rules':>7} {'compile':>8} {'to_dict':>8} {'render':>7} {'total':>7}"
          f" {'json.dumps only':>16}")
    for n in sizes:
        stack = blueprint(n)
        ctx = build_template(stack)
        template = ctx.template.to_dict()
        model = timeit(lambda n=n: blueprint(n))
        rules = timeit(lambda s=stack: check_stack(s))
        compile_ = timeit(lambda s=stack: build_template(s))
        to_dict = timeit(lambda c=ctx: c.template.to_dict())
        render = timeit(lambda t=template: to_json(t))
        total = timeit(lambda n=n: blueprint(n).to_json())
        dumps = timeit(lambda t=template: json.dumps(t))
        print(f"{n:>8} {model:>7.2f} {rules:>7.2f} {compile_:>8.2f} {to_dict:>8.2f} {render:>7.2f} {total:>7.2f}"
              f" {dumps:>16.2f}")


if __name__ == "__main__":
    main()
