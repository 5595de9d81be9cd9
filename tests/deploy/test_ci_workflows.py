"""docs/ci.md: both workflows parse, every ``ecsstack`` and ``make`` command in them exists with the options and
variables they use (click's own parser, the Makefile), and the ``ecsstack`` commands run as the workflows expect
(``synth --check``, ``lint`` in each format, ``diff --detailed-exitcode`` and ``make deploy ENV=...`` on the local
emulator, with an ``environments.toml`` whose staging is the emulator's account)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import click
import pytest
import yaml
from click.testing import CliRunner
from local_emulator import demo_parameters

from ecsstack.cli import main
from ecsstack.environments import load_environments
from ecsstack.loader import load_blueprint

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ci.md"
SEPARATORS = {"&&", "||", ";", "|", "&", "(", ")"}
REDIRECTS = {">", ">>", "<", "2>", "&>"}


def _workflows() -> dict[str, dict[str, Any]]:
    text = DOC.read_text(encoding="utf-8")
    found = {}
    for title in ("GitHub Actions", "GitLab CI"):
        section = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
        [block] = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)
        found[title] = yaml.safe_load(block)
    return found


WORKFLOWS = _workflows()
EMULATOR_ACCOUNT = "123456789012"  # what the emulator's STS GetCallerIdentity answers


def test_the_environments_file_loads_and_gives_every_parameter(tmp_path: Path) -> None:
    [block] = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    (tmp_path / "environments.toml").write_text(block, encoding="utf-8")
    envs = load_environments(tmp_path / "environments.toml")
    assert sorted(envs) == ["prod", "staging"]
    web = load_blueprint(ROOT / "blueprints" / "web.py").to_dict()["Parameters"]
    needed = {name for name, spec in web.items() if "Default" not in spec}
    for env in envs.values():
        assert needed <= set(env.parameters_for("web")), f"{env.name} lacks {needed - set(env.parameters_for('web'))}"
        assert env.stack_name("web", blueprint="web") == f"web-{env.name}"
    assert envs["staging"].account != envs["prod"].account
GITLAB_KEYWORDS = {"stages", "default", "workflow", "variables", "include"}


def _scripts(title: str) -> Iterator[tuple[str, str]]:
    """(job, shell text) for every script the workflow runs."""
    flow = WORKFLOWS[title]
    if title == "GitHub Actions":
        for job, spec in flow["jobs"].items():
            for step in spec["steps"]:
                if "run" in step:
                    yield job, step["run"]
        return
    for job, spec in flow.items():
        if job in GITLAB_KEYWORDS and job != "default":
            continue
        for key in ("before_script", "script", "after_script"):
            for line in spec.get(key, []):
                yield job, line


def _commands(shell: str) -> Iterator[list[str]]:
    """The simple commands of a shell script: words, without redirections; ``${{ ... }}`` stays one word."""
    shell = re.sub(r"\$\{\{.*?\}\}", "GHEXPR", shell).replace("\\\n", " ")
    for line in shell.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()<>")
        lexer.whitespace_split = True
        words: list[str] = []
        tokens = list(lexer)
        skip = False
        for token in [*tokens, ";"]:
            if skip:
                skip = False
            elif token in REDIRECTS:
                skip = True
            elif token in SEPARATORS:
                if words:
                    yield words
                words = []
            else:
                words.append(token)


def _tool_commands(title: str, tool: str) -> list[tuple[str, list[str]]]:
    found = []
    for job, shell in _scripts(title):
        for words in _commands(shell):
            while words and re.fullmatch(r"[A-Za-z_]\w*=.*", words[0]):  # VAR=value before the command
                words = words[1:]
            if words and words[0] == tool:
                found.append((job, words[1:]))
    return found


def _command_of(args: list[str]) -> tuple[click.Command, list[str], str]:
    command: click.Command = main
    args = list(args)
    name = "ecsstack"
    while isinstance(command, click.Group) and args and args[0] in command.commands:
        name = args.pop(0)
        command = command.commands[name]
    return command, args, name


def test_both_workflows_parse_and_have_the_promised_jobs() -> None:
    github, gitlab = WORKFLOWS["GitHub Actions"], WORKFLOWS["GitLab CI"]
    triggers = github.get("on", github.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"pull_request", "push"} and triggers["push"]["branches"] == ["main"]
    jobs = github["jobs"]
    assert jobs["check"]["permissions"]["security-events"] == "write"
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in jobs["check"]["steps"])
    assert "pull_request" in jobs["diff"]["if"] and jobs["diff"]["permissions"]["pull-requests"] == "write"
    assert "refs/heads/main" in jobs["deploy-staging"]["if"] and jobs["deploy-staging"]["environment"] == "staging"
    assert jobs["deploy-prod"]["needs"] == "deploy-staging" and jobs["deploy-prod"]["environment"] == "prod"
    assert gitlab["stages"] == ["check", "plan", "deploy"]
    assert gitlab["lint"]["artifacts"]["reports"]["junit"] == "lint-junit.xml"
    assert gitlab["diff"]["allow_failure"]["exit_codes"] == [3]
    assert gitlab["deploy-prod"]["rules"][0]["when"] == "manual"
    assert gitlab["deploy-prod"]["environment"]["name"] == "prod"
    assert gitlab["deploy-prod"]["needs"] == ["deploy-staging"]


@pytest.mark.parametrize("title", sorted(WORKFLOWS))
def test_every_ecsstack_command_exists_with_its_options(title: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the paths the workflows name (blueprints/, blueprints/web.py) are the repo's
    used = set()
    for job, args in _tool_commands(title, "ecsstack"):
        command, rest, name = _command_of(args)
        assert command is not main, f"{title} job {job}: no ecsstack command in {args}"
        command.make_context(name, rest)  # click's parser: unknown options, bad choices and paths raise
        used.add(name)
    assert used == {"synth", "lint", "diff"}


def _makefile() -> tuple[set[str], set[str]]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([A-Za-z][\w.-]*)\s*:(?!=)", text, flags=re.M))
    variables = set(re.findall(r"^([A-Z_][A-Z0-9_]*)\s*[?:+]?=", text, flags=re.M))
    return targets, variables


@pytest.mark.parametrize("title", sorted(WORKFLOWS))
def test_every_make_command_names_real_targets_and_variables(title: str) -> None:
    targets, variables = _makefile()
    seen = set()
    for job, args in _tool_commands(title, "make"):
        for arg in args:
            name, eq, _ = arg.partition("=")
            if eq:
                assert name in variables, f"{title} job {job}: the Makefile has no variable {name}"
            else:
                assert arg in targets, f"{title} job {job}: the Makefile has no target {arg}"
                seen.add(arg)
    assert {"install", "deploy"} <= seen


def test_the_parser_sees_every_command() -> None:
    """The commands the tests above check are all there (a parser that found none would pass them)."""
    words = [args[0] for args in (a for _, a in _tool_commands("GitHub Actions", "ecsstack"))]
    assert words == ["synth", "synth", "lint", "lint", "diff"]
    for title in WORKFLOWS:
        commands = [args for _, args in _tool_commands(title, "ecsstack")]
        assert all(args[args.index("--env") + 1] in ("staging", "prod") for args in commands)
        deploys = [args for _, args in _tool_commands(title, "make") if args[0] == "deploy"]
        assert [[a for a in d if a.startswith("ENV=")] for d in deploys] == [["ENV=staging"], ["ENV=prod"]]
    assert [a[:1] for _, a in _tool_commands("GitLab CI", "make")] == [["install"], ["deploy"], ["deploy"]]
    [(_, diff)] = [c for c in _tool_commands("GitLab CI", "ecsstack") if c[1][0] == "diff"]
    assert diff[-3:] == ["--format", "markdown", "--detailed-exitcode"] and diff[1:4] == ["blueprints/web.py", "--env",
                                                                                          "staging"]


# ---- the commands, run ---------------------------------------------------------------------------------------
def _environments(staging_parameters: dict[str, str]) -> str:
    """An environments.toml: staging is the emulator's account and region, prod another account."""
    params = "\n".join(f"{k} = {json.dumps(v)}" for k, v in staging_parameters.items())
    return (f'[defaults]\nstack_name = "{{stack}}-{{env}}"\n\n'
            f'[environments.staging]\naccount = "{EMULATOR_ACCOUNT}"\nregion = "us-east-1"\n\n'
            f'[environments.staging.parameters]\n{params}\n\n'
            '[environments.prod]\naccount = "222222222222"\nregion = "eu-west-1"\n')


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository as the workflows expect: blueprints/ (the web blueprint, environments.toml) and its templates
    committed per environment."""
    (tmp_path / "blueprints").mkdir()
    shutil.copy(ROOT / "blueprints" / "web.py", tmp_path / "blueprints" / "web.py")
    (tmp_path / "blueprints" / "environments.toml").write_text(_environments({}), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for env in ("staging", "prod"):
        assert CliRunner().invoke(main, ["synth", "blueprints", "--env", env, "-o", "templates"]).exit_code == 0
    return tmp_path


def _run(args: list[str]) -> Any:
    return CliRunner().invoke(main, args)


def test_the_check_commands_run_as_the_workflows_expect(project: Path) -> None:
    runs = 0
    for title in WORKFLOWS:
        for job, args in _tool_commands(title, "ecsstack"):
            if args[0] == "diff":
                continue
            result = _run(args)
            assert result.exit_code == 0, f"{title} job {job}: ecsstack {' '.join(args)}\n{result.output}"
            fmt = args[args.index("--format") + 1] if "--format" in args else "text"
            if fmt == "sarif":
                assert json.loads(result.stdout)["version"] == "2.1.0"
            elif fmt == "junit":
                assert [s.get("name") for s in ET.fromstring(result.stdout).findall("testsuite")] == ["web"]
            elif fmt == "github":
                assert all(line.startswith("::") for line in result.stdout.splitlines())
            runs += 1
    assert runs == 7  # GitHub: synth staging and prod, lint github, lint sarif; GitLab: synth x2, lint junit
    committed = project / "templates" / "staging" / "web.json"
    committed.write_text(committed.read_text().replace("2010-09-09", "2010-09-10"))
    staging, prod = [c for c in _tool_commands("GitLab CI", "ecsstack") if c[1][0] == "synth"]
    stale = _run(staging[1])
    assert stale.exit_code == 1 and "+++ b/templates/staging/web.json" in stale.stdout
    assert _run(prod[1]).exit_code == 0  # prod's templates are its own


def _make_deploy(args: list[str], project: Path, moto: str) -> subprocess.CompletedProcess[str]:
    """The workflow's ``make deploy ...`` run for real, on the project's blueprints and the emulator."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    flags = [a.partition("=")[2] for a in args if a.startswith("DEPLOY_FLAGS=")]
    argv = [make, "-s", "-C", str(ROOT), *[a for a in args if not a.startswith("DEPLOY_FLAGS=")],
            f"BLUEPRINTS={project / 'blueprints'}", f"DEPLOY_FLAGS={' '.join(flags)} --no-lint --endpoint-url {moto}"]
    env = {k: v for k, v in os.environ.items() if k not in ("ENV", "AWS_PROFILE")}
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300, check=False)


def test_the_diff_and_deploy_commands_run_on_the_emulator(project: Path, moto: str) -> None:
    params = demo_parameters(load_blueprint(project / "blueprints" / "web.py").to_dict(), moto)
    (project / "blueprints" / "environments.toml").write_text(_environments(params), encoding="utf-8")
    cfn = boto3.client("cloudformation", endpoint_url=moto, region_name="us-east-1")
    for title in WORKFLOWS:
        [(_, diff)] = [c for c in _tool_commands(title, "ecsstack") if c[1][0] == "diff"]
        first = _run([*diff, "--endpoint-url", moto])
        if title == "GitHub Actions":
            assert first.exit_code == 2, first.output  # the stack does not exist yet: everything is a change
            assert first.stdout.startswith("<!-- ecsstack-diff:web-staging -->")
            assert "| Add | `WebService` | `AWS::ECS::Service` |" in first.stdout
            assert f"environment staging: account {EMULATOR_ACCOUNT}, region us-east-1" in first.stderr
            assert f"VpcId = {params['VpcId']}" in first.stderr  # where each value comes from: beside the comment
            staging, prod = [a for _, a in _tool_commands(title, "make") if a[0] == "deploy"]
            deployed = _make_deploy(staging, project, moto)
            assert deployed.returncode == 0, deployed.stdout + deployed.stderr
            stack = cfn.describe_stacks(StackName="web-staging")["Stacks"][0]
            assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}["VpcId"] == params["VpcId"]
            refused = _make_deploy(prod, project, moto)  # the emulator's credentials are not prod's account
            assert refused.returncode != 0
            assert "222222222222" in refused.stderr and EMULATOR_ACCOUNT in refused.stderr, refused.stderr
            names = {s["StackName"] for s in cfn.describe_stacks()["Stacks"]}
            assert "web-prod" not in names
        else:
            assert first.exit_code == 0, first.output  # the same stack, deployed just above: no changes
            assert "No changes" in first.stdout
