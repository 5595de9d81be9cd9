"""Importing this module registers every rule."""

from . import containers, dependencies, naming, services, tasks  # noqa: F401
