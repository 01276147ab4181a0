"""The web console in AWS: a private bucket read only by the stage's CloudFront distribution, served over
HTTPS at the domain the API lets call it, with a strict CSP and the other security headers."""

from __future__ import annotations

import json
import re
import subprocess
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import pytest

from infra.console import (
    CERTIFICATE_PARAMETER,
    ConsoleConfigError,
    console_hosts,
    security_headers,
    support_contact,
)
from infra.local.console import answer_for, console_config
from infra.package import PackagingFailed, console_origins, console_support, merge_template
from tests.infra import templates

STAGES = ["dev", "prod"]
# The page's (and config.json's) response headers policy, and the fingerprinted files'.
HEADERS_POLICIES = ("ConsoleResponseHeadersPolicy", "ConsoleAssetsResponseHeadersPolicy")
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"  # AWS's managed policy: kept, brotli and gzip


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
        assert behaviour["ResponseHeadersPolicyId"]["Ref"] in HEADERS_POLICIES
        assert behaviour["AllowedMethods"] == ["GET", "HEAD"]


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
@pytest.mark.parametrize("policy", HEADERS_POLICIES)
def test_hsts_framing_sniffing_and_referrers_are_locked_down(stage, policy):
    config = resource(merge_template(stage), policy)["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]

    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 365 * 24 * 3600
    assert security["StrictTransportSecurity"]["IncludeSubdomains"] is True
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ReferrerPolicy"]["ReferrerPolicy"] in {"no-referrer", "strict-origin"}
    assert security["ContentTypeOptions"] == {"Override": True}
    assert all(header["Override"] for header in security.values())


@pytest.mark.parametrize("stage", STAGES)
def test_the_fingerprinted_files_carry_the_same_security_headers_as_the_page(stage):
    template = merge_template(stage)

    def security(policy: str) -> tuple[Any, list[Any]]:
        config = resource(template, policy)["ResponseHeadersPolicyConfig"]
        custom = [h for h in config["CustomHeadersConfig"]["Items"] if h["Header"] != "Cache-Control"]
        return config["SecurityHeadersConfig"], custom

    assert security("ConsoleAssetsResponseHeadersPolicy") == security("ConsoleResponseHeadersPolicy")


def cache_control_of(template: templates.Template, policy: str) -> str:
    config = resource(template, policy)["ResponseHeadersPolicyConfig"]
    (header,) = [h for h in config["CustomHeadersConfig"]["Items"] if h["Header"] == "Cache-Control"]
    assert header["Override"] is True  # whatever the bucket's object says
    return str(header["Value"])


@pytest.mark.parametrize("stage", STAGES)
def test_fingerprinted_files_are_kept_a_year_and_the_page_and_its_configuration_asked_for_each_time(stage):
    # Given the distribution: the build's fingerprinted files under /assets/, everything else by default
    template = merge_template(stage)
    distribution = resource(template, "ConsoleDistribution")["DistributionConfig"]
    (assets,) = distribution["CacheBehaviors"]
    page = distribution["DefaultCacheBehavior"]

    # Then browsers keep the fingerprinted files a year, and CloudFront keeps them at its edge
    assert assets["PathPattern"] == "/assets/*"
    assert assets["ResponseHeadersPolicyId"] == {"Ref": "ConsoleAssetsResponseHeadersPolicy"}
    year = "public, max-age=31536000, immutable"
    assert cache_control_of(template, "ConsoleAssetsResponseHeadersPolicy") == year
    assert assets["CachePolicyId"] == CACHING_OPTIMIZED

    # And the page and /config.json (this deployment's user pool) are revalidated by browsers every time,
    # and kept at the edge a minute at most
    assert page["ResponseHeadersPolicyId"] == {"Ref": "ConsoleResponseHeadersPolicy"}
    assert cache_control_of(template, "ConsoleResponseHeadersPolicy") == "no-cache"
    assert page["CachePolicyId"] == {"Ref": "ConsolePageCachePolicy"}
    policy = resource(template, "ConsolePageCachePolicy")["CachePolicyConfig"]
    assert policy["MinTTL"] == 0
    assert 0 < policy["DefaultTTL"] <= policy["MaxTTL"] <= 60


@pytest.mark.parametrize("stage", STAGES)
def test_cloudfront_sends_every_file_brotli_or_gzip_compressed_as_the_browser_accepts(stage):
    template = merge_template(stage)
    distribution = resource(template, "ConsoleDistribution")["DistributionConfig"]

    for behaviour in [distribution["DefaultCacheBehavior"], *distribution["CacheBehaviors"]]:
        # CloudFront compresses only where the behaviour says so and its cache policy keys on the encoding
        assert behaviour["Compress"] is True
        policy = behaviour["CachePolicyId"]
        if policy == CACHING_OPTIMIZED:
            continue  # AWS's managed policy enables both
        assert isinstance(policy, dict), f"{policy}: a managed policy that keeps CloudFront from compressing"
        own = resource(template, policy["Ref"])["CachePolicyConfig"]
        keyed = own["ParametersInCacheKeyAndForwardedToOrigin"]
        assert keyed["EnableAcceptEncodingBrotli"] is True
        assert keyed["EnableAcceptEncodingGzip"] is True


ROUTED_PATHS = [
    "/",
    "/min-konto",
    "/min-konto/godkendelseskode",
    "/aktiver",
    "/index.html",
    "/config.json",
    "/assets/index-abc123.js",
    "/assets/missing-0000.js",
]


def routed(function_code: str, uri: str) -> str:
    """What CloudFront asks the bucket for when a viewer asks for `uri`: the routing function, run by Node."""
    event = json.dumps({"request": {"uri": uri, "method": "GET", "headers": {}}})
    script = f"{function_code}\nprocess.stdout.write(handler({event}).uri)"
    node = ["node", "-e", script]
    run = subprocess.run(node, capture_output=True, text=True, check=True, timeout=30)  # noqa: S603
    return run.stdout


@pytest.mark.parametrize("stage", STAGES)
def test_the_consoles_paths_get_its_page_and_a_missing_file_stays_missing_as_locally(stage, tmp_path):
    # Given the distribution's routing function, and make run's console server on a build of two files
    template = merge_template(stage)
    function = resource(template, "ConsoleRouting")
    distribution = resource(template, "ConsoleDistribution")["DistributionConfig"]
    association = distribution["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association == [
        {"EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": ["ConsoleRouting", "FunctionARN"]}}
    ]
    # No error page stands in for a missing file (under /assets/ it would be kept a year)
    assert "CustomErrorResponses" not in distribution
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("page")
    (tmp_path / "assets" / "index-abc123.js").write_text("script")
    (tmp_path / "config.json").write_text("{}")

    for uri in ROUTED_PATHS:
        # When a browser asks for a path
        asked = routed(function["FunctionCode"], uri)

        # Then CloudFront asks the bucket for the page where make run answers with the page, and for the
        # path itself (found or not) where make run answers with the file or a 404
        local = answer_for(tmp_path, uri, b"{}")
        page = local.status == 200 and local.body == b"page"
        assert asked == ("/index.html" if page else uri), uri


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
        "support": console_support(stage),
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


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_names_its_support_contact_in_both_languages(stage):
    # Given the stage's console configuration
    support = console_support(stage)

    # Then it names an e-mail address, a telephone number and the opening hours in Danish and English
    assert "@" in support["email"]
    assert support["phone"].startswith("+45")
    assert support["hours"]["da"]
    assert support["hours"]["en"]
    assert support["hours"]["da"] != support["hours"]["en"]


def test_a_stage_without_a_support_contact_is_refused_in_one_line():
    # Given a stage that names its console but no support contact
    variables = {"GODKEND_SUPPORT_EMAIL": "support@godkend.dk", "GODKEND_SUPPORT_PHONE": " "}

    # Then the missing ones are named
    with pytest.raises(ConsoleConfigError, match="GODKEND_SUPPORT_PHONE, GODKEND_SUPPORT_HOURS_DA"):
        support_contact(variables)


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
