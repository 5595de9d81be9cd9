"""Placement strategies and constraints: how ECS picks container instances for a service's tasks (EC2)."""

from __future__ import annotations

from dataclasses import dataclass

from ._check import fail

__all__ = ["PlacementConstraint", "PlacementStrategy"]


@dataclass(frozen=True)
class PlacementStrategy:
    """How ECS picks container instances for a task (EC2 only). Use the constructors:
    ``PlacementStrategy.spread("attribute:ecs.availability-zone")``, ``.binpack("memory")``, ``.random()``.
    """

    type: str
    field: str | None = None

    def __post_init__(self) -> None:
        if self.type not in ("spread", "binpack", "random"):
            raise fail("placement strategy", f"type={self.type!r} is not a placement strategy.",
                       "Use PlacementStrategy.spread(...), .binpack(...) or .random().")

    @classmethod
    def spread(cls, field: str = "attribute:ecs.availability-zone") -> PlacementStrategy:
        """Spread tasks evenly over ``field``. Default: the availability zone."""
        if not isinstance(field, str) or not field:
            raise fail("placement strategy", f"spread() needs a field, got {field!r}.",
                       'Write PlacementStrategy.spread("instanceId") or "attribute:ecs.availability-zone".')
        return cls("spread", field)

    @classmethod
    def binpack(cls, field: str = "memory") -> PlacementStrategy:
        """Pack tasks onto as few instances as possible by ``"cpu"`` or ``"memory"``. Default: memory."""
        if field not in ("cpu", "memory"):
            raise fail("placement strategy", f"binpack() packs by 'cpu' or 'memory', got {field!r}.")
        return cls("binpack", field)

    @classmethod
    def random(cls) -> PlacementStrategy:
        """Place tasks randomly."""
        return cls("random")


@dataclass(frozen=True)
class PlacementConstraint:
    """A rule every container instance running the task must satisfy (EC2 only). Use the constructors:
    ``PlacementConstraint.distinct_instance()`` or ``.member_of("attribute:ecs.instance-type =~ t3.*")``.
    """

    type: str
    expression: str | None = None

    def __post_init__(self) -> None:
        if self.type not in ("distinctInstance", "memberOf"):
            raise fail("placement constraint", f"type={self.type!r} is not a placement constraint.",
                       "Use PlacementConstraint.distinct_instance() or .member_of(expression).")

    @classmethod
    def distinct_instance(cls) -> PlacementConstraint:
        """Each task of the service on a different container instance."""
        return cls("distinctInstance")

    @classmethod
    def member_of(cls, expression: str) -> PlacementConstraint:
        """Only instances matching a cluster query language ``expression``."""
        if not isinstance(expression, str) or not expression.strip():
            raise fail("placement constraint", f"member_of() needs an expression, got {expression!r}.",
                       'Write PlacementConstraint.member_of("attribute:ecs.instance-type =~ t3.*").')
        return cls("memberOf", expression)
