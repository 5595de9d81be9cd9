"""ECS clusters (their EC2 capacity and capacity provider associations come in the capacity pass)."""

from __future__ import annotations

from typing import Any

from troposphere import ecs

from ..model import Cluster
from ..names import CLUSTER, logical_id
from . import discovery, settings
from ._context import Context

__all__ = ["compile_cluster"]


def compile_cluster(cluster: Cluster, ctx: Context) -> None:
    """The cluster, with Container Insights set either way and its Service Connect defaults."""
    name = logical_id(cluster.name, CLUSTER)
    ctx.register(cluster, name)
    props: dict[str, Any] = {
        "ClusterSettings": [ecs.ClusterSetting(Name="containerInsights",
                                               Value=settings.container_insights(cluster))],
    }
    if cluster.cluster_name:
        props["ClusterName"] = cluster.cluster_name
    props.update(discovery.cluster_properties(cluster, ctx))
    props.update(settings.cluster_properties(cluster, ctx))
    ctx.add(ecs.Cluster(ctx.part(cluster, "Cluster", name), **props))
