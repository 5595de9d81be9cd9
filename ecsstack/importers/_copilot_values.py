"""Copilot manifest values → Python values: durations, schedules, ports, words and environment overrides."""

from __future__ import annotations

import copy
import re
import shlex
from typing import Any

from ._common import ImportFailed

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


def seconds(value: Any, what: str) -> int:
    """A Copilot duration (``"10s"``, ``"1m30s"``, ``"1h"``, ``"250ms"``, or a number of seconds) in whole seconds
    (at least 1 when it is not zero)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    text = str(value).strip().replace(" ", "")
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ImportFailed(f"{what}: {value!r} is not a duration (write it like 30s, 1m30s or 1h).")
    factor = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    total = sum(float(n) * factor[u] for n, u in parts)
    return max(1, round(total)) if total else 0


def schedule_expression(value: Any) -> str | None:
    """Copilot's ``on.schedule`` as an EventBridge Scheduler expression; None for ``"none"`` (run by hand).

    ``@hourly``/``@daily``/``@weekly``/``@monthly``/``@yearly`` and ``@every 1h30m`` become ``cron(...)`` or
    ``rate(...)``; a five-field cron (``"0 3 * * 1"``) gets Scheduler's sixth field and ``?`` where it needs one;
    ``cron(...)``/``rate(...)`` are used as given."""
    text = str(value).strip()
    if text.lower() == "none":
        return None
    if text.startswith(("cron(", "rate(", "at(")):
        return text
    fixed = {"@yearly": "cron(0 0 1 1 ? *)", "@annually": "cron(0 0 1 1 ? *)", "@monthly": "cron(0 0 1 * ? *)",
             "@weekly": "cron(0 0 ? * 1 *)", "@daily": "cron(0 0 * * ? *)", "@midnight": "cron(0 0 * * ? *)",
             "@hourly": "cron(0 * * * ? *)"}
    if text.lower() in fixed:
        return fixed[text.lower()]
    if text.lower().startswith("@every "):
        total = seconds(text[7:], f"schedule {text!r}")
        for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
            if total >= size and total % size == 0:
                n = total // size
                return f"rate({n} {unit}{'s' if n > 1 else ''})"
        minutes = max(1, round(total / 60))
        return f"rate({minutes} minute{'s' if minutes > 1 else ''})"
    fields = text.split()
    if len(fields) != 5:
        raise ImportFailed(f"schedule {text!r} is not a schedule Copilot accepts (a 5-field cron, @daily, "
                           "@every 1h or none).")
    minute, hour, dom, month, dow = fields
    if dow == "*" and dom != "?":
        dow = "?"
    elif dom == "*":
        dom = "?"
    else:  # both given: Scheduler allows one; cron runs on either, the day of week is the likelier intent
        dom = "?"
    if dow not in ("?", "*") and re.fullmatch(r"[0-7,\-/]+", dow):
        dow = re.sub(r"\d", lambda m: str(int(m[0]) % 7 + 1), dow)  # cron 0=Sunday, Scheduler 1=Sunday
    return f"cron({minute} {hour} {dom} {month} {dow} *)"


def _merge(base: Any, over: Any) -> Any:
    """Copilot's environment override: maps merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base.get(k), v) if k in base else copy.deepcopy(v)
        return out
    return copy.deepcopy(over)


def _leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_leaves(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


def _pascal(text: str) -> str:
    """``LOG_LEVEL`` → ``LogLevel``, ``apiUrl`` → ``ApiUrl``."""
    parts = [p.lower() if p.isupper() else p for p in re.split(r"[^A-Za-z0-9]+", text) if p]
    return "".join(p[:1].upper() + p[1:] for p in parts) or "Value"


def _map(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one (a key written with no value, or the short form)."""
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> Any:
    """``70`` or ``"70"`` as a number; anything else as given."""
    if isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)?", value.strip()):
        return float(value) if "." in value else int(value)
    return value


def _words(value: Any) -> list[str]:
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def _port(value: Any) -> tuple[int, str]:
    """``8080`` or ``"8080/tcp"`` → (8080, "tcp")."""
    text = str(value)
    number, _, protocol = text.partition("/")
    if not number.strip().isdigit():
        raise ImportFailed(f"port {value!r} is not a port number.")
    return int(number), (protocol or "tcp").lower()

def _ms(value: Any) -> float:
    text = str(value).strip()
    if text.endswith("ms"):
        return float(text[:-2]) / 1000
    return float(seconds(text, "msg_processing_time"))
