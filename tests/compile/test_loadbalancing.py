"""Load balancers: security groups wired least-privilege, listeners, rules, target groups, the service side."""

from __future__ import annotations

import pytest

from ecsstack import (
    ApplicationLoadBalancer,
    Attr,
    Cluster,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    LaunchType,
    NetworkLoadBalancer,
    PortMapping,
    Service,
    Stack,
    TargetHealthCheck,
    ValidationError,
    Vpc,
)
from ecsstack.lint import lint_template

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/abc"


def web(name: str = "web", port: int = 8080, cluster: Cluster | None = None, **kwargs) -> Service:
    task = FargateTaskDefinition(name)
    task.add_container("app", image="app:1", ports=[port])
    return Service(name, cluster=cluster or Cluster("main"), task=task, **kwargs)


def of_type(resources: dict, kind: str) -> dict:
    return {k: v["Properties"] for k, v in resources.items() if v["Type"] == kind}


def test_alb_in_the_existing_vpc_uses_parameters() -> None:
    svc = web()
    ApplicationLoadBalancer("public").listen_http().add_target(svc)
    t = Stack("t").add(svc).to_dict()
    lb = t["Resources"]["PublicLoadBalancer"]["Properties"]
    assert lb["Scheme"] == "internet-facing" and lb["Type"] == "application"
    assert lb["Subnets"] == {"Ref": "PublicSubnets"}
    assert lb["SecurityGroups"] == [{"Fn::GetAtt": ["PublicLoadBalancerSecurityGroup", "GroupId"]}]
    assert t["Parameters"]["PublicSubnets"]["Type"] == "List<AWS::EC2::Subnet::Id>"
    assert t["Resources"]["PublicLoadBalancerSecurityGroup"]["Properties"]["VpcId"] == {"Ref": "VpcId"}
    assert t["Resources"]["WebServiceTargetGroup"]["Properties"]["VpcId"] == {"Ref": "VpcId"}


def test_internal_alb_uses_the_task_subnets_or_private_subnets() -> None:
    svc = web()
    ApplicationLoadBalancer("inside", internet_facing=False).listen_http().add_target(svc)
    t = Stack("t").add(svc).to_dict()
    assert t["Resources"]["InsideLoadBalancer"]["Properties"]["Scheme"] == "internal"
    assert t["Resources"]["InsideLoadBalancer"]["Properties"]["Subnets"] == {"Ref": "Subnets"}
    assert "PublicSubnets" not in t["Parameters"]

    vpc = Vpc("main")
    svc = web(vpc=vpc)
    ApplicationLoadBalancer("inside", internet_facing=False, vpc=vpc).listen_http().add_target(svc)
    lb = Stack("t").add(svc).to_dict()["Resources"]["InsideLoadBalancer"]
    assert lb["Properties"]["Subnets"] == [{"Ref": "MainVpcPrivateSubnet1"}, {"Ref": "MainVpcPrivateSubnet2"}]
    assert "DependsOn" not in lb


def test_alb_in_a_created_vpc_waits_for_the_internet_route() -> None:
    vpc = Vpc("main")
    svc = web(vpc=vpc)
    ApplicationLoadBalancer("public", vpc=vpc).listen_http().add_target(svc)
    lb = Stack("t").add(svc).to_dict()["Resources"]["PublicLoadBalancer"]
    assert lb["Properties"]["Subnets"] == [{"Ref": "MainVpcPublicSubnet1"}, {"Ref": "MainVpcPublicSubnet2"}]
    assert lb["DependsOn"] == ["MainVpcPublicDefaultRoute"]


def test_security_groups_admit_only_listener_ports_and_the_container_port_from_the_alb() -> None:
    svc = web()
    alb = ApplicationLoadBalancer("public", allow_from=["203.0.113.0/24", "2001:db8::/32"])
    alb.listen_https(CERT).add_target(svc)
    r = Stack("t").add(svc).to_dict()["Resources"]
    ingress = r["PublicLoadBalancerSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert [(i["FromPort"], i["ToPort"], i["IpProtocol"], i.get("CidrIp") or i.get("CidrIpv6")) for i in ingress] == [
        (80, 80, "tcp", "203.0.113.0/24"), (443, 443, "tcp", "203.0.113.0/24"),
        (80, 80, "tcp", "2001:db8::/32"), (443, 443, "tcp", "2001:db8::/32"),
    ]
    assert "SecurityGroupIngress" not in r["WebServiceSecurityGroup"]["Properties"]
    rules = of_type(r, "AWS::EC2::SecurityGroupIngress")
    assert rules == {"WebServiceFromPublicLoadBalancerTcp8080": {
        "GroupId": {"Fn::GetAtt": ["WebServiceSecurityGroup", "GroupId"]},
        "SourceSecurityGroupId": {"Fn::GetAtt": ["PublicLoadBalancerSecurityGroup", "GroupId"]},
        "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
        "Description": "tcp/8080 from load balancer public",
    }}


def test_allow_from_may_be_a_parameter() -> None:
    stack = Stack("t")
    svc = web()
    ApplicationLoadBalancer("public", allow_from=stack.parameter("AllowedCidr", default="0.0.0.0/0")) \
        .listen_http().add_target(svc)
    ingress = stack.add(svc).to_dict()["Resources"]["PublicLoadBalancerSecurityGroup"]["Properties"]
    assert ingress["SecurityGroupIngress"][0]["CidrIp"] == {"Ref": "AllowedCidr"}


def test_https_listener_with_redirect() -> None:
    stack = Stack("t")
    svc = web()
    ApplicationLoadBalancer("public").listen_https(stack.parameter("CertificateArn")).add_target(svc)
    r = stack.add(svc).to_dict()["Resources"]
    https = r["PublicLoadBalancerListener443"]["Properties"]
    assert https["Protocol"] == "HTTPS" and https["Certificates"] == [{"CertificateArn": {"Ref": "CertificateArn"}}]
    assert https["SslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    assert https["DefaultActions"] == [{"Type": "forward", "TargetGroupArn": {"Ref": "WebServiceTargetGroup"}}]
    http = r["PublicLoadBalancerListener80"]["Properties"]
    assert http["Protocol"] == "HTTP" and http["DefaultActions"] == [{"Type": "redirect", "RedirectConfig": {
        "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]


def test_https_without_redirect_has_one_listener() -> None:
    svc = web()
    ApplicationLoadBalancer("public").listen_https(CERT, redirect_http=False).add_target(svc)
    r = Stack("t").add(svc).to_dict()["Resources"]
    assert list(of_type(r, "AWS::ElasticLoadBalancingV2::Listener")) == ["PublicLoadBalancerListener443"]
    ports = [i["FromPort"] for i in r["PublicLoadBalancerSecurityGroup"]["Properties"]["SecurityGroupIngress"]]
    assert ports == [443]


def test_path_and_host_rules_with_stable_priorities_and_a_404_default() -> None:
    main = Cluster("main")
    api, admin, docs = web("api", cluster=main), web("admin", 9000, cluster=main), web("docs", cluster=main)
    listener = ApplicationLoadBalancer("public").listen_http()
    listener.add_target(api, path=["/api/*", "/v1/*"])
    listener.add_target(admin, host="admin.example.com", path="/admin/*", priority=5)
    listener.add_target(docs, host="docs.example.com")
    r = Stack("t").add(api, admin, docs).to_dict()["Resources"]
    assert r["PublicLoadBalancerListener80"]["Properties"]["DefaultActions"] == [{
        "Type": "fixed-response",
        "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain", "MessageBody": "Not Found"}}]
    rules = of_type(r, "AWS::ElasticLoadBalancingV2::ListenerRule")
    assert {k: v["Priority"] for k, v in rules.items()} == {
        "ApiServiceListenerRule": 10, "AdminServiceListenerRule": 5, "DocsServiceListenerRule": 30}
    assert rules["AdminServiceListenerRule"]["Conditions"] == [
        {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/admin/*"]}},
        {"Field": "host-header", "HostHeaderConfig": {"Values": ["admin.example.com"]}}]
    assert rules["ApiServiceListenerRule"]["ListenerArn"] == {"Ref": "PublicLoadBalancerListener80"}
    assert rules["ApiServiceListenerRule"]["Actions"] == [
        {"Type": "forward", "TargetGroupArn": {"Ref": "ApiServiceTargetGroup"}}]
    assert r["ApiService"]["DependsOn"] == ["ApiServiceListenerRule", "PublicLoadBalancerListener80"]


def test_target_group_for_awsvpc_with_health_check_settings() -> None:
    svc = web()
    check = TargetHealthCheck(path="/health", interval=15, timeout=3, healthy_threshold=3, unhealthy_threshold=5,
                              matcher="200")
    ApplicationLoadBalancer("public").listen_http().add_target(svc, health_check=check, deregistration_delay=10)
    tg = Stack("t").add(svc).to_dict()["Resources"]["WebServiceTargetGroup"]["Properties"]
    assert tg == {
        "Port": 8080, "Protocol": "HTTP", "TargetType": "ip", "VpcId": {"Ref": "VpcId"},
        "HealthCheckEnabled": True, "HealthCheckProtocol": "HTTP", "HealthCheckPath": "/health",
        "HealthCheckPort": "traffic-port",
        "HealthCheckIntervalSeconds": 15, "HealthCheckTimeoutSeconds": 3, "HealthyThresholdCount": 3,
        "UnhealthyThresholdCount": 5, "Matcher": {"HttpCode": "200"},
        "TargetGroupAttributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "10"}],
    }


def test_default_health_check_and_deregistration_delay() -> None:
    svc = web()
    ApplicationLoadBalancer("public").listen_http().add_target(svc)
    tg = Stack("t").add(svc).to_dict()["Resources"]["WebServiceTargetGroup"]["Properties"]
    assert (tg["HealthCheckPath"], tg["HealthCheckIntervalSeconds"], tg["HealthCheckTimeoutSeconds"],
            tg["HealthyThresholdCount"], tg["UnhealthyThresholdCount"], tg["Matcher"]) == \
        ("/", 30, 5, 2, 3, {"HttpCode": "200-399"})
    assert tg["TargetGroupAttributes"] == [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}]


def test_service_side_load_balancers_depends_on_and_grace_period() -> None:
    svc = web()
    ApplicationLoadBalancer("public").listen_http().add_target(svc)
    props = Stack("t").add(svc).to_dict()["Resources"]["WebService"]
    assert props["Properties"]["LoadBalancers"] == [
        {"ContainerName": "app", "ContainerPort": 8080, "TargetGroupArn": {"Ref": "WebServiceTargetGroup"}}]
    assert props["DependsOn"] == ["PublicLoadBalancerListener80"]
    assert props["Properties"]["HealthCheckGracePeriodSeconds"] == 60


@pytest.mark.parametrize("grace", [0, 300])
def test_users_grace_period_wins(grace) -> None:
    svc = web(health_check_grace_period=grace)
    ApplicationLoadBalancer("public").listen_http().add_target(svc)
    props = Stack("t").add(svc).to_dict()["Resources"]["WebService"]["Properties"]
    assert props["HealthCheckGracePeriodSeconds"] == grace


def test_no_grace_period_without_a_load_balancer() -> None:
    props = Stack("t").add(web()).to_dict()["Resources"]["WebService"]["Properties"]
    assert "HealthCheckGracePeriodSeconds" not in props and "LoadBalancers" not in props


def test_bridge_tasks_get_instance_targets_and_dynamic_host_ports() -> None:
    task = Ec2TaskDefinition("web", memory=512)
    task.add_container("app", image="app:1", ports=[8080])
    svc = Service("web", cluster=Cluster("main"), task=task, launch_type=LaunchType.EC2)
    ApplicationLoadBalancer("public").listen_http().add_target(svc)
    r = Stack("t").add(svc).to_dict()["Resources"]
    assert r["WebServiceTargetGroup"]["Properties"]["TargetType"] == "instance"
    assert r["WebTaskDefinition"]["Properties"]["ContainerDefinitions"][0]["PortMappings"] == [
        {"ContainerPort": 8080, "HostPort": 0, "Protocol": "tcp"}]
    assert r["WebService"]["Properties"]["LoadBalancers"] == [
        {"ContainerName": "app", "ContainerPort": 8080, "TargetGroupArn": {"Ref": "WebServiceTargetGroup"}}]
    assert "NetworkConfiguration" not in r["WebService"]["Properties"]
    assert not of_type(r, "AWS::EC2::SecurityGroupIngress")


def test_a_load_balancer_attached_after_its_bridge_service_was_added_is_compiled_before_the_service() -> None:
    task = Ec2TaskDefinition("web", memory=512)
    task.add_container("app", image="app:1", ports=[8080])
    svc = Service("web", cluster=Cluster("main"), task=task, launch_type=LaunchType.EC2)
    stack = Stack("t").add(svc)
    ApplicationLoadBalancer("public").listen_http().add_target(svc)  # not in stack.resources
    r = stack.to_dict()["Resources"]
    assert r["PublicLoadBalancer"]["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer"
    assert r["WebService"]["DependsOn"] == ["PublicLoadBalancerListener80"]


def test_named_container_and_port_and_a_second_target_group() -> None:
    svc = web()
    svc.task.add_container("admin", image="admin:1", ports=[9000], essential=False)
    listener = ApplicationLoadBalancer("public").listen_http()
    listener.add_target(svc)
    listener.add_target(svc, container="admin", port=9000, path="/admin/*")
    r = Stack("t").add(svc).to_dict()["Resources"]
    assert r["WebService"]["Properties"]["LoadBalancers"] == [
        {"ContainerName": "app", "ContainerPort": 8080, "TargetGroupArn": {"Ref": "WebServiceTargetGroup"}},
        {"ContainerName": "admin", "ContainerPort": 9000, "TargetGroupArn": {"Ref": "WebServiceTargetGroup2"}}]
    assert sorted(of_type(r, "AWS::EC2::SecurityGroupIngress")) == [
        "WebServiceFromPublicLoadBalancerTcp8080", "WebServiceFromPublicLoadBalancerTcp9000"]
    assert r["WebService"]["DependsOn"] == ["PublicLoadBalancerListener80", "WebServiceListenerRule2"]


def test_network_load_balancer_for_tcp() -> None:
    task = FargateTaskDefinition("db")
    task.add_container("db", image="postgres:16", ports=[5432])
    svc = Service("db", cluster=Cluster("main"), task=task)
    NetworkLoadBalancer("db", internet_facing=False, allow_from="10.0.0.0/8").listen_tcp(5432).add_target(svc)
    r = Stack("t").add(svc).to_dict()["Resources"]
    assert r["DbLoadBalancer"]["Properties"]["Type"] == "network"
    assert "LoadBalancerAttributes" not in r["DbLoadBalancer"]["Properties"]
    listener = r["DbLoadBalancerListener5432"]["Properties"]
    assert listener["Protocol"] == "TCP" and listener["Port"] == 5432
    tg = r["DbServiceTargetGroup"]["Properties"]
    assert (tg["Protocol"], tg["TargetType"], tg["HealthCheckProtocol"]) == ("TCP", "ip", "TCP")
    assert "HealthCheckPath" not in tg and "Matcher" not in tg
    ingress = r["DbLoadBalancerSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert [(i["FromPort"], i["CidrIp"]) for i in ingress] == [(5432, "10.0.0.0/8")]
    assert list(of_type(r, "AWS::EC2::SecurityGroupIngress")) == ["DbServiceFromDbLoadBalancerTcp5432"]


def test_udp_listener_with_tcp_health_check_port() -> None:
    task = FargateTaskDefinition("dns")
    task.add_container("app", image="dns:1", ports=[PortMapping(53, protocol="udp"), 8053])
    svc = Service("dns", cluster=Cluster("main"), task=task)
    NetworkLoadBalancer("dns").listen_udp(53).add_target(svc, port=53, health_check=TargetHealthCheck(port=8053))
    r = Stack("t").add(svc).to_dict()["Resources"]
    assert r["DnsServiceTargetGroup"]["Properties"]["Protocol"] == "UDP"
    assert r["DnsServiceTargetGroup"]["Properties"]["HealthCheckPort"] == "8053"
    assert sorted(of_type(r, "AWS::EC2::SecurityGroupIngress")) == [
        "DnsServiceFromDnsLoadBalancerTcp8053", "DnsServiceFromDnsLoadBalancerUdp53"]


def test_dns_name_output() -> None:
    stack = Stack("t")
    svc = web()
    alb = ApplicationLoadBalancer("public")
    alb.listen_http().add_target(svc)
    stack.add(svc).output("LoadBalancerDns", Attr(alb, "DNSName"))
    assert stack.to_dict()["Outputs"]["LoadBalancerDns"]["Value"] == {"Fn::GetAtt": ["PublicLoadBalancer", "DNSName"]}


def test_load_balancer_added_alone_is_compiled_once() -> None:
    svc = web()
    alb = ApplicationLoadBalancer("public")
    alb.listen_http().add_target(svc)
    stack = Stack("t").add(alb, svc)
    assert stack.of_type(ApplicationLoadBalancer) == [alb]
    assert stack.to_json() == stack.to_json()


@pytest.mark.parametrize(("call", "text"), [
    (lambda alb, svc: alb.listen_http().add_target("web"), "needs a Service"),
    (lambda alb, svc: alb.listen_https(CERT).load_balancer.listeners[1].add_target(svc), "only redirects"),
    (lambda alb, svc: NetworkLoadBalancer("n").listen_tcp(80).add_target(svc, path="/x"), "routes by port only"),
    (lambda alb, svc: alb.listen_http().add_target(svc, target_type="lambda"), "target_type"),
    (lambda alb, svc: ApplicationLoadBalancer("x", vpc="vpc-123"), "vpc must be a Vpc"),
])
def test_bad_arguments_fail_at_once(call, text) -> None:
    with pytest.raises(ValidationError) as info:
        call(ApplicationLoadBalancer("public"), web())
    assert info.value.problems[0].rule == "ECS001" and text in info.value.problems[0].message


def realistic() -> Stack:
    stack = Stack("shop")
    vpc = Vpc("main")
    cert = stack.parameter("CertificateArn", default=CERT, description="ACM certificate")
    alb = ApplicationLoadBalancer("public", vpc=vpc)
    https = alb.listen_https(cert)
    main = Cluster("main")
    site, api = web("site", vpc=vpc, cluster=main), web("api", 9000, vpc=vpc, cluster=main)
    https.add_target(site, health_check=TargetHealthCheck(path="/health"))
    https.add_target(api, path="/api/*")
    task = FargateTaskDefinition("db")
    task.add_container("db", image="postgres:16", ports=[5432])
    db = Service("db", cluster=site.cluster, task=task, vpc=vpc)
    NetworkLoadBalancer("db", internet_facing=False, vpc=vpc, allow_from="10.0.0.0/16").listen_tcp(5432) \
        .add_target(db)
    stack.add(site, api, db)
    stack.output("LoadBalancerDns", Attr(alb, "DNSName"))
    return stack


def test_realistic_stack_lints_clean() -> None:
    findings = lint_template(realistic().to_dict())
    assert [str(f) for f in findings if f.level in ("error", "warning")] == []
