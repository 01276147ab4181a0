"""The web console in AWS: a private bucket read only by the stage's CloudFront distribution, served over
HTTPS at the domain the API lets call it, with a strict CSP and the other security headers."""

from __future__ import annotations

import json
import re
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import pytest

from infra.console import CERTIFICATE_PARAMETER, ConsoleConfigError, console_hosts, security_headers
from infra.local.console import console_config
from infra.package import PackagingFailed, console_origins, merge_template
from tests.infra import templates

STAGES = ["dev", "prod"]


def resource(template: templates.Template, name: str) -> dict[str, Any]:
    properties: dict[str, Any] = template["Resources"][name]["Properties"]
    return properties


def csp_of(template: templates.Template) -> dict[str, list[str]]:
    config = resource(template, "ConsoleResponseHeadersPolicy")["ResponseHeadersPolicyConfig"]
    policy = config["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    return {d.split()[0]: d.split()[1:] for d in policy.split("; ")}


@pytest.mark.parametrize("stage", STAGES)
def test_the_bucket_is_private_encrypted_and_versioned(stage):
    bucket = resource(merge_template(stage), "ConsoleBucket")

    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


@pytest.mark.parametrize("stage", STAGES)
def test_only_the_stages_distribution_reads_the_bucket_and_only_over_tls(stage):
    template = merge_template(stage)
    statements = resource(template, "ConsoleBucketPolicy")["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    denies = [s for s in statements if s["Effect"] == "Deny"]

    # The one grant is to CloudFront, for reading, on behalf of this stack's distribution only
    assert len(allows) == 1
    (grant,) = allows
    assert grant["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert grant["Action"] == "s3:GetObject"
    source = grant["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert source.endswith(":distribution/${ConsoleDistribution}")
    # And plain HTTP is refused to everyone
    assert [d["Condition"] for d in denies] == [{"Bool": {"aws:SecureTransport": "false"}}]


@pytest.mark.parametrize("stage", STAGES)
def test_cloudfront_reads_through_origin_access_control_and_serves_https_only(stage):
    template = merge_template(stage)
    control = resource(template, "ConsoleOriginAccessControl")["OriginAccessControlConfig"]
    distribution = resource(template, "ConsoleDistribution")["DistributionConfig"]

    assert (control["SigningBehavior"], control["SigningProtocol"]) == ("always", "sigv4")
    (origin,) = distribution["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["ConsoleOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy origin access identity
    assert distribution["ViewerCertificate"]["AcmCertificateArn"] == {"Ref": CERTIFICATE_PARAMETER}
    assert distribution["ViewerCertificate"]["MinimumProtocolVersion"].startswith("TLSv1.2")
    for behaviour in [distribution["DefaultCacheBehavior"], *distribution["CacheBehaviors"]]:
        assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
        assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "ConsoleResponseHeadersPolicy"}
        assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
    # The configuration names this deployment's user pool: never cached
    uncached = {b["PathPattern"] for b in distribution["CacheBehaviors"]}
    assert "/config.json" in uncached


@pytest.mark.parametrize("stage", STAGES)
def test_the_console_is_served_where_the_api_lets_it_call(stage):
    # Given the origins the stage's API allows (GODKEND_CONSOLE_ORIGINS)
    allowed = templates.stage_variables(stage)["GODKEND_CONSOLE_ORIGINS"].split(",")

    # Then CloudFront answers for exactly those domains
    distribution = resource(merge_template(stage), "ConsoleDistribution")["DistributionConfig"]
    assert ["https://" + host for host in distribution["Aliases"]] == allowed


@pytest.mark.parametrize("stage", STAGES)
def test_the_csp_allows_only_the_consoles_own_scripts_and_calls_to_the_api_and_cognito(stage):
    csp = csp_of(merge_template(stage))

    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert set(csp["connect-src"]) == {
        "'self'",
        "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}",
        "https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}",
    }
    every_source = [source for sources in csp.values() for source in sources]
    assert not [s for s in every_source if s in {"'unsafe-inline'", "'unsafe-eval'", "*"} or s.endswith("*")]


@pytest.mark.parametrize("stage", STAGES)
def test_hsts_framing_sniffing_and_referrers_are_locked_down(stage):
    config = resource(merge_template(stage), "ConsoleResponseHeadersPolicy")["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]

    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 365 * 24 * 3600
    assert security["StrictTransportSecurity"]["IncludeSubdomains"] is True
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ReferrerPolicy"]["ReferrerPolicy"] in {"no-referrer", "strict-origin"}
    assert security["ContentTypeOptions"] == {"Override": True}
    assert all(header["Override"] for header in security.values())


@pytest.mark.parametrize("stage", STAGES)
def test_the_stack_states_the_consoles_config_json_in_the_shape_make_run_serves(stage):
    # Given the output the deployment uploads as /config.json
    output = merge_template(stage)["Outputs"]["ConsoleConfig"]["Value"]["Fn::Sub"]

    # When CloudFormation fills in the stack's values
    values = {
        "RestAPI": "abc123",
        "AWS::Region": "eu-west-1",
        "AWS::URLSuffix": "amazonaws.com",
        "UserPool": "eu-west-1_pool",
        "UserPoolClient": "client",
    }
    config = json.loads(re.sub(r"\$\{([^}]+)\}", lambda m: values[m.group(1)], output))

    # Then it names the stage's API and Cognito, as make run names the local ones
    local = console_config(api_url="a", aws_url="b", region="c", user_pool_id="d", client_id="e")
    assert config == {
        "api_url": "https://abc123.execute-api.eu-west-1.amazonaws.com/api",
        "region": "eu-west-1",
        "cognito": {
            "endpoint": "https://cognito-idp.eu-west-1.amazonaws.com",
            "user_pool_id": "eu-west-1_pool",
            "client_id": "client",
        },
    }
    assert config.keys() == local.keys()
    assert config["cognito"].keys() == local["cognito"].keys()
    # And the CSP lets the page call both
    connect = set(csp_of(merge_template(stage))["connect-src"])
    assert {re.sub(r"\$\{([^}]+)\}", lambda m: values[m.group(1)], c) for c in connect} >= {
        "https://abc123.execute-api.eu-west-1.amazonaws.com",
        "https://cognito-idp.eu-west-1.amazonaws.com",
    }


def test_cloudfront_and_make_run_send_the_same_policy():
    # The local console server sends security_headers() too: only the addresses it connects to differ
    local = security_headers(["http://127.0.0.1:8000", "http://127.0.0.1:5100"], https=False)
    aws = security_headers(["https://api", "https://cognito"], https=True)

    def directives(policy: str) -> set[str]:
        return {d.split()[0] for d in policy.split("; ")} - {"upgrade-insecure-requests"}

    assert directives(local["Content-Security-Policy"]) == directives(aws["Content-Security-Policy"])
    assert set(aws) - set(local) == {"Strict-Transport-Security"}


@pytest.mark.parametrize("stage", STAGES)
def test_api_gateways_own_errors_name_the_console_origin(stage):
    # Throttling and timeouts never reach the function's CORS middleware
    (origin,) = console_origins(stage)
    definition = resource(merge_template(stage), "RestAPI")["DefinitionBody"]
    for name, response in definition["x-amazon-apigateway-gateway-responses"].items():
        parameters = response["responseParameters"]
        assert parameters["gatewayresponse.header.Access-Control-Allow-Origin"] == f"'{origin}'", name


@pytest.mark.parametrize(
    ("origins", "problem"),
    [
        ([], "no https:// origin"),
        (["http://console.godkend.dk"], "no https:// origin"),
        (["https://a.dk:8443"], "port"),
    ],
)
def test_a_stage_without_a_servable_console_origin_is_refused(origins, problem):
    with pytest.raises(ConsoleConfigError, match=problem):
        console_hosts(origins)


def test_packaging_a_stage_without_a_console_origin_fails_in_one_line():
    # The test stage runs only under the test client and names no console
    with pytest.raises(PackagingFailed, match="GODKEND_CONSOLE_ORIGINS"):
        console_origins("test")


def dependencies(value: Any) -> set[str]:
    """The resources and parameters a template value refers to."""
    found: set[str] = set()
    if isinstance(value, dict):
        if "Ref" in value:
            found.add(value["Ref"])
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            found.add(target[0] if isinstance(target, list) else target.split(".")[0])
        if "Fn::Sub" in value:
            text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
            found |= {name.split(".")[0] for name in _substitutions(text)}
        for inner in value.values():
            found |= dependencies(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= dependencies(inner)
    return found


def _substitutions(text: str) -> list[str]:
    return [name for name in re.findall(r"\$\{([^}!]+)\}", text) if not name.startswith("AWS::")]


@pytest.mark.infra
def test_the_packaged_template_has_the_console_and_no_dependency_cycle(packaged: tuple[str, Path]) -> None:
    # Given the template `make package` builds: the CSP names the REST API, the API's function the console
    stage, path = packaged
    template = json.loads(path.read_text())
    resources = template["Resources"]
    assert {"ConsoleBucket", "ConsoleDistribution", "ConsoleResponseHeadersPolicy"} <= set(resources)
    function = resources["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert function["GODKEND_CONSOLE_ORIGINS"] == templates.stage_variables(stage)["GODKEND_CONSOLE_ORIGINS"]

    # Then no resource depends on itself through the others (CloudFormation would refuse the stack)
    graph = {name: dependencies(r) & set(resources) for name, r in resources.items()}

    try:
        TopologicalSorter(graph).prepare()
    except CycleError as cycle:
        pytest.fail(f"dependency cycle: {' -> '.join(cycle.args[1])}")
