"""Fixtures for the deploy tests: a moto_server on a free port of 127.0.0.1 for the whole session (reset
between tests), dummy credentials, and a guard that fails any request leaving 127.0.0.1.

``tools/`` (the emulator launcher behind ``make deploy-local``, not part of the package) is put on
``sys.path`` here, so the tests import it as ``local_emulator``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .fakeaws import FakeTime, Recorded, make_client

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from local_emulator import answers  # noqa: E402  (tools/ is on sys.path only from the line above)

LOCAL_HOSTS = ("127.0.0.1", "localhost")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    exe = Path(sys.executable).parent / "moto_server"
    if not exe.exists():
        pytest.skip(f"moto_server not found next to {sys.executable}; install '.[test]'")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([str(exe), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not answers(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto_server did not start on {url}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy credentials and region; no profile, config or endpoint from the developer's machine."""
    for var in list(os.environ):
        if var.startswith("AWS_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(autouse=True)
def only_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any HTTP request botocore sends must go to 127.0.0.1: never to a real AWS endpoint."""
    from urllib.parse import urlsplit

    from botocore.httpsession import URLLib3Session

    real_send = URLLib3Session.send

    def send(self: Any, request: Any) -> Any:
        host = urlsplit(request.url).hostname
        if host not in LOCAL_HOSTS:
            raise AssertionError(f"a test tried to reach {request.url}")
        return real_send(self, request)

    monkeypatch.setattr(URLLib3Session, "send", send)


@pytest.fixture
def moto(moto_server: str) -> str:
    """The emulator's URL, with all its state cleared."""
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=5) as response:
        json.loads(response.read() or b"{}")
    return moto_server


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def cfn() -> Recorded:
    return Recorded(make_client("cloudformation"))


@pytest.fixture
def ecs() -> Recorded:
    return Recorded(make_client("ecs"))
