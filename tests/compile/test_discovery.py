"""Cloud Map namespaces and registries, Service Connect on clusters and services."""

from __future__ import annotations

from ecsstack import (
    Cluster,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    LogConfig,
    Namespace,
    PortMapping,
    Service,
    ServiceConnect,
    ServiceConnectPort,
    Stack,
    Vpc,
)
from ecsstack.lint import lint_template


def task(name: str, *ports: PortMapping | int, logging: LogConfig | None = None) -> FargateTaskDefinition:
    t = FargateTaskDefinition(name)
    kwargs = {"logging": logging} if logging is not None else {}
    t.add_container("app", image=f"{name}:1", ports=list(ports), **kwargs)
    return t


def of_type(resources: dict, kind: str) -> dict:
    return {k: v["Properties"] for k, v in resources.items() if v["Type"] == kind}


def test_namespace_in_the_existing_vpc_or_a_created_one() -> None:
    svc = Service("api", cluster=Cluster("main"), task=task("api", 8080)).register_dns(Namespace("internal"))
    t = Stack("t").add(svc).to_dict()
    assert t["Resources"]["InternalNamespace"] == {"Type": "AWS::ServiceDiscovery::PrivateDnsNamespace",
                                                   "Properties": {"Name": "internal", "Vpc": {"Ref": "VpcId"}}}
    vpc = Vpc("main")
    ns = Namespace("shop.local", vpc=vpc, description="shop services")
    svc = Service("api", cluster=Cluster("main"), task=task("api", 8080), vpc=vpc).register_dns(ns)
    props = Stack("t").add(svc).to_dict()["Resources"]["ShopLocalNamespace"]["Properties"]
    assert props == {"Name": "shop.local", "Vpc": {"Ref": "MainVpc"}, "Description": "shop services"}


def test_register_dns_with_a_records_for_awsvpc() -> None:
    svc = Service("api", cluster=Cluster("main"), task=task("api", 8080)).register_dns(Namespace("internal"))
    r = Stack("t").add(svc).to_dict()["Resources"]
    assert r["ApiServiceDiscovery"]["Properties"] == {
        "Name": "api", "NamespaceId": {"Fn::GetAtt": ["InternalNamespace", "Id"]},
        "DnsConfig": {"RoutingPolicy": "MULTIVALUE", "DnsRecords": [{"Type": "A", "TTL": 60}]},
        "HealthCheckCustomConfig": {"FailureThreshold": 1},
    }
    assert r["ApiService"]["Properties"]["ServiceRegistries"] == [
        {"RegistryArn": {"Fn::GetAtt": ["ApiServiceDiscovery", "Arn"]}}]


def test_register_dns_with_srv_records_for_bridge() -> None:
    t = Ec2TaskDefinition("api", memory=512)
    t.add_container("app", image="api:1", ports=[8080])
    svc = Service("api", cluster=Cluster("main"), task=t).register_dns(Namespace("internal"), "backend")
    r = Stack("t").add(svc).to_dict()["Resources"]
    assert r["ApiServiceDiscovery"]["Properties"]["Name"] == "backend"
    assert r["ApiServiceDiscovery"]["Properties"]["DnsConfig"]["DnsRecords"] == [{"Type": "SRV", "TTL": 60}]
    assert r["ApiService"]["Properties"]["ServiceRegistries"] == [
        {"RegistryArn": {"Fn::GetAtt": ["ApiServiceDiscovery", "Arn"]}, "ContainerName": "app",
         "ContainerPort": 8080}]


def test_service_connect_server_and_client_through_the_cluster_default() -> None:
    ns = Namespace("internal")
    cluster = Cluster("main", service_connect_namespace=ns)
    api = Service("api", cluster=cluster, task=task("api", PortMapping(8080, name="http")),
                  service_connect=ServiceConnect(ports=["http"]))
    front = Service("front", cluster=cluster, task=task("front", 3000), service_connect=True)
    r = Stack("t").add(api, front).to_dict()["Resources"]
    assert r["MainCluster"]["Properties"]["ServiceConnectDefaults"] == {
        "Namespace": {"Fn::GetAtt": ["InternalNamespace", "Arn"]}}
    assert r["ApiService"]["Properties"]["ServiceConnectConfiguration"] == {
        "Enabled": True,
        "Services": [{"PortName": "http", "DiscoveryName": "api",
                      "ClientAliases": [{"Port": 8080, "DnsName": "api"}]}],
        "LogConfiguration": {"LogDriver": "awslogs", "Options": {
            "awslogs-group": {"Ref": "ApiLogGroup"}, "awslogs-region": {"Ref": "AWS::Region"},
            "awslogs-stream-prefix": "service-connect"}},
    }
    client = r["FrontService"]["Properties"]["ServiceConnectConfiguration"]
    assert client["Enabled"] is True and "Services" not in client and "Namespace" not in client
    # the server admits its port from the client's group only; the client admits nothing
    assert of_type(r, "AWS::EC2::SecurityGroupIngress") == {"ApiServiceFromFrontServiceTcp8080": {
        "GroupId": {"Fn::GetAtt": ["ApiServiceSecurityGroup", "GroupId"]},
        "SourceSecurityGroupId": {"Fn::GetAtt": ["FrontServiceSecurityGroup", "GroupId"]},
        "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
        "Description": "tcp/8080 from service front (Service Connect)"}}


def test_service_connect_with_its_own_namespace_names_and_ports() -> None:
    ns = Namespace("internal")
    port = ServiceConnectPort("grpc", dns_name="backend", port=80)
    api = Service("api", cluster=Cluster("main"),
                  task=task("api", PortMapping(9000, name="grpc"), PortMapping(9100, name="metrics"),
                            logging=LogConfig.disabled()),
                  service_connect=ServiceConnect(ns, ports=[port, "metrics"]))
    r = Stack("t").add(api).to_dict()["Resources"]
    sc = r["ApiService"]["Properties"]["ServiceConnectConfiguration"]
    assert sc["Namespace"] == {"Fn::GetAtt": ["InternalNamespace", "Arn"]}
    assert sc["Services"] == [
        {"PortName": "grpc", "DiscoveryName": "backend", "ClientAliases": [{"Port": 80, "DnsName": "backend"}]},
        {"PortName": "metrics", "DiscoveryName": "api-metrics",
         "ClientAliases": [{"Port": 9100, "DnsName": "api-metrics"}]}]
    assert "LogConfiguration" not in sc  # the task has no log group
    assert "ServiceConnectDefaults" not in r["MainCluster"]["Properties"]


def test_mutual_service_connect_has_no_security_group_cycle() -> None:
    vpc = Vpc("main")
    cluster = Cluster("main", service_connect_namespace=Namespace("internal", vpc=vpc))
    a = Service("a", cluster=cluster, task=task("a", PortMapping(80, name="http")), vpc=vpc,
                service_connect=ServiceConnect(ports=["http"]))
    b = Service("b", cluster=cluster, task=task("b", PortMapping(81, name="http")), vpc=vpc,
                service_connect=ServiceConnect(ports=["http"]))
    t = Stack("t").add(a, b).to_dict()
    assert sorted(of_type(t["Resources"], "AWS::EC2::SecurityGroupIngress")) == [
        "AServiceFromBServiceTcp80", "BServiceFromAServiceTcp81"]
    for name in ("AServiceSecurityGroup", "BServiceSecurityGroup"):
        assert "SecurityGroupIngress" not in t["Resources"][name]["Properties"]
    assert [str(f) for f in lint_template(t) if f.level in ("error", "warning")] == []


def test_a_server_that_calls_no_one_is_not_admitted_by_the_others() -> None:
    cluster = Cluster("main", service_connect_namespace=Namespace("internal"))
    a = Service("a", cluster=cluster, task=task("a", PortMapping(80, name="http")),
                service_connect=ServiceConnect(ports=["http"]))
    b = Service("b", cluster=cluster, task=task("b", PortMapping(81, name="http")),
                service_connect=ServiceConnect(ports=["http"], client=False))
    r = Stack("t").add(a, b).to_dict()["Resources"]
    assert list(of_type(r, "AWS::EC2::SecurityGroupIngress")) == ["BServiceFromAServiceTcp81"]
    assert r["BService"]["Properties"]["ServiceConnectConfiguration"]["Services"][0]["DiscoveryName"] == "b"
