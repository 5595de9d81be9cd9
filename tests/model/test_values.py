"""Value types (port mappings, health checks, secrets): argument mistakes raise ECS001."""

from __future__ import annotations

import pytest

from ecsstack import (
    HealthCheck,
    PortMapping,
    Protocol,
    Secret,
)

from ._support import raises

# ---- value types -------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{"container_port": "80"}, {"container_port": 80, "host_port": "80"},
                                    {"container_port": 80, "protocol": "sctp"}])
def test_port_mapping_bad_arguments(kwargs):
    raises(PortMapping, **kwargs)


def test_port_mapping_protocol_spellings():
    assert PortMapping(53, protocol="UDP").protocol is Protocol.UDP


@pytest.mark.parametrize("command", [[], "curl -f localhost", [5], None])
def test_health_check_bad_command(command):
    raises(HealthCheck, command)


def test_health_check_string_is_refused_with_the_cmd_shell_list():
    [problem] = raises(HealthCheck, "curl -f localhost || exit 1").problems
    assert problem.path == "health check"
    assert "got the string 'curl -f localhost || exit 1'" in problem.message
    assert problem.hint.startswith('Write HealthCheck(["CMD-SHELL", "curl -f localhost || exit 1"])')


def test_health_check_list_without_cmd_is_refused_not_rewritten():
    [problem] = raises(HealthCheck, ["curl -f localhost || exit 1"]).problems
    assert "does not start with CMD, CMD-SHELL or NONE" in problem.message
    assert problem.hint == ('Write HealthCheck(["CMD-SHELL", "curl -f localhost || exit 1"]) to run it with the '
                            "container's shell.")


def test_health_check_argument_list_without_cmd_offers_both_forms():
    [problem] = raises(HealthCheck, ["curl", "-f", "http://localhost/a b"]).problems
    assert 'HealthCheck(["CMD", "curl", "-f", "http://localhost/a b"]) to run it directly' in problem.hint
    assert """HealthCheck(["CMD-SHELL", "curl -f 'http://localhost/a b'"])""" in problem.hint


@pytest.mark.parametrize(("command", "said", "fix"), [
    (["cmd-shell", "true"], "in capitals", '["CMD-SHELL", "true"]'),
    (["CMD"], "CMD needs the command to run after it", '["CMD-SHELL", "curl -f http://localhost/ || exit 1"]'),
    (["CMD-SHELL", " "], "CMD-SHELL needs the command", '["CMD-SHELL", "curl -f'),
    (["CMD-SHELL", "curl", "-f localhost"], "the shell would run only the first",
     '["CMD-SHELL", "curl \'-f localhost\'"]'),
])
def test_health_check_malformed_forms(command, said, fix):
    [problem] = raises(HealthCheck, command).problems
    assert said in problem.message
    assert fix in problem.hint


@pytest.mark.parametrize("command", [["CMD-SHELL", "curl -f localhost || exit 1"], ["CMD", "/bin/check", "--fast"],
                                     ["NONE"]])
def test_health_check_good_commands_are_kept_as_given(command):
    assert HealthCheck(command).command == command
    assert HealthCheck.shell("true").command == ["CMD-SHELL", "true"]


def test_suggested_health_check_passes(task):
    hint = raises(HealthCheck, "curl -f localhost || exit 1").problems[0].hint
    suggested = eval(hint.removeprefix("Write ").split(", or ")[0], {"HealthCheck": HealthCheck})
    task.add_container("app", image="app:1", health_check=suggested)
    assert suggested.command == ["CMD-SHELL", "curl -f localhost || exit 1"]


@pytest.mark.parametrize(("make", "args"), [(Secret.ssm, ("",)), (Secret.ssm, (5,)),
                                            (Secret.secrets_manager, ("",)),
                                            (Secret.secrets_manager, ("arn:x", ""))])
def test_secret_bad_arguments(make, args):
    raises(make, *args)




SSM_ARN = "arn:aws:ssm:eu-west-1:123456789012:parameter/web/db-password"
SM_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:web/db-AbCdEf"


def test_ssm_parameter_arn_given_to_secrets_manager_names_secret_ssm():
    [problem] = raises(Secret.secrets_manager, SSM_ARN).problems
    assert problem.message == (f"Secret.secrets_manager got {SSM_ARN!r}, which is the ARN of an SSM parameter, "
                               "not of a Secrets Manager secret.")
    assert problem.hint == f"Write Secret.ssm({SSM_ARN!r})."


def test_secrets_manager_arn_given_to_ssm_names_secret_secrets_manager():
    [problem] = raises(Secret.ssm, SM_ARN).problems
    assert "is the ARN of a Secrets Manager secret, not of an SSM parameter" in problem.message
    assert problem.hint == f"Write Secret.secrets_manager({SM_ARN!r})."


@pytest.mark.parametrize(("make", "arn"), [(Secret.ssm, "arn:aws:s3:::bucket/key"),
                                           (Secret.ssm, "arn:aws:ssm:eu-west-1:123456789012:document/x"),
                                           (Secret.secrets_manager, "arn:aws:kms:eu-west-1:123456789012:key/1")])
def test_secret_arn_of_another_service_is_refused(make, arn):
    [problem] = raises(make, arn).problems
    assert "which is not the ARN of" in problem.message


@pytest.mark.parametrize(("make", "value"), [
    (Secret.ssm, SSM_ARN), (Secret.ssm, "/web/db-password"), (Secret.ssm, "db-password"),
    (Secret.secrets_manager, SM_ARN), (Secret.secrets_manager, "web/db"),
    (Secret.secrets_manager, "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db-AbCdEf"),
    (Secret.ssm, "arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/db"),
])
def test_secret_names_and_arns_of_the_right_service(make, value):
    assert make(value).name == value
