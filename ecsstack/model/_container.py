"""A container definition: how to run one image inside a task."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import Problem, ValidationError
from ._check import as_bool, as_enum, as_int, as_overrides, as_str_list, as_str_map, as_text, check_owned, fail
from ._enums import Condition, VersionConsistency
from ._firelens import FirelensConfig
from ._settings import LinuxParameters, Ulimit, as_ulimits, normalise_under
from ._source import Sourced
from ._tokens import Sub, Token
from ._values import Dependency, HealthCheck, LogConfig, PortMapping, RestartPolicy, Secret
from ._volumes import MountPoint, Volume, VolumesFrom, mount_point

if TYPE_CHECKING:
    from ._task import TaskDefinition

__all__ = ["Container", "EcrImage", "parse_ecr_image", "s3_bucket_of"]

_TOKEN = r"\$\{[^}]+\}"
#: an ECR image: ``<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag | @digest]``, where a
#: Sub may write the account, region or repository (or part of it) as ``${Name}``
_ECR_IMAGE = re.compile(
    rf"(?P<account>\d{{12}}|{_TOKEN})\.dkr\.ecr\.(?P<region>[a-z0-9-]+|{_TOKEN})\.amazonaws\.com(?:\.cn)?/"
    rf"(?P<repository>(?:[^:@$]|{_TOKEN})+)(?:[:@].*)?")


@dataclass(frozen=True)
class EcrImage:
    """The ECR repository an image is pulled from, as far as synth can tell.

    ``account``, ``region``, ``repository``: the parts of the image, literal or ``${Name}`` of a ``Sub``
    (whose ``variables`` they may name). ``known`` is False when the image (or its registry part) is a
    deploy-time value, so it may be any repository: then the other fields are empty.
    """

    account: str = ""
    region: str = ""
    repository: str = ""
    variables: dict[str, Any] = field(default_factory=dict)
    known: bool = True


def s3_bucket_of(arn: str | Token) -> str | Token | None:
    """The bucket ARN of an S3 object ARN (``arn:aws:s3:::bucket/key`` → ``arn:aws:s3:::bucket``), as a Sub with
    the same variables for a Sub; None when it is not readable before deploy time."""
    text = arn.text if isinstance(arn, Sub) else arn if isinstance(arn, str) else None
    if text is None or not text.startswith("arn:") or ":s3:::" not in text or "/" not in text:
        return None
    bucket = text.split("/", 1)[0]
    if isinstance(arn, Sub):
        return Sub(bucket, {k: v for k, v in arn.variables.items() if "${" + k + "}" in bucket})
    return bucket


def _first_component(text: str) -> str:
    """The registry host of an image (the part before the first ``/``), or for an image without one its
    name (before ``:`` or ``@``); ``${…}`` tokens are opaque, whatever they hold."""
    masked = re.sub(_TOKEN, lambda m: "$" * len(m.group()), text)
    end = masked.find("/")
    if end < 0:
        end = min((i for i in (masked.find(":"), masked.find("@")) if i >= 0), default=len(masked))
    return text[:end]


def parse_ecr_image(image: str | Token) -> EcrImage | None:
    """Where ``image`` is pulled from: its ECR repository, ``EcrImage(known=False)`` when that is only
    known at deploy time (a parameter, or a Sub whose registry part is a ``${Name}``), None when the
    image is not in a private ECR registry (Docker Hub, ``public.ecr.aws``, another registry)."""
    if isinstance(image, Sub):
        text, variables = image.text, dict(image.variables)
    elif isinstance(image, str):
        text, variables = image, {}
    else:
        return EcrImage(known=False)
    m = _ECR_IMAGE.fullmatch(text)
    if m:
        return EcrImage(m["account"], m["region"], m["repository"], variables)
    if "${" in _first_component(text):
        return EcrImage(known=False)
    return None


#: the conditions a sidecar's ``ready=`` may name: it keeps running, so it never completes
READY_CONDITIONS = (Condition.START, Condition.HEALTHY)


def as_ready(value: Any, path: str) -> Condition:
    """A sidecar's ``ready=``: START or HEALTHY."""
    condition = as_enum(Condition, value, path, "ready")
    if condition not in READY_CONDITIONS:
        raise fail(path, f"ready={condition.value} cannot be met by a sidecar: it keeps running (and is restarted "
                   "when it exits), so it never completes.",
                   "Write ready=Condition.START or ready=Condition.HEALTHY; for a step that runs to completion use "
                   "add_init_container.")
    return condition


@dataclass(eq=False)
class Container(Sourced):
    """One container of a task definition. Create it with ``task.add_container(...)``.

    Defaults: ``essential`` True; logs go to the task's log group (``awslogs``, stream prefix =
    name); no health check; ports are TCP.
    """

    name: str
    image: str | Token
    essential: bool = True
    ports: list[PortMapping] = field(default_factory=list)
    command: list[str] | None = None
    entry_point: list[str] | None = None
    environment: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, Secret] = field(default_factory=dict)
    health_check: HealthCheck | None = None
    cpu: int | None = None
    memory: int | None = None
    memory_reservation: int | None = None
    working_directory: str | None = None
    user: str | None = None
    readonly_root_filesystem: bool | None = None
    start_timeout: int | None = None
    stop_timeout: int | None = None
    logging: LogConfig = field(default_factory=LogConfig)
    overrides: dict[str, Any] = field(default_factory=dict)
    #: the ECR repository the image is pulled from: an ARN, or a repository name of the stack's account and
    #: region (a parameter holds a name; for an ARN write ``Sub("arn:...")``). Default None: read from the
    #: image; needed when the image's registry is only known at deploy time (``image=stack.parameter(...)``),
    #: which otherwise gets pulls on every repository of the stack's account and region
    ecr_repository: str | Token | None = None
    #: GPUs the container reserves (``ResourceRequirements``; EC2 instances with GPUs only). Default None: none
    gpu: int | None = None
    #: LinuxParameters(...): init process, capabilities, shared memory, tmpfs, devices, swap. Default None
    linux_parameters: LinuxParameters | None = None
    #: resource limits: ``{"nofile": (soft, hard)}``, ``{"nofile": 65536}`` or ``[Ulimit(...)]``. Default none
    ulimits: list[Ulimit] = field(default_factory=list)
    #: Docker labels, name → value. Default none
    docker_labels: dict[str, Any] = field(default_factory=dict)
    #: root on the container instance (EC2 Linux only). Default None (not privileged)
    privileged: bool | None = None
    #: namespaced kernel parameters, ``{"net.core.somaxconn": "1024"}``. Default none
    system_controls: dict[str, Any] = field(default_factory=dict)
    #: a Secrets Manager secret (ARN, name or parameter) holding the private registry's credentials; the
    #: execution role may read it. Default None (a public registry, or ECR with the execution role)
    repository_credentials: str | Token | None = None
    #: S3 object ARNs of ``.env`` files (at most 10) whose variables the container gets; the execution role may
    #: read them. Default none
    environment_files: list[str | Token] = field(default_factory=list)
    #: DNS servers (IP addresses; not under awsvpc, not on Fargate). Default None (the network's)
    dns_servers: list[str] | None = None
    #: DNS search domains (not on Fargate). Default None
    dns_search_domains: list[str] | None = None
    #: ``/etc/hosts`` entries, host name → IP address (not under awsvpc, not on Fargate). Default none
    extra_hosts: dict[str, str] = field(default_factory=dict)
    #: the container's host name (not under awsvpc). Default None (Docker's)
    hostname: str | None = None
    #: containers of the task this one reaches by name, ``"db"`` or ``"db:alias"`` (bridge only). Default None
    links: list[str] | None = None
    #: keep stdin open (``docker run -i``). Default None (no)
    interactive: bool | None = None
    #: allocate a TTY (``docker run -t``). Default None (no)
    pseudo_terminal: bool | None = None
    #: no networking in the container (EC2 only). Default None (networking on)
    disable_networking: bool | None = None
    #: SELinux / AppArmor / no-new-privileges labels, ``["no-new-privileges"]`` (EC2 Linux only). Default None
    docker_security_options: list[str] | None = None
    #: one ``credentialspec:<ARN>`` or ``credentialspecdomainless:<ARN>`` (an S3 object or SSM parameter, which
    #: the execution role may read) for gMSA (Active Directory). Default None
    credential_specs: list[str] | None = None
    #: "enabled" / "disabled" (or True / False): resolve the image tag to one digest at deployment.
    #: Default None (ECS's default: enabled)
    version_consistency: VersionConsistency | None = None
    #: ``RestartPolicy(...)`` (or True for ECS's defaults): ECS restarts the container in place when it exits.
    #: Default None: no restart (an essential container's exit stops the task); ``add_sidecar`` turns it on
    restart_policy: RestartPolicy | None = None
    init: bool = False
    task: TaskDefinition | None = field(default=None, repr=False)
    #: what this container waits for, as declared with ``depends_on`` (``task.dependencies_of`` adds the implied)
    dependencies: list[Dependency] = field(default_factory=list, repr=False)
    #: the volumes this container mounts (``mount``), in the order mounted
    mount_points: list[MountPoint] = field(default_factory=list, init=False, repr=False)
    #: the containers whose volumes this container mounts (``volumes_from``)
    volume_sources: list[VolumesFrom] = field(default_factory=list, init=False, repr=False)
    #: set on the task's FireLens log router (``task.add_firelens_router``): its configuration
    firelens: FirelensConfig | None = field(default=None, init=False, repr=False)
    #: set on a container added with ``task.add_sidecar``: it starts before the init and ordinary containers
    sidecar: bool = field(default=False, init=False, repr=False)
    #: a sidecar's ``ready=``: when whoever starts after it may start (START or HEALTHY). Default None: see
    #: ``readiness``
    ready: Condition | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type and bring it to one form (run at construction and before the rules)."""
        path = f"container {self.name}" if isinstance(self.name, str) else "container"
        if not isinstance(self.name, str) or not self.name:
            raise fail(path, f"a container needs a name, got {self.name!r}.")
        if not isinstance(self.image, str | Token) or not self.image:
            raise fail(path, f"image must be an image reference such as 'nginx:1.27', got {self.image!r}.",
                       f"Write add_container({self.name!r}, image=\"nginx:1.27\", ...).")
        self.essential = as_bool(self.essential, path, "essential")
        if self.ports is None:
            self.ports = []
        if isinstance(self.ports, int | PortMapping):
            self.ports = [self.ports]
        if not isinstance(self.ports, list | tuple):
            raise fail(path, f"ports must be a list, got {self.ports!r}.", "Write ports=[8080].")
        self.ports = [PortMapping.of(p, path) for p in self.ports]
        self.command = as_str_list(self.command, path, "command")
        self.entry_point = as_str_list(self.entry_point, path, "entry_point")
        self.environment = as_str_map(self.environment, path, "environment")
        if self.secrets is None:
            self.secrets = {}
        if not isinstance(self.secrets, dict):
            raise fail(path, "secrets must map variable names to Secret.ssm(...) or Secret.secrets_manager(...).")
        for key, secret in self.secrets.items():
            if not isinstance(secret, Secret):
                raise fail(path, f"secrets[{key!r}] must be Secret.ssm(...) or Secret.secrets_manager(...), "
                           f"got {secret!r}.")
        if self.health_check is not None and not isinstance(self.health_check, HealthCheck):
            if isinstance(self.health_check, str):
                raise fail(path, f"health_check must be HealthCheck([...]), got the string {self.health_check!r}.",
                           f'Write health_check=HealthCheck(["CMD-SHELL", {self.health_check!r}]).')
            if isinstance(self.health_check, list | tuple):
                try:
                    self.health_check = HealthCheck(list(self.health_check))
                except ValidationError as exc:  # under this container's path
                    raise ValidationError(Problem(p.rule, f"{path} › {p.path}", p.message, p.hint)
                                          for p in exc.problems) from None
            else:
                raise fail(path, f"health_check must be HealthCheck([...]), got {self.health_check!r}.")
        for name in ("cpu", "memory", "memory_reservation", "start_timeout", "stop_timeout"):
            as_int(getattr(self, name), path, name, optional=True)
        if self.readonly_root_filesystem is not None:
            as_bool(self.readonly_root_filesystem, path, "readonly_root_filesystem")
        if self.logging is None:
            self.logging = LogConfig.disabled()
        if not isinstance(self.logging, LogConfig):
            raise fail(path, f"logging must be LogConfig.awslogs(...) or LogConfig(...), got {self.logging!r}.")
        self.overrides = as_overrides(self.overrides, path)
        as_text(self.ecr_repository, path, "ecr_repository", token_ok=True)
        if self.ecr_repository == "":
            raise fail(path, "ecr_repository= is empty.", "Give the repository's ARN or name, or leave it out.")
        as_int(self.gpu, path, "gpu", optional=True)
        self.init = as_bool(self.init, path, "init")
        self.restart_policy = RestartPolicy.of(self.restart_policy, path)
        self.sidecar = as_bool(self.sidecar, path, "sidecar")
        if self.sidecar and self.init:
            raise fail(path, "a container is either a sidecar or an init container, not both.",
                       "Use task.add_sidecar(...) for a helper that keeps running, add_init_container for a step "
                       "that runs to completion.")
        if self.ready is not None:
            self.ready = as_ready(self.ready, path)
            if not self.sidecar:
                raise fail(path, "ready= is for sidecars: it says when the containers after a sidecar may start.",
                           "Add the container with task.add_sidecar(..., ready=...), or use depends_on(...).")
        as_text(self.working_directory, path, "working_directory", token_ok=True)
        as_text(self.user, path, "user", token_ok=True)
        self._normalise_settings(path)
        check_owned(self, path, {"dependencies": Dependency, "mount_points": MountPoint,
                                 "volume_sources": VolumesFrom}, "depends_on, mount and volumes_from")
        for dep in self.dependencies:
            if not isinstance(dep.target, Container | str) or not dep.target:
                raise fail(path, f"a dependency's target must be a container of the task or its name, got "
                           f"{dep.target!r}.", "Use container.depends_on(other, condition).")
        if self.firelens is not None and not isinstance(self.firelens, FirelensConfig):
            raise fail(path, f"firelens must be a FirelensConfig, got {self.firelens!r}.",
                       "Make the router with task.add_firelens_router(...).")

    def _normalise_settings(self, path: str) -> None:
        if self.linux_parameters is not None and not isinstance(self.linux_parameters, LinuxParameters):
            raise fail(path, f"linux_parameters must be LinuxParameters(...), got {self.linux_parameters!r}.",
                       "Write linux_parameters=LinuxParameters(init_process_enabled=True).")
        if self.linux_parameters is not None:
            normalise_under(self.linux_parameters, path)
        self.ulimits = as_ulimits(self.ulimits, path)
        self.docker_labels = as_str_map(self.docker_labels, path, "docker_labels")
        self.system_controls = as_str_map(self.system_controls, path, "system_controls")
        self.extra_hosts = as_str_map(self.extra_hosts, path, "extra_hosts")
        for name in ("privileged", "interactive", "pseudo_terminal", "disable_networking"):
            if getattr(self, name) is not None:
                as_bool(getattr(self, name), path, name)
        as_text(self.repository_credentials, path, "repository_credentials", token_ok=True)
        if self.repository_credentials == "":
            raise fail(path, "repository_credentials= is empty.", "Give the secret's ARN or name, or leave it out.")
        if isinstance(self.environment_files, str | Token):
            self.environment_files = [self.environment_files]
        self.environment_files = as_str_list(self.environment_files, path, "environment_files") or []
        for name in ("dns_servers", "dns_search_domains", "links", "docker_security_options"):
            setattr(self, name, as_str_list(getattr(self, name), path, name, token_ok=False))
        if isinstance(self.credential_specs, str):
            self.credential_specs = [self.credential_specs]
        self.credential_specs = as_str_list(self.credential_specs, path, "credential_specs", token_ok=False)
        as_text(self.hostname, path, "hostname")
        if isinstance(self.version_consistency, bool):
            self.version_consistency = VersionConsistency.ENABLED if self.version_consistency \
                else VersionConsistency.DISABLED
        if self.version_consistency is not None:
            self.version_consistency = as_enum(VersionConsistency, self.version_consistency, path,
                                               "version_consistency")

    def depends_on(self, other: Container | str, condition: Condition | str = Condition.START) -> Container:
        """Start this container only once ``other`` (of the same task) reaches ``condition``.

        Returns this container, so calls chain.
        """
        path = self.path
        if not isinstance(other, Container | str):
            raise fail(path, f"depends_on needs a container of the same task, got {other!r}.")
        self.dependencies.append(Dependency(other, as_enum(Condition, condition, path, "condition")))
        return self

    def mount(self, volume: Volume | str, container_path: str, read_only: bool = False) -> Container:
        """Mount ``volume`` (one of this container's task, or its name) at ``container_path``.

        ``read_only``: Default False. Returns this container, so calls chain.
        """
        self.mount_points.append(mount_point(self.path, volume, container_path, read_only))
        return self

    def volumes_from(self, other: Container | str, read_only: bool = False) -> Container:
        """Mount every volume of ``other`` (a container of the same task) at the paths it uses.

        ``read_only``: Default False. Returns this container, so calls chain.
        """
        if not isinstance(other, Container | str) or not other:
            raise fail(self.path, f"volumes_from() needs a container of the same task, got {other!r}.")
        self.volume_sources.append(VolumesFrom(other, as_bool(read_only, self.path, "read_only")))
        return self

    @property
    def readiness(self) -> Condition:
        """When a sidecar counts as ready for the containers that start after it: ``ready=`` as given, else
        HEALTHY when it has a (real) health check, else START."""
        if self.ready is not None:
            return self.ready
        check = self.health_check
        return Condition.HEALTHY if check is not None and check.command[:1] != ["NONE"] else Condition.START

    @property
    def path(self) -> str:
        where = f"task {self.task.family} › " if self.task is not None else ""
        return f"{where}container {self.name}"

    @property
    def registry_secret(self) -> Secret | None:
        """``repository_credentials`` as the Secrets Manager secret the execution role reads; None without one."""
        if self.repository_credentials is None:
            return None
        return Secret("secretsmanager", self.repository_credentials)

    @property
    def environment_file_objects(self) -> list[tuple[str | Token, str | Token | None]]:
        """(object ARN, bucket ARN) of each of ``environment_files``: the bucket of a literal ARN (or of a Sub
        whose text is one) is read from it; None for a parameter (compile derives it at deploy time)."""
        return [(f, s3_bucket_of(f)) for f in self.environment_files]

    @property
    def credential_spec_arns(self) -> list[str]:
        """The ARNs (S3 object or SSM parameter) of ``credential_specs``, whose files the execution role reads."""
        return [spec.split(":", 1)[1] for spec in self.credential_specs or []
                if ":" in spec and spec.split(":", 1)[1].startswith("arn:")]

    @property
    def ecr_image(self) -> EcrImage | None:
        """The ECR repository the image comes from (see ``parse_ecr_image``); None when it is not in ECR."""
        return parse_ecr_image(self.image)

    @property
    def pulls_any_repository(self) -> bool:
        """Whether the execution role may pull from every repository of the stack's account and region for
        this container: its image's registry is only known at deploy time and ``ecr_repository=`` is unset."""
        found = self.ecr_image
        return self.ecr_repository is None and found is not None and not found.known
