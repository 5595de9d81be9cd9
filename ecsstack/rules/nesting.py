"""How a stack splits into nested stacks: the ``Nesting`` settings are in range."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ._registry import Index, Rule, rule

#: buckets: the root holds one nested stack per bucket next to the shared resources
BUCKETS_RANGE = (1, 100)
#: max_resources: CloudFormation's quota is 500; below 20 a single service rarely fits
MAX_RESOURCES_RANGE = (20, 500)


@rule("ECS955", "Nesting(buckets=) is 1 to 100 and Nesting(max_resources=) 20 to 500")
def _nesting(ix: Index, r: Rule) -> Iterator[Problem]:
    nesting = ix.stack.nesting
    for field, value, (low, high) in (("buckets", nesting.buckets, BUCKETS_RANGE),
                                      ("max_resources", nesting.max_resources, MAX_RESOURCES_RANGE)):
        if not low <= value <= high:
            yield r.problem(f"{ix.stack.path} › nesting", f"{field}={value} is outside {low} to {high}.",
                            f"Use Nesting({field}=) from {low} to {high}"
                            + (" (CloudFormation's quota is 500)." if field == "max_resources" else "."))
