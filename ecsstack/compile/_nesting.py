"""Split a compiled template into a root and nested stacks (``AWS::CloudFormation::Stack``).

Works on the finished template (overrides merged), so the invariants check the unsplit template first and then
only the split's wiring (``ecsstack.invariants.nesting``). A group is a child template; ``None`` is the root.
References across templates are rewritten: a child refers to what lives elsewhere through a parameter the root
passes (``Ref X`` → parameter ``X``, ``GetAtt X.Attr`` → parameter ``XAttr``); the root (or another child, through
the root) refers to what lives in a child through that child's outputs (``GetAtt Child.Outputs.X``). A
``DependsOn`` across templates becomes one between the nested stack resources.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any

from ..errors import Problem
from ..model import Cluster, LoadBalancer, Service, Stack
from ..names import logical_id

__all__ = ["MAX_BYTES", "QUOTAS", "bucket_of", "needs_split", "owned_by_service", "quota_problems", "split"]

#: CloudFormation's quotas per template (resources is the stack's ``Nesting.max_resources``)
QUOTAS = {"parameters": 200, "outputs": 200}
#: the largest template CloudFormation takes (from S3): "Template may not exceed 1000000 bytes in size."
MAX_BYTES = 1_000_000
#: GetAtt attributes whose value is a list (passed as a comma-delimited list)
LIST_ATTRIBUTES = frozenset({"SecurityGroups", "LoadBalancerArns", "DnsEntries", "NetworkInterfaceIds",
                             "Ipv6CidrBlocks", "CidrBlockAssociations"})
#: the parameter a child reads the root's stack name from (``AWS::StackName`` in a child is the child's own)
ROOT_STACK_NAME = "RootStackName"
_SUB_NAME = re.compile(r"\$\{(?!!)([^}]+)\}")


def size(template: dict[str, Any]) -> int:
    """The template's size in bytes as ecsstack writes it (sorted keys, two-space indent). Measured exactly only
    when it could come near the quota: the indenting encoder is pure Python, the compact one is not."""
    compact = len(json.dumps(template, sort_keys=True, separators=(",", ":")).encode())
    if compact * 4 < MAX_BYTES:  # indenting never quadruples ecsstack's templates (nesting is shallow)
        return compact
    return len(json.dumps(template, indent=2, sort_keys=True).encode()) + 1


def quota_problems(where: str, template: dict[str, Any], max_resources: int) -> list[Problem]:
    """ECS901: the quotas ``template`` exceeds."""
    counts = {"resources": (len(template.get("Resources", {})), max_resources),
              "parameters": (len(template.get("Parameters", {})), QUOTAS["parameters"]),
              "outputs": (len(template.get("Outputs", {})), QUOTAS["outputs"])}
    hints = {"resources": "A single service this big cannot be split further: move some of its resources "
                          "(sidecars, scaling alarms) to another service, or raise Nesting(max_resources=) up to 500.",
             "parameters": "Declare fewer parameters: stack outputs and parameters stay in the root stack.",
             "outputs": "Declare fewer outputs: stack outputs and parameters stay in the root stack."}
    found = [Problem("ECS901", where, f"compiles to {n} {kind}; a template may hold {limit}.", hints[kind])
             for kind, (n, limit) in counts.items() if n > limit]
    nbytes = size(template)
    if nbytes > MAX_BYTES:
        found.append(Problem("ECS901", where, f"is {nbytes} bytes; CloudFormation takes templates of up to "
                             f"{MAX_BYTES} bytes.", "Split it across more nested stacks (Nesting(buckets=))."))
    return found


def needs_split(template: dict[str, Any], max_resources: int) -> bool:
    """Whether ``template`` exceeds a quota."""
    if len(template.get("Resources", {})) > max_resources:
        return True
    return bool(quota_problems("", template, max_resources))


def bucket_of(name: str, buckets: int) -> int:
    """The child a service named ``name`` goes to: stable across runs, machines and the other services."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % buckets


#: a builder's group is decided by what refers to its resources
PENDING = object()

_SHARED = (Cluster, LoadBalancer, Service, Stack)


def owned_by_service(stack: Stack) -> dict[int, Service]:
    """id(builder) → the one service it belongs to: the service itself and what only it reaches (its task
    definition, target, scaling, queue ...), never a cluster, VPC, load balancer or namespace."""
    from ..model import Ec2Capacity, Namespace, Vpc

    shared = (*_SHARED, Ec2Capacity, Namespace, Vpc)
    owners: dict[int, set[int]] = {}
    by_id: dict[int, Service] = {}
    for service in stack.of_type(Service):
        by_id[id(service)] = service
        seen: set[int] = set()
        todo: list[Any] = [service]
        while todo:
            obj = todo.pop()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            owners.setdefault(id(obj), set()).add(id(service))
            for value in _children(obj):
                if isinstance(value, shared) or id(value) in seen:
                    continue
                todo.append(value)
    return {oid: by_id[next(iter(s))] for oid, s in owners.items() if len(s) == 1}


def _children(obj: Any) -> Iterator[Any]:
    values: list[Any] = []
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        values = [getattr(obj, f.name, None) for f in dataclasses.fields(obj)]
    for value in values:
        yield from _flatten(value)


def _flatten(value: Any) -> Iterator[Any]:
    if isinstance(value, list | tuple | set):
        for v in value:
            yield from _flatten(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _flatten(v)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield value


# ---- references --------------------------------------------------------------------------------------------
def refs(value: Any) -> Iterator[str]:
    """Every logical name ``value`` refers to (Ref, GetAtt, names in Sub), pseudo parameters left out."""
    if isinstance(value, dict):
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref" and isinstance(arg, str):
                if not arg.startswith("AWS::"):
                    yield arg
                return
            if key == "Fn::GetAtt" and isinstance(arg, list) and arg and isinstance(arg[0], str):
                yield arg[0]
                return
            if key == "Fn::Sub":
                text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1] if len(arg) > 1 else {})
                for name in _SUB_NAME.findall(text):
                    base = name.split(".")[0]
                    if base not in variables and not base.startswith("AWS::"):
                        yield base
                for v in variables.values():
                    yield from refs(v)
                return
        for v in value.values():
            yield from refs(v)
    elif isinstance(value, list):
        for v in value:
            yield from refs(v)


def _depends(resource: dict[str, Any]) -> list[str]:
    on = resource.get("DependsOn", [])
    return [on] if isinstance(on, str) else list(on)


class _Split:
    """The rewriting of one split: ``group`` maps each resource to its child (None: the root)."""

    def __init__(self, template: dict[str, Any], group: dict[str, str | None]):
        self.template = template
        self.group = group
        self.params = template.get("Parameters", {})
        self.child_params: dict[str, dict[str, tuple[dict[str, Any], Any]]] = {}  # child → name → (decl, value)
        self.child_outputs: dict[str, dict[str, Any]] = {}  # child → output name → value

    def _param_name(self, target: str, attr: str | None) -> str:
        return target if attr is None else target + re.sub(r"[^A-Za-z0-9]", "", attr)

    def _export(self, target: str, attr: str | None) -> Any:
        """``target`` (in a child) seen from the root: the child's output (made here)."""
        child = self.group[target]
        name = self._param_name(target, attr)
        value: Any = {"Ref": target} if attr is None else {"Fn::GetAtt": [target, attr]}
        listy = attr in LIST_ATTRIBUTES
        self.child_outputs.setdefault(child, {})[name] = {"Fn::Join": [",", value]} if listy else value
        got = {"Fn::GetAtt": [child, f"Outputs.{name}"]}
        return {"Fn::Split": [",", got]} if listy else got

    def _import(self, here: str, target: str, attr: str | None) -> str:
        """``target`` (in the root or another child) seen from child ``here``: a parameter, declared and wired."""
        name = self._param_name(target, attr)
        if target in self.params and attr is None:
            decl = {k: v for k, v in self.params[target].items() if k in ("Type", "NoEcho", "Description")}
            typ = decl["Type"]
            listy = typ.startswith("List<") or typ == "CommaDelimitedList"
        else:
            listy = attr in LIST_ATTRIBUTES
            decl = {"Type": "CommaDelimitedList" if listy else "String"}
        root_view = self.rewrite(None, {"Ref": target} if attr is None else {"Fn::GetAtt": [target, attr]})
        value = {"Fn::Join": [",", root_view]} if listy else root_view
        self.child_params.setdefault(here, {})[name] = (decl, value)
        return name

    def _stack_name(self, here: str) -> str:
        """The root's stack name inside child ``here`` (so that names built from it do not change by the split)."""
        self.child_params.setdefault(here, {})[ROOT_STACK_NAME] = (
            {"Type": "String", "Description": "The root stack's name"}, {"Ref": "AWS::StackName"})
        return ROOT_STACK_NAME

    def _where(self, name: str) -> str | bool | None:
        """The group of ``name``; False for a parameter (which lives in the root)."""
        return False if name in self.params else self.group.get(name)

    def _local(self, here: str | None, name: str) -> bool:
        where = self._where(name)
        return where == here or (where is False and here is None) or (
            name not in self.group and name not in self.params)

    def rewrite(self, here: str | None, value: Any) -> Any:
        """``value`` as written in template ``here`` (None: the root)."""
        if isinstance(value, list):
            return [self.rewrite(here, v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref" and arg == "AWS::StackName" and here is not None:
                return {"Ref": self._stack_name(here)}
            if key == "Ref" and isinstance(arg, str) and not self._local(here, arg):
                return {"Ref": self._import(here, arg, None)} if here is not None else self._export(arg, None)
            if key == "Fn::GetAtt" and isinstance(arg, list) and not self._local(here, arg[0]):
                attr = ".".join(arg[1:]) if len(arg) > 2 else arg[1]
                return {"Ref": self._import(here, arg[0], attr)} if here is not None else self._export(arg[0], attr)
            if key == "Fn::Sub":
                return {"Fn::Sub": self._sub(here, arg)}
        return {k: self.rewrite(here, v) for k, v in value.items()}

    def _sub(self, here: str | None, arg: Any) -> Any:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], dict(arg[1]) if len(arg) > 1 else {})
        variables = {k: self.rewrite(here, v) for k, v in variables.items()}

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "AWS::StackName" and here is not None:
                return "${" + self._stack_name(here) + "}"
            base, _, attr = name.partition(".")
            if base in variables or base.startswith("AWS::") or self._local(here, base):
                return match.group(0)
            if here is not None:
                return "${" + self._import(here, base, attr or None) + "}"
            got = self._export(base, attr or None)
            if "Fn::Split" in got:  # a list inside a string: joined back
                got = got["Fn::Split"][1]
            return "${" + got["Fn::GetAtt"][0] + "." + got["Fn::GetAtt"][1] + "}"

        text = _SUB_NAME.sub(one, text)
        return [text, variables] if variables else text


def split(name: str, template: dict[str, Any], group: dict[str, str | None],
          urls: dict[str, str]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """``template`` split by ``group`` (resource → child logical ID, None: root): the root template and each
    child's, in the order children first appear. ``urls``: child → the TemplateURL the root names."""
    sp = _Split(template, group)
    resources = template["Resources"]
    order: list[str] = []
    for logical in resources:
        child = group.get(logical)
        if child is not None and child not in order:
            order.append(child)
    bodies: dict[str | None, dict[str, Any]] = {None: {}, **{c: {} for c in order}}
    stack_deps: dict[str, set[str]] = {c: set() for c in order}
    for logical, resource in resources.items():
        here = group.get(logical)
        body = {k: sp.rewrite(here, v) for k, v in resource.items() if k != "DependsOn"}
        kept = []
        for dep in _depends(resource):
            there = group.get(dep)
            if there == here:
                kept.append(dep)
            elif here is None:
                kept.append(there)  # a root resource waits for the whole child
            else:
                stack_deps[here].add(dep if there is None else there)
        if here is None:  # a wait already implied by a reference is one cfn-lint warns about (W3005)
            kept = [d for d in kept if d in _depends(resource) or d not in set(refs(body))]
        if kept:
            body["DependsOn"] = sorted(set(kept)) if len(set(kept)) > 1 else kept[0]
        bodies[here][logical] = body
    outputs = {k: {**v, "Value": sp.rewrite(None, v["Value"])} for k, v in template.get("Outputs", {}).items()}
    children: dict[str, dict[str, Any]] = {}
    for child in order:
        declared = sp.child_params.get(child, {})
        doc: dict[str, Any] = {"AWSTemplateFormatVersion": template.get("AWSTemplateFormatVersion", "2010-09-09"),
                               "Description": f"{name}: nested stack {child} (ecsstack)"}
        if declared:
            doc["Parameters"] = {p: decl for p, (decl, _) in sorted(declared.items())}
        doc["Resources"] = bodies[child]
        if sp.child_outputs.get(child):
            doc["Outputs"] = {o: {"Value": v} for o, v in sorted(sp.child_outputs[child].items())}
        children[child] = doc
    root_resources = dict(bodies[None])
    for child in order:
        props: dict[str, Any] = {"TemplateURL": urls[child]}
        declared = sp.child_params.get(child, {})
        if declared:
            props["Parameters"] = {p: value for p, (_, value) in sorted(declared.items())}
        stack_resource: dict[str, Any] = {"Type": "AWS::CloudFormation::Stack", "Properties": props}
        explicit = stack_deps[child] - set(refs(props))
        if explicit:
            stack_resource["DependsOn"] = sorted(explicit)
        root_resources[child] = stack_resource
    root = {k: v for k, v in template.items() if k not in ("Resources", "Outputs")}
    root["Resources"] = root_resources
    if outputs:
        root["Outputs"] = outputs
    return root, children


def service_groups(stack: Stack, template: dict[str, Any], parts: dict[int, tuple[Any, dict[str, str]]],
                   group_of_service: Any, default: Any = None) -> dict[str, str | None]:
    """Each resource's group: a service's own builders' parts go with ``group_of_service(service)``; other
    builders' parts to ``default(builder)`` (None: root); resources no builder made go with what refers to
    them when all of it is in one child, else to the root."""
    owned = owned_by_service(stack)
    group: dict[str, str | None] = {}
    for builder, generated in parts.values():
        service = owned.get(id(builder))
        if service is None and isinstance(getattr(builder, "service", None), Service):
            service = builder.service  # a load balancer target, reached from its listener rather than its service
        target = group_of_service(service) if service is not None else (default(builder) if default else None)
        if target is PENDING:
            continue
        for logical in generated.values():
            group.setdefault(logical, target)
    resources = template["Resources"]
    users: dict[str, set[str]] = {}
    for logical, resource in resources.items():
        for name in {*refs(resource), *_depends(resource)}:
            users.setdefault(name, set()).add(logical)
    # what refers to a resource that has no builder decides where it goes (a security group ingress, a role)
    pending = [r for r in resources if r not in group]
    changed = True
    while pending and changed:
        changed = False
        for logical in list(pending):
            referrers = users.get(logical, set())
            if any(r in pending for r in referrers):
                continue
            where = {group[r] for r in referrers}
            mine = {group.get(n) for n in refs(resources[logical]) if n in group}
            if len(where) == 1:
                group[logical] = where.pop()
            elif not referrers and len(mine - {None}) == 1 and None not in mine:
                group[logical] = (mine - {None}).pop()
            else:
                group[logical] = None
            pending.remove(logical)
            changed = True
    for logical in pending:
        group[logical] = None
    _untangle(resources, group)
    return group


def _untangle(resources: dict[str, Any], group: dict[str, str | None]) -> None:
    """Two children referring to each other would be a circle: move to the root what makes one of those references
    and that nothing of its own child refers to (an ingress rule admitting another service's security group)."""
    def links(logical: str) -> set[str]:
        body = resources[logical]
        return {n for n in (*refs(body), *_depends(body)) if n in resources}

    while True:
        edges: dict[str, dict[str, list[str]]] = {}
        for logical in resources:
            here = group[logical]
            for n in links(logical):
                there = group[n]
                if here is not None and there is not None and there != here:
                    edges.setdefault(here, {}).setdefault(there, []).append(logical)

        def reaches(start: str, goal: str, edges: dict[str, dict[str, list[str]]] = edges) -> bool:
            seen, todo = {start}, [start]
            while todo:
                for nxt in edges.get(todo.pop(), {}):
                    if nxt == goal:
                        return True
                    if nxt not in seen:
                        seen.add(nxt)
                        todo.append(nxt)
            return False

        moved = False
        for here, targets in sorted(edges.items()):
            for there, culprits in sorted(targets.items()):
                if not reaches(there, here):
                    continue
                for logical in culprits:
                    if not any(logical in links(m) for m in resources if group[m] == here and m != logical):
                        group[logical] = None
                        moved = True
        if not moved:
            return


def cycle(template: dict[str, Any]) -> list[str] | None:
    """A circle of dependencies among ``template``'s resources, if any (CloudFormation refuses one)."""
    resources = template["Resources"]
    edges = {r: sorted({n for n in (*refs(body), *_depends(body)) if n in resources}) for r, body in resources.items()}
    state: dict[str, int] = {}
    for start in resources:
        if start in state:
            continue
        stack = [(start, iter(edges[start]))]
        path = [start]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(edges[nxt])))
                path.append(nxt)
    return None


def child_id(prefix: str, index: int, buckets: int) -> str:
    """The logical ID of bucket ``index``: ``Services07`` (zero-padded to the width of ``buckets - 1``)."""
    return logical_id(prefix) + str(index).zfill(max(2, len(str(buckets - 1))))
