"""ecsstack: Python blueprints for Amazon ECS, compiled to validated, deterministic CloudFormation.

Everything a user reaches is one hop from here:

- the builders and value types (``Stack``, ``Cluster``, ``FargateTaskDefinition``, ``Service``, …; the list
  is ``ecsstack.model.__all__``) and the patterns (``LoadBalancedWebService``, ``QueueWorkerService``);
- the verbs over a stack: ``problems``, ``validate``, ``synth`` (template as plain data), ``parts`` (what
  ``override()`` reaches),
  ``synth_with_warnings``, ``to_json``, ``to_yaml``; ``draw`` (a picture: text, mermaid or dot);
- around them: ``load_blueprint`` (a blueprint file's stack), ``lint_template`` (cfn-lint on a template)
  and ``ecsstack.deploy`` (``deploy.deploy``, ``deploy.diff``, ``deploy.destroy``, ``deploy.status``,
  ``deploy.outputs``: boto3, loaded on first use);
- the errors a user can catch: ``EcsstackError``, ``ValidationError`` (with ``.problems``),
  ``BlueprintError``, and ``Problem``.

``import ecsstack`` loads neither boto3 nor cfn-lint.
"""

from importlib import import_module
from typing import Any

from . import _lazy  # noqa: F401  (first: troposphere's YAML tooling loads on first use)
from . import model as _model
from . import patterns as _patterns
from .errors import BlueprintError, EcsstackError, Problem, ValidationError
from .model import *  # noqa: F403  (the builders; listed in ecsstack.model.__all__)
from .patterns import *  # noqa: F403  (LoadBalancedWebService, …; listed in ecsstack.patterns.__all__)
from .pipeline import Assembly, assemble, parts, problems, synth, synth_with_warnings, to_json, to_yaml, validate

__version__ = "0.1.0"

#: names that load their module on first use (so that `import ecsstack` stays light)
_LAZY = {"deploy": ("ecsstack.deploy", None), "draw": ("ecsstack.graph", "render"),
         "lint_template": ("ecsstack.lint", "lint_template"), "load_blueprint": ("ecsstack.loader", "load_blueprint")}

__all__ = ["Assembly", "BlueprintError", "EcsstackError", "Problem", "ValidationError", "__version__", "assemble",
           "parts", "problems", "synth",
           "synth_with_warnings", "to_json", "to_yaml", "validate", *_LAZY, *_model.__all__, *_patterns.__all__]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'ecsstack' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
