"""Issue 8's known compile bugs: each is tolerated by exactly its allow-list entry, and each has a strict xfail that
starts passing once compile is fixed (then remove the entry from ecsstack/invariants/known.py and the marker here)."""

from __future__ import annotations

import pytest

from ecsstack import synth
from ecsstack.compile import compile_with_warnings
from ecsstack.invariants import KNOWN, check_template

from .cases import KNOWN_CASES


def test_every_allow_list_entry_has_a_case() -> None:
    assert sorted(k.case for k in KNOWN) == sorted(KNOWN_CASES)


@pytest.mark.parametrize("case", sorted(KNOWN_CASES))
def test_the_invariants_see_the_case_and_only_its_entry_tolerates_it(case: str) -> None:
    stack = KNOWN_CASES[case]()
    template, _ = compile_with_warnings(stack)
    if not check_template(stack, template, known=()):
        pytest.skip(f"case {case} is fixed in compile: remove its allow-list entry and xfail")
    entry = next(k for k in KNOWN if k.case == case)
    assert check_template(stack, template, known=(entry,)) == []
    others = tuple(k for k in KNOWN if k.case != case)
    assert check_template(stack, template, known=others) != []
    synth(stack)  # tolerated meanwhile: synth does not fail on a known case


@pytest.mark.parametrize("case", [
    pytest.param("case 1", marks=pytest.mark.xfail(strict=True, reason="Service Connect into bridge instances")),
    pytest.param("case 3", marks=pytest.mark.xfail(strict=True, reason="case 3: Sub ECR image pulls repository/*")),
    pytest.param("case 7", marks=pytest.mark.xfail(strict=True, reason="case 7: SSM ARN granted as Secrets Manager")),
    pytest.param("case 11", marks=pytest.mark.xfail(strict=True, reason="case 11: awslogs to a named group, no grant")),
    pytest.param("found 1", marks=pytest.mark.xfail(strict=True, reason="host health-check port not admitted")),
])
def test_compile_satisfies_the_invariants_without_the_allow_list(case: str) -> None:
    stack = KNOWN_CASES[case]()
    template, _ = compile_with_warnings(stack)
    assert check_template(stack, template, known=()) == []
