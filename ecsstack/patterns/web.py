"""``LoadBalancedWebService``: a Fargate service behind an ALB, autoscaled, in about ten lines."""

from __future__ import annotations

from typing import Any

from ..model import (
    ApplicationLoadBalancer,
    Cluster,
    Container,
    Deployment,
    FargateTaskDefinition,
    Listener,
    LoadBalancerTarget,
    Service,
    Stack,
    TargetHealthCheck,
    Token,
    Vpc,
)
from ..model.derived import fail

__all__ = ["LoadBalancedWebService"]


class LoadBalancedWebService:
    """A web app on Fargate behind an Application Load Balancer, scaled on CPU, added to ``stack``.

    Makes (or uses ``cluster=``) a cluster, a Fargate task with one container ``app`` serving ``port``,
    a service, an ALB with an HTTPS listener and an HTTP→HTTPS redirect when ``certificate`` is given
    (else an HTTP listener), its target group, and autoscaling. Everything it makes is exposed
    (``.cluster``, ``.task``, ``.container``, ``.service``, ``.load_balancer``, ``.listener``,
    ``.target``, ``.scaling``) so you can add init containers, sidecars or policies.

    Defaults: ``port`` 8080; ``cpu`` 512; ``memory`` 1024; ``desired_count``: left to autoscaling
    (``min_tasks`` without autoscaling);
    ``certificate`` None (HTTP only); ``min_tasks`` 2; ``max_tasks`` 10 (None: no autoscaling);
    ``cpu_target`` 60 %; ``requests_per_task`` None (no request-count policy); ``vpc`` None (the
    ``VpcId``/``Subnets``/``PublicSubnets`` parameters); ``health_check_path`` ``"/"``; ``public``
    True (internet-facing); ``allow_from`` ``"0.0.0.0/0"``; ``access_logs_bucket`` None (no load balancer
    access logs; an S3 bucket name or parameter turns them on); ``deployment`` None (rolling; a
    ``Deployment.blue_green(...)``, ``.canary(...)`` or ``.linear(...)`` gets the second target group, the
    production rule and the test listener on the ALB); logs: the task's log group. Other keywords
    (``environment=``, ``secrets=``, ``health_check=``, ``stop_timeout=``, …) go to the ``app`` container.
    """

    def __init__(self, stack: Stack, name: str, *, image: str | Token, port: int = 8080, cpu: int = 512,
                 memory: int = 1024, desired_count: int | Token | None = None,
                 certificate: str | Token | None = None, min_tasks: int = 2, max_tasks: int | None = 10,
                 cpu_target: float = 60, requests_per_task: float | None = None, vpc: Vpc | None = None,
                 health_check_path: str = "/", public: bool = True, cluster: Cluster | None = None,
                 allow_from: str | list[str] | Token = "0.0.0.0/0", access_logs_bucket: str | Token | None = None,
                 deployment: Deployment | None = None, **container_options: Any) -> None:
        if not isinstance(stack, Stack):
            raise fail(f"web service {name}", f"the first argument must be the Stack, got {stack!r}.",
                       'Write LoadBalancedWebService(stack, "web", image=...).')
        self.cluster: Cluster = cluster if cluster is not None else Cluster(name)
        self.task: FargateTaskDefinition = FargateTaskDefinition(name, cpu=cpu, memory=memory)
        self.container: Container = self.task.add_container("app", image=image, ports=[port], **container_options)
        if desired_count is None and max_tasks is None:
            desired_count = min_tasks
        self.service: Service = Service(name, cluster=self.cluster, task=self.task, desired_count=desired_count,
                                        vpc=vpc, deployment=deployment)
        self.load_balancer: ApplicationLoadBalancer = ApplicationLoadBalancer(
            name, internet_facing=public, vpc=vpc, allow_from=allow_from, access_logs_bucket=access_logs_bucket)
        if certificate is not None:
            self.listener: Listener = self.load_balancer.listen_https(certificate)
        else:
            self.listener = self.load_balancer.listen_http()
        self.target: LoadBalancerTarget = self.listener.add_target(
            self.service, health_check=TargetHealthCheck(path=health_check_path))
        self.scaling: Any = None
        if max_tasks is not None:
            self.scaling = self.service.auto_scale(min_tasks=min_tasks, max_tasks=max_tasks).on_cpu(cpu_target)
            if requests_per_task is not None:
                self.scaling.on_request_count(self.target, per_target=requests_per_task)
        stack.add(self.service)
