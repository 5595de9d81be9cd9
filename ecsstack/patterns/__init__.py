"""Patterns: a few lines for a production-shaped service, built only from the model's pieces."""

from .web import LoadBalancedWebService
from .worker import QueueWorkerService

__all__ = ["LoadBalancedWebService", "QueueWorkerService"]
