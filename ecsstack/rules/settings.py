"""ECS12x-13x, ECS34x, ECS46x-47x: the first-class settings of containers, tasks, services and clusters: what the
launch type, network mode and operating system allow, and values in the ranges ECS accepts."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import Any

from ..errors import Problem
from ..model import Cluster, Container, LaunchType, NetworkMode, PidMode, Service, TaskDefinition, Token
from ._helpers import fmt_list, q
from ._registry import Index, Rule, rule

__all__ = ["CAPABILITIES", "EBS_LIMITS", "IPC_SYSCTLS", "MOUNT_OPTIONS", "ULIMIT_NAMES"]

#: the ulimit names ECS accepts
ULIMIT_NAMES = ("core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss",
                "rtprio", "rttime", "sigpending", "stack")
#: the kernel capabilities ECS accepts in capabilities_add / capabilities_drop
CAPABILITIES = ("ALL", "AUDIT_CONTROL", "AUDIT_WRITE", "BLOCK_SUSPEND", "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH",
                "FOWNER", "FSETID", "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE", "LINUX_IMMUTABLE", "MAC_ADMIN",
                "MAC_OVERRIDE", "MKNOD", "NET_ADMIN", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_RAW", "SETFCAP",
                "SETGID", "SETPCAP", "SETUID", "SYS_ADMIN", "SYS_BOOT", "SYS_CHROOT", "SYS_MODULE", "SYS_NICE",
                "SYS_PACCT", "SYS_PTRACE", "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "SYSLOG",
                "WAKE_ALARM")
#: the tmpfs mount options ECS accepts
MOUNT_OPTIONS = ("defaults", "ro", "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "sync", "async",
                 "dirsync", "remount", "mand", "nomand", "atime", "noatime", "diratime", "nodiratime", "bind", "rbind",
                 "unbindable", "runbindable", "private", "rprivate", "shared", "rshared", "slave", "rslave",
                 "relatime", "norelatime", "strictatime", "nostrictatime", "mode", "uid", "gid", "nr_inodes",
                 "nr_blocks", "mpol")
#: the IPC-namespaced kernel parameters ECS accepts in system_controls (besides every ``net.*`` one)
IPC_SYSCTLS = ("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
               "kernel.shmmni", "kernel.shm_rmid_forced")
#: EBS volume type → (min GiB, max GiB, IOPS range or None, throughput range MiB/s or None)
EBS_LIMITS: dict[str, tuple[int, int, tuple[int, int] | None, tuple[int, int] | None]] = {
    "gp2": (1, 16384, None, None),
    "gp3": (1, 16384, (3000, 16000), (125, 1000)),
    "io1": (4, 16384, (100, 64000), None),
    "io2": (4, 16384, (100, 256000), None),
    "st1": (125, 16384, None, None),
    "sc1": (125, 16384, None, None),
    "standard": (1, 1024, None, None),
}
_FILE_SYSTEMS = ("xfs", "ext3", "ext4")
_S3_OBJECT = re.compile(r"^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$")
_HOSTNAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,253}[A-Za-z0-9])?$")


def _windows(task: TaskDefinition) -> bool:
    return task.os_family is not None and task.os_family.value.startswith("WINDOWS")


def _containers(ix: Index) -> Iterator[tuple[TaskDefinition, Container, str]]:
    for task in ix.tasks:
        for c in task.containers:
            yield task, c, ix.cpath(task, c)


def _is_ip(text: Any) -> bool:
    if not isinstance(text, str):
        return True  # a parameter: checked at deploy time
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


# ---- containers -------------------------------------------------------------------------------------------------
def _fargate_refusals(c: Container) -> list[tuple[str, str]]:
    """(setting, how to write it) of each setting of ``c`` that Fargate does not support."""
    out = []
    lp = c.linux_parameters
    for name in ("privileged", "disable_networking"):
        if getattr(c, name):  # False states the default, which Fargate accepts
            out.append((f"{name}=True", f"remove {name}="))
    for name in ("links", "dns_servers", "dns_search_domains", "docker_security_options"):
        if getattr(c, name):
            out.append((f"{name}=", f"remove {name}="))
    if c.extra_hosts:
        out.append(("extra_hosts=", "remove extra_hosts="))
    if lp is not None:
        for name in ("shared_memory_size", "max_swap", "swappiness"):
            if getattr(lp, name) is not None:
                out.append((f"linux_parameters {name}", f"remove {name}="))
        for name in ("tmpfs", "devices"):
            if getattr(lp, name):
                out.append((f"linux_parameters {name}", f"remove {name}= (a bind volume gives scratch space)"))
        added = [cap for cap in lp.capabilities_add if cap != "SYS_PTRACE"]
        if added:
            out.append((f"capabilities_add {fmt_list(added)} (Fargate adds only SYS_PTRACE)",
                        "keep only SYS_PTRACE in capabilities_add"))
    return out


@rule("ECS120", "a container setting Fargate does not support is refused")
def _fargate_container(ix: Index, r: Rule) -> Iterator[Problem]:
    for task, c, where in _containers(ix):
        if not task.is_fargate:
            continue
        for setting, fix in _fargate_refusals(c):
            yield r.problem(where, f"{setting} is not supported on Fargate: Fargate runs each task in its own "
                            "micro-VM and does not expose the host's devices, kernel or Docker daemon settings.",
                            f"Either {fix}, or run the task on EC2 (Ec2TaskDefinition).")


@rule("ECS121", "links, hostname, extra_hosts and dns_servers fit the task's network mode")
def _network_mode_settings(ix: Index, r: Rule) -> Iterator[Problem]:
    for task, c, where in _containers(ix):
        mode = task.network_mode
        if c.links and mode is not NetworkMode.BRIDGE:
            yield r.problem(where, f"links= needs the bridge network mode (the task uses {mode.value}): only "
                            "bridge networking has Docker links.",
                            "Remove links=: under awsvpc and host networking containers of a task reach each "
                            "other on localhost.")
        if mode is NetworkMode.AWSVPC and not task.is_fargate:  # Fargate's own refusal is ECS120
            for name in ("hostname", "extra_hosts", "dns_servers"):
                if getattr(c, name):
                    yield r.problem(where, f"{name}= is not supported with the awsvpc network mode: the task's "
                                    "network interface takes its name and DNS from the VPC.",
                                    f"Remove {name}=, or use the bridge network mode.")


_WINDOWS_REFUSED = ("linux_parameters", "privileged", "ulimits", "system_controls", "links", "dns_servers",
                    "dns_search_domains", "extra_hosts", "disable_networking", "docker_security_options")


@rule("ECS122", "Linux-only container settings are not used on Windows")
def _windows_container(ix: Index, r: Rule) -> Iterator[Problem]:
    for task, c, where in _containers(ix):
        if not _windows(task):
            continue
        for name in _WINDOWS_REFUSED:
            value = getattr(c, name)
            if value not in (None, [], {}):
                yield r.problem(where, f"{name}= is not supported for Windows containers (the task's os_family is "
                                f"{task.os_family.value if task.os_family else ''}): it sets Linux kernel or "
                                "Docker-on-Linux options.", f"Remove {name}=.")


@rule("ECS123", "ulimits name a known limit once each, with 0 <= soft <= hard")
def _ulimits(ix: Index, r: Rule) -> Iterator[Problem]:
    for _, c, where in _containers(ix):
        seen: set[str] = set()
        for u in c.ulimits:
            if u.name not in ULIMIT_NAMES:
                yield r.problem(where, f"ulimit {q(u.name)} is not one ECS knows.",
                                f"Use one of {fmt_list(ULIMIT_NAMES)}.")
            if u.name in seen:
                yield r.problem(where, f"ulimit {q(u.name)} is given twice.", "Give each limit once.")
            seen.add(u.name)
            if u.soft < 0 or u.hard < 0:
                yield r.problem(where, f"ulimit {q(u.name)} has a negative limit ({u.soft}, {u.hard}).",
                                "Use limits of 0 or more.")
            elif u.soft > u.hard:
                yield r.problem(where, f"ulimit {q(u.name)} has a soft limit {u.soft} above its hard limit "
                                f"{u.hard}; a process may raise its soft limit only up to the hard one.",
                                f"Use soft <= hard, e.g. ({u.hard}, {u.hard}).")


def _linux_problems(c: Container) -> Iterator[tuple[str, str, str]]:
    """(message, hint, severity) of each out-of-range Linux parameter of ``c``."""
    lp = c.linux_parameters
    if lp is None:
        return
    for name in ("capabilities_add", "capabilities_drop"):
        for cap in getattr(lp, name):
            if cap not in CAPABILITIES:
                yield (f"{name} {q(cap)} is not a kernel capability ECS knows.",
                       "Use a name such as SYS_PTRACE or NET_ADMIN (see capabilities(7)).", "error")
    if lp.swappiness is not None and not 0 <= lp.swappiness <= 100:
        yield (f"swappiness={lp.swappiness} is out of range.", "Use 0 (swap only when needed) to 100.", "error")
    if lp.swappiness is not None and lp.max_swap is None:
        yield ("swappiness= has no effect without max_swap=.", "Add max_swap= (MiB of swap), or remove swappiness=.",
               "warning")
    if lp.max_swap is not None and lp.max_swap < 0:
        yield (f"max_swap={lp.max_swap} is negative.", "Use 0 (no swap) or more MiB.", "error")
    if lp.shared_memory_size is not None and lp.shared_memory_size < 1:
        yield (f"shared_memory_size={lp.shared_memory_size} is not a size.", "Use 1 MiB or more.", "error")
    for t in lp.tmpfs:
        if t.size < 1:
            yield (f"tmpfs {t.container_path} has size {t.size}.", "Use 1 MiB or more.", "error")
        if not t.container_path.startswith("/"):
            yield (f"tmpfs path {q(t.container_path)} is not absolute.", "Write a path such as '/scratch'.", "error")
        bad = [o for o in t.mount_options if o.split("=", 1)[0] not in MOUNT_OPTIONS]
        if bad:
            yield (f"tmpfs {t.container_path} has mount options ECS does not accept: {fmt_list(bad)}.",
                   f"Use options such as {fmt_list(MOUNT_OPTIONS[:10])}.", "error")
    for d in lp.devices:
        for label, p in (("host_path", d.host_path), ("container_path", d.container_path)):
            if p is not None and not p.startswith("/"):
                yield (f"device {label} {q(p)} is not absolute.", "Write a path such as '/dev/fuse'.", "error")
        bad = [p for p in d.permissions or [] if p not in ("read", "write", "mknod")]
        if bad:
            yield (f"device {d.host_path} has permissions {fmt_list(bad)}.", "Use read, write or mknod.", "error")


@rule("ECS124", "Linux parameters are in range: capabilities, swap, shared memory, tmpfs and devices")
def _linux(ix: Index, r: Rule) -> Iterator[Problem]:
    for _, c, where in _containers(ix):
        for message, hint, severity in _linux_problems(c):
            yield r.problem(f"{where} › linux_parameters", message, hint, severity)


@rule("ECS125", "system_controls set namespaced kernel parameters the task's modes allow")
def _system_controls(ix: Index, r: Rule) -> Iterator[Problem]:
    for task, c, where in _containers(ix):
        for name in c.system_controls:
            is_net = name.startswith("net.")
            is_ipc = name in IPC_SYSCTLS or name.startswith("fs.mqueue.")
            if not (is_net or is_ipc):
                yield r.problem(where, f"system_controls {q(name)} is not a namespaced kernel parameter: ECS sets "
                                "only net.* and the IPC ones (kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*).",
                                "Remove it (a host-wide parameter belongs in the instance's user data).")
            elif task.is_fargate and not is_net:
                yield r.problem(where, f"system_controls {q(name)} is not supported on Fargate, which sets only "
                                "net.* parameters.", "Remove it, or run the task on EC2.")
            elif is_net and task.network_mode is NetworkMode.HOST:
                yield r.problem(where, f"system_controls {q(name)} cannot be set under the host network mode: it "
                                "would change the container instance's own network stack.",
                                "Remove it, or use the awsvpc or bridge network mode.")
            elif is_ipc and task.ipc_mode is not None and task.ipc_mode.value == "host":
                yield r.problem(where, f"system_controls {q(name)} cannot be set with ipc_mode='host': it would "
                                "change the container instance's IPC namespace.", "Remove it, or use ipc_mode='task'.")


@rule("ECS126", "dns_servers and extra_hosts hold IP addresses; hostname is a host name")
def _addresses(ix: Index, r: Rule) -> Iterator[Problem]:
    for _, c, where in _containers(ix):
        for server in c.dns_servers or []:
            if not _is_ip(server):
                yield r.problem(where, f"dns_servers {q(server)} is not an IP address.",
                                "Write dns_servers=['10.0.0.2'].")
        for host, address in c.extra_hosts.items():
            if not _is_ip(address):
                yield r.problem(where, f"extra_hosts[{q(host)}] is {q(address)}, not an IP address.",
                                'Write extra_hosts={"db.local": "10.0.0.5"}.')
            if not _HOSTNAME.match(host):
                yield r.problem(where, f"extra_hosts key {q(host)} is not a host name.",
                                "Use letters, digits, '.' and '-'.")
        if c.hostname is not None and not _HOSTNAME.match(c.hostname):
            yield r.problem(where, f"hostname {q(c.hostname)} is not a host name.",
                            "Use letters, digits, '.' and '-'.")


@rule("ECS127", "links name another container of the same task")
def _links(ix: Index, r: Rule) -> Iterator[Problem]:
    for task, c, where in _containers(ix):
        names = [o.name for o in task.containers]
        for link in c.links or []:
            target = link.split(":", 1)[0]
            if target == c.name:
                yield r.problem(where, f"links {q(link)} links the container to itself.", "Remove it.")
            elif target not in names:
                yield r.problem(where, f"links {q(link)} names no container of task {q(task.family)}.",
                                f"Link one of {fmt_list(n for n in names if n != c.name) or 'its other containers'}.")


@rule("ECS128", "environment_files are at most 10 S3 objects ending in .env")
def _environment_files(ix: Index, r: Rule) -> Iterator[Problem]:
    for _, c, where in _containers(ix):
        if len(c.environment_files) > 10:
            yield r.problem(where, f"{len(c.environment_files)} environment_files; ECS allows at most 10.",
                            "Merge some of the files.")
        for f in c.environment_files:
            if isinstance(f, Token):
                continue
            if not _S3_OBJECT.match(f):
                yield r.problem(where, f"environment_files {q(f)} is not an S3 object ARN.",
                                "Write 'arn:aws:s3:::my-bucket/app.env'.")
            elif not f.endswith(".env"):
                yield r.problem(where, f"environment_files {q(f)} does not end in .env, which ECS requires.",
                                "Rename the object to end in .env.")


@rule("ECS129", "repository_credentials name a Secrets Manager secret, for an image outside ECR")
def _repository_credentials(ix: Index, r: Rule) -> Iterator[Problem]:
    for _, c, where in _containers(ix):
        secret = c.repository_credentials
        if secret is None:
            continue
        if isinstance(secret, str) and secret.startswith("arn:") and ":secretsmanager:" not in secret:
            yield r.problem(where, f"repository_credentials {q(secret)} is not a Secrets Manager secret; ECS reads "
                            "registry credentials only from Secrets Manager.",
                            "Store {\"username\": ..., \"password\": ...} in Secrets Manager and give its ARN.")
        if c.ecr_image is not None and c.ecr_image.known:
            yield r.problem(where, "repository_credentials are ignored for an ECR image: ECS pulls from ECR with "
                            "the execution role.", "Remove repository_credentials=.", "warning")


_SECURITY_OPTION = re.compile(r"^(no-new-privileges(:(true|false))?|apparmor:.+|label:.+|credentialspec:.+)$")
_CREDENTIAL_SPEC = re.compile(r"^credentialspec(domainless)?:arn:aws[a-z-]*:(s3|ssm):.+$")


@rule("ECS130", "docker_security_options and credential_specs are well formed")
def _security_options(ix: Index, r: Rule) -> Iterator[Problem]:
    for _, c, where in _containers(ix):
        for option in c.docker_security_options or []:
            if not _SECURITY_OPTION.match(option):
                yield r.problem(where, f"docker_security_options {q(option)} is not an option ECS passes to Docker.",
                                "Use 'no-new-privileges', 'apparmor:<profile>' or 'label:<value>'.")
        specs = c.credential_specs or []
        if len(specs) > 1:
            yield r.problem(where, f"{len(specs)} credential_specs; a container takes one.", "Keep one.")
        for spec in specs:
            if not _CREDENTIAL_SPEC.match(spec):
                yield r.problem(where, f"credential_specs {q(spec)} is not 'credentialspec:<ARN>' or "
                                "'credentialspecdomainless:<ARN>' of an S3 object or SSM parameter.",
                                "Write 'credentialspecdomainless:arn:aws:s3:::bucket/spec.json'.")


# ---- tasks ------------------------------------------------------------------------------------------------------
@rule("ECS340", "pid_mode and ipc_mode fit the launch type and operating system")
def _namespaces(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        where = ix.task_path(task)
        if _windows(task):
            for name in ("pid_mode", "ipc_mode"):
                if getattr(task, name) is not None:
                    yield r.problem(where, f"{name}= is not supported for Windows tasks.", f"Remove {name}=.")
            continue
        if task.is_fargate and task.pid_mode is PidMode.HOST:
            yield r.problem(where, "pid_mode='host' is not supported on Fargate: a Fargate task cannot see the "
                            "host's processes.", "Use pid_mode='task' (containers of the task share one namespace).")
        if task.is_fargate and task.ipc_mode is not None:
            yield r.problem(where, "ipc_mode= is not supported on Fargate.", "Remove ipc_mode=, or run on EC2.")


@rule("ECS341", "an App Mesh proxy configuration names a container of an awsvpc task and its ports")
def _proxy(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        proxy = task.proxy_configuration
        if proxy is None:
            continue
        where = f"{ix.task_path(task)} › proxy_configuration"
        if task.network_mode is not NetworkMode.AWSVPC:
            yield r.problem(where, f"an App Mesh proxy needs the awsvpc network mode (the task uses "
                            f"{task.network_mode.value}).", "Use network_mode='awsvpc'.")
        if task.container(proxy.name) is None:
            yield r.problem(where, f"the proxy container {q(proxy.name)} is not a container of the task.",
                            "Add the Envoy container with task.add_container(...) and name it here.")
        if proxy.ignored_uid is None and proxy.ignored_gid is None:
            yield r.problem(where, "neither ignored_uid nor ignored_gid is set, so the proxy's own traffic would "
                            "be redirected to itself.", "Set ignored_uid= to the proxy container's user (1337 for "
                            "the App Mesh Envoy image).")
        if not proxy.app_ports:
            yield r.problem(where, "app_ports is empty: no traffic would reach the proxy.",
                            "List the application's ports, e.g. app_ports=[8080].")
        ports = [*proxy.app_ports, proxy.proxy_ingress_port, proxy.proxy_egress_port, *proxy.egress_ignored_ports]
        bad = [p for p in ports if not 1 <= p <= 65535]
        if bad:
            yield r.problem(where, f"ports out of range: {fmt_list(bad)}.", "Use ports 1-65535.")
        clash = {proxy.proxy_ingress_port, proxy.proxy_egress_port} & set(proxy.app_ports)
        if clash:
            yield r.problem(where, f"port {fmt_list(sorted(clash))} is both an application port and a proxy port.",
                            "Keep the proxy's ports (15000, 15001) apart from the application's.")
        bad_ips = [ip for ip in proxy.egress_ignored_ips if not _is_ip(ip.split("/", 1)[0])]
        if bad_ips:
            yield r.problem(where, f"egress_ignored_ips holds {fmt_list(bad_ips)}, not IP addresses.",
                            "Write egress_ignored_ips=['169.254.170.2', '169.254.169.254'].")


@rule("ECS342", "task placement constraints are memberOf expressions, on EC2")
def _task_placement(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        where = ix.task_path(task)
        for constraint in task.placement_constraints:
            if constraint.type != "memberOf":
                yield r.problem(where, "a task definition takes only memberOf placement constraints.",
                                "Put distinct_instance() on the service (Service(..., placement_constraints=[...])).")
        if task.placement_constraints and task.is_fargate:
            yield r.problem(where, "placement_constraints are not supported on Fargate: there are no container "
                            "instances to choose.", "Remove them, or run the task on EC2.")


@rule("ECS343", "fault injection needs the awsvpc or host network mode")
def _fault_injection(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        if task.enable_fault_injection and task.network_mode not in (NetworkMode.AWSVPC, NetworkMode.HOST):
            yield r.problem(ix.task_path(task), f"enable_fault_injection needs the awsvpc or host network mode "
                            f"(the task uses {task.network_mode.value}): AWS FIS injects network faults into the "
                            "task's own network namespace.", "Use network_mode='awsvpc'.")


# ---- services and clusters --------------------------------------------------------------------------------------
@rule("ECS460",
      "a DAEMON service runs on EC2 without desired count, scaling, capacity strategy, EBS volumes or traffic shifting")
def _daemon(ix: Index, r: Rule) -> Iterator[Problem]:
    for s in ix.services:
        if not s.is_daemon:
            continue
        where = s.path
        if s.task.is_fargate or s.launch_type is LaunchType.FARGATE:
            yield r.problem(where, "scheduling='DAEMON' runs one task on every container instance, and Fargate "
                            "has none.", "Use an Ec2TaskDefinition, or scheduling='REPLICA' with desired_count=.")
        refused = [("desired_count=", s.desired_count is not None, "ECS runs one task per instance"),
                   ("auto_scale()", bool(s.scalings), "the instances, not a count, decide the tasks"),
                   ("capacity_provider_strategy=", bool(s.capacity_provider_strategy),
                    "daemon services take the EC2 launch type"),
                   ("placement_strategies=", bool(s.placement_strategies), "every instance gets one task"),
                   ("volume_configurations=", bool(s.volume_configurations), "ECS attaches EBS volumes to "
                    "REPLICA services only"),
                   ("availability_zone_rebalancing=", bool(s.availability_zone_rebalancing),
                    "tasks follow the instances")]
        for setting, present, why in refused:
            if present:
                yield r.problem(where, f"{setting} does not apply to a DAEMON service: {why}.", f"Remove {setting}.")
        if s.deployment is not None and s.deployment.shifts_traffic:
            yield r.problem(where, f"deployment={s.deployment.describe()}: ECS shifts traffic between two whole "
                            "revisions for REPLICA services only; a DAEMON service replaces its task per instance.",
                            "Use Deployment.rolling(min_healthy_percent=0, max_percent=100), or leave deployment= out.")
        elif s.deployment is not None and s.deployment.max_percent != 100:
            yield r.problem(where, f"Deployment.rolling(max_percent={s.deployment.max_percent}): a DAEMON service "
                            "replaces its one task per instance in place, so ECS takes a maximum percent of 100 only.",
                            "Write Deployment.rolling(min_healthy_percent=0, max_percent=100).")
        elif s.deployment is None and s.deployment_percents[1] != 100:
            yield r.problem(where, f"max_percent={s.max_percent}: a DAEMON service replaces its one task per "
                            "instance in place, so ECS takes a maximum percent of 100 only.",
                            "Leave max_percent= out (a daemon's default is 100).")


def _ebs_names(task: TaskDefinition) -> list[str]:
    return [v.name for v in task.volumes if type(v).__name__ == "EbsVolume"]


@rule("ECS461", "every EBS volume of a task is configured by its service, and only those")
def _ebs_match(ix: Index, r: Rule) -> Iterator[Problem]:
    for s in ix.services:
        wanted = _ebs_names(s.task)
        given = [v.name for v in s.volume_configurations]
        for name in given:
            if given.count(name) > 1:
                yield r.problem(s.path, f"volume_configurations configures {q(name)} twice.", "Configure it once.")
            if name not in wanted:
                yield r.problem(s.path, f"ManagedEbsVolume {q(name)} names no volume the task configures at launch.",
                                f'Add task.add_ebs_volume("{name}") and mount it, or remove the configuration.')
        for name in wanted:
            if name not in given:
                yield r.problem(s.path, f"task {q(s.task.family)} has the EBS volume {q(name)}, configured at "
                                "launch, but the service does not configure it; ECS would refuse to start tasks.",
                                f'Add volume_configurations=[ManagedEbsVolume("{name}", size_gib=20)].')


def _ebs_problems(v: Any, fargate: bool) -> Iterator[tuple[str, str]]:
    kind = v.volume_type or "gp3"
    if kind not in EBS_LIMITS:
        yield f"volume_type={kind!r} is not an EBS volume type.", f"Use one of {fmt_list(EBS_LIMITS)}."
        return
    low, high, iops, throughput = EBS_LIMITS[kind]
    if v.size_gib is None and v.snapshot_id is None:
        yield "neither size_gib nor snapshot_id is set.", f"Set size_gib= ({low}-{high} GiB for {kind})."
    if isinstance(v.size_gib, int) and not low <= v.size_gib <= high:
        yield f"size_gib={v.size_gib} is out of range for {kind}.", f"Use {low}-{high} GiB."
    if v.iops is not None:
        if iops is None:
            yield f"iops= does not apply to {kind} volumes.", "Remove iops=, or use gp3, io1 or io2."
        elif not iops[0] <= v.iops <= iops[1]:
            yield f"iops={v.iops} is out of range for {kind}.", f"Use {iops[0]}-{iops[1]}."
    elif kind in ("io1", "io2"):
        yield f"{kind} volumes need iops=.", f"Set iops= ({iops[0] if iops else 100} or more)."
    if v.throughput is not None:
        if throughput is None:
            yield f"throughput= applies to gp3 volumes only, not {kind}.", "Remove throughput=, or use gp3."
        elif not throughput[0] <= v.throughput <= throughput[1]:
            yield f"throughput={v.throughput} is out of range.", f"Use {throughput[0]}-{throughput[1]} MiB/s."
    if v.file_system_type is not None and v.file_system_type not in _FILE_SYSTEMS:
        yield f"file_system_type={v.file_system_type!r} is not one ECS formats.", f"Use {fmt_list(_FILE_SYSTEMS)}."
    if fargate and kind == "standard":
        yield "magnetic (standard) volumes are not supported on Fargate.", "Use gp3."
    if v.kms_key is not None and not v.encrypted:
        yield "kms_key= is set but encrypted=False.", "Remove encrypted=False (a KMS key encrypts the volume)."


@rule("ECS462", "managed EBS volumes have a size, IOPS and throughput their volume type allows")
def _ebs_ranges(ix: Index, r: Rule) -> Iterator[Problem]:
    for s in ix.services:
        fargate = s.task.is_fargate and s.effective_launch_type is LaunchType.FARGATE
        for v in s.volume_configurations:
            for message, hint in _ebs_problems(v, fargate):
                yield r.problem(f"{s.path} › managed EBS volume {v.name}", message, hint)


def _app_protocol(service: Service, port_name: str) -> str | None:
    for c in service.task.containers:
        for p in c.ports:
            if p.name == port_name:
                return p.app_protocol
    return None


@rule("ECS463", "Service Connect timeouts are not negative; per_request_timeout needs an HTTP or gRPC port")
def _timeouts(ix: Index, r: Rule) -> Iterator[Problem]:
    for s in ix.services:
        if s.service_connect is None:
            continue
        for port in s.service_connect.ports:
            where = f"{s.path} › service connect port {port.port_name}"
            for name in ("idle_timeout", "per_request_timeout"):
                value = getattr(port, name)
                if value is not None and not 0 <= value <= 2147483647:
                    yield r.problem(where, f"{name}={value} is out of range.", "Use 0 (no timeout) or more seconds.")
            if port.per_request_timeout is not None and _app_protocol(s, port.port_name) is None:
                yield r.problem(where, "per_request_timeout applies to HTTP, HTTP/2 and gRPC ports; this port "
                                "speaks TCP (its mapping has no app_protocol).",
                                'Set app_protocol="http" on the port mapping, or use idle_timeout= only.')


def _tag_owners(ix: Index) -> Iterator[tuple[str, dict[str, Any]]]:
    yield ix.stack.path, ix.stack.tags
    seen: set[int] = set()
    for thing in ix.stack.resources:
        if id(thing) not in seen and isinstance(getattr(thing, "tags", None), dict):
            seen.add(id(thing))
            yield thing.path, thing.tags


@rule("ECS470", "tags: at most 50, keys of 1-128 characters not starting with aws:, values of at most 256")
def _tags(ix: Index, r: Rule) -> Iterator[Problem]:
    for where, tags in _tag_owners(ix):
        if len(tags) > 50:
            yield r.problem(where, f"{len(tags)} tags; AWS allows at most 50 per resource.", "Drop some tags.")
        for key, value in tags.items():
            if not 1 <= len(key) <= 128:
                yield r.problem(where, f"tag key {q(key)} has {len(key)} characters.", "Use 1-128 characters.")
            if key.lower().startswith("aws:"):
                yield r.problem(where, f"tag key {q(key)} starts with aws:, which AWS reserves.", "Rename the key.")
            if isinstance(value, str) and len(value) > 256:
                yield r.problem(where, f"tag {q(key)} has a value of {len(value)} characters.", "Use at most 256.")


@rule("ECS471", "an ECS Exec logging override names a log group or an S3 bucket")
def _exec_logging(ix: Index, r: Rule) -> Iterator[Problem]:
    for cluster in ix.stack.of_type(Cluster):
        logging = cluster.execute_command_logging
        if logging is None or isinstance(logging, str):
            continue
        where = f"{cluster.path} › execute_command_logging"
        if logging.log_group is None and logging.s3_bucket is None:
            yield r.problem(where, "ExecuteCommandLogging names neither a log group nor an S3 bucket, so sessions "
                            "would be logged nowhere.", 'Give log_group= or s3_bucket=, or write '
                            'execute_command_logging="NONE".')
        if logging.s3_bucket is None and (logging.s3_prefix is not None or logging.s3_encryption):
            yield r.problem(where, "s3_prefix / s3_encryption are set without s3_bucket.", "Add s3_bucket=.")
        if logging.log_group is None and logging.cloudwatch_encryption:
            yield r.problem(where, "cloudwatch_encryption is set without log_group.", "Add log_group=.")
