"""The web console's HTTP security headers: one definition for CloudFront (infra/package.py puts them in the
distribution's response headers policy) and for `make run`'s console server, so a page that breaks the policy
breaks on a laptop first.

The console is a built single-page app (`web/dist/`): its scripts and styles are files of its own origin, so
the policy allows no inline script or style, no other origin's code, and talking only to the API and Cognito.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

# HSTS for two years; CloudFront serves only HTTPS (viewer protocol policy redirect-to-https).
HSTS_SECONDS = 63_072_000

# How long a browser keeps what it is sent, here and locally. The build names every file under /assets/
# after its content (a changed file is a new name), so those are kept a year without asking again; the page
# names this build's files, so it and /config.json are asked for again every time (no-cache: kept, but
# revalidated; `make run`'s /config.json, new every start, is never kept at all).
ASSETS_PATH = "/assets/"
ASSET_CACHE = "public, max-age=31536000, immutable"
PAGE_CACHE = "no-cache"


def content_security_policy(connect_to: Iterable[str], *, https: bool = True) -> str:
    """CSP for the console: its own files only, no inline script, calls to `connect_to` (the API, Cognito)."""
    directives = [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        # The design system's icons and the enrolment QR code may come as data: URLs.
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src " + " ".join(["'self'", *connect_to]),
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ]
    if https:
        directives.append("upgrade-insecure-requests")
    return "; ".join(directives)


def security_headers(connect_to: Iterable[str], *, https: bool = True) -> dict[str, str]:
    """Every header the console is served with. Without HTTPS (locally) HSTS would be ignored, so it is left
    out there."""
    headers = {
        "Content-Security-Policy": content_security_policy(connect_to, https=https),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if https:
        headers["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}; includeSubDomains; preload"
    return headers


# Hosting in AWS: a private bucket that only the stage's CloudFront distribution reads (origin access
# control), served over HTTPS at the console's own domain with the headers above. infra/package.py merges
# these into the stage's template; the stage's GODKEND_CONSOLE_ORIGINS (.chalice/config.json) names the
# domain, so the origin the API lets call it and the one CloudFront serves cannot differ.

CERTIFICATE_PARAMETER = "ConsoleCertificateArn"
# AWS's managed cache policy for fingerprinted files: kept at the edge (a day unless the origin says
# otherwise), brotli and gzip in the cache key, so CloudFront compresses them.
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
# The page and /config.json at the edge: a minute at most (browsers revalidate them every time regardless).
PAGE_EDGE_SECONDS = 60
# The console routes in the browser: a path whose last segment names no file gets the page, as `make run`'s
# console server answers it (infra/local/console.py); a missing file stays missing (S3 answers 403), rather
# than being answered with the page under an asset's name and a year's Cache-Control.
ROUTING_FUNCTION = """function handler(event) {
  var request = event.request;
  var last = request.uri.split("/").pop();
  if (last.indexOf(".") === -1) request.uri = "/index.html";
  return request;
}
"""
# What the page talks to in AWS: the stage's REST API and Cognito's user pool API, and nothing else.
AWS_CONNECT_TO = (
    "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}",
    "https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}",
)


class ConsoleConfigError(ValueError):
    pass


def console_hosts(origins: Iterable[str]) -> list[str]:
    """The domains CloudFront answers for: the HTTPS origins among the stage's console origins."""
    hosts = [origin.removeprefix("https://") for origin in origins if origin.startswith("https://")]
    if not hosts:
        raise ConsoleConfigError("the stage names no https:// origin in GODKEND_CONSOLE_ORIGINS")
    if any(":" in host for host in hosts):
        raise ConsoleConfigError("CloudFront serves the console on port 443 only; drop the port")
    return hosts


# The stage's support contact, which the console's footer and pages name (.chalice/config.json).
SUPPORT_VARIABLES = {
    "email": "GODKEND_SUPPORT_EMAIL",
    "phone": "GODKEND_SUPPORT_PHONE",
    "hours_da": "GODKEND_SUPPORT_HOURS_DA",
    "hours_en": "GODKEND_SUPPORT_HOURS_EN",
}


def support_contact(variables: dict[str, str]) -> dict[str, Any]:
    """The console's `support` from a stage's variables: e-mail, telephone, opening hours (da, en)."""
    missing = [name for name in SUPPORT_VARIABLES.values() if not variables.get(name, "").strip()]
    if missing:
        raise ConsoleConfigError("the stage names no support contact: set " + ", ".join(missing))
    found = {key: variables[name].strip() for key, name in SUPPORT_VARIABLES.items()}
    if "$" in "".join(found.values()):
        # The configuration is an Fn::Sub string: a literal ${...} would be read as a reference.
        raise ConsoleConfigError("the support contact may not contain '$'")
    return {
        "email": found["email"],
        "phone": found["phone"],
        "hours": {"da": found["hours_da"], "en": found["hours_en"]},
    }


def deployed_config(api_stage: str, support: dict[str, Any]) -> dict[str, Any]:
    """The console's /config.json in AWS, as `Fn::Sub` strings: the same shape `make run` serves."""
    return {
        "api_url": "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/" + api_stage,
        "region": "${AWS::Region}",
        "cognito": {
            "endpoint": "https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}",
            "user_pool_id": "${UserPool}",
            "client_id": "${UserPoolClient}",
        },
        "support": support,
    }


def hosting_template(
    origins: Iterable[str], support: dict[str, Any], api_stage: str = "api"
) -> dict[str, Any]:
    """Parameters, resources and outputs that host the console of a stage whose console has `origins` and
    names `support` (`support_contact`), its API deployed as the API Gateway stage `api_stage`."""
    hosts = console_hosts(origins)
    return {
        "Parameters": {
            CERTIFICATE_PARAMETER: {
                "Type": "String",
                "Description": (
                    "ACM certificate in us-east-1 (CloudFront's region) for the console's domain: "
                    + ", ".join(hosts)
                ),
                "AllowedPattern": r"^arn:aws:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]+$",
            }
        },
        "Resources": {
            "ConsoleBucket": _bucket(),
            "ConsoleBucketPolicy": _bucket_policy(),
            "ConsoleOriginAccessControl": {
                "Type": "AWS::CloudFront::OriginAccessControl",
                "Properties": {
                    "OriginAccessControlConfig": {
                        "Name": {"Fn::Sub": "${TablePrefix}-console"},
                        "Description": "CloudFront signs its requests for the console's files",
                        "OriginAccessControlOriginType": "s3",
                        "SigningBehavior": "always",
                        "SigningProtocol": "sigv4",
                    }
                },
            },
            "ConsoleResponseHeadersPolicy": _response_headers_policy("security", PAGE_CACHE),
            "ConsoleAssetsResponseHeadersPolicy": _response_headers_policy("assets", ASSET_CACHE),
            "ConsolePageCachePolicy": _page_cache_policy(),
            "ConsoleRouting": _routing_function(),
            "ConsoleDistribution": _distribution(hosts),
        },
        "Outputs": {
            "ConsoleBucketName": {
                "Description": "Where `make web`'s web/dist and the console's config.json are uploaded",
                "Value": {"Ref": "ConsoleBucket"},
            },
            "ConsoleDistributionId": {"Value": {"Ref": "ConsoleDistribution"}},
            "ConsoleDistributionDomainName": {
                "Description": "The CNAME (or alias) target for " + ", ".join(hosts),
                "Value": {"Fn::GetAtt": ["ConsoleDistribution", "DomainName"]},
            },
            "ConsoleUrl": {"Value": "https://" + hosts[0]},
            "ConsoleConfig": {
                "Description": "The console's config.json: upload it to the bucket beside the build",
                "Value": {"Fn::Sub": json.dumps(deployed_config(api_stage, support), separators=(",", ":"))},
            },
        },
    }


def _bucket() -> dict[str, Any]:
    return {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}
                ]
            },
            "VersioningConfiguration": {"Status": "Enabled"},
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            # Earlier builds stay a while for a rollback, then go.
            "LifecycleConfiguration": {
                "Rules": [
                    {
                        "Id": "expire-old-builds",
                        "Status": "Enabled",
                        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                    }
                ]
            },
        },
    }


def _bucket_policy() -> dict[str, Any]:
    objects = {"Fn::Sub": "${ConsoleBucket.Arn}/*"}
    return {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": {"Ref": "ConsoleBucket"},
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "OnlyTheConsoleDistributionReads",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudfront.amazonaws.com"},
                        "Action": "s3:GetObject",
                        "Resource": objects,
                        "Condition": {
                            "StringEquals": {
                                "AWS:SourceArn": {
                                    "Fn::Sub": (
                                        "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:"
                                        "distribution/${ConsoleDistribution}"
                                    )
                                }
                            }
                        },
                    },
                    {
                        "Sid": "OnlyOverTls",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [{"Fn::GetAtt": ["ConsoleBucket", "Arn"]}, objects],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
                ],
            },
        },
    }


def _response_headers_policy(purpose: str, cache_control: str) -> dict[str, Any]:
    """The security headers, and how long a browser keeps what it gets (`cache_control`)."""
    # Values come from security_headers(), the one definition; CloudFront wants each in its own field.
    headers = {**security_headers(AWS_CONNECT_TO, https=True), "Cache-Control": cache_control}
    named = {
        "Content-Security-Policy",
        "Strict-Transport-Security",
        "X-Frame-Options",
        "Referrer-Policy",
        "X-Content-Type-Options",
    }
    return {
        "Type": "AWS::CloudFront::ResponseHeadersPolicy",
        "Properties": {
            "ResponseHeadersPolicyConfig": {
                "Name": {"Fn::Sub": "${TablePrefix}-console-" + purpose},
                "Comment": f"The console's security headers; Cache-Control: {cache_control}",
                "SecurityHeadersConfig": {
                    "ContentSecurityPolicy": {
                        "ContentSecurityPolicy": {"Fn::Sub": headers["Content-Security-Policy"]},
                        "Override": True,
                    },
                    "StrictTransportSecurity": {
                        "AccessControlMaxAgeSec": HSTS_SECONDS,
                        "IncludeSubdomains": True,
                        "Preload": True,
                        "Override": True,
                    },
                    "FrameOptions": {"FrameOption": headers["X-Frame-Options"], "Override": True},
                    "ReferrerPolicy": {"ReferrerPolicy": headers["Referrer-Policy"], "Override": True},
                    "ContentTypeOptions": {"Override": True},
                },
                "CustomHeadersConfig": {
                    "Items": [
                        {"Header": name, "Value": value, "Override": True}
                        for name, value in headers.items()
                        if name not in named
                    ]
                },
            }
        },
    }


def _page_cache_policy() -> dict[str, Any]:
    """The page and /config.json: kept at the edge a minute at most (the bucket's objects say nothing of
    caching), compressed. AWS's CachingDisabled policy cannot key on the encodings, so CloudFront would not
    compress; a TTL above zero is what AWS's documentation asks for compression. A minute is harmless: a
    deploy keeps earlier builds' files, so a page a minute old still finds its own (docs/operations.md)."""
    return {
        "Type": "AWS::CloudFront::CachePolicy",
        "Properties": {
            "CachePolicyConfig": {
                "Name": {"Fn::Sub": "${TablePrefix}-console-page"},
                "Comment": "index.html and config.json: at the edge a minute at most, compressed",
                "MinTTL": 0,
                "DefaultTTL": PAGE_EDGE_SECONDS,
                "MaxTTL": PAGE_EDGE_SECONDS,
                "ParametersInCacheKeyAndForwardedToOrigin": {
                    "EnableAcceptEncodingBrotli": True,
                    "EnableAcceptEncodingGzip": True,
                    "HeadersConfig": {"HeaderBehavior": "none"},
                    "CookiesConfig": {"CookieBehavior": "none"},
                    "QueryStringsConfig": {"QueryStringBehavior": "none"},
                },
            }
        },
    }


def _routing_function() -> dict[str, Any]:
    return {
        "Type": "AWS::CloudFront::Function",
        "Properties": {
            "Name": {"Fn::Sub": "${TablePrefix}-console-routing"},
            "AutoPublish": True,
            "FunctionConfig": {
                "Comment": "The console's paths get its page (infra/console.py)",
                "Runtime": "cloudfront-js-2.0",
            },
            "FunctionCode": ROUTING_FUNCTION,
        },
    }


def _distribution(hosts: list[str]) -> dict[str, Any]:
    def behaviour(cache_policy: Any, headers_policy: str) -> dict[str, Any]:
        return {
            "TargetOriginId": "console-bucket",
            "ViewerProtocolPolicy": "redirect-to-https",
            "AllowedMethods": ["GET", "HEAD"],
            "CachedMethods": ["GET", "HEAD"],
            # CloudFront compresses with brotli or gzip, as the browser accepts, what the cache policy
            # lets it (both policies here do).
            "Compress": True,
            "CachePolicyId": cache_policy,
            "ResponseHeadersPolicyId": {"Ref": headers_policy},
        }

    page = {
        **behaviour({"Ref": "ConsolePageCachePolicy"}, "ConsoleResponseHeadersPolicy"),
        "FunctionAssociations": [
            {"EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": ["ConsoleRouting", "FunctionARN"]}}
        ],
    }

    return {
        "Type": "AWS::CloudFront::Distribution",
        "Properties": {
            "DistributionConfig": {
                "Enabled": True,
                "Comment": {"Fn::Sub": "${TablePrefix} web console"},
                "Aliases": hosts,
                "ViewerCertificate": {
                    "AcmCertificateArn": {"Ref": CERTIFICATE_PARAMETER},
                    "SslSupportMethod": "sni-only",
                    "MinimumProtocolVersion": "TLSv1.2_2021",
                },
                "HttpVersion": "http2and3",
                "IPV6Enabled": True,
                "PriceClass": "PriceClass_100",
                "DefaultRootObject": "index.html",
                "Origins": [
                    {
                        "Id": "console-bucket",
                        "DomainName": {"Fn::GetAtt": ["ConsoleBucket", "RegionalDomainName"]},
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                        "OriginAccessControlId": {"Fn::GetAtt": ["ConsoleOriginAccessControl", "Id"]},
                    }
                ],
                # Everything but the build's fingerprinted files: the page (at any of the console's paths,
                # through the routing function) and /config.json.
                "DefaultCacheBehavior": page,
                "CacheBehaviors": [
                    {
                        "PathPattern": ASSETS_PATH + "*",
                        **behaviour(CACHING_OPTIMIZED, "ConsoleAssetsResponseHeadersPolicy"),
                    }
                ],
            }
        },
    }
