"""ECS110, ECS111: secrets written in plain text into a container's environment (or command)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from itertools import pairwise
from typing import Any
from urllib.parse import urlsplit

from ..errors import Problem
from ..model import Container, Parameter, Stack, Sub, TaskDefinition, Token
from ._helpers import q
from ._registry import Index, Rule, rule

__all__: list[str] = []

#: a word of a variable name that says the value is a secret (DB_PASSWORD, GITHUB_TOKEN, CLIENTSECRET)
SECRET_WORDS = ("PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "PRIVATEKEY")
#: a whole word that says so (DB_PASS; not BYPASS or COMPASS)
SECRET_WHOLE_WORDS = ("PASS", "PWD")
#: two words that together say so (API_KEY, PRIVATE_KEY)
SECRET_PAIRS = (("API", "KEY"), ("PRIVATE", "KEY"))
#: a word after the secret word that makes the variable *about* a secret, not the secret itself
#: (TOKEN_URL, PASSWORD_FILE, SECRET_ARN, PASSWORD_MIN_LENGTH)
ABOUT_WORDS = frozenset({
    "URL", "URI", "ENDPOINT", "HOST", "PORT", "PATH", "FILE", "DIR", "NAME", "ARN", "ID", "TTL", "EXPIRY", "EXPIRES",
    "EXPIRATION", "LIFETIME", "LENGTH", "LEN", "MIN", "MAX", "HEADER", "TYPE", "REGION", "FIELD", "PARAM",
    "PARAMETER", "VERSION", "ENABLED", "DISABLED", "REQUIRED", "POLICY", "ROTATION", "AUDIENCE", "ISSUER", "SCOPE",
    "SCOPES", "PREFIX", "STORE", "PROVIDER", "MANAGER", "SOURCE", "TIMEOUT", "LIMIT", "COUNT", "SIZE", "FORMAT",
    "METHOD", "MODE", "LOCATION", "KIND", "ALGORITHM", "CACHE", "REFRESH", "INTERVAL",
})
#: values that say nothing secret: switches, placeholders of no value
HARMLESS = frozenset({"true", "false", "yes", "no", "on", "off", "none", "null", "disabled", "enabled", ""})

#: well-known credential formats, found anywhere in a value, with how messages name them
KNOWN_FORMATS = (
    (re.compile(r"(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"), "an AWS access key id"),
    (re.compile(r"(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{36,}"), "a GitHub token"),
    (re.compile(r"(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{22,}"), "a GitHub token"),
    (re.compile(r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}"), "a Slack token"),
    (re.compile(r"(?<![A-Za-z0-9])[rs]k_live_[A-Za-z0-9]{16,}"), "a Stripe live key"),
    (re.compile(r"(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"), "a Google API key"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"(?<![A-Za-z0-9])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), "a JSON web token"),
)
#: a value that could be random key material: base64/url-safe characters only, no dots, colons or spaces
KEY_MATERIAL = re.compile(r"[A-Za-z0-9+/=_-]{20,}")
PLAIN_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+")  # none, Bearer, NONE; not MIIEvQIBADANBg
ENTROPY_MIN = 3.8  # bits per character: random base64 of 20+ characters has 4 or more, English words less
MIXING_MIN = 0.4  # share of neighbours of different kinds (upper, lower, digit, other): random ~0.65, CamelCase ~0.3


def _secret_word(name: str) -> str | None:
    """The word of ``name`` that says it holds a secret (``PASSWORD`` for ``DB_PASSWORD``), unless a later word
    says it is only about one (``TOKEN_URL``)."""
    words = [w for w in re.split(r"[^A-Z0-9]+", name.upper()) if w]
    if words == ["PWD"]:  # the shell's working directory
        return None
    for index, word in enumerate(words):
        found = next((s for s in SECRET_WORDS if word.endswith(s)), word if word in SECRET_WHOLE_WORDS else None)
        if found is None and tuple(words[index:index + 2]) in SECRET_PAIRS:
            found, index = "_".join(words[index:index + 2]), index + 1
        if found is not None:
            return None if ABOUT_WORDS & set(words[index + 1:]) else found
    return None


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _kind(char: str) -> int:
    return 0 if char.isupper() else 1 if char.islower() else 2 if char.isdigit() else 3


def _looks_random(value: str) -> bool:
    """Key material: 20+ base64 characters mixing upper case, lower case and digits, with a high entropy."""
    if not KEY_MATERIAL.fullmatch(value):
        return False
    if not (any(c.isupper() for c in value) and any(c.islower() for c in value) and any(c.isdigit() for c in value)):
        return False
    mixing = sum(_kind(a) != _kind(b) for a, b in pairwise(value)) / (len(value) - 1)
    return mixing >= MIXING_MIN and _entropy(value) >= ENTROPY_MIN


def _password_in_url(value: str) -> bool:
    for part in value.split():
        if "://" not in part:
            continue
        try:
            password = urlsplit(part).password
        except ValueError:
            continue
        if password and not password.startswith("$"):  # ${VAR} or $VAR: filled in by the shell, not written here
            return True
    return False


def _value_secret(value: str) -> str | None:
    """How messages name the secret a plain value holds, or None."""
    for pattern, what in KNOWN_FORMATS:
        if pattern.search(value):
            return what
    if _password_in_url(value):
        return "a URL with a password"
    if _looks_random(value):
        return "a long random-looking value"
    return None


def _is_reference(value: str) -> bool:
    """A value a variable with a secret-sounding name may well hold: a switch, a number, a plain word, a path,
    an ARN, a URL without a password, a shell expansion."""
    text = value.strip()
    return (text.lower() in HARMLESS or text.isdigit() or bool(PLAIN_WORD.fullmatch(text))
            or text.startswith(("/", "arn:", "$")) or ("://" in text and not _password_in_url(text)))


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "value"


def _env_name(name: str) -> str:
    """``DB_PASSWORD`` for a parameter named ``DbPassword``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|[^A-Za-z0-9]+", "_", name).strip("_").upper() or "VALUE"


def _replacement(task: TaskDefinition, name: str) -> str:
    return f'secrets={{"{name}": Secret.ssm("/{_slug(task.family)}/{_slug(name)}")}}'


def _no_echo_parameters(value: Any, stack: Stack) -> list[Parameter]:
    """The NoEcho stack parameters ``value`` carries: itself, or through a ``Sub``'s ``${Name}`` or variables."""
    if isinstance(value, Parameter):
        return [value] if value.no_echo else []
    if not isinstance(value, Sub):
        return []
    found: list[Parameter] = []
    for name in re.findall(r"\$\{([^!}][^}]*)\}", value.text):
        if name in value.variables:
            found += _no_echo_parameters(value.variables[name], stack)
        elif name in stack.parameters and stack.parameters[name].no_echo:
            found.append(stack.parameters[name])
    return list({id(p): p for p in found}.values())


def _where(ix: Index) -> Iterator[tuple[str, TaskDefinition, Container]]:
    for task in ix.tasks:
        for container in task.containers:
            yield ix.cpath(task, container), task, container


@rule("ECS110", "an environment variable does not hold a secret in plain text")
def _plain_secrets(ix: Index, r: Rule) -> Iterator[Problem]:
    for path, task, container in _where(ix):
        for name, value in container.environment.items():
            word = _secret_word(name)
            if isinstance(value, Token):
                if word is None or not isinstance(value, Parameter | Sub) or _no_echo_parameters(value, ix.stack):
                    continue  # an attribute of a resource is an ARN or a URL; NoEcho parameters are ECS111
                what = f"stack parameter {q(value.name)}" if isinstance(value, Parameter) else "a Sub(...)"
                reason = f"its name says {word}, and {what} puts the value in the task definition as it is"
            else:
                found = _value_secret(value)
                if found is None and (word is None or _is_reference(value)):
                    continue
                reason = f"its value is {found}" if found else f"its name says {word}"
            yield r.problem(
                path,
                f"environment variable {q(name)} looks like a secret ({reason}); environment values are stored "
                "in plain text in the task definition, for anyone who may describe it to read.",
                f"Put the value in SSM Parameter Store or Secrets Manager and pass it with "
                f"{_replacement(task, name)} instead of environment=.",
                severity="warning",
            )


@rule("ECS111", "a NoEcho parameter is not passed in plain text through environment=, command or entry_point")
def _no_echo_in_plain_text(ix: Index, r: Rule) -> Iterator[Problem]:
    for path, task, container in _where(ix):
        for name, value in container.environment.items():
            for param in _no_echo_parameters(value, ix.stack):
                yield r.problem(
                    path,
                    f"environment variable {q(name)} takes NoEcho parameter {q(param.name)}: CloudFormation hides "
                    "it, but the task definition stores it in plain text, for anyone who may describe it to read.",
                    f"Store the value in SSM Parameter Store or Secrets Manager and pass it with "
                    f"{_replacement(task, name)}.",
                )
        for field in ("command", "entry_point"):
            for value in getattr(container, field) or []:
                for param in _no_echo_parameters(value, ix.stack):
                    yield r.problem(
                        path,
                        f"{field} takes NoEcho parameter {q(param.name)}: the task definition stores it in plain "
                        "text, for anyone who may describe it to read.",
                        f"Pass the value as a secret, e.g. {_replacement(task, _env_name(param.name))}, and "
                        f"read it from that variable in the {field.replace('_', ' ')}.",
                    )
