"""The API stage's outer guard: a WAF web ACL whose rate-based rules limit anonymous applications and support
cases per source address before a function runs. The service limits them again, more tightly and with
`Retry-After` (`chalicelib/services/onboarding/caller_limits.py`): WAF can only block for its window, and adds
a prefix to any header it sets, so it cannot say when to come back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.infra import templates


def web_acl(template: templates.Template) -> dict[str, Any]:
    [acl] = templates.of_type(template, "AWS::WAFv2::WebACL").values()
    properties: dict[str, Any] = acl["Properties"]
    return properties


def matches(statements: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """What each byte match of an AND statement looks at: field -> (how, what)."""
    found = {}
    for statement in statements:
        match = statement["ByteMatchStatement"]
        [field] = match["FieldToMatch"]
        found[field] = (match["PositionalConstraint"], match["SearchString"])
    return found


@pytest.mark.parametrize(
    ("rule_name", "path"),
    [("applications-per-address", "/v1/applications"), ("support-cases-per-address", "/v1/support/cases")],
)
def test_anonymous_posts_are_rate_limited_per_address_at_the_api_stage(rule_name: str, path: str):
    # Given the template's web ACL
    acl = web_acl(templates.load())

    # Then it guards the regional API, lets everything else through, and has a rate-based rule for the path
    assert (acl["Scope"], acl["DefaultAction"]) == ("REGIONAL", {"Allow": {}})
    rules = {rule["Name"]: rule for rule in acl["Rules"]}
    assert len({rule["Priority"] for rule in acl["Rules"]}) == len(acl["Rules"])
    rule = rules[rule_name]
    rate = rule["Statement"]["RateBasedStatement"]
    # which counts per source address, over five minutes, only POSTs to that path
    assert (rate["AggregateKeyType"], rate["EvaluationWindowSec"]) == ("IP", 300)
    assert 10 <= rate["Limit"] <= 50
    assert matches(rate["ScopeDownStatement"]["AndStatement"]["Statements"]) == {
        "Method": ("EXACTLY", "POST"),
        "UriPath": ("ENDS_WITH", path),
    }
    # and blocks beyond it with the service's own answer: 429 problem+json
    response = rule["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 429
    body = json.loads(acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]["Content"])
    assert (body["status"], body["type"]) == (429, "https://godkend.dk/problems/too-many-requests")


def test_sign_ins_with_an_e_mail_address_are_rate_limited_per_address_at_the_api_stage():
    # Given the template's web ACL
    acl = web_acl(templates.load())

    # Then a rule of its own counts per source address, over five minutes, the POSTs of a sign-in with an
    # address and of Glemt adgangskode? with one (an office behind one address signs in often)
    [rule] = [r for r in acl["Rules"] if r["Name"] == "sign-ins-per-address"]
    rate = rule["Statement"]["RateBasedStatement"]
    assert (rate["AggregateKeyType"], rate["EvaluationWindowSec"]) == ("IP", 300)
    assert 50 <= rate["Limit"] <= 200
    assert matches(rate["ScopeDownStatement"]["AndStatement"]["Statements"]) == {
        "Method": ("EXACTLY", "POST"),
        "UriPath": ("CONTAINS", "/v1/sign-in"),
    }
    # and blocks beyond it with the service's own answer, ahead of nothing else
    assert rule["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    assert len({r["Priority"] for r in acl["Rules"]}) == len(acl["Rules"])


def test_the_web_acl_guards_the_api_stage_and_logs_without_credentials():
    template = templates.load()
    associations = templates.of_type(template, "AWS::WAFv2::WebACLAssociation").values()
    [association] = [a["Properties"] for a in associations]

    # The association names the REST API's stage (through SAM's reference, which orders it after the stage)
    assert association["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}
    assert association["ResourceArn"]["Fn::Sub"].endswith("/restapis/${RestAPI}/stages/${RestAPI.Stage}")
    # And what it blocks is logged to a group WAF accepts, with the Authorization header redacted
    [logging] = [
        c["Properties"] for c in templates.of_type(template, "AWS::WAFv2::LoggingConfiguration").values()
    ]
    assert logging["ResourceArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}
    group = template["Resources"]["ApiWafLogs"]["Properties"]
    assert group["LogGroupName"]["Fn::Sub"].startswith("aws-waf-logs-")
    assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert {"SingleHeader": {"Name": "authorization"}} in logging["RedactedFields"]


@pytest.mark.infra
def test_the_packaged_template_keeps_the_web_acl_on_its_api_stage(packaged: tuple[str, Path]):
    _, path = packaged
    template = json.loads(path.read_text())

    assert web_acl(template) == web_acl(templates.load())
    assert "RestAPI" in template["Resources"]
    assert template["Resources"]["RestAPI"]["Properties"]["StageName"] == "api"
