"""Bring your own definitions: task-definition JSON, compose files, Copilot workspaces and running services →
blueprints.

    from ecsstack.importers import import_taskdef, import_compose
    result = import_taskdef(json.load(open("web.json")))
    Path("blueprints/web.py").write_text(result.source)   # a formatted blueprint with build()
    for line in result.warnings: print(line)              # what changed, what is left to you

``ecsstack import taskdef|compose`` is the command-line face of these functions.
"""

from ._common import ImportFailed, ImportResult
from ._compose import MODES, import_compose, load_compose
from ._copilot import CopilotImport, import_copilot
from ._live import import_service
from ._taskdef import import_taskdef, task_definition_of

__all__ = ["MODES", "CopilotImport", "ImportFailed", "ImportResult", "import_compose", "import_copilot",
           "import_service", "import_taskdef", "load_compose", "task_definition_of"]
