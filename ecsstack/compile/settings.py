"""The settings of a container, task, service and cluster that map one to one onto CloudFormation properties
(Linux parameters, ulimits, DNS, the App Mesh proxy, daemon scheduling, managed EBS volumes, Container Insights,
managed storage keys), the infrastructure role ECS manages EBS volumes and Service Connect TLS with, the execution
role's grants for environment files, and tags: the model's own and the stack's, merged by key on every
resource the template creates that takes tags."""

from __future__ import annotations

from typing import Any

import awacs.kms
import awacs.logs
import awacs.s3
import awacs.ssm
from awacs.aws import Allow, PolicyDocument, Principal, Statement
from troposphere import AWSObject, GetAtt, Select, Split, Sub, Tags, autoscaling, ecs, encode_to_dict, iam

from ..model import Cluster, Container, Service, Stack, TaskDefinition
from ..names import INFRASTRUCTURE_ROLE, logical_id
from ._context import Context

__all__ = [
    "TLS_POLICY",
    "VOLUMES_POLICY",
    "apply_stack_tags",
    "cluster_properties",
    "container_insights",
    "container_properties",
    "daemon_deployment",
    "exec_clusters",
    "exec_statements",
    "execution_role_statements",
    "infrastructure_role",
    "resolved_stack_tags",
    "service_connect_timeout",
    "service_connect_tls",
    "service_properties",
    "tags",
    "task_properties",
]

_MANAGED = "arn:${AWS::Partition}:iam::aws:policy/service-role/"
#: the AWS managed policies of an ECS infrastructure role
VOLUMES_POLICY = _MANAGED + "AmazonECSInfrastructureRolePolicyForVolumes"
TLS_POLICY = _MANAGED + "AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity"


def tags(values: dict[str, Any], ctx: Context) -> Tags | None:
    """A resource's own tags, sorted by key (None when it has none)."""
    if not values:
        return None
    return Tags(**{k: ctx.value(values[k]) for k in sorted(values)})


# ---- containers ---------------------------------------------------------------------------------------------
def _linux_parameters(c: Container) -> ecs.LinuxParameters | None:
    lp = c.linux_parameters
    if lp is None or lp.is_empty:
        return None
    kw: dict[str, Any] = {}
    if lp.capabilities_add or lp.capabilities_drop:
        caps: dict[str, Any] = {}
        if lp.capabilities_add:
            caps["Add"] = list(lp.capabilities_add)
        if lp.capabilities_drop:
            caps["Drop"] = list(lp.capabilities_drop)
        kw["Capabilities"] = ecs.KernelCapabilities(**caps)
    if lp.devices:
        kw["Devices"] = [ecs.Device(HostPath=d.host_path, ContainerPath=d.container_path or d.host_path,
                                    **({"Permissions": list(d.permissions)} if d.permissions else {}))
                         for d in lp.devices]
    for attr, prop in (("init_process_enabled", "InitProcessEnabled"), ("max_swap", "MaxSwap"),
                       ("shared_memory_size", "SharedMemorySize"), ("swappiness", "Swappiness")):
        value = getattr(lp, attr)
        if value is not None:
            kw[prop] = value
    if lp.tmpfs:
        kw["Tmpfs"] = [ecs.Tmpfs(ContainerPath=t.container_path, Size=t.size,
                                 **({"MountOptions": list(t.mount_options)} if t.mount_options else {}))
                       for t in lp.tmpfs]
    return ecs.LinuxParameters(**kw)


def container_properties(c: Container, ctx: Context) -> dict[str, Any]:
    """The container's settings beyond image, ports, environment, health and logs."""
    kw: dict[str, Any] = {}
    linux = _linux_parameters(c)
    if linux is not None:
        kw["LinuxParameters"] = linux
    if c.ulimits:
        kw["Ulimits"] = [ecs.Ulimit(Name=u.name, SoftLimit=u.soft, HardLimit=u.hard) for u in c.ulimits]
    if c.docker_labels:
        kw["DockerLabels"] = {k: ctx.value(v) for k, v in sorted(c.docker_labels.items())}
    if c.system_controls:
        kw["SystemControls"] = [ecs.SystemControl(Namespace=k, Value=ctx.value(v))
                                for k, v in sorted(c.system_controls.items())]
    if c.repository_credentials is not None:
        kw["RepositoryCredentials"] = ecs.RepositoryCredentials(
            CredentialsParameter=ctx.value(c.repository_credentials))
    if c.environment_files:
        kw["EnvironmentFiles"] = [ecs.EnvironmentFile(Type="s3", Value=ctx.value(f)) for f in c.environment_files]
    if c.extra_hosts:
        kw["ExtraHosts"] = [ecs.HostEntry(Hostname=k, IpAddress=ctx.value(v)) for k, v in c.extra_hosts.items()]
    for attr, prop in (("privileged", "Privileged"), ("dns_servers", "DnsServers"),
                       ("dns_search_domains", "DnsSearchDomains"), ("hostname", "Hostname"), ("links", "Links"),
                       ("interactive", "Interactive"), ("pseudo_terminal", "PseudoTerminal"),
                       ("disable_networking", "DisableNetworking"),
                       ("docker_security_options", "DockerSecurityOptions"),
                       ("credential_specs", "CredentialSpecs")):
        value = getattr(c, attr)
        if value is not None:
            kw[prop] = ctx.value(value)
    if c.version_consistency is not None:
        kw["VersionConsistency"] = c.version_consistency.value
    return kw


def execution_role_statements(task: TaskDefinition, ctx: Context) -> list[Statement]:
    """Reading the containers' environment files (GetObject on each object, GetBucketLocation on its bucket) and
    credential spec files (GetObject on an S3 object, GetParameters on an SSM parameter)."""
    objects: list[Any] = []
    buckets: list[Any] = []
    for c in task.containers:
        for obj, bucket in c.environment_file_objects:
            objects.append(ctx.value(obj))
            if bucket is None:  # a parameter holding the object's ARN: its bucket is the part before the first /
                bucket = Sub("arn:${AWS::Partition}:s3:::${Bucket}",
                             Bucket=Select(0, Split("/", Select(5, Split(":", ctx.value(obj))))))
            else:
                bucket = ctx.value(bucket)
            buckets.append(bucket)
    specs = [arn for c in task.containers for arn in c.credential_spec_arns]
    objects += [arn for arn in specs if arn.split(":")[2] == "s3"]
    statements = []
    if objects:
        statements.append(Statement(Effect=Allow, Action=[awacs.s3.GetObject], Resource=_unique(objects)))
    if buckets:
        statements.append(Statement(Effect=Allow, Action=[awacs.s3.GetBucketLocation], Resource=_unique(buckets)))
    parameters = [arn for arn in specs if arn.split(":")[2] == "ssm"]
    if parameters:
        statements.append(Statement(Effect=Allow, Action=[awacs.ssm.GetParameters], Resource=_unique(parameters)))
    return statements


def _unique(values: list[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for v in values:
        seen.setdefault(repr(v.to_dict()) if hasattr(v, "to_dict") else repr(v), v)
    return list(seen.values())


# ---- task definitions ---------------------------------------------------------------------------------------
def task_properties(task: TaskDefinition, ctx: Context) -> dict[str, Any]:
    """PidMode, IpcMode, ProxyConfiguration, PlacementConstraints, EnableFaultInjection and Tags."""
    props: dict[str, Any] = {}
    if task.pid_mode is not None:
        props["PidMode"] = task.pid_mode.value
    if task.ipc_mode is not None:
        props["IpcMode"] = task.ipc_mode.value
    proxy = task.proxy_configuration
    if proxy is not None:
        props["ProxyConfiguration"] = ecs.ProxyConfiguration(
            ContainerName=proxy.name, Type="APPMESH",
            ProxyConfigurationProperties=[{"Name": k, "Value": v} for k, v in proxy.properties()])
    if task.placement_constraints:
        props["PlacementConstraints"] = [
            ecs.PlacementConstraint(Type=p.type, **({"Expression": p.expression} if p.expression else {}))
            for p in task.placement_constraints]
    if task.enable_fault_injection is not None:
        props["EnableFaultInjection"] = task.enable_fault_injection
    own = tags(task.tags, ctx)
    if own is not None:
        props["Tags"] = own
    return props


# ---- services -----------------------------------------------------------------------------------------------
def infrastructure_role(service: Service, ctx: Context) -> Any | None:
    """The ARN (a ``GetAtt``) of the role ECS manages the service's EBS volumes and Service Connect TLS with,
    made once per service with the managed policies those need; None when every such setting brings its own."""
    policies = []
    if any(v.role is None for v in service.volume_configurations):
        policies.append(Sub(VOLUMES_POLICY))
    sc = service.service_connect
    if sc is not None and sc.tls is not None and sc.tls.role is None:
        policies.append(Sub(TLS_POLICY))
    if not policies:
        return None
    name = logical_id(service.name, INFRASTRUCTURE_ROLE)
    if name not in ctx.template.resources:
        trust = PolicyDocument(Version="2012-10-17", Statement=[Statement(
            Effect=Allow, Principal=Principal("Service", "ecs.amazonaws.com"),
            Action=[awacs.aws.Action("sts", "AssumeRole")])])
        ctx.add(iam.Role(ctx.part(service, "InfrastructureRole", name), ManagedPolicyArns=policies,
                         AssumeRolePolicyDocument=trust))
    return GetAtt(name, "Arn")


def _ebs(service: Service, ctx: Context) -> list[ecs.ServiceVolumeConfiguration]:
    out = []
    for v in service.volume_configurations:
        role = ctx.value(v.role) if v.role is not None else infrastructure_role(service, ctx)
        kw: dict[str, Any] = {"RoleArn": role, "Encrypted": v.encrypted}
        for attr, prop in (("size_gib", "SizeInGiB"), ("volume_type", "VolumeType"), ("iops", "Iops"),
                           ("throughput", "Throughput"), ("kms_key", "KmsKeyId"), ("snapshot_id", "SnapshotId"),
                           ("file_system_type", "FilesystemType")):
            value = getattr(v, attr)
            if value is not None:
                kw[prop] = ctx.value(value)
        if service.propagate_tags.value != "NONE":  # the volumes carry the tags the tasks carry
            kw["TagSpecifications"] = [ecs.EBSTagSpecification(ResourceType="volume",
                                                               PropagateTags=service.propagate_tags.value)]
        managed = ecs.ServiceManagedEBSVolumeConfiguration(**kw)
        out.append(ecs.ServiceVolumeConfiguration(Name=v.name, ManagedEBSVolume=managed))
    return out


def service_properties(service: Service, ctx: Context) -> dict[str, Any]:
    """Tags, AvailabilityZoneRebalancing, SchedulingStrategy (DAEMON only: REPLICA is the default) and
    VolumeConfigurations."""
    props: dict[str, Any] = {}
    own = tags(service.tags, ctx)
    if own is not None:
        props["Tags"] = own
    if service.availability_zone_rebalancing is not None:
        props["AvailabilityZoneRebalancing"] = "ENABLED" if service.availability_zone_rebalancing else "DISABLED"
    if service.is_daemon:
        props["SchedulingStrategy"] = "DAEMON"
    if service.volume_configurations:
        props["VolumeConfigurations"] = _ebs(service, ctx)
    return props


def daemon_deployment(service: Service, deployment: dict[str, Any]) -> None:
    """ECS's daemon defaults (min healthy 0 %, max 100 %) where a DAEMON service left the replica defaults."""
    if service.is_daemon:
        deployment["MinimumHealthyPercent"], deployment["MaximumPercent"] = service.deployment_percents


def service_connect_tls(service: Service, ctx: Context) -> ecs.ServiceConnectTlsConfiguration | None:
    """The Service Connect TLS configuration of a service's served ports; None without TLS."""
    sc = service.service_connect
    if sc is None or sc.tls is None:
        return None
    tls = sc.tls
    kw: dict[str, Any] = {"IssuerCertificateAuthority": ecs.ServiceConnectTlsCertificateAuthority(
        AwsPcaAuthorityArn=ctx.value(tls.issuer_certificate_authority_arn))}
    if tls.kms_key is not None:
        kw["KmsKey"] = ctx.value(tls.kms_key)
    kw["RoleArn"] = ctx.value(tls.role) if tls.role is not None else infrastructure_role(service, ctx)
    return ecs.ServiceConnectTlsConfiguration(**kw)


def service_connect_timeout(port: Any) -> ecs.TimeoutConfiguration | None:
    """A served port's Service Connect timeouts; None when it sets none."""
    kw: dict[str, Any] = {}
    if port.idle_timeout is not None:
        kw["IdleTimeoutSeconds"] = port.idle_timeout
    if port.per_request_timeout is not None:
        kw["PerRequestTimeoutSeconds"] = port.per_request_timeout
    return ecs.TimeoutConfiguration(**kw) if kw else None


# ---- clusters -----------------------------------------------------------------------------------------------
def container_insights(cluster: Cluster) -> str:
    if cluster.container_insights == "enhanced":
        return "enhanced"
    return "enabled" if cluster.container_insights else "disabled"


def cluster_properties(cluster: Cluster, ctx: Context) -> dict[str, Any]:
    """Tags and the managed storage configuration (KMS keys of managed EBS volumes and Fargate storage)."""
    props: dict[str, Any] = {}
    own = tags(cluster.tags, ctx)
    if own is not None:
        props["Tags"] = own
    storage: dict[str, Any] = {}
    if cluster.managed_storage_kms_key is not None:
        storage["KmsKeyId"] = ctx.value(cluster.managed_storage_kms_key)
    if cluster.fargate_ephemeral_storage_kms_key is not None:
        storage["FargateEphemeralStorageKmsKeyId"] = ctx.value(cluster.fargate_ephemeral_storage_kms_key)
    configuration: dict[str, Any] = {}
    if storage:
        configuration["ManagedStorageConfiguration"] = ecs.ManagedStorageConfiguration(**storage)
    execute = _execute_command(cluster, ctx)
    if execute is not None:
        configuration["ExecuteCommandConfiguration"] = execute
    if configuration:
        props["Configuration"] = ecs.ClusterConfiguration(**configuration)
    return props


def _execute_command(cluster: Cluster, ctx: Context) -> ecs.ExecuteCommandConfiguration | None:
    kw: dict[str, Any] = {}
    if cluster.execute_command_kms_key is not None:
        kw["KmsKeyId"] = ctx.value(cluster.execute_command_kms_key)
    logging = cluster.execute_command_logging
    if isinstance(logging, str):
        kw["Logging"] = logging
    elif logging is not None:
        kw["Logging"] = "OVERRIDE"
        log: dict[str, Any] = {}
        if logging.log_group is not None:
            log["CloudWatchLogGroupName"] = ctx.value(logging.log_group)
            log["CloudWatchEncryptionEnabled"] = logging.cloudwatch_encryption
        if logging.s3_bucket is not None:
            log["S3BucketName"] = ctx.value(logging.s3_bucket)
            log["S3EncryptionEnabled"] = logging.s3_encryption
            if logging.s3_prefix:
                log["S3KeyPrefix"] = logging.s3_prefix
        kw["LogConfiguration"] = ecs.ExecuteCommandLogConfiguration(**log)
    return ecs.ExecuteCommandConfiguration(**kw) if kw else None


def _arn(text: str, name: Any, ctx: Context) -> Sub:
    """``text`` with ``${Name}`` as ``name``: written in for a literal, a Sub variable for a parameter."""
    if isinstance(name, str):
        return Sub(text.replace("${Name}", name))
    return Sub(text, Name=ctx.value(name))


def exec_clusters(task: TaskDefinition, stack: Stack) -> list[Cluster]:
    """The clusters where a service runs ``task`` with ECS Exec enabled, each once, in the order added."""
    def by_task() -> dict[int, list[Service]]:
        found: dict[int, list[Service]] = {}
        for s in stack.of_type(Service):
            found.setdefault(id(s.task), []).append(s)
        return found

    out: list[Cluster] = []
    for s in stack.remembered("services by task", by_task).get(id(task), []):
        if s.enable_execute_command and not any(c is s.cluster for c in out):
            out.append(s.cluster)
    return out


def exec_statements(task: TaskDefinition, ctx: Context) -> list[Statement]:
    """What the task role needs for its clusters' ECS Exec configuration: decrypting sessions with the KMS key,
    writing session logs to the log group and the S3 bucket (and reading an encrypted bucket's configuration)."""
    keys: list[Any] = []
    groups: list[Any] = []
    objects: list[Any] = []
    buckets: list[Any] = []
    for cluster in exec_clusters(task, ctx.stack):
        if cluster.execute_command_kms_key is not None:
            keys.append(ctx.value(cluster.execute_command_kms_key))
        logging = cluster.execute_command_logging
        if logging is None or isinstance(logging, str):
            continue
        if logging.log_group is not None:
            groups.append(_arn("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Name}:*",
                               logging.log_group, ctx))
        if logging.s3_bucket is not None:
            prefix = logging.s3_prefix or ""
            objects.append(_arn("arn:${AWS::Partition}:s3:::${Name}/" + prefix + "*", logging.s3_bucket, ctx))
            if logging.s3_encryption:
                buckets.append(_arn("arn:${AWS::Partition}:s3:::${Name}", logging.s3_bucket, ctx))
    statements = []
    if keys:
        statements.append(Statement(Effect=Allow, Action=[awacs.kms.Decrypt], Resource=_unique(keys)))
    if groups:
        statements.append(Statement(Effect=Allow, Action=[awacs.logs.CreateLogStream, awacs.logs.DescribeLogStreams,
                                                          awacs.logs.PutLogEvents], Resource=_unique(groups)))
        statements.append(Statement(Effect=Allow, Action=[awacs.logs.DescribeLogGroups], Resource=["*"]))
    if objects:
        statements.append(Statement(Effect=Allow, Action=[awacs.s3.PutObject], Resource=_unique(objects)))
    if buckets:
        statements.append(Statement(Effect=Allow, Action=[awacs.s3.GetEncryptionConfiguration],
                                    Resource=_unique(buckets)))
    return statements


# ---- the stack's tags ---------------------------------------------------------------------------------------
def resolved_stack_tags(stack: Stack, ctx: Context) -> dict[str, Any]:
    """The stack's tags with their values resolved (a parameter is declared): run before ``to_dict``."""
    return {k: encode_to_dict(ctx.value(stack.tags[k])) for k in sorted(stack.tags)}


def _style(resource: AWSObject) -> str | None:
    """How ``resource`` takes tags: ``list`` (Key/Value), ``asg`` (with PropagateAtLaunch), ``map``; None: none."""
    spec = type(resource).props.get("Tags")
    if spec is None:
        return None
    if isinstance(resource, autoscaling.AutoScalingGroup):
        return "asg"
    return "map" if spec[0] is dict else "list"


def apply_stack_tags(template: dict[str, Any], ctx: Context, stack_tags: dict[str, Any]) -> None:
    """Put ``stack_tags`` (resolved) on every resource of ``template`` (plain data) that takes tags; a
    resource's own tag of the same key wins; each list is sorted by key."""
    if not stack_tags:
        return
    for logical, resource in template.get("Resources", {}).items():
        obj = ctx.template.resources.get(logical)
        style = _style(obj) if obj is not None else None
        if style is None:
            continue
        props = resource.setdefault("Properties", {})
        if style == "map":
            props["Tags"] = {**stack_tags, **(props.get("Tags") or {})}
            continue
        own = {t["Key"]: t for t in props.get("Tags") or [] if isinstance(t, dict) and "Key" in t}
        merged = {k: {"Key": k, "Value": v} for k, v in stack_tags.items()}
        if style == "asg":
            for item in merged.values():
                item["PropagateAtLaunch"] = True
        merged.update(own)
        props["Tags"] = [merged[k] for k in sorted(merged)]
