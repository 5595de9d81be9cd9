"""ecsstack: Python blueprints for Amazon ECS, compiled to validated, deterministic CloudFormation.

The public API is exactly what this module exports: the model's builders and value types
(``ecsstack.model.__all__``), the patterns (``ecsstack.patterns.__all__``) and the errors a user can catch.
"""

from . import model as _model
from . import patterns as _patterns
from .errors import BlueprintError, EcsstackError, Problem, ValidationError
from .model import *  # noqa: F403  (the builders; listed in ecsstack.model.__all__)
from .patterns import *  # noqa: F403  (LoadBalancedWebService, …; listed in ecsstack.patterns.__all__)

__version__ = "0.1.0"

__all__ = ["BlueprintError", "EcsstackError", "Problem", "ValidationError", "__version__", *_model.__all__,
           *_patterns.__all__]
