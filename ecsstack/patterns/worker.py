"""``QueueWorkerService``: Fargate (Spot) workers draining an SQS queue, scaled on its depth."""

from __future__ import annotations

from typing import Any

from ..model import (
    CapacityProviderStrategy,
    Cluster,
    Container,
    CpuArchitecture,
    ExistingQueue,
    FargateTaskDefinition,
    Metric,
    Parameter,
    Queue,
    ScalingStep,
    Service,
    ServiceScaling,
    Stack,
    Token,
)
from ..model.derived import as_int, fail

__all__ = ["QueueWorkerService"]

#: what a worker may do with its queue, and nothing more
QUEUE_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]


def queue_depth_steps(messages_per_task: int) -> list[ScalingStep]:
    """Remove a task while no message waits; add one while any wait; add five once ``messages_per_task``
    or more wait."""
    steps = [ScalingStep(upper=0, change=-1)]
    if messages_per_task > 1:
        steps += [ScalingStep(lower=1, upper=messages_per_task, change=+1),
                  ScalingStep(lower=messages_per_task, change=+5)]
    else:
        steps.append(ScalingStep(lower=1, change=+1))
    return steps


def spot_strategy(on_demand_base: int) -> list[CapacityProviderStrategy]:
    """The first ``on_demand_base`` tasks on FARGATE, then four of every five on FARGATE_SPOT."""
    return [CapacityProviderStrategy("FARGATE_SPOT", weight=4),
            CapacityProviderStrategy("FARGATE", weight=1, base=on_demand_base)]


class QueueWorkerService:
    """Workers on Fargate draining an SQS queue, scaled on the queue's depth, added to ``stack``.

    Makes (or uses) the queue: ``queue=None`` creates a ``Queue`` with a dead-letter queue, kept when the
    stack is deleted; or pass a ``Queue``, ``Queue.existing(...)``, an ARN, a URL, a name, or a stack
    parameter holding the queue's name. The worker container (named like the service) gets the queue's URL
    as ``QUEUE_URL`` and a task role allowed exactly ``sqs:ReceiveMessage``, ``DeleteMessage``,
    ``ChangeMessageVisibility`` and ``GetQueueAttributes`` on that queue. Everything made is exposed
    (``.queue``, ``.cluster``, ``.task``, ``.container``, ``.service``, ``.scaling``).

    Defaults: ``cpu`` 256; ``memory`` 512; ``cpu_architecture`` None (X86_64); ``min_tasks`` 0 (no cost while the
    queue is empty; a first message starts a task within a few minutes, longer if the queue was idle for hours and
    CloudWatch stopped receiving its metrics); ``max_tasks`` 10; ``desired_count``: left to autoscaling (a new
    service starts with one task); ``messages_per_task`` 100: one task more while any message waits, five more once
    this many wait, one less after ``scale_in_minutes`` (Default 5) with none waiting; ``steps`` to replace those
    steps; ``spot`` True for X86_64 tasks (False for ARM64, which Fargate Spot does not run everywhere): the first
    ``on_demand_base`` (Default 1) tasks on FARGATE, then four of five on FARGATE_SPOT (Spot tasks get two minutes'
    notice: handle SIGTERM, and keep ``stop_timeout``, Default 120 s, above your longest message); ``cluster``: a
    new cluster named like the service; ``visibility_timeout`` of a created queue: Default 30 s (set it above the
    longest processing time). Other keywords (``command=``, ``environment=``, ``secrets=``, …) go to the worker
    container.
    """

    def __init__(self, stack: Stack, name: str, *, image: str | Token, queue: Any = None, cpu: int = 256,
                 memory: int = 512, cpu_architecture: CpuArchitecture | str | None = None, min_tasks: int = 0,
                 max_tasks: int = 10, desired_count: int | Token | None = None, messages_per_task: int = 100,
                 steps: list[ScalingStep] | None = None, scale_in_minutes: int = 5, spot: bool | None = None,
                 on_demand_base: int = 1, cluster: Cluster | None = None, visibility_timeout: int = 30,
                 stop_timeout: int = 120, **container_options: Any) -> None:
        path = f"worker service {name}"
        if not isinstance(stack, Stack):
            raise fail(path, f"the first argument must be the Stack, got {stack!r}.",
                       'Write QueueWorkerService(stack, "worker", image=...).')
        for label, value, low in (("messages_per_task", messages_per_task, 1),
                                  ("scale_in_minutes", scale_in_minutes, 1), ("on_demand_base", on_demand_base, 0)):
            as_int(value, path, label)
            if value < low:
                raise fail(path, f"{label}={value} must be at least {low}.")
        self.queue: Queue | ExistingQueue = self._queue(queue, name, visibility_timeout, path)
        self.cluster: Cluster = cluster if cluster is not None else Cluster(name)
        self.task = FargateTaskDefinition(name, cpu=cpu, memory=memory, cpu_architecture=cpu_architecture)
        if spot is None:
            spot = self.task.cpu_architecture is not CpuArchitecture.ARM64
        environment = {"QUEUE_URL": self.queue.url, **(container_options.pop("environment", None) or {})}
        self.container: Container = self.task.add_container(name, image=image, environment=environment,
                                                            stop_timeout=stop_timeout, **container_options)
        self.task.allow(QUEUE_ACTIONS, self.queue.arn)
        if isinstance(self.queue, Queue) and self.queue.kms_key is not None:
            self.task.allow(["kms:Decrypt"], self.queue.kms_key)  # reading messages the key encrypted
        self.service = Service(name, cluster=self.cluster, task=self.task,
                               desired_count=desired_count,
                               capacity_provider_strategy=spot_strategy(on_demand_base) if spot else None)
        depth = Metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": self.queue.physical_name},
                       statistic="Maximum")
        self.scaling: ServiceScaling = self.service.auto_scale(min_tasks=min_tasks, max_tasks=max_tasks).on_metric(
            "queue-depth", depth, steps if steps is not None else queue_depth_steps(messages_per_task),
            scale_in_evaluation_periods=scale_in_minutes)
        if isinstance(self.queue, Queue):
            stack.add(self.queue)
        stack.add(self.service)

    @staticmethod
    def _queue(queue: Any, name: str, visibility_timeout: int, path: str) -> Queue | ExistingQueue:
        if queue is None:
            return Queue(name, visibility_timeout=visibility_timeout)
        if isinstance(queue, Queue | ExistingQueue):
            return queue
        if isinstance(queue, str | Parameter):
            return Queue.existing(queue)
        raise fail(path, f"queue must be a Queue, an ARN, a URL, a name or a parameter, got {queue!r}.",
                   'Leave it out to create one, or write queue=stack.parameter("QueueName").')
