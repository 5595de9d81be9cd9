"""Task definitions: a size, a network mode, roles and up to ten containers."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field
from dataclasses import fields as dataclass_fields
from typing import Any

from ..errors import Problem, ValidationError
from ._check import as_bool, as_enum, as_int, as_overrides, as_text, fail, refuse_unknown
from ._container import Container, as_ready
from ._enums import Condition, CpuArchitecture, FirelensType, IpcMode, LaunchType, NetworkMode, OsFamily, PidMode
from ._firelens import firelens_dependencies, router_config
from ._kms import as_kms_key
from ._overrides import Overridable, Part, document_parts
from ._placement import PlacementConstraint
from ._settings import ProxyConfiguration, as_tags, normalise_under
from ._tokens import Parameter, Token
from ._values import INIT_ORDER, SIDECAR_ORDER, Dependency, RestartPolicy
from ._volumes import BindVolume, EbsVolume, EfsVolume, Volume, bind_volume, ebs_volume, efs_volume

__all__ = ["Ec2TaskDefinition", "ExistingTaskDefinition", "FargateTaskDefinition", "TaskDefinition", "existing_name"]

#: a sidecar's restart policy unless ``restart=`` says otherwise: restarted after any exit, once it has run a
#: minute (ECS's shortest restart_attempt_period)
SIDECAR_RESTART = RestartPolicy(restart_attempt_period=60)

#: keywords add_container takes: the container's constructor fields, less what the task sets itself
CONTAINER_KEYWORDS = frozenset(f.name for f in dataclass_fields(Container) if f.init) - {
    "name", "image", "init", "task", "dependencies"}


@document_parts
@dataclass(eq=False, init=False)
class TaskDefinition(Overridable):
    """A task definition (the class of which tasks are objects).

    The first argument names it in the blueprint (``task.family``: paths, logical IDs). ``family=``: the
    family it registers revisions under; Default ``<stack>-<name>`` (``${AWS::StackName}-web``), so two
    stacks with a task called ``web`` in one account never share a family; an explicit ``family=`` is used
    as given (``TaskDefinition(family="web")`` alone names the task and registers it as ``web``).
    ``compatibilities``: Default ``[LaunchType.FARGATE]``.
    ``network_mode``: Default ``awsvpc``. ``cpu``/``memory`` in CPU units and MiB.
    ``execution_role``/``task_role``: Default: a role made for this task, least-privilege;
    pass an ARN (or a parameter) to use your own. ``log_retention_days``: Default 30.
    ``log_kms_key``: a KMS key ARN (or parameter) encrypting the task's log group; Default None
    (CloudWatch Logs' own encryption). Its key policy must allow the ``logs.<region>.amazonaws.com`` service.
    """

    PARTS = (
        Part("TaskDefinition", "AWS::ECS::TaskDefinition", "the task definition"),
        Part("LogGroup", "AWS::Logs::LogGroup", "the task's log group",
             when="when a container logs to the task's log group (awslogs or FireLens to CloudWatch)"),
        Part("ExecutionRole", "AWS::IAM::Role", "the execution role made for the task",
             when="without execution_role=, when the task needs one (logs, secrets, ECR images, a FireLens config)"),
        Part("TaskRole", "AWS::IAM::Role", "the task role made for the task", when="without task_role="),
    )

    family: str
    cpu: int | None = None
    memory: int | None = None
    network_mode: NetworkMode = NetworkMode.AWSVPC
    compatibilities: list[LaunchType] = field(default_factory=lambda: [LaunchType.FARGATE])
    execution_role: str | Token | None = None
    task_role: str | Token | None = None
    log_retention_days: int = 30
    overrides: dict[str, Any] = field(default_factory=dict)
    #: CpuArchitecture.X86_64 or ARM64 (RuntimePlatform). Default None: not stated; X86_64 if os_family is
    cpu_architecture: CpuArchitecture | None = None
    #: OsFamily / "LINUX" (RuntimePlatform). Default None: LINUX when cpu_architecture is given
    os_family: OsFamily | None = None
    #: Fargate only: task storage in GiB, 21 to 200. Default None: Fargate's 20 GiB.
    ephemeral_storage_gib: int | Token | None = None
    #: the ``family=`` keyword: the Family registered, used as given. Default None: ``<stack>-<family>``
    explicit_family: str | Token | None = None
    #: a KMS key (ARN or parameter) for the log group ecsstack makes. Default None: CloudWatch's own encryption
    log_kms_key: str | Token | None = None
    #: PidMode.TASK / "task" (containers share one process namespace) or "host". Default None (one each)
    pid_mode: PidMode | None = None
    #: IpcMode / "host", "task" or "none" (EC2 only). Default None (Docker's private IPC namespace)
    ipc_mode: IpcMode | None = None
    #: ProxyConfiguration(...): the App Mesh proxy (awsvpc only). Default None
    proxy_configuration: ProxyConfiguration | None = None
    #: ``[PlacementConstraint.member_of("...")]``: where its tasks may run (EC2 only). Default none
    placement_constraints: list[PlacementConstraint] = field(default_factory=list)
    #: allow AWS FIS fault injection into its tasks (awsvpc or host networking). Default None (not allowed)
    enable_fault_injection: bool | None = None
    #: tags of the task definition, key → value (merged over the stack's tags). Default none
    tags: dict[str, Any] = field(default_factory=dict)
    #: the task's volumes (``add_efs_volume``, ``add_bind_volume``, ``add_ebs_volume``)
    volumes: list[Volume] = field(default_factory=list, init=False, repr=False)
    #: the task's containers, in the order added
    containers: list[Container] = field(default_factory=list, init=False, repr=False)
    #: what ``allow`` granted the task role: (actions, resources) pairs
    permissions: list[tuple[list[str], list[str | Token]]] = field(default_factory=list, init=False, repr=False)
    #: raw CloudFormation merged into each generated part (``override()``). Default: none
    part_overrides: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)

    def __init__(self, name: str | None = None, /, *, family: str | Token | None = None, **kwargs: Any) -> None:
        # the blueprint name is positional-only, so that ``family=`` can be the family registered
        if name is None and isinstance(family, str):
            name = family  # TaskDefinition(family="web"): named "web", registered as "web"
        refuse_unknown(f"task {name}" if isinstance(name, str) else "task", kwargs, _TASK_KEYWORDS | {"family"})
        self.family = name  # type: ignore[assignment]  # normalise() refuses a missing name
        self.explicit_family = family
        for f in dataclass_fields(self):
            if f.name in ("family", "explicit_family"):
                continue
            if f.name in kwargs:
                setattr(self, f.name, kwargs[f.name])
            else:
                setattr(self, f.name, f.default_factory() if f.default_factory is not MISSING else f.default)
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type and bring it to one form (run at construction and before the rules)."""
        if not isinstance(self.family, str) or not self.family:
            raise fail("task", f"a task definition needs a name, got {self.family!r}.",
                       'Write FargateTaskDefinition("web"); family="..." sets the registered family.')
        path = self.path
        as_text(self.explicit_family, path, "family", token_ok=True)
        if self.explicit_family == "":
            raise fail(path, "family= is empty.", "Leave it out to register the task as <stack>-<name>.")
        self.cpu = as_int(self.cpu, path, "cpu", optional=True)
        self.memory = as_int(self.memory, path, "memory", optional=True)
        self.network_mode = as_enum(NetworkMode, self.network_mode, path, "network_mode")
        if isinstance(self.compatibilities, str | LaunchType):
            self.compatibilities = [self.compatibilities]
        if not isinstance(self.compatibilities, list | tuple) or not self.compatibilities:
            raise fail(path, "compatibilities must be a non-empty list of launch types, "
                       f"got {self.compatibilities!r}.",
                       "Write compatibilities=[LaunchType.FARGATE] or [LaunchType.EC2].")
        self.compatibilities = [as_enum(LaunchType, c, path, "compatibilities") for c in self.compatibilities]
        as_int(self.log_retention_days, path, "log_retention_days")
        self.log_kms_key = as_kms_key(self.log_kms_key, path, "log_kms_key")
        self.overrides = as_overrides(self.overrides, path)
        self._normalise_part_overrides()
        if self.cpu_architecture is not None:
            self.cpu_architecture = as_enum(CpuArchitecture, self.cpu_architecture, path, "cpu_architecture")
        if self.os_family is not None:
            self.os_family = as_enum(OsFamily, self.os_family, path, "os_family")
        if self.ephemeral_storage_gib is not None and not isinstance(self.ephemeral_storage_gib, Token):
            as_int(self.ephemeral_storage_gib, path, "ephemeral_storage_gib")
        as_text(self.execution_role, path, "execution_role", token_ok=True)
        as_text(self.task_role, path, "task_role", token_ok=True)
        self._normalise_settings(path)
        for name, kind in (("containers", Container), ("volumes", Volume)):
            items = getattr(self, name)
            if not isinstance(items, list) or not all(isinstance(i, kind) and i.task is self for i in items):
                raise fail(path, f"{name} must be a list of this task's {kind.__name__} objects, got {items!r}.",
                           "Use the task's methods (add_container, add_efs_volume, …) rather than assigning.")
        if not isinstance(self.permissions, list) or not all(
                isinstance(p, tuple) and len(p) == 2 and all(isinstance(part, list) for part in p)
                for p in self.permissions):
            raise fail(path, f"permissions must be a list of (actions, resources) made by task.allow(...), got "
                       f"{self.permissions!r}.", "Use task.allow(...) rather than assigning permissions.")

    def _normalise_settings(self, path: str) -> None:
        if self.pid_mode is not None:
            self.pid_mode = as_enum(PidMode, self.pid_mode, path, "pid_mode")
        if self.ipc_mode is not None:
            self.ipc_mode = as_enum(IpcMode, self.ipc_mode, path, "ipc_mode")
        if self.proxy_configuration is not None:
            if not isinstance(self.proxy_configuration, ProxyConfiguration):
                raise fail(path, f"proxy_configuration must be ProxyConfiguration(...), got "
                           f"{self.proxy_configuration!r}.",
                           'Write proxy_configuration=ProxyConfiguration("envoy", ignored_uid=1337, app_ports=[8080]).')
            normalise_under(self.proxy_configuration, path)
        constraints = self.placement_constraints
        if constraints is None:
            constraints = []
        if isinstance(constraints, PlacementConstraint):
            constraints = [constraints]
        if not isinstance(constraints, list | tuple) or not all(isinstance(c, PlacementConstraint)
                                                                 for c in constraints):
            raise fail(path, f"placement_constraints must be a list of PlacementConstraint, got {constraints!r}.",
                       'Write placement_constraints=[PlacementConstraint.member_of("attribute:ecs.os-type == linux")].')
        self.placement_constraints = list(constraints)
        if self.enable_fault_injection is not None:
            as_bool(self.enable_fault_injection, path, "enable_fault_injection")
        self.tags = as_tags(self.tags, path)

    @property
    def path(self) -> str:
        return f"task {self.family}"

    @property
    def is_fargate(self) -> bool:
        return LaunchType.FARGATE in self.compatibilities

    def add_container(self, name: str, image: str | Token | None = None, **kwargs: Any) -> Container:
        """Add a container and return it.

        Keywords: ``essential`` (Default True), ``ports``, ``command``, ``entry_point``,
        ``environment``, ``secrets``, ``health_check``, ``cpu``, ``memory``, ``memory_reservation``,
        ``working_directory``, ``user``, ``readonly_root_filesystem``, ``start_timeout``,
        ``stop_timeout``, ``logging``, ``overrides``, ``ecr_repository`` (the ECR repository of an image
        given as a parameter), ``gpu`` (GPUs to reserve, on EC2 instances with GPUs), ``linux_parameters``
        (``LinuxParameters(...)``), ``ulimits`` (``{"nofile": (soft, hard)}``), ``docker_labels``,
        ``privileged``, ``system_controls`` (``{"net.core.somaxconn": "1024"}``), ``repository_credentials``
        (a Secrets Manager secret for a private registry), ``environment_files`` (S3 object ARNs),
        ``dns_servers``, ``dns_search_domains``, ``extra_hosts`` (host name → IP), ``hostname``, ``links``,
        ``interactive``, ``pseudo_terminal``, ``disable_networking``, ``docker_security_options``,
        ``credential_specs``, ``version_consistency``, ``restart_policy``
        (``RestartPolicy(...)`` or True: restart the container in place when it exits). Each Defaults to
        unset (ECS's default); see ``Container`` for what the launch type and network mode allow.
        """
        return self._add(name, image, kwargs, init=False)

    def add_sidecar(self, name: str, image: str | Token | None = None, *, ready: Condition | str | None = None,
                    essential: bool = False, restart: bool | RestartPolicy = True, **kwargs: Any) -> Container:
        """Add a sidecar (a proxy, an agent, a collector) and return it: Kubernetes native-sidecar semantics.

        Sidecars start first, one after another in the order added: each waits for the previous one to be
        ready, the first init container waits for the last sidecar (so a migration can reach the database
        through a proxy sidecar), and so do the ordinary containers when the task has no init container.
        ``ready``: when a sidecar counts as ready, ``Condition.START`` or ``Condition.HEALTHY``; Default None:
        HEALTHY when it has a health check, else START. ``essential``: Default False (its exit does not stop
        the task). ``restart``: Default True: ``RestartPolicy(restart_attempt_period=60)``, ECS restarts it in
        place when it exits, as soon as it has run a minute (the shortest period ECS allows; with ECS's own 300 s
        a sidecar that crashes in its first five minutes would stay down); a ``RestartPolicy(...)`` to tune
        it, False for none. Other keywords as ``add_container``; any
        container may also ``depends_on`` a sidecar.
        """
        path = f"{self.path} › container {name}"
        if "restart_policy" in kwargs:
            raise fail(path, "a sidecar takes restart=, not restart_policy=.",
                       "Write restart=RestartPolicy(...) (or restart=False for none).")
        if not isinstance(restart, bool | RestartPolicy):
            raise fail(path, f"restart must be True, False or RestartPolicy(...), got {restart!r}.",
                       "Write restart=RestartPolicy(restart_attempt_period=60).")
        readiness = None if ready is None else as_ready(ready, path)
        policy = SIDECAR_RESTART if restart is True else restart
        sidecar = self._add(name, image, {**kwargs, "essential": essential, "restart_policy": policy}, init=False)
        sidecar.sidecar = True
        sidecar.ready = readiness
        return sidecar

    def add_init_container(self, name: str, image: str | Token | None = None, **kwargs: Any) -> Container:
        """Add a container that runs to completion before the ordinary containers start.

        Like Kubernetes initContainers, but per task copy: init containers are non-essential, run one
        after another in the order they are added (each waits on the previous with SUCCESS), and every
        ordinary container waits on the last one with SUCCESS. Same keywords as ``add_container``
        except ``essential``.
        """
        if "essential" in kwargs:
            raise fail(f"{self.path} › container {name}",
                       "an init container is never essential, so it takes no essential= keyword.",
                       "Remove essential=, or use add_container for a container that must keep running.")
        return self._add(name, image, {**kwargs, "essential": False}, init=True)

    def _add(self, name: str, image: str | Token | None, kwargs: dict[str, Any], *, init: bool) -> Container:
        refuse_unknown(f"{self.path} › container {name}", kwargs, CONTAINER_KEYWORDS)
        try:
            container = Container(name, image, init=init, task=self, **kwargs)
        except ValidationError as exc:  # re-home the problem under this task's path
            raise ValidationError(
                Problem(p.rule, f"{self.path} › {p.path}" if p.path else self.path, p.message, p.hint)
                for p in exc.problems
            ) from None
        self.containers.append(container)
        return container

    def add_efs_volume(self, name: str, file_system_id: str | Token, root_directory: str | None = None,
                       access_point_id: str | Token | None = None, transit_encryption: bool = True,
                       iam_authorization: bool = False) -> EfsVolume:
        """Add an EFS volume and return it; mount it with ``container.mount(volume, path)``.

        ``file_system_id``: ``fs-…`` or a stack parameter. ``root_directory``: Default None (the root).
        ``access_point_id``: Default None; ``fsap-…`` or a parameter (then leave ``root_directory`` unset).
        ``transit_encryption``: Default True. ``iam_authorization``: Default False; when True the
        task role may mount (and write, unless every mount is read-only) this file system.
        """
        volume = efs_volume(self, name, file_system_id, root_directory, access_point_id, transit_encryption,
                            iam_authorization)
        self.volumes.append(volume)
        return volume

    def add_bind_volume(self, name: str, host_path: str | None = None) -> BindVolume:
        """Add a bind-mount volume and return it. ``host_path``: Default None (a Docker-managed directory
        shared by the task's containers); a path on the container instance works on EC2 only."""
        volume = bind_volume(self, name, host_path)
        self.volumes.append(volume)
        return volume

    def add_ebs_volume(self, name: str) -> EbsVolume:
        """Add an EBS volume configured at launch and return it; mount it with ``container.mount(volume, path)``.
        Every service running the task creates it: ``Service(..., volume_configurations=[ManagedEbsVolume(name,
        size_gib=...)])``."""
        volume = ebs_volume(self, name)
        self.volumes.append(volume)
        return volume

    def add_firelens_router(self, image: str | Token | None = None,
                            type: FirelensType | str = FirelensType.FLUENTBIT, config_file: str | Token | None = None,
                            options: dict[str, Any] | None = None, name: str = "log_router",
                            **kwargs: Any) -> Container:
        """Add the FireLens log router that containers with ``logging=LogConfig.firelens(...)`` log through.

        ``image``: Default AWS for Fluent Bit (``public.ecr.aws/aws-observability/aws-for-fluent-bit:stable``);
        required for ``type="fluentd"``. ``type``: Default fluentbit. ``config_file``: Default None; an S3
        ARN (EC2 only) or a file path in the image. ``options``: Default none. ``name``: Default log_router.
        The router is essential (Default True, as AWS recommends: without it the task's logs are lost),
        reserves 50 MiB (Default ``memory_reservation=50``), logs itself with ``awslogs`` into the task's
        log group, and starts first: every container logging through it waits for it to START, and it
        does not wait on init containers. Other keywords as ``add_container``. Returns the router container.
        """
        image, config = router_config(f"{self.path} › container {name}", image, type, config_file, options)
        router = self.add_container(name, image, **{"memory_reservation": 50, **kwargs})
        router.firelens = config
        return router

    def allow(self, actions: str | list[str], resources: str | Token | list[str | Token] = "*") -> TaskDefinition:
        """Grant the task's own code ``actions`` (``"s3:GetObject"``) on ``resources`` (ARNs).

        Returns the task definition, so calls chain.
        """
        actions = [actions] if isinstance(actions, str) else actions
        resources = [resources] if isinstance(resources, str | Token) else resources
        if not actions or not all(isinstance(a, str) and ":" in a for a in actions):
            raise fail(self.path, f"allow() needs IAM actions such as 's3:GetObject', got {actions!r}.")
        if not resources or not all(isinstance(r, str | Token) for r in resources):
            raise fail(self.path, f"allow() needs resource ARNs (or '*'), got {resources!r}.")
        self.permissions.append((list(actions), list(resources)))
        return self

    @classmethod
    def existing(cls, reference: str | Token, /, *, name: str | None = None,
                 network_mode: NetworkMode | str = NetworkMode.AWSVPC,
                 compatibilities: list[LaunchType | str] | LaunchType | str | None = None,
                 ports: dict[str, Any] | None = None) -> ExistingTaskDefinition:
        """A task definition registered elsewhere, for a ``Service`` to run: ``reference`` is ``"family:revision"``
        (``"web:3"``), a task-definition ARN (``arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3``) or a
        parameter holding either (``stack.parameter("TaskDefinition")``).

        ``name``: the name in the blueprint (paths, the graph); Default: the reference's family, or the
        parameter's name. ``network_mode``: the mode it was registered with; Default ``awsvpc`` (the service gets
        a network configuration and a security group). ``compatibilities``: its launch types; Default
        ``[FARGATE]``. ``ports``: container name → its port(s) (ints or ``PortMapping``), e.g. ``{"app": 8080}``;
        Default none. Name them when a load balancer (``listener.add_target(service)`` picks the only container
        with ports), ``allow_from``, Service Connect (named mappings) or Cloud Map SRV records send traffic to the
        task. No task definition, roles or log group are generated; the rules that need the containers or the
        size are skipped (warning ECS333 says which).
        """
        return ExistingTaskDefinition(reference, name=name, network_mode=network_mode,
                                      compatibilities=compatibilities, ports=ports)

    @property
    def init_containers(self) -> list[Container]:
        return [c for c in self.containers if c.init]

    @property
    def sidecars(self) -> list[Container]:
        """The containers added with ``add_sidecar``, in the order added."""
        return [c for c in self.containers if c.sidecar]

    def container(self, name: str) -> Container | None:
        """The container called ``name``, or None."""
        return next((c for c in self.containers if c.name == name), None)

    def dependencies_of(self, container: Container) -> list[Dependency]:
        """Everything ``container`` waits for: what the user declared plus the implied ordering of the three
        phases (sidecars, one after another, each waiting for the previous to be ready; then the init
        containers, the first waiting for the last sidecar, each the next with SUCCESS; then the ordinary
        containers, waiting for the last init container with SUCCESS, or the last sidecar when there is no
        init container) and the FireLens router's (it starts first, and whoever logs through it waits for it
        to START). A declared dependency on the same container replaces the implied one."""
        implied: list[Dependency] = []
        inits = self.init_containers
        sidecars = self.sidecars
        last_sidecar = ([Dependency(sidecars[-1], sidecars[-1].readiness, reason=SIDECAR_ORDER)]
                        if sidecars else [])
        if container.sidecar:
            index = sidecars.index(container)
            if index > 0:
                implied.append(Dependency(sidecars[index - 1], sidecars[index - 1].readiness, reason=SIDECAR_ORDER))
        elif container.init:
            index = inits.index(container)
            if index > 0:
                implied.append(Dependency(inits[index - 1], Condition.SUCCESS, reason=INIT_ORDER))
            else:
                implied += last_sidecar
        elif inits:
            implied.append(Dependency(inits[-1], Condition.SUCCESS, reason=INIT_ORDER))
        else:
            implied += last_sidecar
        implied = firelens_dependencies(self, container, implied)  # the log router starts first
        declared = {d.target_name for d in container.dependencies}
        return [d for d in implied if d.target_name not in declared] + list(container.dependencies)


#: the keywords TaskDefinition takes besides ``family=`` (its fields a builder method does not fill)
_TASK_KEYWORDS = frozenset(f.name for f in dataclass_fields(TaskDefinition) if f.init) - {"family", "explicit_family"}


@document_parts
class FargateTaskDefinition(TaskDefinition):
    """A task definition for Fargate: awsvpc networking and a size Fargate offers.

    ``cpu``: Default 256 (0.25 vCPU). ``memory``: Default 512 MiB.
    """

    def __init__(self, name: str | None = None, /, cpu: int = 256, memory: int = 512, **kwargs: Any):
        kwargs.setdefault("network_mode", NetworkMode.AWSVPC)
        kwargs.setdefault("compatibilities", [LaunchType.FARGATE])
        super().__init__(name, cpu=cpu, memory=memory, **kwargs)


@document_parts
class Ec2TaskDefinition(TaskDefinition):
    """A task definition for EC2 container instances. ``network_mode``: Default ``bridge``."""

    def __init__(self, name: str | None = None, /, network_mode: NetworkMode | str = NetworkMode.BRIDGE,
                 **kwargs: Any):
        kwargs.setdefault("compatibilities", [LaunchType.EC2])
        super().__init__(name, network_mode=network_mode, **kwargs)


#: what an ``ExistingTaskDefinition``'s containers show as their image: ecsstack does not know it
UNKNOWN_IMAGE = "(the image of the registered task definition)"


@dataclass(eq=False, init=False)
class ExistingTaskDefinition(TaskDefinition):
    """A task definition registered elsewhere (``TaskDefinition.existing(...)``), which a ``Service`` runs as is.

    The stack creates no task definition, roles or log group for it: the service's ``TaskDefinition`` is
    ``reference`` (``family:revision``, a task-definition ARN, or a parameter holding either). ecsstack cannot
    read it, so ``network_mode`` (Default awsvpc) and ``compatibilities`` (Default ``[FARGATE]``) state what it
    was registered with, and ``containers`` holds only the containers named in ``ports=`` with the ports
    they map: what a load balancer, Service Connect or Cloud Map SRV records need. The rules about
    containers, their dependencies, images, logging, secrets, volumes and the task size are not run on it
    (rule ECS333 notes that as a warning).
    """

    #: ``family:revision``, a task-definition ARN, or a parameter (``Parameter``/``Sub``) holding either
    reference: str | Token = ""

    def __init__(self, reference: str | Token, /, *, name: str | None = None,
                 network_mode: NetworkMode | str = NetworkMode.AWSVPC,
                 compatibilities: list[LaunchType | str] | LaunchType | str | None = None,
                 ports: dict[str, Any] | None = None) -> None:
        if not isinstance(reference, str | Token):
            raise fail("task", f"TaskDefinition.existing needs 'family:revision', a task-definition ARN or a "
                       f"parameter, got {reference!r}.", 'Write TaskDefinition.existing("web:3").')
        if name is None:
            name = existing_name(reference)
        if name is None:
            raise fail("task", f"cannot name the existing task definition {reference!r} from its reference.",
                       'Pass name="web" to TaskDefinition.existing(...).')
        for f in dataclass_fields(self):
            setattr(self, f.name, f.default_factory() if f.default_factory is not MISSING else f.default)
        self.family, self.reference, self.network_mode = name, reference, network_mode  # type: ignore[assignment]
        self.compatibilities = [LaunchType.FARGATE] if compatibilities is None else compatibilities  # type: ignore[assignment]
        if ports is None:
            ports = {}
        if not isinstance(ports, dict) or not all(isinstance(k, str) and k for k in ports):
            raise fail(self.path, f"ports must map container names to their ports, got {ports!r}.",
                       'Write ports={"app": 8080} (or {"app": [8080, PortMapping(9090, name="admin")]}).')
        for container_name, mapped in ports.items():
            self._add(container_name, UNKNOWN_IMAGE, {"ports": mapped, "logging": None}, init=False, known=True)
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type (run at construction and before the rules); the reference's shape is a rule."""
        super().normalise()
        if not isinstance(self.reference, str | Token) or not self.reference:
            raise fail(self.path, f"reference must be 'family:revision', a task-definition ARN or a parameter, "
                       f"got {self.reference!r}.", 'Write TaskDefinition.existing("web:3").')
        for name in ("cpu", "memory", "execution_role", "task_role", "ephemeral_storage_gib", "cpu_architecture",
                     "os_family", "log_kms_key"):
            if getattr(self, name) is not None:
                raise fail(self.path, f"{name} is part of the registered task definition; ecsstack does not set it.",
                           f"Leave {name} unset on TaskDefinition.existing(...).")
        if self.overrides or self.volumes or self.permissions or self.explicit_family is not None:
            raise fail(self.path, "overrides, volumes, permissions and family belong to the registered task "
                       "definition; ecsstack does not change it.",
                       "Register a new revision elsewhere and point existing(...) at it, or build the task here.")

    def _add(self, name: str, image: str | Token | None, kwargs: dict[str, Any], *, init: bool,
             known: bool = False) -> Container:
        if not known:
            raise fail(f"{self.path} › container {name}",
                       "is a task definition registered elsewhere (TaskDefinition.existing); its containers are "
                       "its own.", "Build a FargateTaskDefinition(...) here instead, or name the container's ports "
                       'with existing(..., ports={"app": 8080}).')
        return super()._add(name, image, kwargs, init=init)

    def add_efs_volume(self, name: str, *args: Any, **kwargs: Any) -> EfsVolume:
        raise fail(self.path, "is a task definition registered elsewhere; its volumes are its own.",
                   "Build the task here to add volumes.")

    def add_bind_volume(self, name: str, host_path: str | None = None) -> BindVolume:
        raise fail(self.path, "is a task definition registered elsewhere; its volumes are its own.",
                   "Build the task here to add volumes.")

    def allow(self, actions: str | list[str], resources: str | Token | list[str | Token] = "*") -> TaskDefinition:
        raise fail(self.path, "is a task definition registered elsewhere; its task role is its own.",
                   "Grant the permissions to the role the registered task definition names.")


def existing_name(reference: str | Token) -> str | None:
    """The name an existing task definition gets in the blueprint: the family of ``family:revision`` or of an
    ARN, a parameter's name; None when it cannot be told (a ``Sub``)."""
    if isinstance(reference, Parameter):
        return reference.name
    if not isinstance(reference, str) or not reference:
        return None
    tail = reference.rsplit("task-definition/", 1)[-1]
    return tail.split(":", 1)[0] or None
