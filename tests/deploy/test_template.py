"""What ``deploy`` accepts as a template (and refuses), limits before any AWS call, capabilities,
--force-new-deployment, parameters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ecsstack import Stack
from ecsstack.deploy import LimitError, UsageError, deploy, diff
from ecsstack.deploy._template import (
    Template,
    capabilities,
    check_limits,
    force_new_deployment,
    read_template,
    resolve_parameters,
    template_of,
)


def _tpl(resources: dict[str, Any] | None = None, **sections: Any) -> dict[str, Any]:
    return {"Resources": resources or {"Logs": {"Type": "AWS::Logs::LogGroup"}}, **sections}


class NoAws:
    """A provider that fails the test if it is ever asked anything."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"AWS was called ({name}) before the limits were checked")


@pytest.mark.parametrize(("template", "numbers"), [
    (_tpl({f"R{i}": {"Type": "AWS::SNS::Topic"} for i in range(501)}), "501 resources (at most 500)"),
    (_tpl(Parameters={f"P{i}": {"Type": "String", "Default": "x"} for i in range(201)}),
     "201 parameters (at most 200)"),
    (_tpl(Outputs={f"O{i}": {"Value": "x"} for i in range(201)}), "201 outputs (at most 200)"),
    (_tpl(Description="x" * 1_000_001), "bytes (CloudFormation takes at most 1,000,000 bytes"),
])
def test_limits_refuse_before_any_aws_call(template: dict[str, Any], numbers: str) -> None:
    with pytest.raises(LimitError) as caught:
        deploy(template, "big", yes=True, lint=False, provider=NoAws())  # type: ignore[arg-type]
    assert numbers in str(caught.value)
    assert "nothing was sent" in str(caught.value)


@pytest.mark.parametrize("call", [deploy, diff])
def test_a_stack_or_a_blueprint_is_refused_synthesize_first(call: Any, tmp_path: Path) -> None:
    """Only a template is deployed: a Stack or a blueprint path would hide the rule warnings."""
    blueprint = tmp_path / "app.py"
    blueprint.write_text("def build():\n    raise AssertionError('never loaded')\n")
    for given, words in ((Stack("app"), "an ecsstack.Stack ('app') is not a template"),
                         (blueprint, f"{blueprint} is a blueprint, not a template"),
                         (str(blueprint), f"{blueprint} is a blueprint, not a template")):
        with pytest.raises(UsageError) as caught:
            call(given, "app", provider=NoAws())
        assert words in str(caught.value)
        assert "ecsstack.synth(stack)" in str(caught.value) and "ecsstack deploy" in str(caught.value)
        assert caught.value.exit_code == 2


def test_a_template_is_a_dict_json_or_yaml_text_or_a_file(tmp_path: Path) -> None:
    data = {"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup"}},
            "Outputs": {"Name": {"Value": {"Ref": "Logs"}}}}
    text = json.dumps(data)
    yaml_text = ("Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n"
                 "Outputs:\n  Name:\n    Value: !Ref Logs\n")
    assert template_of(data, "a")[0].data == data
    assert template_of(text, "a")[0].body == text, "JSON text is sent as given"
    assert template_of(yaml_text, "a")[0].data == data, "YAML short forms are read like cfn-lint reads them"
    json_file, yaml_file = tmp_path / "web.json", tmp_path / "tiny.yml"
    json_file.write_text(text)
    yaml_file.write_text(yaml_text)
    for path in (json_file, str(json_file), yaml_file):
        tpl, name = template_of(path)
        assert tpl.data == data and name == Path(path).stem
    assert template_of(json_file, "other")[1] == "other"
    with pytest.raises(UsageError, match="no stack name"):
        template_of(data)
    with pytest.raises(UsageError, match="not valid JSON"):
        template_of("{not json", "a")
    with pytest.raises(UsageError, match="expected a template"):
        template_of(42, "a")
    long_line = json.dumps({"Description": "x" * 5000, **data})
    assert template_of(long_line, "a")[0].body == long_line, "a long one-line template is text, not a path"
    plain = tmp_path / "web.cfn"
    plain.write_text(yaml_text)
    assert template_of(str(plain))[1] == "web", "an existing file is read whatever its suffix"


def test_the_cli_and_the_deploy_agree_on_template_files() -> None:
    from ecsstack.deploy._template import TEMPLATE_SUFFIXES
    from ecsstack.loader import TEMPLATE_SUFFIXES as LISTED

    assert TEMPLATE_SUFFIXES == LISTED


def test_a_file_that_is_not_a_template_is_a_usage_error(tmp_path: Path) -> None:
    broken, listed = tmp_path / "broken.json", tmp_path / "list.yaml"
    broken.write_text("{not json")
    listed.write_text("- a\n- b\n")
    with pytest.raises(UsageError, match=r"broken\.json is not a CloudFormation template"):
        read_template(broken)
    with pytest.raises(UsageError, match=r"list\.yaml is not a CloudFormation template: it is not a mapping"):
        read_template(listed)
    with pytest.raises(UsageError, match="cannot read the template"):
        template_of(tmp_path / "missing.json")


def test_limits_at_the_edge_pass() -> None:
    check_limits(Template.of(_tpl({f"R{i}": {"Type": "AWS::SNS::Topic"} for i in range(500)})))


@pytest.mark.parametrize(("resources", "extra", "expected"), [
    ({"Logs": {"Type": "AWS::Logs::LogGroup"}}, {}, []),
    ({"Role": {"Type": "AWS::IAM::Role", "Properties": {}}}, {}, ["CAPABILITY_IAM"]),
    ({"Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "fixed"}}}, {},
     ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]),
    ({"Child": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "https://x"}}}, {},
     ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]),
    ({"Fn": {"Type": "AWS::Serverless::Function"}}, {"Transform": "AWS::Serverless-2016-10-31"},
     ["CAPABILITY_AUTO_EXPAND"]),
    ({"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"Fn::Transform": {"Name": "Macro"}}}}, {},
     ["CAPABILITY_AUTO_EXPAND"]),
])
def test_capabilities_are_derived(resources: dict[str, Any], extra: dict[str, Any], expected: list[str]) -> None:
    assert capabilities(Template.of(_tpl(resources, **extra))) == expected


def test_force_new_deployment_sets_a_fresh_nonce_on_every_service() -> None:
    template = Template.of(_tpl({
        "A": {"Type": "AWS::ECS::Service", "Properties": {"DesiredCount": 1}},
        "B": {"Type": "AWS::ECS::Service", "Properties": {}},
        "Logs": {"Type": "AWS::Logs::LogGroup"},
    }))
    first, second = force_new_deployment(template), force_new_deployment(template)
    for name in ("A", "B"):
        forced = first.data["Resources"][name]["Properties"]["ForceNewDeployment"]
        assert forced["EnableForceNewDeployment"] is True
        assert forced["ForceNewDeploymentNonce"]
        assert forced != second.data["Resources"][name]["Properties"]["ForceNewDeployment"]
    assert "Properties" not in first.data["Resources"]["Logs"]
    assert "ForceNewDeployment" not in json.dumps(template.data)  # the original is untouched
    assert json.loads(first.body) == first.data


def test_text_is_sent_as_given_and_bad_json_is_a_usage_error() -> None:
    text = '{"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup"}}}'
    assert Template.of(text).body == text
    with pytest.raises(UsageError, match="not valid JSON"):
        Template.of("Resources: {}")


PARAMS = _tpl(Parameters={
    "VpcId": {"Type": "AWS::EC2::VPC::Id"},
    "ImageTag": {"Type": "String", "Default": "1.4"},
    "Count": {"Type": "Number", "Default": 2},
})


def test_parameters_on_create_use_given_values_and_defaults() -> None:
    resolved = resolve_parameters(Template.of(PARAMS), {"VpcId": "vpc-1"}, None)
    assert resolved == [{"ParameterKey": "VpcId", "ParameterValue": "vpc-1"}]


def test_parameters_on_update_keep_deployed_values() -> None:
    previous = {"VpcId": "vpc-1", "ImageTag": "2.0", "Count": "2"}
    resolved = resolve_parameters(Template.of(PARAMS), {"Count": "3"}, previous)
    assert resolved == [
        {"ParameterKey": "Count", "ParameterValue": "3"},
        {"ParameterKey": "ImageTag", "UsePreviousValue": True},  # 2.0 ≠ default: carried over
        {"ParameterKey": "VpcId", "UsePreviousValue": True},
    ]


def test_missing_and_unknown_parameters_are_usage_errors() -> None:
    with pytest.raises(UsageError, match=r"missing parameter: VpcId \(AWS::EC2::VPC::Id\)"):
        resolve_parameters(Template.of(PARAMS), {}, None)
    with pytest.raises(UsageError, match="unknown parameter Vpc; the template declares: Count, ImageTag, VpcId"):
        resolve_parameters(Template.of(PARAMS), {"Vpc": "x"}, None)


def test_parameter_changes_of_an_update() -> None:
    from ecsstack.deploy._template import Template, parameter_changes

    tpl = Template.of({"Parameters": {
        "Tag": {"Type": "String", "Default": "1.4"},
        "Secret": {"Type": "String", "NoEcho": True},
        "Count": {"Type": "Number", "Default": 2},
        "New": {"Type": "String", "Default": "x"},
    }, "Resources": {}})
    deployed = {"Tag": "1.4", "Secret": "old", "Count": "2"}
    assert parameter_changes(tpl, {"Tag": "1.5", "Secret": "new", "Count": "2"}, deployed) == [
        ("New", "(none)", "x"), ("Secret", "****", "**** (changed)"), ("Tag", "1.4", "1.5")]
    assert parameter_changes(tpl, {}, {**deployed, "New": "x"}) == []
    assert parameter_changes(tpl, {"Tag": "2"}, None) == [], "a create has nothing to compare with"
