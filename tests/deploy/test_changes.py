"""Change-set rows, the data-loss guard and the property-level diff."""

from __future__ import annotations

from typing import Any

import pytest

from ecsstack.deploy._changes import ResourceChange, find_risks
from ecsstack.deploy._propdiff import MISSING, template_diff

LOGS = {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
        "Properties": {"RetentionInDays": 7}}
NAMED_LOGS = {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/web/app"}}
TOPIC = {"Type": "AWS::SNS::Topic", "Properties": {}}
TASK = {"Type": "AWS::ECS::TaskDefinition", "Properties": {"Family": "web", "Cpu": "256"}}


def change(action: str, logical: str, kind: str, replacement: str = "") -> ResourceChange:
    return ResourceChange(action, logical, kind, replacement=replacement)


def test_from_api_reads_replacement_and_details() -> None:
    row = ResourceChange.from_api({"Type": "Resource", "ResourceChange": {
        "Action": "Modify", "LogicalResourceId": "Task", "ResourceType": "AWS::ECS::TaskDefinition",
        "PhysicalResourceId": "arn:task/web:1", "Replacement": "True", "Scope": ["Properties"],
        "Details": [{"Target": {"Attribute": "Properties", "Name": "ContainerDefinitions",
                                "RequiresRecreation": "Always"}}]}})
    assert row.replaces and row.replacement == "True"
    assert row.details == ("Properties.ContainerDefinitions (requires replacement)",)


@pytest.mark.parametrize(("rows", "old", "new", "expected"), [
    ([change("Remove", "Logs", "AWS::Logs::LogGroup")], {"Logs": LOGS}, {}, [("Logs", "removed")]),
    ([change("Modify", "Logs", "AWS::Logs::LogGroup", "True")], {"Logs": LOGS}, {"Logs": LOGS},
     [("Logs", "replaced")]),
    ([change("Modify", "Logs", "AWS::Logs::LogGroup", "Conditional")], {"Logs": LOGS}, {"Logs": LOGS},
     [("Logs", "may be replaced")]),
    ([change("Modify", "Logs", "AWS::Logs::LogGroup", "False")], {"Logs": LOGS}, {"Logs": LOGS}, []),
    # a changed fixed name is a replacement even when the change set does not say so (emulators)
    ([change("Modify", "Logs", "AWS::Logs::LogGroup")], {"Logs": NAMED_LOGS},
     {"Logs": {**NAMED_LOGS, "Properties": {"LogGroupName": "/web/other"}}}, [("Logs", "replaced")]),
    ([change("Remove", "Topic", "AWS::SNS::Topic")], {"Topic": TOPIC}, {}, []),
    ([change("Remove", "Topic", "AWS::SNS::Topic")], {"Topic": {**TOPIC, "DeletionPolicy": "Snapshot"}}, {},
     [("Topic", "removed")]),
    ([change("Remove", "Fs", "AWS::EFS::FileSystem")], {}, {}, [("Fs", "removed")]),
    ([change("Remove", "Bucket", "AWS::S3::Bucket")], {}, {}, [("Bucket", "removed")]),
    ([change("Modify", "Svc", "AWS::ECS::Service", "True")],
     {"Svc": {"Type": "AWS::ECS::Service", "Properties": {"ServiceName": "web"}}},
     {"Svc": {"Type": "AWS::ECS::Service", "Properties": {"ServiceName": "web"}}}, [("Svc", "replaced")]),
    # replacing a task definition is how every image change ships: a family is not a fixed name
    ([change("Modify", "Task", "AWS::ECS::TaskDefinition", "True")], {"Task": TASK}, {"Task": TASK}, []),
    ([change("Add", "Logs", "AWS::Logs::LogGroup")], {}, {"Logs": LOGS}, []),
])
def test_data_loss_guard(rows: list[ResourceChange], old: dict[str, Any], new: dict[str, Any],
                         expected: list[tuple[str, str]]) -> None:
    risks = find_risks(rows, {"Resources": old}, {"Resources": new})
    assert [(r.logical_id, r.what) for r in risks] == expected
    for r in risks:
        assert r.why


def test_template_diff_by_section() -> None:
    old = {"Description": "a", "Parameters": {"Tag": {"Type": "String"}},
           "Resources": {"Svc": {"Type": "AWS::ECS::Service", "Properties": {"DesiredCount": 2,
                                                                             "Tags": [{"Key": "a"}]}},
                         "Old": TOPIC}}
    new = {"Description": "b", "Parameters": {"Tag": {"Type": "String"}, "New": {"Type": "String"}},
           "Resources": {"Svc": {"Type": "AWS::ECS::Service", "Properties": {"DesiredCount": 3,
                                                                             "Tags": [{"Key": "b"}]}},
                         "Logs": LOGS}}
    entries = {(e.section, e.name): e for e in template_diff(old, new)}
    assert entries[("Template", "Description")].changes == (("Description", "a", "b"),)
    assert entries[("Parameters", "New")].kind == "+"
    assert entries[("Resources", "Old")].kind == "-"
    assert entries[("Resources", "Logs")].kind == "+"
    svc = entries[("Resources", "Svc")]
    assert svc.kind == "~" and svc.label == "AWS::ECS::Service"
    assert svc.changes == (("Properties.DesiredCount", 2, 3), ("Properties.Tags[0].Key", "a", "b"))
    assert template_diff(new, new) == []
    assert template_diff(None, {"Resources": {"Logs": LOGS}})[0].kind == "+"
    assert MISSING is not None
