"""`ecsstack graph`: the whole stack, load balancer → listener → services → tasks → containers."""

from __future__ import annotations

import textwrap
from pathlib import Path

from click.testing import CliRunner

from ecsstack.cli import main
from ecsstack.graph import render

SHOP = """
from ecsstack import *

def build():
    stack = Stack("shop")
    vpc = Vpc("main")
    cluster = Cluster("main", service_connect_namespace=Namespace("internal", vpc=vpc))
    web = FargateTaskDefinition("web")
    web.add_init_container("migrate", image="web:1", command=["migrate"])
    side = web.add_container("side", image="otel", essential=False,
                             health_check=HealthCheck(["CMD", "true"]))
    app = web.add_container("app", image="web:1", ports=[PortMapping(8080, name="http")])
    app.depends_on(side, Condition.HEALTHY)
    api = FargateTaskDefinition("api")
    api.add_container("app", image="api:1", ports=[PortMapping(9000, name="http")])
    front = Service("web", cluster=cluster, task=web, vpc=vpc, desired_count=2, service_connect=True)
    back = Service("api", cluster=cluster, task=api, vpc=vpc,
                   service_connect=ServiceConnect(ports=["http"], client=False))
    alb = ApplicationLoadBalancer("public", vpc=vpc)
    https = alb.listen_https("arn:aws:acm:us-east-1:123456789012:certificate/abc")
    https.add_target(back, path="/api/*", host="shop.example.com")
    https.add_target(front)
    stack.add(front, back)
    return stack
"""


def graph(tmp_path: Path, fmt: str) -> str:
    path = tmp_path / "shop.py"
    path.write_text(textwrap.dedent(SHOP))
    result = CliRunner().invoke(main, ["graph", str(path), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_text_lists_load_balancers_after_the_tasks(tmp_path: Path) -> None:
    out = graph(tmp_path, "text")
    assert "task web (run by service web ×2)" in out
    assert "app      waits until side is healthy [HEALTHY]" in out
    assert out.index("task api") < out.index("load balancer public (application, internet-facing, from 0.0.0.0/0)")
    assert "  listener 443 HTTPS:\n" in out
    assert "    default → service web (container app:8080)" in out
    assert "    host shop.example.com, path /api/* → service api (container app:9000) [priority 10]" in out
    assert "  listener 80 HTTP: redirects to 443 (301)" in out
    assert "namespace internal (Service Connect)\n  service web calls others\n  service api serves api:9000\n" in out


def test_mermaid_draws_load_balancer_to_containers(tmp_path: Path) -> None:
    out = graph(tmp_path, "mermaid")
    lines = out.splitlines()
    assert lines[0] == "flowchart LR"
    assert '  listener_public_443(["listener 443 HTTPS"])' in lines
    assert "  lb_public --> listener_public_443" in lines
    assert '  listener_public_443 -->|"shop.example.com/api/*"| service_api' in lines
    assert '  listener_public_443 -->|"default"| service_web' in lines
    assert '  listener_public_80 -.->|"301"| listener_public_443' in lines
    assert '  service_web{{"service web ×2"}}' in lines and "  service_web --> task_web" in lines
    assert '  web_side -->|"HEALTHY"| web_app' in lines
    assert '  web_migrate -->|"SUCCESS"| web_side' in lines
    assert '  namespace_internal -.->|"api:9000"| service_api' in lines
    assert '  service_web -.->|"calls"| namespace_internal' in lines
    assert '  service_api -.->|"calls"| namespace_internal' not in lines


def test_dot_draws_the_same(tmp_path: Path) -> None:
    out = graph(tmp_path, "dot")
    assert out.startswith('digraph "shop" {') and out.rstrip().endswith("}")
    assert '  "lb_public" -> "listener_public_443";' in out
    assert '  "listener_public_443" -> "service_api" [label="shop.example.com/api/*"];' in out
    assert '  "web_side" -> "web_app" [label="HEALTHY"];' in out
    assert '"namespace_internal" [label="namespace internal", shape=cylinder];' in out
    assert '  "service_web" -> "web_migrate" [lhead="cluster_task_web"];' in out and "compound=true;" in out


def test_a_listener_without_default_target_shows_the_404() -> None:
    from ecsstack import ApplicationLoadBalancer, Cluster, FargateTaskDefinition, Service, Stack

    task = FargateTaskDefinition("api")
    task.add_container("app", image="api:1", ports=[9000])
    svc = Service("api", cluster=Cluster("main"), task=task)
    ApplicationLoadBalancer("public").listen_http().add_target(svc, path="/api/*")
    out = render(Stack("t").add(svc))
    assert "  listener 80 HTTP:\n    default → fixed 404\n    path /api/* → service api" in out


def test_stack_without_load_balancers_keeps_the_old_picture() -> None:
    from ecsstack import Cluster, FargateTaskDefinition, Service, Stack

    task = FargateTaskDefinition("w")
    task.add_container("app", image="w:1")
    out = render(Stack("t").add(Service("w", cluster=Cluster("main"), task=task)))
    assert out.splitlines()[-1] == "    1. app" and "load balancer" not in out


def test_readme_picture_is_what_graph_draws() -> None:
    import re

    from ecsstack.graph import render_mermaid
    from ecsstack.loader import load_blueprint

    root = Path(__file__).resolve().parents[2]
    shown = re.search(r"```mermaid\n(.*?)```", (root / "README.md").read_text(), flags=re.S)[1]
    assert shown == render_mermaid(load_blueprint(root / "blueprints" / "web.py"))
