"""What a change set does (resource changes) and what it endangers (the data-loss guard)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DATA_BEARING_TYPES", "FIXED_NAME_PROPERTIES", "ResourceChange", "Risk", "find_risks"]

# Resources whose removal or replacement loses data (logs, files, objects, rows, images, keys).
DATA_BEARING_TYPES = frozenset({
    "AWS::Logs::LogGroup", "AWS::EFS::FileSystem", "AWS::S3::Bucket", "AWS::DynamoDB::Table",
    "AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::ECR::Repository", "AWS::EC2::Volume",
    "AWS::ElastiCache::ReplicationGroup", "AWS::ElastiCache::CacheCluster", "AWS::DocDB::DBCluster",
    "AWS::Neptune::DBCluster", "AWS::Redshift::Cluster", "AWS::OpenSearchService::Domain",
    "AWS::Elasticsearch::Domain", "AWS::Kinesis::Stream", "AWS::SQS::Queue", "AWS::SecretsManager::Secret",
    "AWS::KMS::Key", "AWS::Backup::BackupVault",
})

# The property that fixes a resource's physical name. Such a resource cannot be replaced in place
# (CloudFormation fails the update half-way), and changing the name always means replacement.
# AWS::ECS::TaskDefinition's Family is deliberately absent: replacing a task definition registers a new
# revision of the same family, which is how every image change is deployed.
FIXED_NAME_PROPERTIES: Mapping[str, str] = {
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::ECS::Cluster": "ClusterName",
    "AWS::ECS::Service": "ServiceName",
    "AWS::EFS::FileSystem": "FileSystemName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::RDS::DBInstance": "DBInstanceIdentifier",
    "AWS::RDS::DBCluster": "DBClusterIdentifier",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::SSM::Parameter": "Name",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "Name",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "Name",
    "AWS::EC2::SecurityGroup": "GroupName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::ServiceDiscovery::Service": "Name",
}
RETAINING_POLICIES = frozenset({"Retain", "RetainExceptOnCreate", "Snapshot"})


@dataclass(frozen=True)
class ResourceChange:
    """One row of a change set: ``action`` is Add, Modify, Remove, Import, Dynamic or SyncWithActual;
    ``replacement`` is ``True``, ``Conditional``, ``False`` or empty."""

    action: str
    logical_id: str
    resource_type: str
    physical_id: str = ""
    replacement: str = ""
    scope: tuple[str, ...] = ()
    details: tuple[str, ...] = field(default=(), compare=False)  # "Properties.Image (requires recreation)"
    #: for a nested stack in a change set made with IncludeNestedStacks: the nested change set's ARN
    nested_change_set: str = field(default="", compare=False)

    @property
    def replaces(self) -> bool:
        return self.action == "Modify" and self.replacement in ("True", "Conditional")

    @classmethod
    def from_api(cls, change: Mapping[str, Any]) -> ResourceChange:
        rc = change.get("ResourceChange", change)
        details = []
        for d in rc.get("Details") or []:
            target = d.get("Target") or {}
            name = ".".join(x for x in (target.get("Attribute"), target.get("Name")) if x)
            recreation = target.get("RequiresRecreation")
            suffix = {"Always": " (requires replacement)", "Conditionally": " (may require replacement)"}
            details.append(name + suffix.get(recreation, ""))
        return cls(
            action=rc.get("Action", ""),
            logical_id=rc.get("LogicalResourceId", ""),
            resource_type=rc.get("ResourceType", ""),
            physical_id=rc.get("PhysicalResourceId") or "",
            replacement=rc.get("Replacement") or "",
            scope=tuple(rc.get("Scope") or ()),
            details=tuple(dict.fromkeys(details)),
            nested_change_set=rc.get("ChangeSetId") or "",
        )


@dataclass(frozen=True)
class Risk:
    """A resource the change set would remove or replace, and why that is dangerous."""

    logical_id: str
    resource_type: str
    what: str  # "removed", "replaced", "may be replaced"
    why: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.logical_id} ({self.resource_type}) would be {self.what}: {'; '.join(self.why)}"


def _reasons(kind: str, resource: Mapping[str, Any] | None) -> list[str]:
    reasons = []
    if kind in DATA_BEARING_TYPES:
        reasons.append("it holds data")
    if resource:
        for attr in ("DeletionPolicy", "UpdateReplacePolicy"):
            if resource.get(attr) in RETAINING_POLICIES:
                reasons.append(f"{attr} is {resource[attr]}")
        prop = FIXED_NAME_PROPERTIES.get(kind)
        if prop and prop in (resource.get("Properties") or {}):
            reasons.append(f"it has a fixed name ({prop})")
    return list(dict.fromkeys(reasons))


def _name_changed(kind: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    prop = FIXED_NAME_PROPERTIES.get(kind)
    if not prop or not old or not new:
        return False
    return (old.get("Properties") or {}).get(prop) != (new.get("Properties") or {}).get(prop)


def find_risks(changes: Iterable[ResourceChange], old: Mapping[str, Any] | None,
               new: Mapping[str, Any]) -> list[Risk]:
    """Every change that removes or replaces a data-bearing, retained or fixed-name resource.

    ``old`` and ``new`` are the deployed and proposed templates (dicts). A changed fixed name counts as a
    replacement even when the change set does not say so.
    """
    old_res = (old or {}).get("Resources") or {}
    new_res = new.get("Resources") or {}
    risks = []
    for c in changes:
        before, after = old_res.get(c.logical_id), new_res.get(c.logical_id)
        if c.action == "Remove":
            what = "removed"
        elif c.replacement == "True" or (c.action == "Modify"
                                         and _name_changed(c.resource_type, before, after)):
            what = "replaced"
        elif c.replaces:
            what = "may be replaced"
        else:
            continue
        why = _reasons(c.resource_type, before)
        if what != "removed":
            why += _reasons(c.resource_type, after)
        if why:
            risks.append(Risk(c.logical_id, c.resource_type, what, tuple(dict.fromkeys(why))))
    return risks
