"""``ecsstack import copilot``: an AWS Copilot workspace (``copilot/<service>/manifest.yml``) → one blueprint per
service. Load Balanced Web Services become ``LoadBalancedWebService``, Backend Services a service on Service
Connect (behind an internal ALB with ``http:``), Worker Services ``QueueWorkerService``, Scheduled Jobs a
``ScheduledTask``; what has no counterpart is reported item by item, with what to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ._common import ImportFailed, ImportResult, run_blueprint
from ._copilot_service import _used as _used
from ._copilot_task import CONDITIONS as CONDITIONS
from ._copilot_values import schedule_expression
from ._copilot_values import seconds as seconds
from ._copilot_workloads import _Service

__all__ = ["CopilotImport", "import_copilot", "schedule_expression"]

#: workload types with no ECS counterpart here: what to do instead
UNSUPPORTED = {
    "Request-Driven Web Service": "an App Runner service; ecsstack deploys to ECS: import it as a Load Balanced "
                                  "Web Service (change `type:` in the manifest and add `http.path: '/'`) or keep "
                                  "running it with App Runner",
    "Static Site": "an S3 bucket behind CloudFront, not an ECS workload; keep it in its own CloudFormation or CDK "
                   "stack (or any static host)",
}


@dataclass
class CopilotImport:
    """The result of importing a workspace: one ``ImportResult`` per service (by name), and the warnings about
    the workspace as a whole (environments, addons, services that were not imported)."""

    app: str
    blueprints: dict[str, ImportResult] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _load(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ImportFailed(f"{path}: not readable YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ImportFailed(f"{path}: not a Copilot manifest (expected a mapping with name: and type:).")
    return data


def import_copilot(directory: str | Path = ".") -> CopilotImport:
    """Import the Copilot workspace in ``directory`` (or its ``copilot/`` folder): one blueprint per service,
    each checked to synthesize."""
    root = Path(directory)
    if (root / "copilot").is_dir():
        root = root / "copilot"
    if not root.is_dir():
        raise ImportFailed(f"{directory}: no copilot/ directory here.")
    app = root.parent.name or "app"
    workspace = root / ".workspace"
    if workspace.is_file():
        data = yaml.safe_load(workspace.read_text(encoding="utf-8")) or {}
        app = str(data.get("application") or app)
    result = CopilotImport(app)
    environments = sorted(p.name for p in (root / "environments").glob("*") if (p / "manifest.yml").is_file())
    for env in environments:
        manifest = _load(root / "environments" / env / "manifest.yml")
        if manifest.get("http") or manifest.get("cdn") or manifest.get("network"):
            result.warnings.append(f"environment {env}: its VPC, load balancer and CDN settings are the account's "
                                   "infrastructure, not imported; give the blueprints that environment's VPC and "
                                   "subnets as the VpcId and Subnets parameters at deploy.")
    manifests = sorted(p for p in root.glob("*/manifest.yml") if p.parent.name != "environments")
    if not manifests:
        raise ImportFailed(f"{root}: no services (copilot/<service>/manifest.yml) to import.")
    failed: list[str] = []
    for path in manifests:
        try:
            manifest = _load(path)
        except ImportFailed as exc:
            failed.append(f"{path.parent.name}: not imported: {exc}")
            continue
        name = str(manifest.get("name") or path.parent.name)
        kind = manifest.get("type", "")
        if kind in UNSUPPORTED:
            result.warnings.append(f"{name}: a {kind} is {UNSUPPORTED[kind]}; not imported.")
            continue
        if kind == "Environment":
            continue
        if (path.parent / "addons").is_dir():
            files = ", ".join(sorted(p.name for p in (path.parent / "addons").iterdir()))
            result.warnings.append(f"{name}: addons ({files}) are CloudFormation templates Copilot deployed next "
                                   "to the service; deploy them as stacks of their own (aws cloudformation "
                                   "deploy) and pass their outputs to this blueprint as parameters.")
        try:
            service = _Service(app, name, manifest, environments)
            source = service.source()
        except ImportFailed as exc:
            failed.append(f"{name}: not imported: {exc}")
            continue
        except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a manifest shape Copilot would refuse
            failed.append(f"{name}: not imported: {path} has a value of an unexpected shape ({type(exc).__name__}: "
                          f"{exc}); check it against Copilot's manifest reference.")
            continue
        template, problems = run_blueprint(source, f"{name}.py")
        if template is None:
            failed.append(f"{name}: not imported: the blueprint written for it does not synthesize: "
                          f"{'; '.join(problems)}")
            continue
        result.blueprints[name] = ImportResult(source, service.warnings)
    result.warnings += failed
    if failed and not result.blueprints:
        raise ImportFailed("no service could be imported:\n  " + "\n  ".join(failed))
    if (root / "addons").is_dir():
        result.warnings.append("copilot/addons: workspace-level addons are not imported; deploy them as stacks of "
                               "their own.")
    return result
