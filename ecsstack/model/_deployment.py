"""How a service's new revision replaces the old one: ECS-native deployment strategies (rolling, blue/green,
canary, linear), their bake times and traffic shifts, and the lifecycle hooks ECS runs on the way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._check import as_bool, as_enum, as_int, as_text, fail
from ._enums import DeploymentStrategy, LifecycleStage
from ._tokens import Token

__all__ = ["TRAFFIC_SHIFTING", "Deployment", "LifecycleHook"]

#: the strategies that shift traffic between two revisions: they need a load balancer or Service Connect, and
#: they are the ones that run lifecycle hooks
TRAFFIC_SHIFTING = frozenset({DeploymentStrategy.BLUE_GREEN, DeploymentStrategy.CANARY, DeploymentStrategy.LINEAR})

_SHOWN = {DeploymentStrategy.ROLLING: "rolling", DeploymentStrategy.BLUE_GREEN: "blue/green",
          DeploymentStrategy.CANARY: "canary", DeploymentStrategy.LINEAR: "linear"}


@dataclass(eq=False)
class LifecycleHook:
    """A Lambda function ECS invokes at ``stages`` of a blue/green, canary or linear deployment; it answers
    ``{"hookStatus": "SUCCEEDED" | "FAILED" | "IN_PROGRESS"}`` and a FAILED answer rolls the deployment back.

    ``function``: the function's ARN, or a stack parameter (or ``Sub``) holding it; ecsstack makes the role ECS
    invokes it with (``lambda:InvokeFunction`` on exactly the hook functions). ``stages``: a list of
    ``LifecycleStage`` (or their names). ``details``: Default None; a mapping ECS passes to every invocation
    (``HookDetails``).
    """

    function: str | Token
    stages: list[LifecycleStage]
    details: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type and bring it to one form (run at construction and before the rules)."""
        where = "lifecycle hook"
        if isinstance(self.function, str):
            if not self.function:
                raise fail(where, "function must be a Lambda function ARN, got an empty string.")
        elif not isinstance(self.function, Token):
            raise fail(where, f"function must be a Lambda function ARN or a stack parameter, got {self.function!r}.",
                       'Write LifecycleHook(function=stack.parameter("CheckFunctionArn"), stages=[...]).')
        if isinstance(self.stages, str | LifecycleStage):
            self.stages = [self.stages]  # type: ignore[list-item]
        if not isinstance(self.stages, list | tuple):
            raise fail(where, f"stages must be a list of LifecycleStage, got {self.stages!r}.",
                       "Write stages=[LifecycleStage.POST_TEST_TRAFFIC_SHIFT].")
        self.stages = [as_enum(LifecycleStage, s, where, "stages") for s in self.stages]
        if self.details is not None and not isinstance(self.details, dict):
            raise fail(where, f"details must be a mapping, got {type(self.details).__name__}.",
                       'Write details={"environment": "production"}.')


@dataclass(eq=False)
class Deployment:
    """How ECS replaces a service's tasks with a new revision. Make one with a factory:
    ``Deployment.rolling()``, ``Deployment.blue_green()``, ``Deployment.canary()`` or ``Deployment.linear()``,
    and pass it as ``Service(..., deployment=...)``.

    Blue/green, canary and linear start the whole new ("green") revision next to the old ("blue") one and shift
    traffic to it: behind a load balancer ecsstack makes the second target group, the production listener rule,
    a test listener on ``test_port`` and the role ECS shifts traffic with; with Service Connect, ECS shifts the
    traffic itself. ``bake_time`` (minutes) is how long blue keeps running once green takes all traffic, so a
    rollback is instant. ``hooks`` are ``LifecycleHook``s ECS runs at the stages they name.
    """

    strategy: DeploymentStrategy = DeploymentStrategy.ROLLING
    #: rolling: tasks that must keep running during a deployment, % of the desired count. Default 100
    min_healthy_percent: int = 100
    #: rolling: tasks that may run during a deployment, % of the desired count. Default 200
    max_percent: int = 200
    #: stop a deployment whose tasks keep failing. Default True
    circuit_breaker: bool = True
    #: with the circuit breaker, roll back to the last deployment that completed. Default True
    rollback: bool = True
    #: minutes both revisions run after the traffic shift. Default None (ECS: 15 for blue/green, canary, linear;
    #: none for rolling)
    bake_time: int | None = None
    #: a load balancer port for test traffic to the green revision. Default None (no test listener)
    test_port: int | None = None
    #: canary: % of production traffic shifted first; linear: % shifted at each step. Default None
    percent: float | None = None
    #: canary: minutes before the rest of the traffic shifts; linear: minutes between steps. Default None
    interval: int | None = None
    #: lifecycle hooks. Default none
    hooks: list[LifecycleHook] = field(default_factory=list)
    #: Service Connect: requests carrying this header reach the new revision as test traffic. Default None
    test_header: str | None = None
    #: Service Connect: only requests whose ``test_header`` has exactly this value. Default None (any value)
    test_header_value: str | None = None

    def __post_init__(self) -> None:
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type and bring it to one form (run at construction and before the rules)."""
        where = "deployment"
        self.strategy = as_enum(DeploymentStrategy, self.strategy, where, "strategy")
        for name in ("min_healthy_percent", "max_percent"):
            as_int(getattr(self, name), where, name)
        for name in ("bake_time", "test_port", "interval"):
            as_int(getattr(self, name), where, name, optional=True)
        for name in ("circuit_breaker", "rollback"):
            as_bool(getattr(self, name), where, name)
        for name in ("test_header", "test_header_value"):
            as_text(getattr(self, name), where, name)
        if self.percent is not None:
            if isinstance(self.percent, bool) or not isinstance(self.percent, int | float):
                raise fail(where, f"percent must be a number, got {self.percent!r}.")
            self.percent = float(self.percent)
        if self.hooks is None:
            self.hooks = []
        if isinstance(self.hooks, LifecycleHook):
            self.hooks = [self.hooks]
        if not isinstance(self.hooks, list | tuple) or not all(isinstance(h, LifecycleHook) for h in self.hooks):
            raise fail(where, f"hooks must be a list of LifecycleHook(...), got {self.hooks!r}.",
                       'Write hooks=[LifecycleHook(function="arn:aws:lambda:...", stages=[...])].')
        self.hooks = list(self.hooks)
        for hook in self.hooks:
            hook.normalise()

    # ---- factories ---------------------------------------------------------------------------------------
    @classmethod
    def rolling(cls, min_healthy_percent: int = 100, max_percent: int = 200, circuit_breaker: bool = True,
                rollback: bool = True, bake_time: int | None = None) -> Deployment:
        """Replace tasks a batch at a time (ECS's default, and ecsstack's without ``deployment=``).

        ``min_healthy_percent``: Default 100. ``max_percent``: Default 200. ``circuit_breaker``: Default True.
        ``rollback``: Default True. ``bake_time``: Default None (no bake time); minutes the old tasks are kept
        after the new ones are healthy.
        """
        return cls(DeploymentStrategy.ROLLING, min_healthy_percent, max_percent, circuit_breaker, rollback,
                   bake_time)

    @classmethod
    def blue_green(cls, bake_time: int | None = None, test_port: int | None = None,
                   hooks: list[LifecycleHook] | None = None, circuit_breaker: bool = True,
                   rollback: bool = True, test_header: str | None = None,
                   test_header_value: str | None = None) -> Deployment:
        """Start the new revision in full, let test traffic reach it, then shift all production traffic at once.

        ``bake_time``: Default None (ECS: 15 minutes). ``test_port``: Default None (no test listener); a port
        on the service's load balancer where test traffic reaches the new revision. ``hooks``: Default none.
        ``circuit_breaker``/``rollback``: Default True. ``test_header``: Default None; with Service Connect, the
        request header (``test_header_value``: Default any value) that sends a request to the new revision.
        """
        return cls(DeploymentStrategy.BLUE_GREEN, circuit_breaker=circuit_breaker, rollback=rollback,
                   bake_time=bake_time, test_port=test_port, hooks=list(hooks or []), test_header=test_header,
                   test_header_value=test_header_value)

    @classmethod
    def canary(cls, percent: float = 5.0, interval: int = 10, bake_time: int | None = None,
               test_port: int | None = None, hooks: list[LifecycleHook] | None = None,
               circuit_breaker: bool = True, rollback: bool = True, test_header: str | None = None,
               test_header_value: str | None = None) -> Deployment:
        """Shift ``percent`` of production traffic to the new revision, wait ``interval`` minutes, shift the rest.

        ``percent``: Default 5.0 (0.1 to 100, in steps of 0.1). ``interval``: Default 10 minutes (0 to 1440).
        ``bake_time``: Default None (ECS: 15 minutes). ``test_port``: Default None (no test listener).
        ``hooks``: Default none. ``circuit_breaker``/``rollback``: Default True. ``test_header`` /
        ``test_header_value``: Default None (as for ``blue_green``).
        """
        return cls(DeploymentStrategy.CANARY, circuit_breaker=circuit_breaker, rollback=rollback,
                   bake_time=bake_time, test_port=test_port, percent=percent, interval=interval,
                   hooks=list(hooks or []), test_header=test_header, test_header_value=test_header_value)

    @classmethod
    def linear(cls, step_percent: float = 10.0, interval: int = 6, bake_time: int | None = None,
               test_port: int | None = None, hooks: list[LifecycleHook] | None = None,
               circuit_breaker: bool = True, rollback: bool = True, test_header: str | None = None,
               test_header_value: str | None = None) -> Deployment:
        """Shift production traffic in steps of ``step_percent``, waiting ``interval`` minutes between steps.

        ``step_percent``: Default 10.0 (3 to 100, in steps of 0.1). ``interval``: Default 6 minutes (0 to 1440).
        ``bake_time``: Default None (ECS: 15 minutes). ``test_port``: Default None (no test listener).
        ``hooks``: Default none. ``circuit_breaker``/``rollback``: Default True. ``test_header`` /
        ``test_header_value``: Default None (as for ``blue_green``).
        """
        return cls(DeploymentStrategy.LINEAR, circuit_breaker=circuit_breaker, rollback=rollback,
                   bake_time=bake_time, test_port=test_port, percent=step_percent, interval=interval,
                   hooks=list(hooks or []), test_header=test_header, test_header_value=test_header_value)

    # ---- facts -------------------------------------------------------------------------------------------
    @property
    def shifts_traffic(self) -> bool:
        """True for blue/green, canary and linear: two revisions run side by side and traffic moves."""
        return self.strategy in TRAFFIC_SHIFTING

    def describe(self) -> str:
        """A one-line summary for pictures and logs: ``canary 10% for 5 min, bake 15 min, test port 9000``."""
        parts = [_SHOWN[self.strategy]]
        if self.strategy is DeploymentStrategy.CANARY and self.percent is not None:
            parts[0] += f" {self.percent:g}% for {self.interval} min"
        if self.strategy is DeploymentStrategy.LINEAR and self.percent is not None:
            parts[0] += f" {self.percent:g}% every {self.interval} min"
        if self.strategy is DeploymentStrategy.ROLLING:
            parts[0] += f" {self.min_healthy_percent}–{self.max_percent}%"
        if self.bake_time is not None:
            parts.append(f"bake {self.bake_time} min")
        if self.test_port is not None:
            parts.append(f"test port {self.test_port}")
        if self.test_header is not None:
            parts.append(f"test header {self.test_header}"
                         + (f"={self.test_header_value}" if self.test_header_value is not None else ""))
        if self.hooks:
            parts.append(f"{len(self.hooks)} hook{'s' if len(self.hooks) > 1 else ''}")
        return ", ".join(parts)
