"""The one permission check, over every function and scope combination."""

from __future__ import annotations

import itertools

import pytest

from chalicelib.errors import Forbidden, NotFound
from chalicelib.services.access.authz import Access, CompanyScope, Function, Principal, authorize

ORG = "org-1"
FULL_CVR = "29180008"  # full access
LIMITED_CVR = "34560005"  # limited to account L1
OUTSIDE_CVR = "41270004"  # a company of the group outside the user's scope


def principal(functions: frozenset[Function]) -> Principal:
    return Principal(
        user_id="u1",
        org_id=ORG,
        functions=functions,
        companies={
            FULL_CVR: CompanyScope(FULL_CVR, Access.FULL),
            LIMITED_CVR: CompanyScope(LIMITED_CVR, Access.LIMITED, frozenset({"L1"})),
        },
    )


HOLDINGS = [frozenset(c) for n in range(len(Function) + 1) for c in itertools.combinations(Function, n)]
TARGETS = [
    # (company, account, visible?)
    (FULL_CVR, None, True),
    (FULL_CVR, "any-account", True),
    (LIMITED_CVR, None, True),
    (LIMITED_CVR, "L1", True),
    (LIMITED_CVR, "L2", False),
    (OUTSIDE_CVR, None, False),
    (OUTSIDE_CVR, "X1", False),
]


@pytest.mark.parametrize("held", HOLDINGS, ids=lambda h: "+".join(sorted(h)) or "none")
@pytest.mark.parametrize("needed", list(Function))
@pytest.mark.parametrize(("company", "account", "visible"), TARGETS)
def test_every_function_and_scope_combination(held, needed, company, account, visible):
    def check() -> None:
        authorize(principal(held), needed, org_id=ORG, company=company, account=account)

    if not visible:
        with pytest.raises(NotFound):
            check()
    elif needed not in held:
        with pytest.raises(Forbidden):
            check()
    else:
        check()


@pytest.mark.parametrize("function", [None, *Function])
def test_another_organisation_answers_not_found_whatever_the_functions(function):
    with pytest.raises(NotFound):
        authorize(principal(frozenset(Function)), function, org_id="org-2", company=FULL_CVR)


def test_an_account_without_its_company_is_never_visible():
    with pytest.raises(NotFound):
        authorize(principal(frozenset(Function)), Function.CODES, account="L1")


def test_a_function_alone_is_checked_without_scope():
    authorize(principal(frozenset({Function.USERS})), Function.USERS)
    with pytest.raises(Forbidden):
        authorize(principal(frozenset({Function.USERS})), Function.CODES)


def test_visible_accounts_filters_by_scope():
    p = principal(frozenset())
    assert p.visible_accounts(LIMITED_CVR, ["L1", "L2", "L3"]) == ["L1"]
    assert p.visible_accounts(FULL_CVR, ["A", "B"]) == ["A", "B"]
    assert p.visible_accounts(OUTSIDE_CVR, ["A"]) == []
