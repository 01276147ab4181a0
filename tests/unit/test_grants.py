"""Whose access lies within whose: the rule for which colleagues an administrator may change, and how another
user's scope is shown to them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.models.user import UserModel, company_access
from chalicelib.services.access.authz import Access, CompanyScope, Function, Principal
from chalicelib.services.access.grants import visible_scope, within_scope
from chalicelib.services.organisation.audit_trail import redact

ORG = "org-1"
FULL = "29180008"  # the caller has full access
LIMITED = "34560005"  # the caller has accounts L1 and L2
OUTSIDE = "41270004"  # the caller does not see it

CALLER = Principal(
    user_id="caller",
    org_id=ORG,
    functions=frozenset({Function.USERS, Function.CODES}),
    companies={
        FULL: CompanyScope(FULL, Access.FULL),
        LIMITED: CompanyScope(LIMITED, Access.LIMITED, frozenset({"L1", "L2"})),
    },
)


def user(functions: list[str], companies: dict[str, list[str] | None], org_id: str = ORG) -> UserModel:
    return UserModel(
        "target",
        org_id=org_id,
        first_name="T",
        last_name="U",
        email="t@example.org",
        mobile="+4511111111",
        functions=functions,
        companies=[company_access(cvr, accounts) for cvr, accounts in companies.items()],
        created_at=datetime.now(UTC),
    )


@pytest.mark.parametrize(
    ("functions", "companies", "within"),
    [
        (["codes"], {FULL: None}, True),
        (["codes", "users"], {FULL: ["X"], LIMITED: ["L1"]}, True),
        (["codes"], {LIMITED: ["L1", "L2"]}, True),
        ([], {}, True),
        (["history"], {FULL: None}, False),  # a function the caller lacks
        (["codes"], {LIMITED: None}, False),  # full access where the caller is limited
        (["codes"], {LIMITED: ["L3"]}, False),  # an account the caller does not see
        (["codes"], {OUTSIDE: ["A"]}, False),  # a company the caller does not see
    ],
)
def test_a_user_is_within_the_callers_scope_only_if_every_part_of_their_access_is(
    functions, companies, within
):
    assert within_scope(CALLER, user(functions, companies)) is within


def test_a_user_of_another_organisation_is_never_within_scope():
    assert within_scope(CALLER, user([], {}, org_id="org-2")) is False


def test_another_users_scope_is_shown_cut_to_the_callers():
    scope = [
        {"cvr": FULL, "access": "full", "accounts": []},
        {"cvr": LIMITED, "access": "limited", "accounts": ["L1", "L3"]},
        {"cvr": OUTSIDE, "access": "full", "accounts": []},
    ]
    assert visible_scope(CALLER, scope) == [
        {"cvr": FULL, "access": "full", "accounts": []},
        {"cvr": LIMITED, "access": "limited", "accounts": ["L1"]},
    ]


def test_audit_details_lose_every_company_and_account_outside_the_readers_scope_wherever_they_sit():
    details = {
        "changes": {
            "companies": {
                "from": [{"cvr": OUTSIDE, "access": "full", "accounts": []}],
                "to": [{"cvr": LIMITED, "access": "limited", "accounts": ["L2", "L9"]}],
            }
        },
        "companies": [
            {
                "cvr": LIMITED,
                "name": {"from": "a", "to": "b"},
                "accounts": [{"number": "L9"}, {"number": "L1"}],
            },
            {"cvr": OUTSIDE, "accounts": [{"number": "X"}]},
        ],
        "reason": "kept",
        "numbers": [1, 2],
    }
    assert redact(details, CALLER) == {
        "changes": {
            "companies": {
                "from": [],
                "to": [{"cvr": LIMITED, "access": "limited", "accounts": ["L2"]}],
            }
        },
        "companies": [{"cvr": LIMITED, "name": {"from": "a", "to": "b"}, "accounts": [{"number": "L1"}]}],
        "reason": "kept",
        "numbers": [1, 2],
    }
