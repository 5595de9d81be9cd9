"""Environments: ``environments.toml`` beside the blueprints names where each environment lives (AWS account,
region(s), optional profile), how its stacks are named, the parameter values and tags its stacks get, and how
a StackSet rolls it out across accounts and regions. See docs/environments.md for the format.

    from ecsstack.environments import load_environments
    envs = load_environments("blueprints/environments.toml")
    prod = envs["prod"]                       # did-you-mean on a typo
    prod.stack_name("web", blueprint="web")   # "web-prod"
    prod.parameters_for("web")                # {"ImageTag": "1.4", ...} (all stacks, then the stack's own)

A blueprint's ``build(env)`` receives the ``Environment`` (``env.name``, ``env.region``, ``env.settings``...).
Nothing here talks to AWS.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import EcsstackError

__all__ = [
    "ENVIRONMENTS_FILE", "Environment", "EnvironmentFileError", "Environments", "Override", "Preferences", "Rollout",
    "find_environments", "load_environments",
]

#: the file name looked for beside the blueprints (and then in the current directory)
ENVIRONMENTS_FILE = "environments.toml"

_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
_OU = re.compile(r"^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$")
_ENV_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_PLACEHOLDERS = ("blueprint", "stack", "env", "account", "region")
DEFAULT_STACK_NAME = "{stack}-{env}"
SELF_MANAGED, SERVICE_MANAGED = "SELF_MANAGED", "SERVICE_MANAGED"
DEFAULT_ADMINISTRATION_ROLE = "AWSCloudFormationStackSetAdministrationRole"
DEFAULT_EXECUTION_ROLE = "AWSCloudFormationStackSetExecutionRole"


class EnvironmentFileError(EcsstackError):
    """The environments file is missing, not TOML, or holds a value that cannot be right (file:line said)."""


# -- the model -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Preferences:
    """StackSet operation preferences. ``max_concurrent`` / ``failure_tolerance``: an int (a count of accounts)
    or a string ``"25%"``; ``region_order``: regions first in this order; ``region_concurrency``: ``SEQUENTIAL``
    or ``PARALLEL``. Default: CloudFormation's (one account at a time, no failure tolerated, sequential)."""

    max_concurrent: int | str | None = None
    failure_tolerance: int | str | None = None
    region_order: tuple[str, ...] = ()
    region_concurrency: str | None = None

    def to_api(self) -> dict[str, Any]:
        """The ``OperationPreferences`` argument."""
        prefs: dict[str, Any] = {}
        for value, count, percentage in ((self.max_concurrent, "MaxConcurrentCount", "MaxConcurrentPercentage"),
                                         (self.failure_tolerance, "FailureToleranceCount",
                                          "FailureTolerancePercentage")):
            if isinstance(value, str):
                prefs[percentage] = int(value.rstrip("%"))
            elif value is not None:
                prefs[count] = value
        if self.region_order:
            prefs["RegionOrder"] = list(self.region_order)
        if self.region_concurrency:
            prefs["RegionConcurrencyType"] = self.region_concurrency
        return prefs


@dataclass(frozen=True)
class Override:
    """Parameter values for the stack instances in ``accounts`` × ``regions`` (empty: every one)."""

    parameters: Mapping[str, str]
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    def applies(self, account: str, region: str) -> bool:
        return (not self.accounts or account in self.accounts) and (not self.regions or region in self.regions)


@dataclass(frozen=True)
class Rollout:
    """How ``ecsstack rollout`` deploys an environment as a StackSet: targets (``accounts`` or, service-managed,
    ``organizational_units``) × ``regions``; the permission model and its roles; operation preferences;
    per-account/region parameter ``overrides`` (later ones win)."""

    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    organizational_units: tuple[str, ...] = ()
    permission_model: str = SELF_MANAGED
    administration_role: str = DEFAULT_ADMINISTRATION_ROLE
    execution_role: str = DEFAULT_EXECUTION_ROLE
    auto_deployment: bool = False
    retain_stacks_on_account_removal: bool = False
    call_as: str = "SELF"
    preferences: Preferences = field(default_factory=Preferences)
    overrides: tuple[Override, ...] = ()

    def overrides_for(self, account: str, region: str) -> dict[str, str]:
        merged: dict[str, str] = {}
        for o in self.overrides:
            if o.applies(account, region):
                merged.update(o.parameters)
        return merged


@dataclass(frozen=True)
class Environment:
    """One environment: ``name``; the ``account`` (12 digits) and ``regions`` its credentials must match;
    ``profile``; the ``stack_name_pattern``; ``parameters`` for every stack and ``stack_parameters`` per stack
    (by the blueprint's stack name or file stem); ``tags``; free ``settings`` for ``build(env)``; ``rollout``.
    ``source`` is the file, ``lines`` where each key was written (for messages)."""

    name: str
    account: str | None = None
    regions: tuple[str, ...] = ()
    profile: str | None = None
    stack_name_pattern: str = DEFAULT_STACK_NAME
    parameters: Mapping[str, str] = field(default_factory=dict)
    stack_parameters: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    rollout: Rollout | None = None
    source: str = ENVIRONMENTS_FILE
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def region(self) -> str | None:
        """The first (home) region: where ``deploy`` goes by default and where a StackSet is administered."""
        return self.regions[0] if self.regions else None

    def get(self, key: str, default: Any = None) -> Any:
        """``settings[key]``, or ``default``: ``env.get("min_tasks", 1)`` in a blueprint."""
        return self.settings.get(key, default)

    def where(self, key: str = "") -> str:
        """``environments.toml:12`` for ``key`` of this environment (or its table)."""
        line = self.lines.get(key) or self.lines.get("")
        return f"{self.source}:{line}" if line else self.source

    def stack_name(self, stack: str, *, blueprint: str | None = None, region: str | None = None) -> str:
        """The stack name the pattern gives for ``stack`` (the blueprint's ``Stack`` name)."""
        return self.stack_name_pattern.format(stack=stack, blueprint=blueprint or stack, env=self.name,
                                              account=self.account or "", region=region or self.region or "")

    def parameters_for(self, *names: str) -> dict[str, str]:
        """The parameter values for a stack known by ``names`` (stack name, file stem): those for all stacks,
        then the stack's own."""
        merged = dict(self.parameters)
        for name in names:
            merged.update(self.stack_parameters.get(name, {}))
        return merged

    def parameter_sources(self, *names: str) -> dict[str, str]:
        """Where each value of ``parameters_for`` was written: ``environments.toml:8``."""
        sources = {k: self.where(f"parameters.{k}") for k in self.parameters}
        for name in names:
            for k in self.stack_parameters.get(name, {}):
                sources[k] = self.where(f"stacks.{name}.parameters.{k}")
        return sources


@dataclass(frozen=True)
class Environments(Mapping[str, Environment]):
    """Every environment of a file, by name; ``envs["prood"]`` raises ``EnvironmentFileError`` with did-you-mean."""

    path: Path
    environments: Mapping[str, Environment]

    def __getitem__(self, name: str) -> Environment:
        if name not in self.environments:
            known = sorted(self.environments)
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise EnvironmentFileError(f"{self.path}: no environment {name!r}; it defines "
                                   f"{', '.join(known) or 'none'}.{hint}")
        return self.environments[name]

    def __iter__(self) -> Any:
        return iter(self.environments)

    def __len__(self) -> int:
        return len(self.environments)


# -- loading --------------------------------------------------------------------------------------------
class _Lines:
    """Line numbers of tables and keys in a TOML text (tomllib gives none): good enough for messages."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+)\s*=")

    def __init__(self, text: str):
        self.table_lines: dict[str, int] = {}
        self.keys: dict[str, int] = {}
        table = ""
        for number, line in enumerate(text.splitlines(), 1):
            header = self._HEADER.match(line)
            if header:
                table = self._norm(header.group(1))
                self.table_lines.setdefault(table, number)
                continue
            key = self._KEY.match(line)
            if key:
                full = f"{table}.{self._norm(key.group(1))}" if table else self._norm(key.group(1))
                self.keys.setdefault(full, number)
                # an inline table's keys sit on this line too: `tags = { team = "x" }`
                for inner in re.findall(r"[{,]\s*([A-Za-z0-9_\-\"']+)\s*=", line):
                    self.keys.setdefault(f"{full}.{self._norm(inner)}", number)

    @staticmethod
    def _norm(key: str) -> str:
        return ".".join(part.strip().strip("\"'") for part in key.split("."))

    def of(self, path: str) -> int | None:
        while path:
            if path in self.keys:
                return self.keys[path]
            if path in self.table_lines:
                return self.table_lines[path]
            path = path.rpartition(".")[0]
        return None


class _Reader:
    def __init__(self, path: Path, lines: _Lines):
        self.path, self.lines = path, lines

    def fail(self, where: str, message: str) -> EnvironmentFileError:
        line = self.lines.of(where)
        return EnvironmentFileError(f"{self.path}{f':{line}' if line else ''}: {where}: {message}")

    def known(self, table: Mapping[str, Any], where: str, allowed: Sequence[str]) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" Did you mean {close[0]!r}?" if close else f" Known keys: {', '.join(allowed)}."
                raise self.fail(f"{where}.{key}" if where else key, f"unknown key {key!r}.{hint}")

    def table(self, value: Any, where: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a table, got {type(value).__name__}.")
        return value

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(where, f"expected a non-empty string, got {value!r}.")
        return value

    def texts(self, value: Any, where: str, pattern: re.Pattern[str] | None = None, what: str = "") -> tuple[str, ...]:
        if value is None:
            return ()
        items = [value] if isinstance(value, str | int) else value
        if not isinstance(items, list):
            raise self.fail(where, f"expected a string or a list of strings, got {value!r}.")
        out = []
        for item in items:
            if isinstance(item, int) and not isinstance(item, bool) and what == "account id":
                raise self.fail(where, f"write the account id {item} as a string (\"{item:012d}\"): as a number "
                                       "TOML drops leading zeros.")
            item = self.text(item, where)
            if pattern is not None and not pattern.match(item):
                raise self.fail(where, f"{item!r} is not {'an' if what[0] in 'aeiou' else 'a'} {what}.")
            out.append(item)
        if len(set(out)) != len(out):
            raise self.fail(where, f"lists {', '.join(sorted({x for x in out if out.count(x) > 1}))} twice.")
        return tuple(out)

    def values(self, value: Any, where: str) -> dict[str, str]:
        """Parameter values or tags: strings; numbers and booleans are written as CloudFormation reads them."""
        result = {}
        for key, item in self.table(value, where).items():
            if isinstance(item, bool):
                item = "true" if item else "false"
            elif isinstance(item, int | float):
                item = str(item)
            elif isinstance(item, list) and all(isinstance(v, str) for v in item):
                item = ",".join(item)  # a List<...> or CommaDelimitedList parameter
            elif not isinstance(item, str):
                raise self.fail(f"{where}.{key}", f"expected a string, number, boolean or list of strings, "
                                                  f"got {type(item).__name__}.")
            result[str(key)] = item
        return result

    def amount(self, value: Any, where: str) -> int | str | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{1,3}%", value) and int(value[:-1]) <= 100:
            return value
        raise self.fail(where, f"expected a count (0, 1, 2...) or a percentage (\"25%\"), got {value!r}.")


_ENV_KEYS = ("account", "region", "regions", "profile", "stack_name", "parameters", "stacks", "tags", "settings",
             "rollout")
_ROLLOUT_KEYS = ("accounts", "regions", "organizational_units", "permission_model", "administration_role",
                 "execution_role", "auto_deployment", "retain_stacks_on_account_removal", "call_as", "preferences",
                 "overrides")
_PREFERENCE_KEYS = ("max_concurrent", "failure_tolerance", "region_order", "region_concurrency")


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) \
            else value
    return merged


def _pattern(r: _Reader, value: Any, where: str) -> str:
    pattern = r.text(value, where)
    for name in re.findall(r"\{([^{}]*)\}", pattern):
        if name not in _PLACEHOLDERS:
            close = difflib.get_close_matches(name, _PLACEHOLDERS, n=1)
            hint = f" Did you mean {{{close[0]}}}?" if close else ""
            raise r.fail(where, f"unknown placeholder {{{name}}}; known: "
                                f"{', '.join('{' + p + '}' for p in _PLACEHOLDERS)}.{hint}")
    return pattern


def _rollout(r: _Reader, raw: Any, where: str, env_account: str | None,
             env_regions: tuple[str, ...]) -> Rollout:
    raw = r.table(raw, where)
    r.known(raw, where, _ROLLOUT_KEYS)
    model = str(raw.get("permission_model", "self-managed")).upper().replace("-", "_")
    if model not in (SELF_MANAGED, SERVICE_MANAGED):
        raise r.fail(f"{where}.permission_model", f"expected \"self-managed\" or \"service-managed\", got "
                                                  f"{raw['permission_model']!r}.")
    accounts = r.texts(raw.get("accounts"), f"{where}.accounts", _ACCOUNT, "account id")
    ous = r.texts(raw.get("organizational_units"), f"{where}.organizational_units", _OU,
                  "organizational unit id (ou-xxxx-xxxxxxxx or r-xxxx)")
    regions = r.texts(raw.get("regions"), f"{where}.regions", _REGION, "region") or env_regions
    if model == SERVICE_MANAGED and not ous:
        raise r.fail(where, "a service-managed rollout deploys to organizational units: set organizational_units.")
    if model == SELF_MANAGED and ous:
        raise r.fail(f"{where}.organizational_units", "organizational units need permission_model = "
                                                      "\"service-managed\" (AWS Organizations).")
    if model == SELF_MANAGED and not accounts:
        accounts = (env_account,) if env_account else ()
    if model == SELF_MANAGED and not accounts:
        raise r.fail(where, "name the target accounts (accounts = [\"111111111111\", ...]).")
    if not regions:
        raise r.fail(where, "name the target regions (regions = [\"eu-west-1\", ...]).")
    auto = raw.get("auto_deployment", False)
    retain = raw.get("retain_stacks_on_account_removal", False)
    for key, value in (("auto_deployment", auto), ("retain_stacks_on_account_removal", retain)):
        if not isinstance(value, bool):
            raise r.fail(f"{where}.{key}", f"expected true or false, got {value!r}.")
    if model == SELF_MANAGED and (auto or retain):
        raise r.fail(f"{where}.auto_deployment", "auto-deployment is for service-managed StackSets only.")
    call_as = str(raw.get("call_as", "self")).upper().replace("-", "_")
    if call_as not in ("SELF", "DELEGATED_ADMIN"):
        raise r.fail(f"{where}.call_as", f"expected \"self\" or \"delegated-admin\", got {raw['call_as']!r}.")

    prefs_raw = r.table(raw.get("preferences"), f"{where}.preferences")
    r.known(prefs_raw, f"{where}.preferences", _PREFERENCE_KEYS)
    concurrency = prefs_raw.get("region_concurrency")
    if concurrency is not None:
        concurrency = str(concurrency).upper()
        if concurrency not in ("SEQUENTIAL", "PARALLEL"):
            raise r.fail(f"{where}.preferences.region_concurrency",
                         f"expected \"sequential\" or \"parallel\", got {prefs_raw['region_concurrency']!r}.")
    order = r.texts(prefs_raw.get("region_order"), f"{where}.preferences.region_order", _REGION, "region")
    stray = [x for x in order if x not in regions]
    if stray:
        raise r.fail(f"{where}.preferences.region_order", f"{', '.join(stray)} is not among the rollout's regions "
                                                          f"({', '.join(regions)}).")
    prefs = Preferences(r.amount(prefs_raw.get("max_concurrent"), f"{where}.preferences.max_concurrent"),
                        r.amount(prefs_raw.get("failure_tolerance"), f"{where}.preferences.failure_tolerance"),
                        order, concurrency)

    overrides = []
    items = raw.get("overrides") or []
    if not isinstance(items, list):
        raise r.fail(f"{where}.overrides", "expected an array of tables ([[...rollout.overrides]]).")
    for i, item in enumerate(items):
        at = f"{where}.overrides"
        item = r.table(item, at)
        r.known(item, at, ("accounts", "regions", "parameters"))
        o_accounts = r.texts(item.get("accounts"), f"{at}.accounts", _ACCOUNT, "account id")
        o_regions = r.texts(item.get("regions"), f"{at}.regions", _REGION, "region")
        if model == SELF_MANAGED and (bad := [a for a in o_accounts if a not in accounts]):
            raise r.fail(f"{at}.accounts", f"override #{i + 1}: {', '.join(bad)} is not a target account.")
        if bad := [x for x in o_regions if x not in regions]:
            raise r.fail(f"{at}.regions", f"override #{i + 1}: {', '.join(bad)} is not a target region.")
        params = r.values(item.get("parameters"), f"{at}.parameters")
        if not params:
            raise r.fail(f"{at}.parameters", f"override #{i + 1} sets no parameter.")
        overrides.append(Override(params, o_accounts, o_regions))
    return Rollout(accounts, regions, ous, model, r.text(raw.get("administration_role",
                                                                 DEFAULT_ADMINISTRATION_ROLE),
                                                         f"{where}.administration_role"),
                   r.text(raw.get("execution_role", DEFAULT_EXECUTION_ROLE), f"{where}.execution_role"),
                   auto, retain, call_as, prefs, tuple(overrides))


def _environment(r: _Reader, name: str, raw: dict[str, Any], defaults: dict[str, Any]) -> Environment:
    where = f"environments.{name}"
    if not _ENV_NAME.match(name):
        raise r.fail(where, f"environment name {name!r}: a letter, then letters, digits, '-' or '_'.")
    r.known(raw, where, _ENV_KEYS)
    merged = _merge(defaults, raw)
    if "region" in merged and "regions" in merged:
        raise r.fail(f"{where}.regions", "set region or regions, not both.")
    account = merged.get("account")
    if account is not None:
        account = r.texts(account, f"{where}.account", _ACCOUNT, "account id")
        if len(account) != 1:
            raise r.fail(f"{where}.account", "one account per environment (a rollout lists more).")
        account = account[0]
    regions = r.texts(merged.get("regions", merged.get("region")), f"{where}.region", _REGION, "region")
    profile = r.text(merged["profile"], f"{where}.profile") if "profile" in merged else None
    pattern = _pattern(r, merged.get("stack_name", DEFAULT_STACK_NAME), f"{where}.stack_name")
    parameters = r.values(merged.get("parameters"), f"{where}.parameters")
    stacks = {}
    for stack, body in r.table(merged.get("stacks"), f"{where}.stacks").items():
        body = r.table(body, f"{where}.stacks.{stack}")
        r.known(body, f"{where}.stacks.{stack}", ("parameters",))
        stacks[stack] = r.values(body.get("parameters"), f"{where}.stacks.{stack}.parameters")
    tags = r.values(merged.get("tags"), f"{where}.tags")
    settings = r.table(merged.get("settings"), f"{where}.settings")
    rollout = _rollout(r, merged["rollout"], f"{where}.rollout", account, regions) if "rollout" in merged else None

    lines: dict[str, int] = {}
    for prefix in ("defaults", where):
        for key, line in r.lines.keys.items():
            if key.startswith(prefix + "."):
                lines[key[len(prefix) + 1:]] = line
    own = r.lines.of(where)
    if own:
        lines[""] = own
    return Environment(name, account, regions, profile, pattern, parameters, stacks, tags, settings, rollout,
                       str(r.path), lines)


def load_environments(path: str | Path) -> Environments:
    """Read and check an environments file; ``EnvironmentFileError`` (with file:line) for anything wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EnvironmentFileError(f"{path}: no such file (the environments file; see docs/environments.md).") from None
    except OSError as exc:
        raise EnvironmentFileError(f"{path}: cannot be read: {exc.strerror or exc}.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        where = f"{path}:{found.group(1)}:{found.group(2)}" if found else str(path)
        raise EnvironmentFileError(f"{where}: not valid TOML: {message}.") from None
    reader = _Reader(path, _Lines(text))
    reader.known(data, "", ("defaults", "environments"))
    defaults = reader.table(data.get("defaults"), "defaults")
    reader.known(defaults, "defaults", [k for k in _ENV_KEYS if k != "rollout"])
    envs_raw = reader.table(data.get("environments"), "environments")
    if not envs_raw:
        raise EnvironmentFileError(f"{path}: defines no environment; add a table such as [environments.dev].")
    envs = {name: _environment(reader, name, reader.table(raw, f"environments.{name}"), defaults)
            for name, raw in envs_raw.items()}
    return Environments(path, envs)


def find_environments(target: str | Path, given: str | Path | None = None) -> Path:
    """The environments file for blueprints at ``target``: ``given`` if set, else ``environments.toml`` beside
    them (in the folder, or beside the file), else in the current directory, else in its ``blueprints/``."""
    if given:
        return Path(given)
    path = Path(target)
    folder = path if path.is_dir() else path.parent
    for candidate in (folder / ENVIRONMENTS_FILE, Path.cwd() / ENVIRONMENTS_FILE,
                      Path.cwd() / "blueprints" / ENVIRONMENTS_FILE):
        if candidate.is_file():
            return candidate
    raise EnvironmentFileError(f"no {ENVIRONMENTS_FILE} beside {target} or in the current directory; write one "
                           f"(docs/environments.md) or pass --environments FILE.")
