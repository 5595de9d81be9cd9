"""ECS110, ECS111: secrets written in plain text into a container's environment or command."""

from __future__ import annotations

import pytest

from ecsstack import Attr, Cluster, FargateTaskDefinition, Secret, Service, Stack, Sub

FAKE_GITHUB_TOKEN = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6"
FAKE_AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def app(environment=None, stack: Stack | None = None, **kwargs) -> Stack:
    stack = stack or Stack("app")
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", environment=environment, **kwargs)
    return stack.add(Service("web", cluster=Cluster("main"), task=task))


# ---- ECS110 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "value", "reason"), [
    ("DB_PASSWORD", "hunter2-prod", "its name says PASSWORD"),
    ("db_passwd", "x1y2z3", "its name says PASSWD"),
    ("DB_PASS", "s3cr3t!", "its name says PASS"),
    ("JWT_SECRET", "a long sentence of words", "its name says SECRET"),
    ("CLIENTSECRET", "abc-123", "its name says SECRET"),
    ("NPM_TOKEN", "npm_1234abcd", "its name says TOKEN"),
    ("STRIPE_API_KEY", "key-with-7-parts", "its name says API_KEY"),
    ("SIGNING_PRIVATE_KEY", "MIIEvQIBADANBg", "its name says PRIVATE_KEY"),
    ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", "its value is an AWS access key id"),
    ("CI_AUTH", FAKE_GITHUB_TOKEN, "its value is a GitHub token"),
    ("DATABASE_URL", "postgres://app:s3cret@db.internal:5432/app", "its value is a URL with a password"),
    ("SIGNING", "-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "its value is a private key"),
    ("AWS_SECRET_ACCESS_KEY", FAKE_AWS_SECRET, "its value is a long random-looking value"),
    ("SESSION_KEY", "Xk9mP2qR7sT4vW8yZ1aB3cD5", "its value is a long random-looking value"),
])
def test_ecs110_secret_looking_variable(found, name, value, reason):
    [problem] = found(app({name: value}), "ECS110")
    assert problem.severity == "warning"
    assert problem.path == "service web › task web › container app"
    assert problem.message == (f"environment variable '{name}' looks like a secret ({reason}); environment values "
                               "are stored in plain text in the task definition, for anyone who may describe it "
                               "to read.")
    assert value not in problem.message + problem.hint  # a warning must not spread the secret further
    slug = name.lower().replace("_", "-")
    assert f'secrets={{"{name}": Secret.ssm("/web/{slug}")}}' in problem.hint


@pytest.mark.parametrize(("name", "value"), [
    ("TOKEN_URL", "https://auth.example.com/oauth/token"),
    ("PASSWORD_FILE", "/run/secrets/db"),
    ("DB_PASSWORD_MIN_LENGTH", "12"),
    ("SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"),
    ("CSRF_TOKEN_HEADER", "X-CSRF-Token"),
    ("API_KEY", "12345"),
    ("SECRET", "disabled"),
    ("AUTH_TOKEN", "none"),
    ("TOKEN_TYPE", "bearer"),
    ("DB_PASSWORD", "${DB_PASSWORD_FROM_FILE}"),
    ("DATABASE_URL", "postgres://app@db.internal:5432/app"),
    ("DATABASE_URL", "postgres://app:${DB_PASSWORD}@db.internal:5432/app"),
    ("LOG_LEVEL", "info"),
    ("PWD", "/app"),
    ("BYPASS_CACHE", "true"),
    ("TOKENIZER", "bert-base-uncased"),
    ("APP_NAME", "MyApplicationName2024Production"),
    ("BUILD_SHA", "3f786850e387550fdab836ed7e6dc881de23001b"),
    ("REQUEST_ID", "1cfcbe37-42bb-48f0-947e-631dad6f7f0d"),
    ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4317"),
    ("JAVA_OPTS", "-Xmx512m -XX:+UseG1GC"),
])
def test_ecs110_allows_what_is_not_a_secret(found, name, value):
    assert found(app({name: value}), "ECS110") == []


def test_ecs110_secrets_are_the_fix(found):
    assert found(app(secrets={"DB_PASSWORD": Secret.ssm("/web/db-password")}), "ECS110") == []


def test_ecs110_warns_about_a_plain_parameter_or_sub_under_a_secret_name(found):
    stack = Stack("app")
    token = stack.parameter("ApiToken")
    stack.parameter("Region")
    problems = found(app({"API_TOKEN": token, "JWT_SECRET": Sub("${Region}-x"), "REGION": Sub("${Region}")}, stack),
                     "ECS110")
    assert [p.message.split("(")[1].split(")")[0] for p in problems] == [
        "its name says TOKEN, and stack parameter 'ApiToken' puts the value in the task definition as it is",
        "its name says SECRET, and a Sub", ]


def test_ecs110_does_not_judge_attributes(found):
    cluster = Cluster("other")
    stack = Stack("app").add(cluster)
    assert found(app({"SECRET_STORE": Attr(cluster, "Arn"), "TOKEN": Attr(cluster, "Arn")}, stack), "ECS110") == []


# ---- ECS111 ------------------------------------------------------------------------------------

def test_ecs111_no_echo_parameter_in_environment(found):
    stack = Stack("app")
    password = stack.parameter("DbPassword", no_echo=True)
    [problem] = found(app({"DB_PASSWORD": password}, stack), "ECS111")
    assert problem.severity == "error"
    assert problem.path == "service web › task web › container app"
    assert problem.message.startswith("environment variable 'DB_PASSWORD' takes NoEcho parameter 'DbPassword': ")
    assert problem.hint == ("Store the value in SSM Parameter Store or Secrets Manager and pass it with "
                            'secrets={"DB_PASSWORD": Secret.ssm("/web/db-password")}.')
    assert found(app({"DB_PASSWORD": password}, stack), "ECS110") == []  # one problem, not two


@pytest.mark.parametrize("make", [
    lambda p: Sub("postgres://app:${DbPassword}@db/app"),
    lambda p: Sub("postgres://app:${pw}@db/app", {"pw": p}),
])
def test_ecs111_no_echo_parameter_through_sub(found, make):
    stack = Stack("app")
    password = stack.parameter("DbPassword", no_echo=True)
    [problem] = found(app({"DATABASE_URL": make(password)}, stack), "ECS111")
    assert "takes NoEcho parameter 'DbPassword'" in problem.message


def test_ecs111_no_echo_parameter_in_command(found):
    stack = Stack("app")
    stack.parameter("DbPassword", no_echo=True)
    [problem] = found(app(stack=stack, command=["./serve", Sub("--password=${DbPassword}")]), "ECS111")
    assert problem.message.startswith("command takes NoEcho parameter 'DbPassword'")
    assert 'secrets={"DB_PASSWORD": Secret.ssm("/web/db-password")}' in problem.hint


def test_ecs111_allows_plain_parameters_and_no_echo_elsewhere(found):
    stack = Stack("app")
    stack.parameter("DbPassword", no_echo=True)
    host = stack.parameter("DbHost")
    assert found(app({"DB_HOST": host, "URL": Sub("https://${DbHost}/")}, stack), "ECS111") == []
