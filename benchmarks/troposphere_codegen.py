"""Write the plain troposphere script that builds a given CloudFormation template: the baseline the benchmarks
compare ecsstack with. Every resource is a troposphere class, every property type its troposphere property class
(``ecs.Service("WebService", LoadBalancers=[ecs.LoadBalancer(...)], ...)``), intrinsic functions troposphere's
(``Ref``, ``GetAtt``, ``Sub``, ...), policy documents plain dicts. Running the script prints the template as
compact JSON; ``build()`` returns the ``Template``.

    .venv/bin/python benchmarks/troposphere_codegen.py 1 > benchmarks/troposphere_web.py   # N = 1 web stack
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Any

INTRINSICS = {"Ref": "Ref", "Fn::GetAtt": "GetAtt", "Fn::Sub": "Sub", "Fn::Join": "Join", "Fn::Select": "Select",
              "Fn::Split": "Split", "Fn::If": "If", "Fn::Equals": "Equals", "Fn::Not": "Not", "Fn::And": "And",
              "Fn::Or": "Or", "Fn::GetAZs": "GetAZs", "Fn::ImportValue": "ImportValue", "Fn::Base64": "Base64",
              "Fn::FindInMap": "FindInMap", "Fn::Cidr": "Cidr", "Condition": "Condition"}
ATTRIBUTES = ("DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy", "Metadata", "UpdatePolicy",
              "CreationPolicy")


def _resource_classes() -> dict[str, type]:
    import troposphere

    found: dict[str, type] = {}
    for info in pkgutil.iter_modules(troposphere.__path__):
        if info.name.startswith("validators") or info.name in ("template_generator", "utils"):
            continue
        module = importlib.import_module(f"troposphere.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and getattr(value, "resource_type", None) \
                    and value.__module__ == module.__name__:
                found.setdefault(value.resource_type, value)
    return found


class _Writer:
    def __init__(self) -> None:
        self.modules: set[str] = set()
        self.helpers: set[str] = set()

    def cls(self, kind: type) -> str:
        short = kind.__module__.rpartition(".")[2]
        self.modules.add(short)
        return f"{short}.{kind.__name__}"

    def value(self, v: Any, expected: Any = None) -> str:
        from troposphere import AWSProperty

        if isinstance(v, dict) and len(v) == 1 and next(iter(v)) in INTRINSICS:
            (key, arg), = v.items()
            helper = INTRINSICS[key]
            self.helpers.add(helper)
            if key == "Fn::GetAtt":
                return f"GetAtt({arg[0]!r}, {arg[1]!r})"
            if key == "Fn::Sub":
                if isinstance(arg, list):
                    return f"Sub({self.value(arg[0])}, {self.value(arg[1])})"
                return f"Sub({arg!r})"
            if key in ("Ref", "Fn::ImportValue", "Fn::Base64", "Fn::GetAZs", "Condition"):
                return f"{helper}({self.value(arg)})"
            if key in ("Fn::If", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::Equals", "Fn::FindInMap", "Fn::Cidr"):
                return f"{helper}({', '.join(self.value(a) for a in arg)})"
            return f"{helper}(*{self.value(arg)})"
        if isinstance(expected, list) and isinstance(v, list):
            return "[" + ", ".join(self.value(x, expected[0]) for x in v) + "]"
        if isinstance(expected, type) and issubclass(expected, AWSProperty) and isinstance(v, dict):
            return self.construct(expected, v)
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k!r}: {self.value(x)}" for k, x in v.items()) + "}"
        if isinstance(v, list):
            return "[" + ", ".join(self.value(x) for x in v) + "]"
        return repr(v)

    def construct(self, kind: type, props: dict[str, Any], title: str | None = None) -> str:
        args = [repr(title)] if title is not None else []
        for key, value in props.items():
            expected = kind.props.get(key, (None,))[0]
            args.append(f"{key}={self.value(value, expected)}")
        return f"{self.cls(kind)}({', '.join(args)})"


def script(template: dict[str, Any]) -> str:
    """Python source of a troposphere program building ``template``."""
    classes = _resource_classes()
    writer = _Writer()
    body = ["def build() -> Template:", "    t = Template()"]
    if "AWSTemplateFormatVersion" in template:
        body.append(f"    t.set_version({template['AWSTemplateFormatVersion']!r})")
    if "Description" in template:
        body.append(f"    t.set_description({template['Description']!r})")
    for name, props in template.get("Parameters", {}).items():
        body.append(f"    t.add_parameter(Parameter({name!r}, "
                    + ", ".join(f"{k}={writer.value(v)}" for k, v in props.items()) + "))")
    for name, mapping in template.get("Mappings", {}).items():
        body.append(f"    t.add_mapping({name!r}, {writer.value(mapping)})")
    for name, condition in template.get("Conditions", {}).items():
        body.append(f"    t.add_condition({name!r}, {writer.value(condition)})")
    for title, resource in template.get("Resources", {}).items():
        kind = classes[resource["Type"]]
        made = writer.construct(kind, resource.get("Properties", {}), title)
        extra = ", ".join(f"{a}={writer.value(resource[a])}" for a in ATTRIBUTES if a in resource)
        if extra:
            made = made[:-1] + (", " if made[-2] != "(" else "") + extra + ")"
        body.append(f"    t.add_resource({made})")
    for name, output in template.get("Outputs", {}).items():
        args = [f"{k}={writer.value(v)}" for k, v in output.items() if k != "Export"]
        if "Export" in output:
            args.append(f"Export=Export({writer.value(output['Export']['Name'])})")
        body.append(f"    t.add_output(Output({name!r}, {', '.join(args)}))")
    body.append("    return t")
    helpers = sorted(writer.helpers | {"Template", "Parameter", "Output", "Export"})
    head = ["# ruff: noqa  (written by a program: one resource a line, imports as used)",
            '"""A plain troposphere program building the benchmark\'s web stack (written by',
            'benchmarks/troposphere_codegen.py from ecsstack\'s template; the same template, byte for byte)."""',
            "", "import json", "",
            f"from troposphere import {', '.join(helpers)}",
            f"from troposphere import {', '.join(sorted(writer.modules))}", "", ""]
    tail = ["", "", 'if __name__ == "__main__":',
            '    print(json.dumps(build().to_dict(), separators=(",", ":")))']
    return "\n".join(head + body + tail) + "\n"


def main() -> None:
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    from benchmarks.stacks import web_stack
    from ecsstack import synth

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    sys.stdout.write(script(synth(web_stack(n))))


if __name__ == "__main__":
    main()
