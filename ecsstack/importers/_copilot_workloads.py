"""The Copilot workload writers: Load Balanced Web, Backend, Worker Service and Scheduled Job."""

from __future__ import annotations

from typing import Any

from ._copilot_task import _TaskParts
from ._copilot_values import _map, _ms, _pascal, _port, schedule_expression, seconds
from ._source import Call, Raw


class _Service(_TaskParts):
    """One service's import: its manifest (environments merged on demand), the lines of build(), the notes."""

    def web(self) -> None:
        http = self.m.get("http")
        if http is False or http is None:
            self.warn("http: false (a Network Load Balancer only): not imported as an NLB; the blueprint still puts "
                      "an ALB in front. Use NetworkLoadBalancer(...).listen_tcp(port).add_target(service) instead.")
            http = {}
        if self.m.get("nlb"):
            self.warn("nlb: the extra Network Load Balancer is not imported; add NetworkLoadBalancer(name)"
                      ".listen_tcp(port).add_target(web.service) for it.")
        image = self.image()
        port = int(_port(_map(self.m.get("image")).get("port", 80))[0])
        task_kw = self.task_kwargs()
        options = self.container_options(self.m, main=True)
        scale = self.scaling()
        kw: dict[str, Any] = {"image": image, "port": port, "cpu": task_kw.pop("cpu"),
                              "memory": task_kw.pop("memory")}
        check = http.get("healthcheck", "/")
        check_path = "/" + str(check if isinstance(check, str) else check.get("path") or "/").lstrip("/")
        if check_path != "/":
            kw["health_check_path"] = check_path
        self._web_scaling(kw, scale)
        if http.get("alias"):
            aliases = http["alias"] if isinstance(http["alias"], list) else [http["alias"]]
            names = [a if isinstance(a, str) else a.get("name") for a in aliases]
            kw["certificate"] = self.parameter("Certificate", None, f"ARN of the ACM certificate for "
                                               f"{', '.join(map(str, names))}")
            self.warn(f"http.alias {', '.join(map(str, names))}: the load balancer serves HTTPS with the "
                      "certificate given as the Certificate parameter; point the DNS names at the "
                      "LoadBalancerDns output (an alias record in Route 53).")
        if http.get("allowed_source_ips"):
            kw["allow_from"] = list(http["allowed_source_ips"])
        if http.get("private") and not http.get("public"):  # Copilot's environment-internal load balancer
            kw["public"] = False
        service_kw = self.service_kwargs()
        if "deployment" in service_kw:
            kw["deployment"] = service_kw.pop("deployment")
        kw.update(options)
        self.emit(Call("LoadBalancedWebService", [Raw("stack"), self.name], kw), head="web = ")
        path = http.get("path", "/")
        if path not in ("/", "", None):
            self.warn(f"http.path {path!r}: the blueprint gives the service a load balancer of its own, so it "
                      "answers on every path; to share one ALB among services, put them in one blueprint and "
                      f"route with listener.add_target(service, path='/{str(path).strip('/')}/*').")
        for key, value in task_kw.items():
            self.emit(value, head=f"web.task.{key} = ")
        for key, value in service_kw.items():
            self.emit(value, head=f"web.service.{key} = ")
        self._spot("web.service", scale)
        if scale["memory"] and scale["max"]:
            self.emit(Call("web.scaling.on_memory", [scale["memory"]]))
        if isinstance(check, dict):
            self._target_check(check, "web")
        self._target_attributes(http, "web.target")
        self.task_extras("web.task", "web.container")
        self.notes.append(f"Copilot's main container {self.name} is the pattern's container `app`.")
        self.emit(Call("stack.output", ["LoadBalancerDns", Call("Attr", [Raw("web.load_balancer"), "DNSName"])],
                       {"description": "Where the service answers"}))

    def _web_scaling(self, kw: dict[str, Any], scale: dict[str, Any]) -> None:
        if scale["min"] is None:
            kw["desired_count"] = scale["desired"] if scale["desired"] is not None else 1
            kw["min_tasks"] = scale["desired"] if isinstance(scale["desired"], int) else 1
            kw["max_tasks"] = None
            return
        kw["min_tasks"], kw["max_tasks"] = scale["min"], scale["max"]
        if scale["cpu"]:
            kw["cpu_target"] = scale["cpu"]
        else:
            self.notes.append("Copilot's count has no cpu_percentage; the pattern scales on CPU at 60 % as well.")
        if scale["requests"]:
            kw["requests_per_task"] = scale["requests"]

    def _spot(self, service: str, scale: dict[str, Any]) -> None:
        if scale["all_spot"]:
            self.emit([Call("CapacityProviderStrategy", ["FARGATE_SPOT"])],
                      head=f"{service}.capacity_provider_strategy = ")
        elif scale["spot_base"] is not None:
            self.emit([Call("CapacityProviderStrategy", ["FARGATE"], {"base": scale["spot_base"], "weight": 0}),
                       Call("CapacityProviderStrategy", ["FARGATE_SPOT"], {"weight": 1})],
                      head=f"{service}.capacity_provider_strategy = ")

    def _target_check(self, check: dict[str, Any], owner: str | None, head: str = "") -> Call:
        kw: dict[str, Any] = {"path": "/" + str(check.get("path") or "/").lstrip("/")}
        for key, word in (("interval", "interval"), ("timeout", "timeout")):
            if key in check:
                kw[word] = seconds(check[key], f"http.healthcheck.{key}")
        for key, word in (("healthy_threshold", "healthy_threshold"), ("unhealthy_threshold", "unhealthy_threshold"),
                          ("port", "port")):
            if key in check:
                kw[word] = int(check[key])
        if "success_codes" in check:
            kw["matcher"] = str(check["success_codes"])
        call = Call("TargetHealthCheck", [], kw)
        if owner:
            self.emit(call, head=f"{owner}.target.health_check = ")
            if "grace_period" in check:
                self.emit(seconds(check["grace_period"], "grace_period"),
                          head=f"{owner}.service.health_check_grace_period = ")
        return call

    def _target_attributes(self, http: dict[str, Any], target: str) -> None:
        if "deregistration_delay" in http:
            self.emit(seconds(http["deregistration_delay"], "http.deregistration_delay"),
                      head=f"{target}.deregistration_delay = ")
        if http.get("stickiness"):
            self.emit(Call(f"{target}.override", ["TargetGroup", {"TargetGroupAttributes": [
                {"Key": "stickiness.enabled", "Value": "true"}, {"Key": "stickiness.type", "Value": "lb_cookie"}]}]))
        if http.get("target_container") not in (None, self.name):
            self.warn(f"http.target_container {http['target_container']}: the load balancer sends traffic to the "
                      "main container; pass container= to listener.add_target to change it.")

    def _plain_task(self, ports: list[Any]) -> tuple[str, str]:
        self.emit(Call("FargateTaskDefinition", [self.name], self.task_kwargs()), head="task = ")
        kw: dict[str, Any] = {"image": self.image()}
        if ports:
            kw["ports"] = ports
        kw.update(self.container_options(self.m, main=True))
        main = self.var(self.name)
        self.emit(Call("task.add_container", [self.name], kw), head=f"{main} = ")
        self.task_extras("task", main)
        return "task", main

    def backend(self) -> None:
        port = _map(self.m.get("image")).get("port")
        ports = [Call("PortMapping", [_port(port)[0]], {"name": "http", "app_protocol": "http"})] if port else []
        self._plain_task(ports)
        namespace = f"{self.app}.local"
        self.emit(Call("Cluster", ["main"], {"service_connect_namespace": Call("Namespace", [namespace])}),
                  head="cluster = ")
        connect = (self.m.get("network") or {}).get("connect")
        sc: dict[str, Any] = {}
        if port:
            alias = connect.get("alias") if isinstance(connect, dict) else None
            sc["ports"] = [Call("ServiceConnectPort", ["http"], {"dns_name": alias})] if alias else ["http"]
        scale = self.scaling()
        kw: dict[str, Any] = {"cluster": Raw("cluster"), "task": Raw("task")}
        if scale["desired"] is not None and scale["min"] is None:
            kw["desired_count"] = scale["desired"]
        kw["service_connect"] = Call("ServiceConnect", [], sc)
        kw.update(self.service_kwargs())
        self.emit(Call("Service", [self.name], kw), head="service = ")
        self._spot("service", scale)
        target = None
        http = self.m.get("http")
        if isinstance(http, dict) and port:
            check = http.get("healthcheck", "/")
            check_call = self._target_check(check if isinstance(check, dict) else {"path": check}, None)
            tkw: dict[str, Any] = {"health_check": check_call}
            if "deregistration_delay" in http:
                tkw["deregistration_delay"] = seconds(http["deregistration_delay"], "http.deregistration_delay")
            self.emit(Call("ApplicationLoadBalancer", [f"{self.name}-internal"], {"internet_facing": False}),
                      head="alb = ")
            self.emit(Call("alb.listen_http().add_target", [Raw("service")], tkw), head="target = ")
            target = "target"
            self._target_attributes({k: v for k, v in http.items() if k != "deregistration_delay"}, "target")
            if http.get("path") not in (None, "/", ""):
                self.warn(f"http.path {http['path']!r}: the internal load balancer is the service's own, so it "
                          "answers on every path.")
            self.emit(Call("stack.output", ["InternalLoadBalancerDns", Call("Attr", [Raw("alb"), "DNSName"])],
                           {"description": "The internal load balancer in front of the service"}))
        self._service_scaling("service", scale, target)
        self.emit(Call("stack.add", [Raw("service")]))
        self.notes.append(f"Other services call this one at http://{self.name}:{_port(port)[0] if port else 80} "
                          f"through Service Connect (namespace {namespace}).")

    def _service_scaling(self, service: str, scale: dict[str, Any], target: str | None) -> None:
        if scale["min"] is None:
            return
        chain = Call(f"{service}.auto_scale", [], {"min_tasks": scale["min"], "max_tasks": scale["max"]})
        var = self.var("scaling")
        self.emit(chain, head=f"{var} = ")
        if scale["cpu"] or not (scale["memory"] or scale["requests"]):
            self.emit(Call(f"{var}.on_cpu", [scale["cpu"] or 70]))
        if scale["memory"]:
            self.emit(Call(f"{var}.on_memory", [scale["memory"]]))
        if scale["requests"]:
            if target:
                self.emit(Call(f"{var}.on_request_count", [Raw(target)], {"per_target": scale["requests"]}))
            else:
                self.warn("count.requests: the service has no load balancer here; scaled on CPU instead.")

    def worker(self) -> None:
        task_kw = self.task_kwargs()
        scale = self.scaling()
        kw: dict[str, Any] = {"image": self.image(), "cpu": task_kw.pop("cpu"), "memory": task_kw.pop("memory")}
        if "cpu_architecture" in task_kw:
            kw["cpu_architecture"] = task_kw.pop("cpu_architecture")
        if scale["min"] is not None:
            kw["min_tasks"], kw["max_tasks"] = scale["min"], scale["max"]
        else:
            desired = scale["desired"] if scale["desired"] is not None else 1
            kw["desired_count"] = desired
            if isinstance(desired, int):
                kw["min_tasks"] = kw["max_tasks"] = max(desired, 1)
            else:
                self.warn("count differs between environments: desired_count is the DesiredCount parameter, "
                          "but the queue-depth scaling keeps between 0 and 10 tasks.")
        delay = scale["queue_delay"]
        if isinstance(delay, dict) and delay.get("acceptable_latency") and delay.get("msg_processing_time"):
            per_task = seconds(delay["acceptable_latency"], "queue_delay.acceptable_latency") / max(
                0.001, _ms(delay["msg_processing_time"]))
            kw["messages_per_task"] = max(1, int(per_task))
        if scale["all_spot"] or scale["spot_base"] is not None:
            kw["spot"] = True
            kw["on_demand_base"] = scale["spot_base"] or 0
        else:
            kw["spot"] = False
        subscribe = self.m.get("subscribe") or {}
        queue = subscribe.get("queue") or {}
        if isinstance(queue, dict) and queue.get("timeout"):
            kw["visibility_timeout"] = seconds(queue["timeout"], "subscribe.queue.timeout")
        kw.update(self.container_options(self.m, main=True))
        if scale["cpu"] or scale["memory"]:
            self.warn("count.cpu_percentage/memory_percentage: the worker scales on the queue's depth; CPU and "
                      "memory policies are added to worker.scaling as well.")
        self.emit(Call("QueueWorkerService", [Raw("stack"), self.name], kw), head="worker = ")
        for key, value in task_kw.items():
            self.emit(value, head=f"worker.task.{key} = ")
        for key, value in self.service_kwargs().items():
            self.emit(value, head=f"worker.service.{key} = ")
        if scale["cpu"]:
            self.emit(Call("worker.scaling.on_cpu", [scale["cpu"]]))
        if scale["memory"]:
            self.emit(Call("worker.scaling.on_memory", [scale["memory"]]))
        self.task_extras("worker.task", "worker.container")
        for topic in subscribe.get("topics") or []:
            self._subscription(topic)

    def _subscription(self, topic: dict[str, Any]) -> None:
        """A Copilot topic subscription: the topic lives in its publisher's stack, so its ARN is a stack
        parameter, and the worker's queue subscribes to it (filter policy included)."""
        name, publisher = str(topic.get("name", "topic")), str(topic.get("service", "service"))
        param = self.parameter(f"{_pascal(publisher)}{_pascal(name)}TopicArn", None,
                               f"ARN of the SNS topic {name} that service {publisher} publishes "
                               f"(Copilot named it <app>-<env>-{publisher}-{name})")
        kw: dict[str, Any] = {}
        if topic.get("filter_policy"):
            kw["filter_policy"] = topic["filter_policy"]
        self.emit(Call("worker.queue.subscribe", [param], kw))
        self.notes.append(f"Topic {name} of {publisher}: pass its ARN as the parameter "
                          f"{_pascal(publisher)}{_pascal(name)}TopicArn.")
        if topic.get("queue"):
            self.warn(f"subscribe.topics {name}.queue: Copilot gave this topic a queue of its own; here it shares "
                      "the worker's queue.")

    def job(self) -> None:
        on = self.m.get("on") or self.m.get(True) or {}  # YAML 1.1 reads a bare `on` key as true
        expression = schedule_expression(on.get("schedule", "none"))
        self._plain_task([])
        self.emit(Call("Cluster", ["main"]), head="cluster = ")
        kw: dict[str, Any] = {"task": Raw("task"), "cluster": Raw("cluster")}
        if expression is None:
            kw["schedule"] = "rate(1 day)"
            kw["enabled"] = False
            self.warn("on.schedule none: the job runs only when started by hand; the schedule is written "
                      "disabled (enabled=False). Run it with `aws ecs run-task` (see the task definition).")
        else:
            kw["schedule"] = expression
        if "retries" in self.m:
            kw["max_retries"] = int(self.m["retries"])
            self.warn(f"retries {self.m['retries']}: Copilot retried failed runs; EventBridge Scheduler retries "
                      "runs it could not start (max_retries). Make the job retry its own work if it fails.")
        if self.m.get("timeout"):
            self.warn(f"timeout {self.m['timeout']}: ECS has no run timeout; make the job stop itself (e.g. "
                      f"`timeout {seconds(self.m['timeout'], 'timeout')}s <command>` in its command).")
        service_kw = self.service_kwargs()
        service_kw.pop("deployment", None)
        kw.update(service_kw)
        scale = self.scaling()
        if scale["all_spot"]:
            kw["capacity_provider_strategy"] = [Call("CapacityProviderStrategy", ["FARGATE_SPOT"])]
        self.emit(Call("ScheduledTask", [self.name], kw), head="job = ")
        self.emit(Call("stack.add", [Raw("job")]))
