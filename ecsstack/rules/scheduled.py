"""ECS450–ECS459: scheduled tasks (EventBridge Scheduler schedules that run a task without a service)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache

from ..errors import Problem
from ..model import CapacityProvider, Ec2Capacity, ExistingTaskDefinition, LaunchType, NetworkMode, ScheduledTask, Token
from ..model.derived import effective_strategy
from ._helpers import q
from ._registry import Index, Rule, rule

__all__ = ["schedule_problem"]

#: EventBridge Scheduler's bounds
WINDOW_RANGE = (1, 1440)
RETRY_RANGE = (0, 185)
EVENT_AGE_RANGE = (60, 86400)
COUNT_RANGE = (1, 10)

_MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
_DAYS = "SUN|MON|TUE|WED|THU|FRI|SAT"
#: the fields of a cron expression: (name, lowest, highest, names a value may be written as)
_CRON_FIELDS = (("minutes", 0, 59, ""), ("hours", 0, 23, ""), ("day-of-month", 1, 31, ""),
                ("month", 1, 12, _MONTHS), ("day-of-week", 1, 7, _DAYS), ("year", 1970, 2199, ""))
_RATE = re.compile(r"^rate\((?P<value>\S+) (?P<unit>\S+)\)$")
_RATE_UNITS = ("minute", "hour", "day")
_AT = re.compile(r"^at\((?P<when>[^)]*)\)$")
_SQS_ARN = re.compile(r"^arn:[a-z-]+:sqs:[a-z0-9-]+:\d{12}:[\w-]{1,80}$")
_EXAMPLES = 'Write "cron(0 3 * * ? *)" (03:00 every day), "rate(6 hours)" or "at(2026-12-31T23:00:00)".'


def _value(text: str, low: int, high: int, names: str) -> bool:
    if names and re.fullmatch(names, text, flags=re.I):
        return True
    return text.isdigit() and low <= int(text) <= high


def _cron_field(text: str, name: str, low: int, high: int, names: str) -> str | None:
    """Why ``text`` is not a valid cron field ``name``, or None."""
    if text == "?":
        if name in ("day-of-month", "day-of-week"):
            return None
        return f"? is allowed only in day-of-month or day-of-week, not in {name}"
    for part in text.split(","):
        if part == "*":
            continue
        if name == "day-of-month" and re.fullmatch(r"L|LW|L-\d{1,2}|\d{1,2}W", part):
            continue
        if name == "day-of-week" and (re.fullmatch(rf"([1-7]|{_DAYS})(#[1-5]|L)", part, flags=re.I)
                                      or part == "L"):
            continue
        base, _, step = part.partition("/")
        if step and not (step.isdigit() and int(step) > 0):
            return f"{part!r} has the step {step!r}; a step is a positive number"
        if base == "*" and step:
            continue
        first, dash, last = base.partition("-")
        if not _value(first, low, high, names) or (dash and not _value(last, low, high, names)):
            return f"{part!r} is not a valid {name} value ({low}-{high}{', or a name' if names else ''})"
    return None


def schedule_problem(expression: str) -> tuple[str, str] | None:
    """(what is wrong, how to fix it) for a schedule expression EventBridge Scheduler would refuse; None when
    it is valid."""
    if expression.startswith("cron("):
        if not expression.endswith(")"):
            return "the cron expression is not closed with ')'.", _EXAMPLES
        fields = expression[5:-1].split()
        if len(fields) != len(_CRON_FIELDS):
            return (f"cron takes 6 fields (minutes hours day-of-month month day-of-week year), got {len(fields)}.",
                    "Add the year field (usually *) and ? for the day you do not set: "
                    '"cron(0 3 * * ? *)" runs at 03:00 every day.')
        for text, (name, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
            why = _cron_field(text, name, low, high, names)
            if why is not None:
                return f"{why}.", _EXAMPLES
        if (fields[2] == "?") == (fields[4] == "?"):
            return ("a cron expression sets exactly one of day-of-month and day-of-week and writes ? in the other.",
                    "Write ? in day-of-week to run on the days of the month you set, or in day-of-month for the "
                    'days of the week you set: "cron(0 3 * * ? *)" runs at 03:00 every day.')
        return None
    rate = _RATE.match(expression)
    if rate is not None:
        value, unit = rate["value"], rate["unit"]
        if not value.isdigit() or int(value) < 1:
            return f"the rate {value!r} is not a positive whole number.", 'Write "rate(5 minutes)".'
        singular = unit.removesuffix("s")
        if singular not in _RATE_UNITS:
            return (f"the rate unit {unit!r} is not minute(s), hour(s) or day(s).",
                    f'Write "rate({value} {"day" if value == "1" else "days"})" (units: minute(s), hour(s), day(s)).')
        wanted = singular if int(value) == 1 else singular + "s"
        if unit != wanted:
            return (f"rate({value} {unit}) is refused: the unit is singular for 1 and plural otherwise.",
                    f'Write "rate({value} {wanted})".')
        return None
    if expression.startswith("rate("):
        return "a rate expression is rate(value unit), one space apart.", 'Write "rate(1 hour)" or "rate(15 minutes)".'
    at = _AT.match(expression)
    if at is not None:
        try:
            datetime.strptime(at["when"], "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            return (f"at({at['when']}) is not a date and time written yyyy-mm-ddThh:mm:ss.",
                    'Write "at(2026-12-31T23:00:00)"; timezone= says which zone it is in.')
        return None
    return f"{expression!r} is not a cron(...), rate(...) or at(...) expression.", _EXAMPLES


def _scheduled(ix: Index) -> list[ScheduledTask]:
    return ix.of_type(ScheduledTask)


@rule("ECS450", "a schedule is a valid cron(...), rate(...) or at(...) expression")
def _schedule_expression(ix: Index, r: Rule) -> Iterator[Problem]:
    for scheduled in _scheduled(ix):
        if isinstance(scheduled.schedule, Token):
            continue  # known at deploy time
        found = schedule_problem(scheduled.schedule.strip())
        if found is not None:
            message, hint = found
            yield r.problem(scheduled.path, f"schedule={scheduled.schedule!r}: {message}", hint)


def _out_of(r: Rule, path: str, name: str, value: int | None, bounds: tuple[int, int], unit: str,
            default: str) -> Iterator[Problem]:
    if value is not None and not bounds[0] <= value <= bounds[1]:
        yield r.problem(path, f"{name}={value} is outside the {bounds[0]}-{bounds[1]} {unit} EventBridge Scheduler "
                        "accepts.", f"Use a value from {bounds[0]} to {bounds[1]}, or leave it out ({default}).")


@rule("ECS451", "a flexible time window is 1 to 1440 minutes")
def _window(ix: Index, r: Rule) -> Iterator[Problem]:
    for scheduled in _scheduled(ix):
        yield from _out_of(r, scheduled.path, "flexible_window_minutes", scheduled.flexible_window_minutes,
                           WINDOW_RANGE, "minutes", "runs start on time")


@rule("ECS452", "max_retries is 0 to 185 and max_event_age 60 to 86400 seconds")
def _retries(ix: Index, r: Rule) -> Iterator[Problem]:
    for scheduled in _scheduled(ix):
        yield from _out_of(r, scheduled.path, "max_retries", scheduled.max_retries, RETRY_RANGE, "retries",
                           "Scheduler's 185")
        yield from _out_of(r, scheduled.path, "max_event_age", scheduled.max_event_age, EVENT_AGE_RANGE,
                           "seconds", "Scheduler's 86400, 24 hours")


@rule("ECS453", "a scheduled task starts 1 to 10 tasks per run")
def _count(ix: Index, r: Rule) -> Iterator[Problem]:
    for scheduled in _scheduled(ix):
        low, high = COUNT_RANGE
        if not low <= scheduled.count <= high:
            yield r.problem(scheduled.path, f"count={scheduled.count}: a schedule starts {low} to {high} tasks per "
                            "run (RunTask's limit).",
                            f"Use count from {low} to {high}; for more, add a second ScheduledTask.")


@cache
def _zones() -> frozenset[str]:
    from zoneinfo import available_timezones  # the rules' own look-up; tzdata may be absent: then skipped

    return frozenset(available_timezones())


@rule("ECS454", "a schedule's timezone is an IANA time zone name")
def _timezone(ix: Index, r: Rule) -> Iterator[Problem]:
    zones = _zones()
    for scheduled in _scheduled(ix):
        zone = scheduled.timezone
        if not isinstance(zone, str) or not zones or zone in zones:
            continue
        close = sorted(z for z in zones if z.lower() == zone.lower() or z.split("/")[-1].lower() == zone.lower())
        hint = f"Did you mean {q(close[0])}?" if close else 'Use an IANA name such as "Europe/Paris" or "UTC".'
        yield r.problem(scheduled.path, f"timezone={zone!r} is not an IANA time zone name.", hint)


def _is_fargate(provider: object) -> bool:
    return provider in (CapacityProvider.FARGATE, CapacityProvider.FARGATE_SPOT, "FARGATE", "FARGATE_SPOT")


@rule("ECS455", "a scheduled task runs where its task definition is compatible")
def _placement(ix: Index, r: Rule) -> Iterator[Problem]:
    for scheduled in _scheduled(ix):
        task = scheduled.task
        compat = task.compatibilities
        path = scheduled.path
        if scheduled.launch_type is not None and scheduled.capacity_provider_strategy:
            yield r.problem(path, "sets both launch_type and capacity_provider_strategy; RunTask takes one.",
                            "Keep capacity_provider_strategy (it decides where the tasks run) and remove launch_type.")
            continue
        strategy = effective_strategy(scheduled)
        if strategy:
            for item in strategy:
                provider = item.provider
                needs = (LaunchType.FARGATE if _is_fargate(provider)
                         else LaunchType.EC2 if isinstance(provider, Ec2Capacity) else None)
                if needs is not None and needs not in compat:
                    shown = provider.name if isinstance(provider, Ec2Capacity) else getattr(provider, "value", provider)
                    yield r.problem(path, f"its capacity provider strategy places tasks on {shown} ({needs.value}), "
                                    f"but task {q(task.family)} is compatible with "
                                    f"{' and '.join(c.value for c in compat)} only.",
                                    "Use a strategy over capacity the task can run on, or change the task's "
                                    "compatibilities.")
            continue
        launch = scheduled.effective_launch_type
        if launch not in compat:
            yield r.problem(path, f"launch_type={launch.value}, but task {q(task.family)} is compatible with "
                            f"{' and '.join(c.value for c in compat)} only.",
                            f"Use launch_type={' or '.join(f'LaunchType.{c.name}' for c in compat)}.")
        elif launch is LaunchType.EC2 and not scheduled.cluster.ec2_capacity:
            yield r.problem(path, f"runs on EC2, but cluster {q(scheduled.cluster.name)} has no EC2 capacity, so "
                            "RunTask finds no container instance.",
                            "Add capacity with cluster.add_ec2_capacity(...), or run a Fargate task.",
                            severity="warning")


@rule("ECS456", "a scheduled task's network settings need an awsvpc task; a public IP needs Fargate")
def _network(ix: Index, r: Rule) -> Iterator[Problem]:
    for scheduled in _scheduled(ix):
        task = scheduled.task
        if task.network_mode is not NetworkMode.AWSVPC:
            given = [name for name, value in (("subnets", scheduled.subnets), ("vpc", scheduled.vpc),
                                              ("security_groups", scheduled.security_groups))
                     if value not in (None, [], ())]
            if scheduled.assign_public_ip:
                given.append("assign_public_ip")
            if given:
                shown = ", ".join(f"{name}=" for name in given)
                yield r.problem(scheduled.path, f"sets {shown} but task {q(task.family)} uses network_mode="
                                f"{task.network_mode.value}; only awsvpc tasks take network settings.",
                                f"Remove {shown}, or give the task network_mode=awsvpc.")
            continue
        if scheduled.assign_public_ip and (effective_strategy(scheduled) is None
                                           and scheduled.effective_launch_type is not LaunchType.FARGATE):
            yield r.problem(scheduled.path, "assign_public_ip=True, but its tasks run on EC2; only Fargate tasks "
                            "can get a public IP.", "Remove assign_public_ip=, and reach the internet through a NAT "
                            "gateway.")


@rule("ECS457", "a scheduled task's platform_version applies to Fargate only")
def _platform(ix: Index, r: Rule) -> Iterator[Problem]:
    for scheduled in _scheduled(ix):
        launch = scheduled.effective_launch_type
        if scheduled.platform_version is None or launch is LaunchType.FARGATE:
            continue
        yield r.problem(scheduled.path, f"platform_version={scheduled.platform_version!r}, but its tasks run on "
                        f"{launch.value}; platform versions exist only on Fargate.", "Remove platform_version=.")


def _date(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


@rule("ECS458", "start_date and end_date are ISO 8601 date-times, the end after the start")
def _dates(ix: Index, r: Rule) -> Iterator[Problem]:
    for scheduled in _scheduled(ix):
        parsed = {}
        for name in ("start_date", "end_date"):
            value = getattr(scheduled, name)
            if not isinstance(value, str):
                continue
            when = _date(value)
            if when is None or "T" not in value:
                yield r.problem(scheduled.path, f"{name}={value!r} is not an ISO 8601 date-time.",
                                f'Write {name}="2026-01-01T00:00:00Z" (UTC).')
            else:
                parsed[name] = when if when.tzinfo is not None else when.replace(tzinfo=UTC)  # Scheduler's zone
        if len(parsed) == 2 and parsed["end_date"] <= parsed["start_date"]:
            yield r.problem(scheduled.path, f"end_date={scheduled.end_date!r} is not after start_date="
                            f"{scheduled.start_date!r}, so the schedule would never run.",
                            "Swap them, or leave end_date out.")


@rule("ECS459", "scheduled task names are unique; a dead-letter queue is an SQS queue ARN")
def _names_and_queue(ix: Index, r: Rule) -> Iterator[Problem]:
    seen: set[str] = set()
    for scheduled in _scheduled(ix):
        if scheduled.name in seen:
            yield r.problem(scheduled.path, f"two scheduled tasks are named {q(scheduled.name)}.",
                            "Give each scheduled task its own name.")
        seen.add(scheduled.name)
        dlq = scheduled.dead_letter_queue
        if isinstance(dlq, str) and not _SQS_ARN.match(dlq):
            yield r.problem(scheduled.path, f"dead_letter_queue={dlq!r} is not an SQS queue ARN "
                            "(arn:aws:sqs:REGION:ACCOUNT:NAME).",
                            "Pass the queue's ARN, Queue.existing(name_or_url) or a Queue(...) of the stack.")


@rule("ECS336", "a scheduled task runs a task definition the blueprint builds, not TaskDefinition.existing(...)")
def _existing_under_schedule(ix: Index, r: Rule) -> Iterator[Problem]:
    for scheduled in _scheduled(ix):
        if isinstance(scheduled.task, ExistingTaskDefinition):
            yield r.problem(scheduled.path, f"runs {scheduled.task.path}, registered elsewhere: its schedule role must "
                            "pass exactly the task's execution and task roles, which ecsstack cannot read from a "
                            "task definition it did not build.",
                            "Build the task in the blueprint (FargateTaskDefinition(...) with its containers), or "
                            "schedule it where it is registered.")
