"""`make bench`: one table of ecsstack's speed against its baselines, each comparison run side by side.

Whole processes are timed like hyperfine's paired runs: every round runs each command of a group once (the order
rotating between rounds), and a command's cost is the CPU (user + system) its process and children used, from
``resource.getrusage(RUSAGE_CHILDREN)`` before and after it; in-process figures use ``time.process_time``. Each
figure is the median with min–max over the rounds (with /usr/bin/time, a process's median wall time and peak
RSS too: CPU adds up the parallel lint workers, wall shows what they save); a group's ratios are medians of the
per-round ratios to the group's baseline, so a noisy round (the machine is shared) shifts both sides.
Nothing here asserts a time.

    .venv/bin/python benchmarks/bench.py            # BENCH_ROUNDS=N, BENCH_QUICK=1 (fewer sizes and rounds)
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
ECSSTACK = str(Path(PY).with_name("ecsstack"))
CFN_LINT = str(Path(PY).with_name("cfn-lint"))
QUICK = bool(os.environ.get("BENCH_QUICK"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS") or (3 if QUICK else 9))

TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None

Row = tuple[str, list[float], str]  # label, samples (ms), note
rows: list[Row | str] = []
#: a process row's wall-clock ms and peak RSS MiB per round, from /usr/bin/time
extra: dict[str, tuple[list[float], list[float]]] = {}


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def paired(commands: dict[str, Callable[[int], Sequence[str]]], rounds: int = ROUNDS,
           env: dict[str, str] | None = None) -> dict[str, list[float]]:
    """CPU ms of each command per round; commands take the round number (e.g. for a fresh cache folder)."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    report = Path(tempfile.mkdtemp(prefix="ecsstack-bench-time-")) / "time"
    for r in range(rounds + 1):  # round 0 warms the file cache and is dropped
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            argv = list(commands[name](r))
            if TIME:
                argv = [TIME, "-q", "-f", "%e %M", "-o", str(report), *argv]
            before = _cpu_children()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=ROOT,
                           env={**os.environ, **(env or {})})
            if not r:
                continue
            samples[name].append((_cpu_children() - before) * 1000)
            if TIME:
                wall, rss = report.read_text().split()[-2:]
                walls, rsses = extra.setdefault(name, ([], []))
                walls.append(float(wall) * 1000)
                rsses.append(float(rss) / 1024)
    shutil.rmtree(report.parent, ignore_errors=True)
    return samples


def inprocess(fns: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """CPU ms of each function per round, paired and rotating like ``paired``."""
    samples: dict[str, list[float]] = {name: [] for name in fns}
    names = list(fns)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            start = time.process_time()
            fns[name]()
            samples[name].append((time.process_time() - start) * 1000)
    return samples


def ratio(a: list[float], b: list[float]) -> float:
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


def add_group(title: str, samples: dict[str, list[float]], baseline: str | None, notes: dict[str, str] | None = None
              ) -> None:
    rows.append(title)
    for name, values in samples.items():
        note = (notes or {}).get(name, "")
        if baseline and name != baseline:
            note = f"{ratio(values, samples[baseline]):.2f}× {baseline}" + (f"; {note}" if note else "")
        rows.append((name, values, note))


# ---- cold processes -----------------------------------------------------------------------------------------------
def cold() -> None:
    blueprint = str(HERE / "web_blueprint.py")
    samples = paired({
        "ecsstack synth (1 web service)": lambda _: [ECSSTACK, "synth", blueprint],
        "troposphere script, same template": lambda _: [PY, str(HERE / "troposphere_web.py")],
        "python -c 'import troposphere, awacs'": lambda _: [PY, "-c", "import troposphere, awacs"],
        "python -c 'import ecsstack'": lambda _: [PY, "-c", "import ecsstack"],
        "ecsstack --help": lambda _: [ECSSTACK, "--help"],
        "python -c pass": lambda _: [PY, "-c", "pass"],
    })
    add_group("cold processes (CPU of the whole process)", samples, "troposphere script, same template")


# ---- in-process synthesis and rules by size -----------------------------------------------------------------------
def _lift_quota() -> None:
    """CloudFormation's 500 resources per stack stop a 1,000-service stack; for timing the work itself both ecsstack
    and troposphere get the limits lifted (the template would need splitting into nested stacks to deploy)."""
    import troposphere

    from ecsstack.compile import _context

    for module in (troposphere, _context):
        for name in ("MAX_RESOURCES", "MAX_OUTPUTS", "MAX_PARAMETERS"):
            setattr(module, name, 10**9)
    _context.LIMITS.update(resources=10**9, outputs=10**9, parameters=10**9)
    from ecsstack.compile import _nesting

    _nesting.needs_split = lambda template, max_resources: False  # time one template, not the split (see README)


def sizes() -> None:
    import troposphere

    from benchmarks.stacks import web_stack
    from benchmarks.troposphere_codegen import script
    from ecsstack import synth
    from ecsstack.render import to_json
    from ecsstack.rules import check_stack

    counts = [1, 10, 100] if QUICK else [1, 10, 100, 1000]
    limit = troposphere.MAX_RESOURCES
    per_service = {}
    rule_samples: dict[str, list[float]] = {}
    for n in counts:
        over = len(synth(web_stack(1))["Resources"]) * n > limit
        if over:
            _lift_quota()
        template = synth(web_stack(n))
        namespace: dict[str, object] = {}
        exec(compile(script(template), f"<troposphere {n}>", "exec"), namespace)
        build = namespace["build"]
        rounds = 3 if n >= 1000 else (5 if n >= 100 else 15)

        def tropo(build: Callable[[], troposphere.Template] = build) -> str:  # type: ignore[assignment]
            return json.dumps(build().to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

        assert json.loads(tropo()) == template, "the troposphere script must build the same template"
        samples = inprocess({
            f"ecsstack model + synth + render, N={n}": lambda n=n: to_json(synth(web_stack(n))),
            f"troposphere build + to_dict + render, N={n}": tropo,
            f"json.dumps (compact) of the template, N={n}": lambda t=template: json.dumps(t, separators=(",", ":")),
        }, rounds)
        note = {f"ecsstack model + synth + render, N={n}": f"{len(template['Resources'])} resources"
                + ("; quota check lifted (over 500 resources)" if over else "")}
        add_group(f"in-process synthesis, N = {n} services", samples, f"troposphere build + to_dict + render, N={n}",
                  note)
        per_service[n] = {k.split(",")[0]: statistics.median(v) for k, v in samples.items()}
        stack = web_stack(n)
        check_stack(stack)
        rule_samples[f"rules (check_stack), N={n}"] = inprocess({"r": lambda s=stack: check_stack(s)},
                                                                max(rounds, 5))["r"]
    top, base = counts[-1], counts[0]
    rows.append(f"per extra service, N = {base} → {top} (difference of medians / {top - base})")
    eco, tro, floor = (f"{k}" for k in per_service[top])
    slope = {k: (per_service[top][k] - per_service[base][k]) / (top - base) for k in per_service[top]}
    rows.append((f"{eco} per service", [slope[eco]], f"{slope[eco] / slope[tro]:.2f}× troposphere, "
                 f"{slope[eco] / slope[floor]:.0f}× the json.dumps floor"))
    rows.append((f"{tro} per service", [slope[tro]], f"{slope[tro] / slope[floor]:.0f}× the json.dumps floor"))
    rows.append((f"{floor} per service", [slope[floor]], ""))
    rows.append("rules time by N (normalise + every rule, in process)")
    previous = None
    for name, values in rule_samples.items():
        note = ""
        if previous is not None:
            note = f"{statistics.median(values) / statistics.median(previous[1]):.1f}× {previous[0].split(', ')[1]}"
        rows.append((name, values, note))
        previous = (name, values)


# ---- lint -------------------------------------------------------------------------------------------------------
def lint() -> None:
    work = Path(tempfile.mkdtemp(prefix="ecsstack-bench-"))
    try:
        templates = work / "templates"
        subprocess.run([ECSSTACK, "synth", "blueprints", "-o", str(templates)], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        files = sorted(str(p) for p in templates.glob("*.json"))
        warm_t, warm_b = work / "warm-t", work / "warm-b"
        subprocess.run([ECSSTACK, "lint", str(templates), "--cache-dir", str(warm_t)], cwd=ROOT, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([ECSSTACK, "lint", "blueprints", "--cache-dir", str(warm_b)], cwd=ROOT, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rounds = 2 if QUICK else 3
        n = len(files)
        samples = paired({
            f"cfn-lint, {n} templates (plain CLI)": lambda _: [CFN_LINT, *files],
            f"ecsstack lint, {n} templates, cold, serial": lambda r: [
                "env", "ECSSTACK_LINT_JOBS=1", ECSSTACK, "lint", str(templates), "--cache-dir", str(work / f"s{r}")],
            f"ecsstack lint, {n} templates, cold, parallel": lambda r: [
                ECSSTACK, "lint", str(templates), "--cache-dir", str(work / f"p{r}")],
            f"ecsstack lint, {n} templates, cached": lambda _: [
                ECSSTACK, "lint", str(templates), "--cache-dir", str(warm_t)],
            "ecsstack synth + lint blueprints/, cold": lambda r: [
                ECSSTACK, "lint", "blueprints", "--cache-dir", str(work / f"b{r}")],
            "ecsstack synth + lint blueprints/, cached": lambda _: [
                ECSSTACK, "lint", "blueprints", "--cache-dir", str(warm_b)],
            "ecsstack synth blueprints/ -o DIR": lambda r: [ECSSTACK, "synth", "blueprints", "-o", str(work / f"o{r}")],
        }, rounds)
        rows.append("lint (CPU of the whole process and its workers)")
        base = samples[f"cfn-lint, {n} templates (plain CLI)"]
        cold_t = samples[f"ecsstack lint, {n} templates, cold, parallel"]
        cold_b = samples["ecsstack synth + lint blueprints/, cold"]
        for name, values in samples.items():
            notes = []
            if "cfn-lint" not in name and "synth blueprints" not in name:
                notes.append(f"{ratio(values, base):.2f}× cfn-lint")
            if name.endswith("templates, cached"):
                notes.append(f"{100 * ratio(values, cold_t):.0f} % of cold")
            if name.endswith("blueprints/, cached"):
                notes.append(f"{100 * ratio(values, cold_b):.0f} % of cold")
            rows.append((name, values, "; ".join(notes)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def cdk() -> None:
    if os.environ.get("BENCH_CDK"):
        rows.append(("AWS CDK synth of the same stack", [], "skipped: needs npm, aws-cdk-lib and the network"))


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({cpu}), Python "
            f"{platform.python_version()}, load average {load:.1f} at the start")


def main() -> None:
    header = machine()
    started = time.time()
    cold()
    sizes()
    lint()
    cdk()
    width = max(len(r[0]) for r in rows if not isinstance(r, str))
    print(f"ecsstack benchmarks: {header}; {ROUNDS} paired rounds for processes")
    print(f"{'figure':<{width}}  {'median ms':>10}  {'min–max ms':>19}  {'wall ms':>8}  {'RSS MiB':>7}  comparison")
    for row in rows:
        if isinstance(row, str):
            print(f"-- {row}")
            continue
        name, values, note = row
        if not values:
            print(f"{name:<{width}}  {'-':>10}  {'-':>19}  {'':>8}  {'':>7}  {note}")
            continue
        spread = f"{min(values):.1f}–{max(values):.1f}" if len(values) > 1 else ""
        walls, rsses = extra.get(name, ([], []))
        wall = f"{statistics.median(walls):.0f}" if walls else ""
        rss = f"{statistics.median(rsses):.0f}" if rsses else ""
        print(f"{name:<{width}}  {statistics.median(values):>10.1f}  {spread:>19}  {wall:>8}  {rss:>7}  {note}")
    print(f"({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
