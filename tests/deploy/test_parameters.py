"""Parameters on update: a parameter that keeps its deployed value while the template's default changed
is named, with the option that applies the new default; a NoEcho parameter's default never shows."""

from __future__ import annotations

from typing import Any

from ecsstack.deploy import diff
from ecsstack.deploy._propdiff import short, template_diff
from ecsstack.deploy._template import Template, kept_defaults

from .test_emulator import Run, run, template  # noqa: F401  (run: the emulator fixture)


def params(**specs: dict[str, Any]) -> Template:
    return Template.of({"Parameters": specs, "Resources": {}})


def test_a_changed_default_with_a_kept_value_is_named_with_the_fix() -> None:
    deployed = {"Parameters": {"Tag": {"Type": "String", "Default": "1.26"},
                               "Size": {"Type": "String", "Default": "s"},
                               "Zones": {"Type": "CommaDelimitedList", "Default": "a,b"}}}
    new = params(Tag={"Type": "String", "Default": "1.27"}, Size={"Type": "String", "Default": "s"},
                 Zones={"Type": "CommaDelimitedList", "Default": ["a", "b", "c"]})
    [tag, zones] = kept_defaults(new, {}, {"Tag": "1.26", "Size": "s", "Zones": "a,b"}, deployed)
    assert (tag.name, tag.value, tag.old_default, tag.new_default) == ("Tag", "1.26", "1.26", "1.27")
    assert str(tag) == ("parameter Tag keeps its deployed value 1.26 (the old default): the template's default "
                        "changed 1.26 → 1.27, and an update keeps deployed values. To apply the new default, "
                        "deploy again with --parameter Tag=1.27.")
    assert zones.fix == "--parameter Zones=a,b,c"
    # given, already on the new default, or a default that did not change: nothing to say
    assert [k.name for k in kept_defaults(new, {"Tag": "9"}, {"Tag": "1.26", "Zones": "a,b"}, deployed)] == ["Zones"]
    assert kept_defaults(new, {}, {"Tag": "1.27", "Zones": "a,b,c"}, deployed) == []
    assert kept_defaults(new, {}, {"Tag": "1.26"}, None) == []


def test_a_no_echo_default_is_masked_everywhere() -> None:
    old = {"Parameters": {"Password": {"Type": "String", "NoEcho": True, "Default": "hunter2"}}}
    new = {"Parameters": {"Password": {"Type": "String", "NoEcho": True, "Default": "correct-horse"}}}
    [kept] = kept_defaults(Template.of(new), {}, {"Password": "****"}, old)
    assert "hunter2" not in str(kept) and "correct-horse" not in str(kept)
    assert kept.fix == "--parameter Password=<the new default>"
    [entry] = template_diff(old, new)
    shown = [(path, short(a), short(b)) for path, a, b in entry.changes]
    assert shown == [("Default", "****", "****")]
    plain = template_diff({"Parameters": {"Tag": {"Type": "String", "Default": "1"}}},
                          {"Parameters": {"Tag": {"Type": "String", "Default": "2"}}})
    assert [(p, short(a), short(b)) for p, a, b in plain[0].changes] == [("Default", '"1"', '"2"')]


def test_deploy_and_diff_say_when_a_new_default_is_not_applied(run: Run) -> None:  # noqa: F811
    run.deploy(template("a"))
    shown = diff(template("b"), "app", **run.kw())
    assert [k.name for k in shown.kept_defaults] == ["Value"]
    result = run.deploy(template("b"))
    assert [k.fix for k in result.kept_defaults] == ["--parameter Value=b"]
    assert run.text.count("note parameter Value keeps its deployed value a (the old default)") == 2
    assert "To apply the new default, deploy again with --parameter Value=b." in run.text
    applied = run.deploy(template("b"), parameters={"Value": "b"})
    assert applied.kept_defaults == [] and applied.ok


def test_the_template_diff_of_a_no_echo_default_does_not_print_it(run: Run) -> None:  # noqa: F811
    def secret(value: str) -> dict[str, Any]:
        tpl = template("a")
        tpl["Parameters"]["Token"] = {"Type": "String", "NoEcho": True, "Default": value}
        return tpl

    run.deploy(secret("old-secret-value"))
    diff(secret("new-secret-value"), "app", **run.kw())
    assert "secret-value" not in run.text
