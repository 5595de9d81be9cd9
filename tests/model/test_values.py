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


def test_health_check_plain_command_becomes_cmd_shell():
    assert HealthCheck(["curl -f localhost"]).command == ["CMD-SHELL", "curl -f localhost"]


@pytest.mark.parametrize(("make", "args"), [(Secret.ssm, ("",)), (Secret.ssm, (5,)),
                                            (Secret.secrets_manager, ("",)),
                                            (Secret.secrets_manager, ("arn:x", ""))])
def test_secret_bad_arguments(make, args):
    raises(make, *args)


