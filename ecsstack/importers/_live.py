"""``ecsstack import service``: a running ECS service, read through boto3 (read-only calls), → the blueprint that
reproduces it: its task definition revision (through the taskdef importer), load balancer wiring, network
configuration and autoscaling, with the account's VPC and subnets as parameters whose defaults are the live ones.

The AWS clients come from the caller (``aws.client("ecs")``: the deploy layer's ``Provider``, with its
timeouts), so this module does no networking of its own."""

from __future__ import annotations

import json
from typing import Any, Protocol

from ._common import ImportFailed, ImportResult, run_blueprint
from ._copilot import _used
from ._plan import Blueprint, overridden, render
from ._source import Call, Raw, statement
from ._taskdef import _Builder, _check_shapes, _header, pruned, task_definition_of

__all__ = ["Clients", "import_service"]


class Clients(Protocol):
    """What hands out boto3 clients (``ecsstack.deploy``'s ``Provider``)."""

    def client(self, service: str) -> Any: ...


def _call(client: Any, method: str, **kwargs: Any) -> dict[str, Any]:
    """One read-only call; any botocore error becomes ``ImportFailed`` naming the call."""
    try:
        return getattr(client, method)(**kwargs)
    except Exception as exc:  # botocore's ClientError, BotoCoreError and their kin
        raise ImportFailed(f"{method} failed: {exc}") from None


class _Live:
    """One import: the AWS answers and the plan they become."""

    def __init__(self, aws: Clients, cluster: str, service: str):
        self.aws, self.cluster_name, self.service_name = aws, cluster, service
        self.warnings: list[str] = []
        self.notes: list[str] = []
        self.lines: list[str] = []  # statements after the service
        self.declarations: list[str] = []  # stack.parameter(...) statements whose value nothing names
        self.params: list[tuple[str, Call]] = []  # the plan's parameters (variable, call)
        self.public_subnets = False

    def service(self) -> dict[str, Any]:
        answer = _call(self.aws.client("ecs"), "describe_services", cluster=self.cluster_name,
                       services=[self.service_name])
        found = [s for s in answer.get("services") or [] if s.get("status") != "INACTIVE"]
        if not found:
            reasons = "; ".join(f"{f.get('arn')}: {f.get('reason')}" for f in answer.get("failures") or [])
            raise ImportFailed(f"no active service {self.service_name!r} in cluster {self.cluster_name!r}"
                               f"{f' ({reasons})' if reasons else ''}; check --cluster, --service and --region.")
        return found[0]

    def task_definition(self, arn: str) -> dict[str, Any]:
        answer = _call(self.aws.client("ecs"), "describe_task_definition", taskDefinition=arn, include=["TAGS"])
        return pruned(task_definition_of(answer))

    # ---- the service's keywords -----------------------------------------------------------------------
    def service_kwargs(self, svc: dict[str, Any], plan: Blueprint) -> dict[str, Any]:
        kw: dict[str, Any] = {}
        if svc.get("schedulingStrategy") == "DAEMON":
            kw["scheduling"] = "DAEMON"
        elif svc.get("desiredCount") is not None:
            kw["desired_count"] = svc["desiredCount"]
        strategy = svc.get("capacityProviderStrategy") or []
        if strategy:
            kw["capacity_provider_strategy"] = [
                Call("CapacityProviderStrategy", [s["capacityProvider"]],
                     {k: s[k] for k in ("weight", "base") if s.get(k) not in (None, 0) or (k == "weight"
                                                                                          and s.get(k) == 0)})
                for s in strategy]
        elif svc.get("launchType") == "EC2" and plan.tasks and plan.tasks[0].cls == "FargateTaskDefinition":
            kw["launch_type"] = "EC2"
        if svc.get("platformVersion") not in (None, "LATEST"):
            kw["platform_version"] = svc["platformVersion"]
        config = svc.get("deploymentConfiguration") or {}
        for key, word, default in (("minimumHealthyPercent", "min_healthy_percent", 100),
                                   ("maximumPercent", "max_percent", 200)):
            if config.get(key) not in (None, default) and svc.get("schedulingStrategy") != "DAEMON":
                kw[word] = config[key]
        breaker = config.get("deploymentCircuitBreaker")
        if breaker is not None and not breaker.get("enable"):
            kw["circuit_breaker"] = False
        elif breaker is not None and not breaker.get("rollback"):
            kw["rollback"] = False
        alarms = config.get("alarms") or {}
        if alarms.get("enable") and alarms.get("alarmNames"):
            kw["rollback_alarms"] = list(alarms["alarmNames"])
        if svc.get("enableExecuteCommand"):
            kw["enable_execute_command"] = True
        if svc.get("healthCheckGracePeriodSeconds"):
            kw["health_check_grace_period"] = svc["healthCheckGracePeriodSeconds"]
        if svc.get("propagateTags") in ("TASK_DEFINITION", "NONE"):
            kw["propagate_tags"] = svc["propagateTags"]
        if svc.get("enableECSManagedTags") is False:
            kw["enable_ecs_managed_tags"] = False
        tags = {t["key"]: t.get("value", "") for t in svc.get("tags") or [] if not t["key"].startswith("aws:")}
        if tags:
            kw["tags"] = tags
        self._network(svc, kw, plan)
        for key, what in (("serviceRegistries", "Cloud Map registrations"),
                          ("serviceConnectConfiguration", "Service Connect"),
                          ("placementConstraints", "placement constraints"),
                          ("placementStrategy", "placement strategy")):
            if svc.get(key):
                self.warnings.append(f"{key}: the service's {what} ({json.dumps(svc[key], default=str)}) are not "
                                     "imported; add them to the Service by hand (see its keywords).")
        return kw

    def _network(self, svc: dict[str, Any], kw: dict[str, Any], plan: Blueprint) -> None:
        awsvpc = (svc.get("networkConfiguration") or {}).get("awsvpcConfiguration")
        if not awsvpc:
            if plan.tasks and plan.tasks[0].cls == "FargateTaskDefinition":
                self.warnings.append("the service's network configuration was not in the answer; the blueprint "
                                     "asks for the Subnets and VpcId parameters at deploy.")
            return
        subnets = list(awsvpc.get("subnets") or [])
        if subnets:
            # the names ecsstack's own parameters have: the service and load balancer use them
            self.declarations += statement(Call("stack.parameter", ["Subnets", "List<AWS::EC2::Subnet::Id>"], {
                "default": ",".join(subnets), "description": "Subnets the tasks run in (Default: the live service's)"}))
            vpc = self._vpc(subnets)
            if vpc:
                self.declarations += statement(Call("stack.parameter", ["VpcId", "AWS::EC2::VPC::Id"], {
                    "default": vpc, "description": "VPC of the service (Default: the live service's)"}))
        groups = list(awsvpc.get("securityGroups") or [])
        if groups:
            kw["security_groups"] = groups
            names = self._group_names(groups)
            if names:
                self.notes.append(f"Security groups kept as the live ones: {names}.")
        if awsvpc.get("assignPublicIp") == "ENABLED":
            kw["assign_public_ip"] = True

    def _vpc(self, subnets: list[str]) -> str | None:
        answer = _call(self.aws.client("ec2"), "describe_subnets", SubnetIds=subnets)
        vpcs = {s.get("VpcId") for s in answer.get("Subnets") or []} - {None}
        return vpcs.pop() if len(vpcs) == 1 else None

    def _group_names(self, groups: list[str]) -> str:
        answer = _call(self.aws.client("ec2"), "describe_security_groups", GroupIds=groups)
        return ", ".join(f"{g['GroupId']} ({g.get('GroupName', '')})" for g in answer.get("SecurityGroups") or [])

    # ---- load balancers -------------------------------------------------------------------------------
    def load_balancers(self, svc: dict[str, Any], plan: Blueprint) -> list[str]:
        """Statements making a load balancer like each live one in front of the service; returns the target
        variables (for request-count scaling), by target group ARN."""
        targets: dict[str, str] = {}
        elb = None
        for i, wiring in enumerate(svc.get("loadBalancers") or []):
            arn = wiring.get("targetGroupArn")
            if not arn:
                self.warnings.append(f"loadBalancers[{i}]: a Classic Load Balancer ({wiring.get('loadBalancerName')}"
                                     "); not imported: move it to an ALB with listener.add_target(service).")
                continue
            elb = elb or self.aws.client("elbv2")
            (group,) = _call(elb, "describe_target_groups", TargetGroupArns=[arn])["TargetGroups"]
            lb_arns = group.get("LoadBalancerArns") or []
            if not lb_arns:
                self.warnings.append(f"target group {group.get('TargetGroupName')}: not attached to a load balancer; "
                                     "not imported.")
                continue
            (lb,) = _call(elb, "describe_load_balancers", LoadBalancerArns=lb_arns[:1])["LoadBalancers"]
            var = f"target_{i + 1}" if i else "target"
            targets[arn] = var
            self._target(elb, wiring, group, lb, var, i)
        return list(targets.values())

    def _target(self, elb: Any, wiring: dict[str, Any], group: dict[str, Any], lb: dict[str, Any], var: str,
                i: int) -> None:
        kind = lb.get("Type", "application")
        suffix = f"_{i + 1}" if i else ""
        lb_var, cls = f"load_balancer{suffix}", ("NetworkLoadBalancer" if kind == "network"
                                                 else "ApplicationLoadBalancer")
        if kind not in ("application", "network"):
            self.warnings.append(f"load balancer {lb.get('LoadBalancerName')}: a {kind} load balancer; not imported.")
            return
        lb_kw: dict[str, Any] = {}
        if lb.get("Scheme") == "internal":
            lb_kw["internet_facing"] = False
        lb_subnets = [z["SubnetId"] for z in lb.get("AvailabilityZones") or [] if z.get("SubnetId")]
        if lb_subnets and lb.get("Scheme") != "internal" and not self.public_subnets:
            self.public_subnets = True
            self.declarations += statement(Call("stack.parameter", ["PublicSubnets", "List<AWS::EC2::Subnet::Id>"], {
                "default": ",".join(lb_subnets),
                "description": "Public subnets of the load balancer (Default: the live load balancer's)"}))
        self.lines += statement(Call(cls, [lb.get("LoadBalancerName", f"lb{suffix}")], lb_kw), head=f"{lb_var} = ")
        listeners = _call(elb, "describe_listeners", LoadBalancerArn=lb["LoadBalancerArn"]).get("Listeners") or []
        listener, rule = self._listener_for(elb, listeners, group["TargetGroupArn"])
        if listener is None:
            self.warnings.append(f"target group {group.get('TargetGroupName')}: no listener of "
                                 f"{lb.get('LoadBalancerName')} forwards to it; the blueprint listens on HTTP 80.")
            listener = {"Port": 80, "Protocol": "HTTP"}
        protocol, port = listener.get("Protocol", "HTTP"), listener.get("Port", 80)
        if protocol == "HTTPS":
            certs = [c["CertificateArn"] for c in listener.get("Certificates") or [] if c.get("CertificateArn")]
            cert = f"certificate{suffix}"
            self.params.append((cert, Call("stack.parameter", [f"Certificate{suffix.replace('_', '')}"], {
                **({"default": certs[0]} if certs else {}),
                "description": "ARN of the ACM certificate the load balancer serves (Default: the live one's)"})))
            listen = Call(f"{lb_var}.listen_https", [Raw(cert)], {} if port == 443 else {"port": port})
        elif kind == "network":
            listen = Call(f"{lb_var}.listen_{'udp' if protocol == 'UDP' else 'tcp'}", [port])
        else:
            listen = Call(f"{lb_var}.listen_http", [] if port == 80 else [port])
        t_kw: dict[str, Any] = {}
        if wiring.get("containerName"):
            t_kw["container"] = wiring["containerName"]
        if wiring.get("containerPort"):
            t_kw["port"] = wiring["containerPort"]
        for field, word in (("path-pattern", "path"), ("host-header", "host")):
            values = [v for c in (rule or {}).get("Conditions") or [] if c.get("Field") == field
                      for v in (c.get("Values") or (c.get(_CONDITION_CONFIG[field]) or {}).get("Values") or [])]
            if values:
                t_kw[word] = values if len(values) > 1 else values[0]
        if rule and str(rule.get("Priority", "")).isdigit():
            t_kw["priority"] = int(rule["Priority"])
        check = self._health_check(group, kind)
        if check is not None:
            t_kw["health_check"] = check
        delay = self._deregistration_delay(elb, group["TargetGroupArn"])
        if delay is not None and delay != 30:
            t_kw["deregistration_delay"] = delay
        self.lines += statement(Call(f"{listen_text(listen)}.add_target", [Raw("service")], t_kw), head=f"{var} = ")
        self.notes.append(f"The live target group {group.get('TargetGroupName')} ({group['TargetGroupArn']}) of "
                          f"{lb.get('LoadBalancerName')}: the blueprint makes a load balancer like it.")

    @staticmethod
    def _listener_for(elb: Any, listeners: list[dict[str, Any]],
                      group_arn: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """The listener that forwards to ``group_arn`` and the rule that does it (None for its default action)."""
        def forwards(actions: list[dict[str, Any]]) -> bool:
            for action in actions or []:
                if action.get("TargetGroupArn") == group_arn:
                    return True
                groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or []
                if any(g.get("TargetGroupArn") == group_arn for g in groups):
                    return True
            return False

        for listener in listeners:
            if forwards(listener.get("DefaultActions")):
                return listener, None
        for listener in listeners:
            if listener.get("Protocol") not in ("HTTP", "HTTPS"):
                continue
            rules = _call(elb, "describe_rules", ListenerArn=listener["ListenerArn"]).get("Rules") or []
            for rule in rules:
                if not rule.get("IsDefault") and forwards(rule.get("Actions")):
                    return listener, rule
        return None, None

    @staticmethod
    def _health_check(group: dict[str, Any], kind: str) -> Call | None:
        kw: dict[str, Any] = {}
        defaults = {"path": "/", "interval": 30, "timeout": 5, "healthy_threshold": 2, "unhealthy_threshold": 3,
                    "matcher": "200-399"}
        values = {"path": group.get("HealthCheckPath"), "interval": group.get("HealthCheckIntervalSeconds"),
                  "timeout": group.get("HealthCheckTimeoutSeconds"),
                  "healthy_threshold": group.get("HealthyThresholdCount"),
                  "unhealthy_threshold": group.get("UnhealthyThresholdCount"),
                  "matcher": (group.get("Matcher") or {}).get("HttpCode")}
        for key, value in values.items():
            if value is not None and value != defaults[key]:
                kw[key] = value
        port = group.get("HealthCheckPort")
        if port and port != "traffic-port" and str(port).isdigit():
            kw["port"] = int(port)
        protocol = group.get("HealthCheckProtocol")
        if protocol and protocol != ("TCP" if kind == "network" else "HTTP"):
            kw["protocol"] = protocol
        if kind == "network":
            kw.pop("path", None)
            kw.pop("matcher", None)
        return Call("TargetHealthCheck", [], kw) if kw else None

    @staticmethod
    def _deregistration_delay(elb: Any, arn: str) -> int | None:
        answer = _call(elb, "describe_target_group_attributes", TargetGroupArn=arn)
        for item in answer.get("Attributes") or []:
            if item.get("Key") == "deregistration_delay.timeout_seconds" and str(item.get("Value", "")).isdigit():
                return int(item["Value"])
        return None

    # ---- autoscaling ----------------------------------------------------------------------------------
    def scaling(self, svc: dict[str, Any], targets: list[str]) -> bool:
        client = self.aws.client("application-autoscaling")
        resource = f"service/{self.cluster_name}/{svc['serviceName']}"
        found = _call(client, "describe_scalable_targets", ServiceNamespace="ecs",
                      ResourceIds=[resource]).get("ScalableTargets") or []
        if not found:
            return False
        target = found[0]
        self.lines += statement(Call("service.auto_scale", [], {"min_tasks": target["MinCapacity"],
                                                                "max_tasks": target["MaxCapacity"]}),
                                head="scaling = ")
        policies = _call(client, "describe_scaling_policies", ServiceNamespace="ecs",
                         ResourceId=resource).get("ScalingPolicies") or []
        for policy in policies:
            config = policy.get("TargetTrackingScalingPolicyConfiguration") or {}
            metric = (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
            cooldowns = {k: config[key] for key, k in (("ScaleInCooldown", "scale_in_cooldown"),
                                                       ("ScaleOutCooldown", "scale_out_cooldown")) if key in config}
            value = config.get("TargetValue")
            if metric == "ECSServiceAverageCPUUtilization":
                self.lines += statement(Call("scaling.on_cpu", [value], cooldowns))
            elif metric == "ECSServiceAverageMemoryUtilization":
                self.lines += statement(Call("scaling.on_memory", [value], cooldowns))
            elif metric == "ALBRequestCountPerTarget" and targets:
                self.lines += statement(Call("scaling.on_request_count", [Raw(targets[0])],
                                             {"per_target": value, **cooldowns}))
            else:
                self.warnings.append(f"scaling policy {policy.get('PolicyName')} ({policy.get('PolicyType')}"
                                     f"{', ' + metric if metric else ''}): not imported; add it with "
                                     "scaling.on_metric(...) or scaling.on_schedule(...).")
        return True



_CONDITION_CONFIG = {"path-pattern": "PathPatternConfig", "host-header": "HostHeaderConfig"}


def listen_text(call: Call) -> str:
    """``lb.listen_http()`` as source (the listener is used once, inline)."""
    from ._source import inline

    return inline(call)


def _adoption(template: dict[str, Any], cluster: str, service: dict[str, Any]) -> list[str]:
    """How to adopt the live cluster and service, with the template's logical IDs."""
    ids = {r["Type"]: k for k, r in template["Resources"].items()
           if r["Type"] in ("AWS::ECS::Cluster", "AWS::ECS::Service")}
    resources = [{"ResourceType": "AWS::ECS::Cluster", "LogicalResourceId": ids.get("AWS::ECS::Cluster", "Cluster"),
                  "ResourceIdentifier": {"ClusterName": cluster}},
                 {"ResourceType": "AWS::ECS::Service", "LogicalResourceId": ids.get("AWS::ECS::Service", "Service"),
                  "ResourceIdentifier": {"ServiceArn": service.get("serviceArn", service["serviceName"]),
                                         "Cluster": service.get("clusterArn", cluster)}}]
    return [
        "Deploying this blueprint as it is runs a copy NEXT TO the live service (side by side): a new cluster, "
        "service, roles and load balancer; move traffic (DNS) to the new load balancer, then delete the old "
        "service. Nothing live is touched.",
        "To ADOPT the live cluster and service instead (CloudFormation resource import):",
        f'  1. name them as they are live: Cluster("main", cluster_name="{cluster}") and '
        f'Service(..., service_name="{service["serviceName"]}");',
        "  2. ecsstack synth this file > full.json, and make import.json from it with only the cluster and the "
        "service, each with \"DeletionPolicy\": \"Retain\" (an import creates nothing, so it can hold only what "
        "exists; the service's task definition, roles and load balancer come in the next deploy);",
        "  3. aws cloudformation create-change-set --change-set-type IMPORT --stack-name <stack> "
        "--change-set-name adopt --template-body file://import.json --resources-to-import file://resources.json, "
        "with this resources.json:",
        *(f"       {line}" for line in json.dumps(resources, indent=2).splitlines()),
        "  4. aws cloudformation execute-change-set --stack-name <stack> --change-set-name adopt; then "
        "`ecsstack deploy` this file: the service moves to the task definition and wiring the stack makes.",
    ]


def _squeeze(lines: list[str]) -> list[str]:
    """``lines`` without leading, trailing or repeated empty lines."""
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return out[:-1] if out and not out[-1] else out


def import_service(aws: Clients, cluster: str, service: str, *, name: str | None = None) -> ImportResult:
    """The blueprint that reproduces the running service ``service`` of ``cluster``, read through ``aws``
    (anything with ``client(name)`` returning boto3 clients) with read-only calls only.

    ``name``: the stack name; Default the service's name. Raises ``ImportFailed`` when the service cannot be
    read or its blueprint does not synthesize."""
    live = _Live(aws, cluster, service)
    svc = live.service()
    td = live.task_definition(svc["taskDefinition"])
    _check_shapes(td)
    builder = _Builder(td, name or svc["serviceName"], frozenset())
    plan = builder.plan()
    if not plan.services:
        raise ImportFailed(f"service {service}: its task definition runs on external instances only (ECS "
                           "Anywhere), which ecsstack does not declare services for.")
    live.params = plan.parameters
    plan.services[0].name = svc["serviceName"]
    plan.services[0].kwargs.update(live.service_kwargs(svc, plan))
    targets = live.load_balancers(svc, plan)
    live.scaling(svc, targets)
    if live.declarations or live.lines:
        plan.extra.append(_used(live.declarations + live.lines))
    if targets and plan.services[0].kwargs.get("security_groups"):
        live.warnings.append("the load balancer the blueprint makes has a security group of its own, which the live "
                             "security groups of the tasks do not admit: add an ingress rule from it, or drop "
                             "security_groups= and let ecsstack make a group that admits it.")
    warnings = live.warnings + builder.warnings
    _header(plan, f"the service {svc['serviceName']} of cluster {cluster}", builder.warnings + live.warnings)
    plan.docstring = (f"The running ECS service {svc['serviceName']} of cluster {cluster} (task definition "
                      f"{svc['taskDefinition'].rsplit('/', 1)[-1]}), imported by `ecsstack import service`.")
    plan.description = f"Imported from the ECS service {svc['serviceName']} of cluster {cluster}"
    notes = list(plan.notes)
    plan.notes = _squeeze([*live.notes, "", *notes])
    source = render(plan)
    template, problems = run_blueprint(source, f"{service}.py")
    if template is None:
        raise ImportFailed("the blueprint written for the service does not synthesize:\n  " + "\n  ".join(problems))
    plan.notes = _squeeze([*_adoption(template, cluster, svc), "", *plan.notes])
    return ImportResult(render(plan), warnings, overridden(plan))
