"""Importing this module registers every rule."""

from . import (  # noqa: F401
    alarms,
    capacity,
    containers,
    dependencies,
    discovery,
    loadbalancing,
    logging,
    naming,
    scaling,
    services,
    tasks,
    volumes,
)
