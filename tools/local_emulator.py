"""A local AWS emulator for ``make deploy-local``: start/stop ``moto_server`` on 127.0.0.1 and give a
blueprint the network it asks for (a VPC and subnets, found again by tag on later runs).

    python tools/local_emulator.py start --port 5555 --pid-file build/moto_server.pid
    python tools/local_emulator.py params blueprints/web.py --endpoint-url http://127.0.0.1:5555
    python tools/local_emulator.py outputs --stack-name web-local --endpoint-url http://127.0.0.1:5555
    python tools/local_emulator.py stop --pid-file build/moto_server.pid

A development tool, not part of the library: it uses ecsstack's public API (and boto3, and the
``moto_server`` of the test extras). Only for emulators: every command refuses endpoints that are not
on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["answers", "demo_parameters", "ensure_network", "main", "parameters_for", "resolve_outputs"]

TAG = "ecsstack:local"
VPC_CIDR = "10.42.0.0/16"
SUBNET_CIDRS = ("10.42.0.0/20", "10.42.16.0/20")
LOCAL_DOMAIN = "demo.ecsstack.local"


def answers(url: str) -> bool:
    """True when a moto_server answers at ``url``."""
    try:
        with urllib.request.urlopen(f"{url}/moto-api/", timeout=0.5):
            return True
    except (urllib.error.URLError, OSError):
        return False


def _client(service: str, url: str, region: str) -> Any:
    """A boto3 client for the local endpoint that never waits forever (5 s to connect, 30 s to read)."""
    import boto3
    from botocore.config import Config

    return boto3.client(service, endpoint_url=url, region_name=region, config=Config(
        connect_timeout=5, read_timeout=30, retries={"mode": "standard", "total_max_attempts": 3}))


def _local(url: str) -> str:
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit(f"error {url} is not a local endpoint; this helper only talks to emulators.")
    return url.rstrip("/")


def start(port: int, pid_file: Path, log_file: Path) -> int:
    url = f"http://127.0.0.1:{port}"
    if answers(url):
        print(f"moto_server already answering on {url}")
        return 0
    exe = Path(sys.executable).parent / "moto_server"
    if not exe.exists():
        print(f"error moto_server not found next to {sys.executable}; run `make install-test`.",
              file=sys.stderr)
        return 1
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        proc = subprocess.Popen([str(exe), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    pid_file.write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + 20
    while not answers(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            print(f"error moto_server did not start on {url}; see {log_file}", file=sys.stderr)
            return 1
        time.sleep(0.1)
    print(f"started moto_server (pid {proc.pid}) on {url}; stop it with `make stop-local`")
    return 0


def stop(pid_file: Path) -> int:
    if not pid_file.exists():
        print(f"no moto_server to stop (no {pid_file}).")
        return 0
    pid = int(pid_file.read_text().strip() or 0)
    cmdline = Path(f"/proc/{pid}/cmdline")
    if pid <= 0 or (cmdline.exists() and b"moto_server" not in cmdline.read_bytes()):
        print(f"process {pid} is not our moto_server; removing the stale {pid_file}.")
        pid_file.unlink()
        return 0
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        print(f"moto_server (pid {pid}) was not running.")
    else:
        for _ in range(50):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        print(f"stopped moto_server (pid {pid}).")
    pid_file.unlink(missing_ok=True)
    return 0


def _tagged(name: str) -> list[dict[str, str]]:
    return [{"Key": TAG, "Value": "true"}, {"Key": "Name", "Value": name}]


def ensure_network(ec2: Any) -> tuple[str, list[str]]:
    """The VPC and two subnets tagged ``ecsstack:local``; created on the first run, reused afterwards."""
    flt = [{"Name": f"tag:{TAG}", "Values": ["true"]}]
    vpcs = ec2.describe_vpcs(Filters=flt)["Vpcs"]
    if vpcs:
        vpc_id = sorted(v["VpcId"] for v in vpcs)[0]
    else:
        vpc_id = ec2.create_vpc(CidrBlock=VPC_CIDR, TagSpecifications=[
            {"ResourceType": "vpc", "Tags": _tagged("ecsstack-local")}])["Vpc"]["VpcId"]
    subnets = ec2.describe_subnets(Filters=[*flt, {"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    if len(subnets) < len(SUBNET_CIDRS):
        zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
        have = {s["CidrBlock"] for s in subnets}
        for i, cidr in enumerate(SUBNET_CIDRS):
            if cidr not in have:
                made = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zones[i % len(zones)],
                                         TagSpecifications=[{"ResourceType": "subnet",
                                                             "Tags": _tagged(f"ecsstack-local-{i}")}])
                subnets.append(made["Subnet"])
    return vpc_id, sorted(s["SubnetId"] for s in subnets)


def ensure_certificate(acm: Any) -> str:
    """A certificate issued by the local endpoint's ACM (found again by domain), for HTTPS listeners."""
    for page in acm.get_paginator("list_certificates").paginate():
        for cert in page["CertificateSummaryList"]:
            if cert.get("DomainName") == LOCAL_DOMAIN:
                return cert["CertificateArn"]
    return acm.request_certificate(DomainName=LOCAL_DOMAIN)["CertificateArn"]


def parameters_for(template: dict[str, Any], vpc_id: str, subnets: list[str],
                   security_group: str | None = None, certificate: str | None = None) -> dict[str, str]:
    """Values for the template's network parameters, chosen by parameter type; a String parameter
    named like a certificate gets ``certificate`` (its default is a placeholder no endpoint knows)."""
    by_type = {
        "AWS::EC2::VPC::Id": vpc_id,
        "List<AWS::EC2::VPC::Id>": vpc_id,
        "AWS::EC2::Subnet::Id": subnets[0],
        "List<AWS::EC2::Subnet::Id>": ",".join(subnets),
    }
    if security_group:
        by_type["AWS::EC2::SecurityGroup::Id"] = security_group
        by_type["List<AWS::EC2::SecurityGroup::Id>"] = security_group
    values: dict[str, str] = {}
    for name, spec in sorted((template.get("Parameters") or {}).items()):
        if certificate and spec.get("Type") == "String" and "certificate" in name.lower():
            values[name] = certificate
        elif spec.get("Type") in by_type and "Default" not in spec:
            values[name] = by_type[spec["Type"]]
    return values


def demo_parameters(template: dict[str, Any], endpoint_url: str, region: str = "us-east-1") -> dict[str, str]:
    """Everything a blueprint needs from its surroundings on the local endpoint: a VPC with subnets,
    its default security group and a certificate, each made once and found again."""
    url = _local(endpoint_url)
    ec2 = _client("ec2", url, region)
    vpc_id, subnets = ensure_network(ec2)
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                   {"Name": "group-name", "Values": ["default"]}])
    default_group = groups["SecurityGroups"][0]["GroupId"] if groups["SecurityGroups"] else None
    certificate = ensure_certificate(_client("acm", url, region))
    return parameters_for(template, vpc_id, subnets, default_group, certificate)


def params(blueprint: str, endpoint_url: str, region: str) -> int:
    from ecsstack.errors import EcsstackError
    from ecsstack.loader import load_blueprint

    try:
        template = load_blueprint(blueprint).to_dict()
    except EcsstackError as exc:
        print(f"error {exc}", file=sys.stderr)
        return 1
    values = demo_parameters(template, endpoint_url, region)
    print(" ".join(f"--parameter {k}={v}" for k, v in values.items()))
    return 0


def resolve_outputs(stack_name: str, endpoint_url: str, region: str = "us-east-1") -> tuple[dict[str, str], bool]:
    """The stack's outputs and whether CloudFormation reported them. The emulator reports none after a
    change-set deploy, so for the demo they are worked out from the deployed template and resources."""
    url = _local(endpoint_url)
    cfn = _client("cloudformation", url, region)
    stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    reported = {o["OutputKey"]: o.get("OutputValue", "") for o in stack.get("Outputs", [])}
    if reported:
        return reported, True
    body = cfn.get_template(StackName=stack_name)["TemplateBody"]
    template = json.loads(body) if isinstance(body, str) else body
    physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
                for page in cfn.get_paginator("list_stack_resources").paginate(StackName=stack_name)
                for r in page["StackResourceSummaries"] if r.get("LogicalResourceId")}
    given = {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])}
    elbv2 = _client("elbv2", url, region)
    return {key: _resolve(spec.get("Value"), physical, given, elbv2)
            for key, spec in sorted((template.get("Outputs") or {}).items())}, False


def _resolve(value: Any, physical: dict[str, str], given: dict[str, str], elbv2: Any) -> str:
    """Ref and the GetAtts the demo blueprints use; anything else is said to be unresolved."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Ref" in value:
        return physical.get(value["Ref"]) or given.get(value["Ref"]) or "(unresolved)"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        logical, attribute = (value["Fn::GetAtt"] if isinstance(value["Fn::GetAtt"], list)
                              else value["Fn::GetAtt"].split(".", 1))
        resource = physical.get(logical, "")
        if attribute == "DNSName" and resource.startswith("arn:"):
            found = elbv2.describe_load_balancers(LoadBalancerArns=[resource])["LoadBalancers"]
            return found[0]["DNSName"] if found else "(unresolved)"
        if attribute == "Arn" and resource.startswith("arn:"):
            return resource
    return "(unresolved)"


def outputs(stack_name: str, endpoint_url: str, region: str) -> int:
    values, reported = resolve_outputs(stack_name, endpoint_url, region)
    print("Outputs" + ("" if reported else " (worked out from the deployed resources: the emulator "
                                            "drops outputs after a change-set deploy)"))
    width = max((len(k) for k in values), default=0)
    for key, value in values.items():
        print(f"  {key:<{width}}  {value}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/local_emulator.py",
                                     description=(__doc__ or "").split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_start = sub.add_parser("start", help="start moto_server on 127.0.0.1 unless it already answers there")
    p_start.add_argument("--port", type=int, default=5555)
    p_start.add_argument("--pid-file", type=Path, default=Path("build/moto_server.pid"))
    p_start.add_argument("--log-file", type=Path, default=None)
    p_stop = sub.add_parser("stop", help="stop the moto_server that `start` started")
    p_stop.add_argument("--pid-file", type=Path, default=Path("build/moto_server.pid"))
    p_params = sub.add_parser("params", help="print --parameter options for the blueprint's network")
    p_params.add_argument("blueprint")
    p_params.add_argument("--endpoint-url", required=True)
    p_params.add_argument("--region", default="us-east-1")
    p_outputs = sub.add_parser("outputs", help="print the stack's outputs (worked out if the emulator has none)")
    p_outputs.add_argument("--stack-name", required=True)
    p_outputs.add_argument("--endpoint-url", required=True)
    p_outputs.add_argument("--region", default="us-east-1")
    args = parser.parse_args(argv)
    if args.command == "start":
        return start(args.port, args.pid_file, args.log_file or args.pid_file.with_suffix(".log"))
    if args.command == "stop":
        return stop(args.pid_file)
    if args.command == "outputs":
        return outputs(args.stack_name, args.endpoint_url, args.region)
    return params(args.blueprint, args.endpoint_url, args.region)


if __name__ == "__main__":
    sys.exit(main())
