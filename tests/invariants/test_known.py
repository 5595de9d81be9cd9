"""Issue 8's cases the invariants saw as compile bugs (1, 3, 11, and "found 1": a host service's own
health-check port) are fixed: their templates satisfy every invariant with no allow-list entry. Case 7 (an ARN
of the other secret service) is refused while building. A new known bug gets an entry in
ecsstack/invariants/known.py and a strict xfail here until compile is fixed."""

from __future__ import annotations

import pytest

from ecsstack import ValidationError
from ecsstack.compile import compile_with_warnings
from ecsstack.invariants import KNOWN, check_template

from .cases import KNOWN_CASES


def test_nothing_is_tolerated_today() -> None:
    assert KNOWN == ()


@pytest.mark.parametrize("case", ["case 1", "case 3", "case 11", "found 1"])
def test_compile_satisfies_the_invariants_without_the_allow_list(case: str) -> None:
    stack = KNOWN_CASES[case]()
    template, _ = compile_with_warnings(stack)
    assert check_template(stack, template, known=()) == []


def test_case_7_is_refused_while_building() -> None:
    with pytest.raises(ValidationError) as info:
        KNOWN_CASES["case 7"]()
    assert "Secret.ssm" in str(info.value)
