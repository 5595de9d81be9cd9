"""How a stack splits into nested stacks past CloudFormation's quotas."""

from __future__ import annotations

from dataclasses import dataclass

from ._check import as_int, fail

__all__ = ["Nesting"]


@dataclass
class Nesting:
    """How a stack splits into nested stacks (``AWS::CloudFormation::Stack``) when its template would exceed a
    CloudFormation quota (resources, 200 parameters, 200 outputs, 1 MB).

    Each service (with its task definition, roles, log group, target group, listener rules and scaling) goes, whole,
    to child ``Services<NN>``, ``NN`` = a stable hash (SHA-256) of the service's name modulo ``buckets``: adding or
    removing a service never moves another one. Clusters, VPCs, load balancers, namespaces and anything two
    services share stay in the root and reach the children as parameters.

    ``buckets``: how many children services are spread over (only non-empty ones are made); changing it moves
    services, so pick it once. Default 32. ``max_resources``: the most resources one template may hold, the
    root's and each child's (CloudFormation's quota is 500; a smaller number forces a split earlier). Default 500.
    ``always``: split even when the stack fits in one template (so that growing past the quota later moves
    nothing). Default False.
    """

    buckets: int = 32
    max_resources: int = 500
    always: bool = False

    def __post_init__(self) -> None:
        self.normalise()

    @property
    def path(self) -> str:
        return "nesting"

    def normalise(self) -> None:
        """Check every field's type (range checks are rule ECS955)."""
        as_int(self.buckets, self.path, "buckets")
        as_int(self.max_resources, self.path, "max_resources")
        if not isinstance(self.always, bool):
            raise fail(self.path, f"always must be True or False, got {self.always!r}.")
