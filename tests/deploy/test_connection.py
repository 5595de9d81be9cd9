"""Reaching AWS: timeouts on every client (an endpoint that accepts connections and never answers ends
in one clear line within about a minute), the region (``--region``, ``AWS_REGION``, ``AWS_DEFAULT_REGION``,
the profile's), and endpoint URLs without a scheme (a usage error, not an internal error)."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecsstack.cli import main
from ecsstack.deploy import DeployError, Provider, UsageError, status
from ecsstack.deploy._provider import Timeouts


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A TCP server on 127.0.0.1 that accepts every connection and never sends a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        server.close()


def test_every_client_has_connect_and_read_timeouts_and_bounded_retries() -> None:
    config = Provider().config()
    assert (config.connect_timeout, config.read_timeout) == (10.0, 30.0)
    assert config.retries["total_max_attempts"] == 6
    assert Timeouts().total == 70.0, "two 30 s reads and a connect: about a minute"
    quick = Provider(timeout=2).config()
    assert (quick.connect_timeout, quick.read_timeout) == (2.0, 2.0)
    for service in ("cloudformation", "s3", "sts", "ecs"):
        client = Provider(endpoint_url="http://127.0.0.1:9", timeout=3).client(service)
        assert client.meta.config.read_timeout == 3.0 and client.meta.config.connect_timeout == 3.0
    with pytest.raises(UsageError, match="--timeout 0: expected a number of seconds above 0"):
        Provider(timeout=0)


def test_with_the_defaults_a_silent_endpoint_fails_after_two_reads_about_a_minute() -> None:
    t = Timeouts()
    assert t.retry_after_timeout(30.2), "the first read timed out: one more try"
    assert not t.retry_after_timeout(61.0), "the second one too: give up after about a minute"
    assert t.retry_after_timeout(10.0) and t.retry_after_timeout(21.0) and not t.retry_after_timeout(42.0), \
        "connect timeouts (10 s each): three tries"


def test_a_deploy_against_a_silent_endpoint_ends_in_one_line(silent_endpoint: str, tmp_path: Path) -> None:
    path = tmp_path / "app.json"
    path.write_text('{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}')
    started = time.monotonic()
    result = CliRunner().invoke(main, ["deploy", str(path), "--endpoint-url", silent_endpoint, "--timeout", "1",
                                       "--yes", "--no-lint"])
    assert time.monotonic() - started < 6
    assert result.exit_code == 1, result.output
    [line] = [x for x in result.output.splitlines() if x.startswith("error")]
    assert line.startswith(f"error describing stack app failed: {silent_endpoint} accepted the connection")


def test_an_endpoint_that_never_answers_fails_fast_naming_it(silent_endpoint: str) -> None:
    started = time.monotonic()
    with pytest.raises(DeployError) as caught:
        status("app", endpoint_url=silent_endpoint, timeout=1)
    elapsed = time.monotonic() - started
    message = str(caught.value)
    assert message.startswith(f"describing stack app failed: {silent_endpoint} accepted the connection but sent no "
                              f"answer in time (read timeout).")
    assert "--timeout" in message and "\n" not in message
    assert 1.5 < elapsed < 6, f"two attempts of 1 s each (plus backoff), not six: {elapsed:.1f} s"


def test_the_cli_reports_a_silent_endpoint_in_one_line(silent_endpoint: str) -> None:
    started = time.monotonic()
    result = CliRunner().invoke(main, ["status", "--stack-name", "app", "--endpoint-url", silent_endpoint,
                                       "--timeout", "1"])
    assert time.monotonic() - started < 6
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and silent_endpoint in errors[0] and "read timeout" in errors[0]
    assert "Traceback" not in result.output and "internal error" not in result.output


def test_timeout_must_be_positive_on_the_command_line() -> None:
    result = CliRunner().invoke(main, ["status", "--stack-name", "app", "--timeout", "0"])
    assert result.exit_code == 2 and "--timeout" in result.output


@pytest.mark.parametrize("url", ["127.0.0.1:5555", "localhost:4566", "ftp://127.0.0.1:21"])
def test_an_endpoint_without_an_http_scheme_is_a_usage_error(url: str) -> None:
    with pytest.raises(UsageError, match="is not an http\\(s\\) URL") as caught:
        Provider(endpoint_url=url)
    assert caught.value.exit_code == 2
    if "://" not in url:
        assert f"http://{url}" in str(caught.value)
    result = CliRunner().invoke(main, ["status", "--stack-name", "app", "--endpoint-url", url])
    assert result.exit_code == 2, result.output
    assert f"error --endpoint-url '{url}' is not an http(s) URL" in result.output
    assert "internal error" not in result.output


def test_aws_endpoint_url_without_a_scheme_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "127.0.0.1:5555")
    with pytest.raises(UsageError, match=re.escape("AWS_ENDPOINT_URL '127.0.0.1:5555' is not an http")):
        Provider()


def test_region_comes_from_the_option_then_aws_region_then_aws_default_region_then_the_profile(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Case 2 of issue 8: AWS_REGION was ignored although messages and --help name it."""
    config = tmp_path / "config"
    config.write_text("[profile far]\nregion = ap-southeast-2\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert Provider().region == "eu-west-1"
    assert Provider(region="eu-central-1").region == "eu-central-1"
    assert Provider(profile="far").region == "eu-west-1", "the environment wins over the profile"
    monkeypatch.delenv("AWS_REGION")
    assert Provider().region == "us-east-1"
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    assert Provider(profile="far").region == "ap-southeast-2"


def test_the_cli_honours_aws_region(monkeypatch: pytest.MonkeyPatch) -> None:
    from ecsstack import deploy as package

    seen: dict[str, str] = {}

    def fake_status(stack_name: str, **kw: object) -> object:
        seen["region"] = Provider(region=kw.get("region")).region  # type: ignore[arg-type]
        raise DeployError("stop here")

    monkeypatch.setattr(package, "status", fake_status)
    monkeypatch.setenv("AWS_REGION", "eu-north-1")
    result = CliRunner().invoke(main, ["status", "--stack-name", "app"])
    assert result.exit_code == 1 and seen == {"region": "eu-north-1"}
    shown = " ".join(CliRunner().invoke(main, ["status", "--help"]).output.split())
    assert "$AWS_REGION, $AWS_DEFAULT_REGION, then the profile's region" in shown
