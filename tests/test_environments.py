"""environments.toml: loading, defaults, errors with file:line and did-you-mean, build(env), synth --env."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecsstack.cli import main
from ecsstack.environments import (
    SERVICE_MANAGED,
    EnvironmentFileError,
    Preferences,
    find_environments,
    load_environments,
)
from ecsstack.errors import BlueprintError
from ecsstack.loader import load_blueprint

GOOD = """\
[defaults]
stack_name = "{stack}-{env}"
tags = { team = "payments" }
parameters = { LogLevel = "info" }

[environments.dev]
account = "123456789012"
region = "us-east-1"
settings = { cpu = 256, memory = 512 }

[environments.prod]
account = "210987654321"
regions = ["eu-west-1", "us-east-1"]
profile = "prod-admin"
tags = { env = "prod" }
settings = { cpu = 512, memory = 1024 }

[environments.prod.parameters]
ImageTag = "1.4"
Replicas = 3
Debug = false
Subnets = ["subnet-a", "subnet-b"]

[environments.prod.stacks.app.parameters]
ImageTag = "1.5"

[environments.prod.rollout]
accounts = ["111111111111", "222222222222"]
regions = ["eu-west-1", "us-east-1"]

[environments.prod.rollout.preferences]
max_concurrent = "50%"
failure_tolerance = 1
region_order = ["us-east-1", "eu-west-1"]
region_concurrency = "parallel"

[[environments.prod.rollout.overrides]]
accounts = ["222222222222"]
parameters = { ImageTag = "1.3" }

[[environments.prod.rollout.overrides]]
accounts = ["222222222222"]
regions = ["us-east-1"]
parameters = { ImageTag = "1.2" }
"""

BLUEPRINT = """\
from ecsstack import FargateTaskDefinition, Stack, Sub


def build(env):
    stack = Stack("app")
    stack.parameter("ImageTag", default="1.0")
    task = FargateTaskDefinition("job", cpu=env.get("cpu", 256), memory=env.get("memory", 512))
    task.add_container("main", image=Sub("nginx:${ImageTag}"))
    stack.add(task)
    return stack
"""


def write(folder: Path, text: str, name: str = "environments.toml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(EnvironmentFileError) as caught:
        load_environments(write(tmp_path, text))
    return str(caught.value)


def test_a_full_file_loads_with_defaults_merged(tmp_path: Path) -> None:
    envs = load_environments(write(tmp_path, GOOD))
    assert sorted(envs) == ["dev", "prod"]
    dev, prod = envs["dev"], envs["prod"]
    assert (dev.account, dev.regions, dev.region, dev.profile) == ("123456789012", ("us-east-1",), "us-east-1", None)
    assert prod.regions == ("eu-west-1", "us-east-1") and prod.region == "eu-west-1"
    assert prod.profile == "prod-admin"
    assert prod.tags == {"team": "payments", "env": "prod"} and dev.tags == {"team": "payments"}
    assert prod.stack_name("app", blueprint="app") == "app-prod"
    assert prod.parameters_for("other") == {"LogLevel": "info", "ImageTag": "1.4", "Replicas": "3",
                                            "Debug": "false", "Subnets": "subnet-a,subnet-b"}
    assert prod.parameters_for("app")["ImageTag"] == "1.5"
    assert prod.parameter_sources("app")["ImageTag"].endswith("environments.toml:25")
    assert prod.parameter_sources("app")["LogLevel"].endswith("environments.toml:4")
    assert prod.get("cpu") == 512 and dev.get("missing", 7) == 7
    rollout = prod.rollout
    assert rollout is not None and rollout.accounts == ("111111111111", "222222222222")
    assert rollout.overrides_for("111111111111", "eu-west-1") == {}
    assert rollout.overrides_for("222222222222", "eu-west-1") == {"ImageTag": "1.3"}
    assert rollout.overrides_for("222222222222", "us-east-1") == {"ImageTag": "1.2"}  # the later one wins
    assert rollout.preferences.to_api() == {"MaxConcurrentPercentage": 50, "FailureToleranceCount": 1,
                                            "RegionOrder": ["us-east-1", "eu-west-1"],
                                            "RegionConcurrencyType": "PARALLEL"}
    assert dev.rollout is None


def test_preferences_map_counts_and_percentages() -> None:
    assert Preferences(2, "10%").to_api() == {"MaxConcurrentCount": 2, "FailureTolerancePercentage": 10}
    assert Preferences().to_api() == {}


def test_unknown_environment_names_the_known_ones_and_the_close_one(tmp_path: Path) -> None:
    envs = load_environments(write(tmp_path, GOOD))
    with pytest.raises(EnvironmentFileError, match=r"no environment 'prood'; it defines dev, prod\. Did you mean "
                                                   r"'prod'\?"):
        envs["prood"]


@pytest.mark.parametrize(("text", "expected"), [
    ("[environments.prod]\naccount = \"123456789012\"\nregon = \"eu-west-1\"\n",
     r"environments.toml:3: environments.prod.regon: unknown key 'regon'. Did you mean 'region'\?"),
    ("[environments.prod]\naccount = 123456789012\n",
     r"environments.toml:2: .*write the account id 123456789012 as a string"),
    ("[environments.prod]\naccount = \"12345\"\n", r"environments.toml:2: .*'12345' is not an account id"),
    ("[environments.prod]\nregion = \"europe\"\n", r"environments.toml:2: .*'europe' is not a region"),
    ("[environments.prod]\nregion = \"eu-west-1\"\nregions = [\"eu-west-1\"]\n", r"set region or regions"),
    ("[environments.prod]\nstack_name = \"{stak}-{env}\"\n", r":2: .*unknown placeholder \{stak\}.*Did you mean "
                                                             r"\{stack\}\?"),
    ("[environments.prod]\nregion = \"eu-west-1\"\n[environments.prod.rollout]\npermission_model = \"magic\"\n",
     r":4: .*expected \"self-managed\" or \"service-managed\""),
    ("[environments.prod]\nregion = \"eu-west-1\"\n[environments.prod.rollout]\naccounts = [\"111111111111\"]\n"
     "[environments.prod.rollout.preferences]\nmax_concurent = 2\n",
     r":6: .*unknown key 'max_concurent'. Did you mean 'max_concurrent'\?"),
    ("[environments.prod]\nregion = \"eu-west-1\"\n[environments.prod.rollout]\naccounts = [\"111111111111\"]\n"
     "[environments.prod.rollout.preferences]\nmax_concurrent = \"150%\"\n", r":6: .*a percentage"),
    ("[environments.prod]\nregion = \"eu-west-1\"\n[environments.prod.rollout]\naccounts = [\"111111111111\"]\n"
     "[[environments.prod.rollout.overrides]]\naccounts = [\"222222222222\"]\nparameters = { A = \"1\" }\n",
     r":6: .*222222222222 is not a target account"),
    ("[environments.prod]\nregion = \"eu-west-1\"\n[environments.prod.rollout]\npermission_model = "
     "\"service-managed\"\n", r"service-managed rollout deploys to organizational units"),
    ("[environments.prod]\nregion = \"eu-west-1\"\n[environments.prod.rollout]\n", r"name the target accounts"),
    ("[environments.prod\nregion = 1\n", r"environments.toml:1:\d+: not valid TOML"),
    ("[defaults]\nregion = \"eu-west-1\"\n", r"defines no environment"),
    ("[enviroments.prod]\n", r"unknown key 'enviroments'. Did you mean 'environments'\?"),
    ("[environments.prod]\ntags = { team = [1] }\n", r":2: .*tags.team: expected a string"),
])
def test_mistakes_are_reported_with_file_line_and_fix(tmp_path: Path, text: str, expected: str) -> None:
    import re

    message = error_of(tmp_path, text)
    assert re.search(expected, message), message


def test_a_service_managed_rollout(tmp_path: Path) -> None:
    envs = load_environments(write(tmp_path, """\
        [environments.org]
        account = "123456789012"
        region = "us-east-1"
        [environments.org.rollout]
        permission_model = "service-managed"
        organizational_units = ["ou-abcd-12345678"]
        auto_deployment = true
        call_as = "delegated-admin"
        """))
    rollout = envs["org"].rollout
    assert rollout is not None and rollout.permission_model == SERVICE_MANAGED
    assert rollout.organizational_units == ("ou-abcd-12345678",) and rollout.regions == ("us-east-1",)
    assert rollout.auto_deployment and rollout.call_as == "DELEGATED_ADMIN"


def test_the_file_is_found_beside_the_blueprints_then_in_the_cwd(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "blueprints"
    folder.mkdir()
    (folder / "app.py").write_text(BLUEPRINT)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(EnvironmentFileError, match=r"no environments\.toml beside"):
        find_environments(folder / "app.py")
    write(tmp_path, GOOD)
    assert find_environments(folder / "app.py") == Path.cwd() / "environments.toml"
    write(folder, GOOD)
    assert find_environments(folder / "app.py") == folder / "environments.toml"
    assert find_environments(folder) == folder / "environments.toml"
    assert find_environments(folder, "x.toml") == Path("x.toml")


def test_build_gets_the_environment(tmp_path: Path) -> None:
    blueprint = tmp_path / "app.py"
    blueprint.write_text(BLUEPRINT)
    envs = load_environments(write(tmp_path, GOOD))
    dev, prod = load_blueprint(blueprint, envs["dev"]), load_blueprint(blueprint, envs["prod"])
    assert json.dumps(dev.to_dict()) != json.dumps(prod.to_dict())
    with pytest.raises(BlueprintError, match=r"build\(env\) takes an environment; pass --env NAME"):
        load_blueprint(blueprint)
    optional = tmp_path / "optional.py"
    optional.write_text(BLUEPRINT.replace("def build(env):", "def build(env=None):").replace(
        'env.get("cpu", 256)', '256 if env is None else env.get("cpu")').replace(
        'env.get("memory", 512)', '512 if env is None else env.get("memory")'))
    assert load_blueprint(optional).name == "app"


def test_synth_with_env_writes_one_folder_per_environment_deterministically(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "blueprints"
    folder.mkdir()
    (folder / "app.py").write_text(BLUEPRINT)
    write(folder, GOOD)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for env in ("dev", "prod", "prod"):
        result = runner.invoke(main, ["synth", "blueprints", "--env", env])
        assert result.exit_code == 0, result.output
    prod = json.loads((tmp_path / "build" / "prod" / "app.json").read_text())
    dev = json.loads((tmp_path / "build" / "dev" / "app.json").read_text())
    cpu = {k: v["Properties"].get("Cpu") for k, v in prod["Resources"].items() if "Cpu" in v.get("Properties", {})}
    assert list(cpu.values()) == ["512"]
    assert prod != dev
    first = (tmp_path / "build" / "prod" / "app.json").read_text()
    runner.invoke(main, ["synth", "blueprints", "--env", "prod", "-o", "out"])
    assert (tmp_path / "out" / "prod" / "app.json").read_text() == first

    typo = runner.invoke(main, ["synth", "blueprints", "--env", "prdo"])
    assert typo.exit_code == 2 and "Did you mean 'prod'?" in typo.output
    without = runner.invoke(main, ["synth", "blueprints"])
    assert without.exit_code == 1 and "build(env) takes an environment" in without.output
