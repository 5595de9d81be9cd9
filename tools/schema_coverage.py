"""How much of ECS is first-class: per resource, the CloudFormation schema properties that blueprints using every
first-class keyword (a maximal Fargate stack and a maximal EC2 stack, no ``overrides=``) emit in the compiled
template, against the properties cfn-lint's bundled schema lists (read-only ones left out).

Run: .venv/bin/python tools/schema_coverage.py   (prints "container definitions N of M" and what is missing)
"""

from __future__ import annotations

from typing import Any

from ecsstack import (
    ApplicationLoadBalancer,
    CapacityProviderStrategy,
    Cluster,
    Condition,
    Device,
    Ec2TaskDefinition,
    ExecuteCommandLogging,
    FargateTaskDefinition,
    HealthCheck,
    LinuxParameters,
    LogConfig,
    ManagedEbsVolume,
    Namespace,
    PlacementConstraint,
    PlacementStrategy,
    PortMapping,
    ProxyConfiguration,
    RestartPolicy,
    Secret,
    Service,
    ServiceConnect,
    ServiceConnectPort,
    ServiceConnectTls,
    Stack,
    Tmpfs,
    Ulimit,
    synth,
)
from ecsstack.invariants.schemas import schema_for

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CA = "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/12345678-1234-1234-1234-123456789012"
REGISTRY_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry-AbCdEf"
ENVOY = "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod"

#: (label, CloudFormation type, where the properties sit: None for the resource, "ContainerDefinitions" for each
#: container definition)
RESOURCES = (
    ("container definitions", "AWS::ECS::TaskDefinition", "ContainerDefinitions"),
    ("task definitions", "AWS::ECS::TaskDefinition", None),
    ("services", "AWS::ECS::Service", None),
    ("clusters", "AWS::ECS::Cluster", None),
)


def maximal_fargate() -> Stack:
    """A Fargate stack using every first-class keyword Fargate allows."""
    stack = Stack("maxfargate", tags={"team": "web", "cost-center": "42"})
    namespace = Namespace("internal")
    cluster = Cluster("main", container_insights="enhanced", cluster_name="max-fargate", tags={"tier": "prod"},
                      managed_storage_kms_key=KEY, fargate_ephemeral_storage_kms_key=KEY,
                      service_connect_namespace=namespace, capacity_providers=["FARGATE", "FARGATE_SPOT"],
                      default_strategy=[CapacityProviderStrategy("FARGATE", weight=1)],
                      execute_command_kms_key=KEY,
                      execute_command_logging=ExecuteCommandLogging(log_group="ecs-exec", s3_bucket="audit-bucket"))
    task = FargateTaskDefinition("web", cpu=1024, memory=2048, pid_mode="task", enable_fault_injection=True,
                                 tags={"app": "web"}, ephemeral_storage_gib=40, cpu_architecture="ARM64",
                                 proxy_configuration=ProxyConfiguration("envoy", ignored_uid=1337, app_ports=[8080],
                                                                        egress_ignored_ips=["169.254.170.2"]))
    data = task.add_ebs_volume("data")
    scratch = task.add_bind_volume("scratch")
    task.add_init_container("migrate", image="example/app:1.4", command=["./manage", "migrate"])
    router = task.add_firelens_router()
    app = task.add_container(
        "app", image="example/app:1.4", ports=[PortMapping(8080, name="http", app_protocol="http")],
        command=["serve"], entry_point=["/entry"], environment={"LOG_LEVEL": "info"},
        secrets={"DB_PASSWORD": Secret.ssm("/web/db-password")},
        health_check=HealthCheck(["CMD-SHELL", "curl -f localhost:8080/health || exit 1"]),
        cpu=512, memory=1024, memory_reservation=512, working_directory="/app", user="1000",
        readonly_root_filesystem=True, start_timeout=60, stop_timeout=30,
        logging=LogConfig.firelens({"Name": "cloudwatch_logs"}),
        linux_parameters=LinuxParameters(init_process_enabled=True, capabilities_add=["SYS_PTRACE"],
                                         capabilities_drop=["NET_RAW"]),
        ulimits={"nofile": (65536, 65536)}, docker_labels={"com.example.team": "web"},
        system_controls={"net.core.somaxconn": "1024"}, repository_credentials=REGISTRY_SECRET,
        environment_files=["arn:aws:s3:::config-bucket/app.env"], interactive=True, pseudo_terminal=True,
        credential_specs=["credentialspecdomainless:arn:aws:s3:::config-bucket/gmsa.json"],
        version_consistency="disabled")
    app.mount(data, "/data").mount(scratch, "/scratch")
    app.depends_on(router, Condition.START)
    task.add_container("envoy", image=ENVOY, user="1337", essential=False,
                       restart_policy=RestartPolicy(ignored_exit_codes=[0])).volumes_from(app, read_only=True)
    service = Service(
        "web", cluster=cluster, task=task, desired_count=2, platform_version="1.4.0", service_name="web",
        health_check_grace_period=30, force_new_deployment=True, enable_execute_command=True,
        capacity_provider_strategy=[CapacityProviderStrategy("FARGATE_SPOT", weight=1)],
        tags={"service": "web"}, availability_zone_rebalancing=True,
        volume_configurations=[ManagedEbsVolume("data", size_gib=20, volume_type="gp3", iops=4000,
                                                throughput=250, kms_key=KEY, file_system_type="ext4")],
        service_connect=ServiceConnect(ports=[ServiceConnectPort("http", idle_timeout=300, per_request_timeout=15)],
                                       tls=ServiceConnectTls(CA, kms_key=KEY)),
        rollback_alarms=["web-5xx"])
    service.register_dns(namespace, "web-dns")
    ApplicationLoadBalancer("public").listen_http().add_target(service)
    service.auto_scale(2, 10).on_cpu(60)
    stack.add(service)
    return stack


def maximal_ec2() -> Stack:
    """An EC2 stack using every first-class keyword EC2 allows that Fargate refuses."""
    stack = Stack("maxec2", tags={"team": "ops"})
    cluster = Cluster("main")
    cluster.add_ec2_capacity("gpu", instance_type="g5.xlarge")
    agent = Ec2TaskDefinition("agent", memory=512, pid_mode="host", ipc_mode="host",
                              placement_constraints=[PlacementConstraint.member_of("attribute:ecs.os-type == linux")])
    agent.add_container("db", image="postgres:16", memory=128, essential=False)
    agent.add_container(
        "agent", image="example/agent:2.0", memory=256, gpu=1, privileged=True, hostname="agent", links=["db"],
        dns_servers=["10.0.0.2"], dns_search_domains=["example.internal"], extra_hosts={"db.local": "10.0.0.5"},
        disable_networking=False, docker_security_options=["no-new-privileges"],
        ulimits=[Ulimit("nproc", 1024, 2048)],
        linux_parameters=LinuxParameters(shared_memory_size=128, tmpfs=[Tmpfs("/run/scratch", 64, ["noexec"])],
                                         devices=[Device("/dev/fuse", permissions=["read", "write"])],
                                         max_swap=512, swappiness=10))
    daemon = Service("agent", cluster=cluster, task=agent, scheduling="DAEMON",
                     placement_constraints=[PlacementConstraint.member_of("attribute:ecs.instance-type =~ g5.*")])
    worker = Ec2TaskDefinition("worker", memory=512)
    worker.add_container("worker", image="example/worker:2.0", memory=256)
    replica = Service("worker", cluster=cluster, task=worker, desired_count=2,
                      placement_strategies=[PlacementStrategy.spread("instanceId")],
                      placement_constraints=[PlacementConstraint.distinct_instance()])
    stack.add(daemon, replica)
    return stack


#: properties a first-class keyword sets on another resource, by design: (type, property) → (type, property). A
#: cluster's capacity providers and default strategy go on its ClusterCapacityProviderAssociations, so adding EC2
#: capacity to a stack later never replaces the cluster.
ELSEWHERE = {
    ("AWS::ECS::Cluster", "CapacityProviders"): ("AWS::ECS::ClusterCapacityProviderAssociations", "CapacityProviders"),
    ("AWS::ECS::Cluster", "DefaultCapacityProviderStrategy"): ("AWS::ECS::ClusterCapacityProviderAssociations",
                                                               "DefaultCapacityProviderStrategy"),
}


def _schema_properties(kind: str, where: str | None) -> set[str]:
    schema = schema_for(kind)
    if schema is None:
        raise SystemExit("cfn-lint's schemas are not installed")
    read_only = {p.rsplit("/", 1)[-1] for p in schema.get("readOnlyProperties", [])}
    if where is None:
        return set(schema["properties"]) - read_only
    item = schema["properties"][where]["items"]["$ref"].rsplit("/", 1)[-1]
    return set(schema["definitions"][item]["properties"])


def _emitted(templates: list[dict[str, Any]], kind: str, where: str | None) -> set[str]:
    found: set[str] = set()
    for template in templates:
        for resource in template["Resources"].values():
            if resource["Type"] != kind:
                continue
            props = resource.get("Properties", {})
            if where is None:
                found |= set(props)
            else:
                for item in props.get(where, []):
                    found |= set(item)
    if where is None:
        for (owner, prop), (other, other_prop) in ELSEWHERE.items():
            if owner == kind and any(r["Type"] == other and other_prop in r.get("Properties", {})
                                     for t in templates for r in t["Resources"].values()):
                found.add(prop)
    return found


def coverage() -> dict[str, tuple[int, int, list[str]]]:
    """label → (properties emitted, properties in the schema, the missing ones)."""
    templates = [synth(maximal_fargate()), synth(maximal_ec2())]
    out = {}
    for label, kind, where in RESOURCES:
        wanted = _schema_properties(kind, where)
        emitted = _emitted(templates, kind, where) & wanted
        out[label] = (len(emitted), len(wanted), sorted(wanted - emitted))
    return out


def main() -> None:
    for label, (have, total, missing) in coverage().items():
        print(f"{label} {have} of {total}" + (f" (missing: {', '.join(missing)})" if missing else ""))


if __name__ == "__main__":
    main()
