"""Load balancers in front of services: ALB (HTTP/HTTPS, path and host routing) and NLB (TCP/UDP)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._check import as_bool, as_enum, as_int, as_overrides, as_str_list, as_text, fail
from ._container import Container
from ._enums import ListenerProtocol, TargetType
from ._network import SubnetGroup, Vpc
from ._overrides import Overridable, Part, document_parts
from ._service import Service
from ._tokens import Token

if TYPE_CHECKING:
    from ._stack import Stack

__all__ = [
    "ApplicationLoadBalancer", "Listener", "LoadBalancer", "LoadBalancerTarget", "NetworkLoadBalancer",
    "TargetHealthCheck", "load_balancers_of", "targets_of",
]




@dataclass(frozen=True)
class TargetHealthCheck:
    """How the load balancer decides a task is healthy.

    ``path``: Default ``"/"`` (HTTP checks only). ``interval``: Default 30 s. ``timeout``: Default 5 s.
    ``healthy_threshold``: Default 2. ``unhealthy_threshold``: Default 3. ``matcher``: Default
    ``"200-399"`` (HTTP codes). ``port``: Default: the port traffic goes to. ``protocol``: Default HTTP
    behind an ALB, TCP behind an NLB.
    """

    path: str = "/"
    interval: int = 30
    timeout: int = 5
    healthy_threshold: int = 2
    unhealthy_threshold: int = 3
    matcher: str = "200-399"
    port: int | None = None
    protocol: str | None = None

    def __post_init__(self) -> None:
        where = "target health check"
        if not isinstance(self.path, str):
            raise fail(where, f"path must be a string such as '/health', got {self.path!r}.", 'Write path="/health".')
        for name in ("interval", "timeout", "healthy_threshold", "unhealthy_threshold"):
            as_int(getattr(self, name), where, name)
        as_int(self.port, where, "port", optional=True)
        if self.protocol is not None:
            object.__setattr__(self, "protocol", as_enum(ListenerProtocol, self.protocol, where, "protocol").value)


@document_parts
@dataclass(eq=False)
class LoadBalancerTarget(Overridable):
    """A service behind a listener: compiled to a target group (plus a listener rule for path/host).

    Create it with ``listener.add_target(service, ...)``.
    """

    PARTS = (
        Part("TargetGroup", "AWS::ElasticLoadBalancingV2::TargetGroup", "the target group"),
        Part("ListenerRule", "AWS::ElasticLoadBalancingV2::ListenerRule", "the rule routing to it",
             when="with path= or host=, or (a catch-all production rule) for a default target whose service "
                  "shifts traffic (blue/green, canary, linear)"),
        Part("GreenTargetGroup", "AWS::ElasticLoadBalancingV2::TargetGroup",
             "the second target group a traffic-shifting deployment moves traffic to",
             when="when the service deploys blue/green, canary or linear"),
        Part("TestListener", "AWS::ElasticLoadBalancingV2::Listener", "the test listener on the deployment's test_port",
             when="when the service's deployment has a test_port"),
        Part("TestListenerRule", "AWS::ElasticLoadBalancingV2::ListenerRule", "the test listener's rule",
             when="when the service's deployment has a test_port behind an application load balancer"),
    )

    listener: Listener
    service: Service
    container_name: str | None = None
    port: int | None = None
    paths: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    priority: int | None = None
    health_check: TargetHealthCheck = field(default_factory=TargetHealthCheck)
    deregistration_delay: int = 30
    target_type: TargetType | None = None
    #: raw CloudFormation merged into each generated part (``override()``). Default: none
    part_overrides: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)

    def normalise(self) -> None:
        """Check the fields ``add_target`` does not (run before the rules)."""
        self._normalise_part_overrides()

    @property
    def load_balancer(self) -> LoadBalancer:
        return self.listener.load_balancer

    @property
    def path(self) -> str:
        """``service web › load balancer public › listener 443``."""
        return f"service {self.service.name} › {self.listener.path}"

    @property
    def is_default(self) -> bool:
        """True when the target takes whatever no rule matches (no path and no host)."""
        return not self.paths and not self.hosts

    @property
    def container(self) -> Container | None:
        """The container traffic goes to: the one named, else the task's only essential container
        with ports; None when that is not clear (validation says why)."""
        members = self.service.task.containers
        if self.container_name is not None:
            return next((c for c in members if c.name == self.container_name), None)
        candidates = [c for c in members if c.essential and c.ports]
        return candidates[0] if len(candidates) == 1 else None

    @property
    def container_port(self) -> int | None:
        """The port traffic goes to: ``port``, else the container's first port mapping."""
        if self.port is not None:
            return self.port
        container = self.container
        if container is None or not container.ports:
            return None
        return container.ports[0].container_port


@document_parts
@dataclass(eq=False)
class Listener(Overridable):
    """A port a load balancer listens on. Create it with ``alb.listen_http()``, ``alb.listen_https()``
    or ``nlb.listen_tcp(port)``.

    Traffic that matches no path/host rule goes to the first target added without ``path``/``host``,
    or gets a fixed 404 when there is none.
    """

    PARTS = (Part("Listener", "AWS::ElasticLoadBalancingV2::Listener", "the listener"),)

    load_balancer: LoadBalancer
    port: int
    protocol: ListenerProtocol
    certificate: str | Token | None = None
    ssl_policy: str | None = None
    redirect_to: int | None = None
    targets: list[LoadBalancerTarget] = field(default_factory=list, repr=False)
    #: raw CloudFormation merged into each generated part (``override()``). Default: none
    part_overrides: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)

    def normalise(self) -> None:
        """Check the fields the listen methods do not (run before the rules)."""
        self._normalise_part_overrides()

    @property
    def path(self) -> str:
        return f"{self.load_balancer.path} › listener {self.port}"

    @property
    def default_target(self) -> LoadBalancerTarget | None:
        """The first target without path/host: it takes what no rule matches."""
        return next((t for t in self.targets if t.is_default), None)

    def rule_priorities(self) -> list[tuple[LoadBalancerTarget, int]]:
        """Each path/host target with its rule priority: the one given, else 10, 20, … in the order
        added (skipping numbers already taken), so adding a target never renumbers the others."""
        routed = [t for t in self.targets if not t.is_default]
        taken = {t.priority for t in routed if isinstance(t.priority, int)}
        out: list[tuple[LoadBalancerTarget, int]] = []
        for index, target in enumerate(routed, 1):
            priority = target.priority
            if not isinstance(priority, int):
                priority = 10 * index
                while priority in taken:
                    priority += 1
                taken.add(priority)
            out.append((target, priority))
        return out

    def add_target(self, service: Service, container: Container | str | None = None, port: int | None = None,
                   path: str | list[str] | None = None, host: str | list[str] | None = None,
                   priority: int | None = None, health_check: TargetHealthCheck | None = None,
                   deregistration_delay: int = 30,
                   target_type: TargetType | str | None = None) -> LoadBalancerTarget:
        """Send this listener's traffic to ``service``; returns the target.

        ``container``: Default: the task's only essential container with ports. ``port``: Default: that
        container's first port. ``path``/``host``: route only matching requests (ALB; ``"/api/*"``,
        ``"api.example.com"``); Default: the listener's default target. ``priority``: Default: rules are
        numbered in the order targets are added (10, 20, …), so add the most specific first.
        ``health_check``: Default ``TargetHealthCheck()``. ``deregistration_delay``: Default 30 s.
        ``target_type``: Default ``ip`` for awsvpc tasks, ``instance`` for bridge/host.
        """
        where = f"{self.path} › target"
        if not isinstance(service, Service):
            raise fail(where, f"add_target needs a Service(...), got {service!r}.")
        where = f"{self.path} › target {service.name}"
        if self.redirect_to is not None:
            raise fail(where, f"listener {self.port} only redirects to {self.redirect_to}; it forwards nothing.",
                       f"Add the target to the listener on port {self.redirect_to}.")
        if isinstance(container, Container):
            container = container.name
        if container is not None and not isinstance(container, str):
            raise fail(where, f"container must be a Container or its name, got {container!r}.")
        as_int(port, where, "port", optional=True)
        as_int(priority, where, "priority", optional=True)
        as_int(deregistration_delay, where, "deregistration_delay")
        paths = _strings(path, where, "path")
        hosts = _strings(host, where, "host")
        if (paths or hosts) and self.load_balancer.kind == "network":
            raise fail(where, "a Network Load Balancer routes by port only; it takes no path= or host=.",
                       "Remove path=/host=, or use an ApplicationLoadBalancer.")
        if health_check is None:
            health_check = TargetHealthCheck()
        if not isinstance(health_check, TargetHealthCheck):
            raise fail(where, f"health_check must be TargetHealthCheck(...), got {health_check!r}.")
        if target_type is not None:
            target_type = as_enum(TargetType, target_type, where, "target_type")
        target = LoadBalancerTarget(self, service, container, port, paths, hosts, priority, health_check,
                                    deregistration_delay, target_type)
        self.targets.append(target)
        if not any(a is self.load_balancer for a in service.attachments):
            service.attachments.append(self.load_balancer)  # adding the service brings its load balancer
        return target


def _strings(value: Any, where: str, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    values = as_str_list(value, where, name, token_ok=False) or []
    if not all(values):
        raise fail(where, f"{name} must not be empty.")
    return values


@document_parts
@dataclass(eq=False)
class LoadBalancer(Overridable):
    """What application and network load balancers share. Use ``ApplicationLoadBalancer`` or
    ``NetworkLoadBalancer``."""

    PARTS = (
        Part("LoadBalancer", "AWS::ElasticLoadBalancingV2::LoadBalancer", "the load balancer"),
        Part("SecurityGroup", "AWS::EC2::SecurityGroup", "its security group"),
        Part("Listener", "AWS::ElasticLoadBalancingV2::Listener", "a listener (the HTTP redirect too)",
             each="port"),
    )

    name: str
    internet_facing: bool = True
    vpc: Vpc | None = None
    allow_from: list[str] | str | Token = "0.0.0.0/0"
    subnets: list[str | Token] | Token | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    access_logs_bucket: str | Token | None = None
    access_logs_prefix: str | None = None
    listeners: list[Listener] = field(default_factory=list, init=False, repr=False)

    kind = "application"
    #: raw CloudFormation merged into each generated part (``override()``). Default: none
    part_overrides: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type and bring it to one form (run at construction and before the rules)."""
        if not isinstance(self.name, str) or not self.name:
            raise fail("load balancer", f"a load balancer needs a name, got {self.name!r}.")
        path = self.path
        self.internet_facing = as_bool(self.internet_facing, path, "internet_facing")
        if self.vpc is not None and not isinstance(self.vpc, Vpc):
            raise fail(path, f"vpc must be a Vpc(...), got {self.vpc!r}.",
                       "Leave it out to use the VpcId stack parameter.")
        if self.vpc is None and isinstance(self.subnets, SubnetGroup):
            self.vpc = self.subnets.vpc
        if isinstance(self.allow_from, str | Token):
            self.allow_from = [self.allow_from]
        self.allow_from = as_str_list(self.allow_from, path, "allow_from") or []
        if self.subnets is not None and not isinstance(self.subnets, Token):
            self.subnets = as_str_list(self.subnets, path, "subnets")
        as_text(self.access_logs_bucket, path, "access_logs_bucket", token_ok=True)
        as_text(self.access_logs_prefix, path, "access_logs_prefix")
        if self.access_logs_bucket is not None and self.kind == "network":
            raise fail(path, "a Network Load Balancer writes access logs for TLS listeners only, and its "
                       "listeners here are TCP/UDP.",
                       "Leave access_logs_bucket out, or use an ApplicationLoadBalancer.")
        if self.access_logs_prefix is not None and self.access_logs_bucket is None:
            raise fail(path, "access_logs_prefix is given without access_logs_bucket.",
                       "Add access_logs_bucket=<the bucket's name>, or leave the prefix out.")
        if self.access_logs_prefix is not None and (self.access_logs_prefix.startswith("/")
                                                    or "AWSLogs" in self.access_logs_prefix):
            raise fail(path, f"access_logs_prefix={self.access_logs_prefix!r} must not start with '/' or "
                       "contain 'AWSLogs' (the load balancer adds AWSLogs/<account>/ itself).",
                       'Write access_logs_prefix="alb/web".')
        self.overrides = as_overrides(self.overrides, path)
        self._normalise_part_overrides()

    @property
    def path(self) -> str:
        return f"load balancer {self.name}"

    @property
    def targets(self) -> list[LoadBalancerTarget]:
        return [t for listener in self.listeners for t in listener.targets]

    def related(self) -> list[object]:
        """What a stack must hold for this load balancer: its VPC, if created."""
        return [self.vpc] if self.vpc is not None else []

    def _listen(self, port: Any, protocol: ListenerProtocol, **kwargs: Any) -> Listener:
        as_int(port, self.path, "port")
        listener = Listener(self, port, protocol, **kwargs)
        self.listeners.append(listener)
        return listener


@document_parts
class ApplicationLoadBalancer(LoadBalancer):
    """An Application Load Balancer with its own security group admitting its listener ports from
    ``allow_from`` only.

    ``internet_facing``: Default True. ``vpc``: Default: the ``VpcId`` stack parameter. ``allow_from``:
    Default ``"0.0.0.0/0"`` (CIDR or list of CIDRs). ``subnets``: Default: a created VPC's public (or,
    internal, private) subnets, else stack parameter ``PublicSubnets`` (``Subnets`` when internal).
    ``access_logs_bucket``: the S3 bucket (name or parameter) the load balancer writes its access logs
    to, under ``access_logs_prefix`` (Default: the bucket's root); Default None: no access logs. The
    bucket must be in the stack's region, encrypted with SSE-S3, with a policy letting Elastic Load
    Balancing write to it.
    """

    kind = "application"

    def listen_http(self, port: int = 80) -> Listener:
        """An HTTP listener. ``port``: Default 80."""
        return self._listen(port, ListenerProtocol.HTTP)

    def listen_https(self, certificate: str | Token | None = None, port: int = 443, redirect_http: bool = True,
                     ssl_policy: str = "ELBSecurityPolicy-TLS13-1-2-2021-06") -> Listener:
        """An HTTPS listener with ``certificate`` (an ACM certificate ARN or a stack parameter).

        ``port``: Default 443. ``redirect_http``: Default True (port 80 answers with a 301 to HTTPS).
        ``ssl_policy``: Default ``ELBSecurityPolicy-TLS13-1-2-2021-06``.
        """
        if certificate is not None and not isinstance(certificate, str | Token):
            raise fail(self.path, f"certificate must be an ACM certificate ARN or a stack parameter, got "
                       f"{certificate!r}.", 'Write certificate=stack.parameter("CertificateArn").')
        as_bool(redirect_http, self.path, "redirect_http")
        listener = self._listen(port, ListenerProtocol.HTTPS, certificate=certificate, ssl_policy=ssl_policy)
        if redirect_http:
            self._listen(80, ListenerProtocol.HTTP, redirect_to=port)
        return listener


@document_parts
class NetworkLoadBalancer(LoadBalancer):
    """A Network Load Balancer for TCP/UDP services, with a security group admitting its listener ports
    from ``allow_from`` only. Same defaults as ``ApplicationLoadBalancer``."""

    kind = "network"

    def listen_tcp(self, port: int) -> Listener:
        """A TCP listener on ``port``."""
        return self._listen(port, ListenerProtocol.TCP)

    def listen_udp(self, port: int) -> Listener:
        """A UDP listener on ``port`` (targets need a TCP ``health_check=TargetHealthCheck(port=...)``)."""
        return self._listen(port, ListenerProtocol.UDP)


def load_balancers_of(stack: Stack) -> list[LoadBalancer]:
    """Every load balancer of ``stack``: those added, then those its services are attached to."""
    return list(stack.remembered("load balancers", lambda: _load_balancers(stack)))


def _load_balancers(stack: Stack) -> list[LoadBalancer]:
    out: list[LoadBalancer] = list(stack.of_type(LoadBalancer))
    seen = {id(lb) for lb in out}
    for service in stack.of_type(Service):
        for used in service.attachments:
            if isinstance(used, LoadBalancer) and id(used) not in seen:
                seen.add(id(used))
                out.append(used)
    return out


def targets_of(stack: Stack, service: Service) -> list[LoadBalancerTarget]:
    """The load balancer targets that send traffic to ``service``, in stack order."""
    if getattr(stack, "_memo", None) is None:  # not unchanging(): scan
        return [t for lb in load_balancers_of(stack) for t in lb.targets if t.service is service]

    def by_service() -> dict[int, list[LoadBalancerTarget]]:
        found: dict[int, list[LoadBalancerTarget]] = {}
        for lb in load_balancers_of(stack):
            for t in lb.targets:
                found.setdefault(id(t.service), []).append(t)
        return found

    return list(stack.remembered("targets by service", by_service).get(id(service), []))
