"""What `infra/package.py` adds to Chalice's template for every function it finds there, so that a function
added to the app gets all of it by being added, and one removed takes all of it along:

- its own role, with only the calls `infra/policies.json` grants it (and what its event source, its log
  group and X-Ray need), every resource named after the stage's `TablePrefix`;
- a log group with `LogRetentionDays`, and active tracing;
- a stream mapping that bisects a failing batch, retries it a bounded number of times, gives up on records
  older than a bound and sends what it gave up on to an SQS queue of its own; a dead-letter queue for a
  function invoked asynchronously (a schedule, SNS);
- alarms on its errors and throttles (and its stream's iterator age), one on every dead-letter queue, and an
  action on the ops topic for every alarm of the template, generated or written in `infra/resources.json`,
  whose description ends with a link to the alarm's own section of the runbook (`docs/operations.md`);
- its reserved concurrency as a parameter, by default no reservation (a new account's quota has none to give);
- a CloudWatch dashboard of all of it.
"""

from __future__ import annotations

import json
import re
from typing import Any

Template = dict[str, Any]

FUNCTION = "AWS::Serverless::Function"
ALARM = "AWS::CloudWatch::Alarm"
QUEUE = "AWS::SQS::Queue"
OPS_TOPIC = "OpsTopic"
# The runbook's address (a parameter, so that a stage can name the URL its operators read it at); each alarm
# links to the section named after it, its AlarmName without the stage's `${TablePrefix}-`.
RUNBOOK_URL = "RunbookUrl"
ALARM_NAME_PREFIX = "${TablePrefix}-"
DEAD_LETTER_SUFFIX = "DeadLetterQueue"
API = "RestAPI"
API_STAGE = "api"

# The stream mapping: a poison record is isolated by bisection, retried this often, and given up on (sent to
# the on-failure queue, where the sweeper and the runbook, docs/operations.md, pick it up) after this long.
# The outbox stream keeps records for 24 hours; the letter promise is 2.
STREAM_RETRIES = 5
STREAM_RECORD_AGE_SECONDS = 3600
ITERATOR_AGE_ALARM_MS = 5 * 60 * 1000
DLQ_RETENTION_SECONDS = 14 * 24 * 3600
ASYNC_RETRIES = 2

API_5XX_PER_5_MINUTES = 5
API_P99_LATENCY_MS = 3000
# SES reviews an account at a bounce rate of 5% and a complaint rate of 0.1%, and may pause it at 10%/0.5%.
SES_BOUNCE_RATE = 0.05
SES_COMPLAINT_RATE = 0.001

MAIL_SENDER = "Godkend <noreply@${MailDomain}>"
# The stack's secrets by the short name infra/policies.json grants them under -> their logical id.
SECRETS = {
    "activation-key": "ActivationKeySecret",
    "cvr-credentials": "CvrCredentialsSecret",
    "receipt-keys": "ReceiptKeysSecret",
}
# The stack's KMS keys by their short name in infra/policies.json -> their logical id; and the secrets
# encrypted with one, whose readers need kms:Decrypt on it (through Secrets Manager only).
KMS_KEYS = {"ops-key": "OpsKey"}
ENCRYPTED_SECRETS = {"receipt-keys": "ops-key"}
XRAY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]

# checkov checks that do not apply to every function, each with the reason the template carries.
FUNCTION_SKIPS = [
    ("CKV_AWS_117", "No VPC: the functions reach only AWS APIs (DynamoDB, Cognito, SES, SQS), over TLS."),
    ("CKV_AWS_173", "The environment holds names and ARNs only; secrets are read from Secrets Manager."),
]
SYNCHRONOUS_SKIP = (
    "CKV_AWS_116",
    "Invoked synchronously (API Gateway) or by a poller whose failures stay with its source (a queue with a "
    "redrive policy, a stream mapping with an on-failure queue); a function DLQ would never receive them.",
)
ROLE_SKIPS = [
    ("CKV_AWS_111", "X-Ray's PutTraceSegments and PutTelemetryRecords take no resource; all else is scoped."),
    ("CKV_AWS_356", "X-Ray's PutTraceSegments and PutTelemetryRecords take no resource; all else is scoped."),
]
# checkov checks answered the same way for every resource of a type, generated or in resources.json.
ACCEPTED_BY_TYPE: dict[str, list[tuple[str, str]]] = {
    "AWS::Logs::LogGroup": [
        (
            "CKV_AWS_158",
            "Encrypted by CloudWatch Logs' own keys; a customer key adds cost, not protection here.",
        ),
        (
            "CKV_AWS_338",
            "Kept for LogRetentionDays (30 by default): they hold personal data, so not for a year.",
        ),
    ],
    "AWS::DynamoDB::Table": [
        (
            "CKV_AWS_119",
            "Encrypted at rest with the AWS managed key (SSESpecification); no other account reads it.",
        ),
    ],
    QUEUE: [
        (
            "CKV_AWS_27",
            "Encrypted at rest by SQS (SqsManagedSseEnabled); a customer key would need grants for "
            "every service that sends to it, for no added protection.",
        ),
    ],
    "AWS::SecretsManager::Secret": [
        (
            "CKV_AWS_149",
            "Encrypted with the AWS managed key aws/secretsmanager; only its own stack's functions read it.",
        ),
    ],
    "AWS::S3::Bucket": [
        (
            "CKV_AWS_18",
            "Holds only the console's public static build, read through CloudFront; nothing personal.",
        ),
    ],
    "AWS::CloudFront::Distribution": [
        (
            "CKV_AWS_68",
            "Serves static files only; the API it calls is throttled by API Gateway. WAF if abuse shows.",
        ),
        ("CKV_AWS_86", "Static, public files; every call the console makes is in the API's access logs."),
    ],
    "AWS::Serverless::Api": [
        (
            "CKV_AWS_120",
            "Nothing is cacheable: answers depend on the caller, and a revoked code must fail at once.",
        ),
    ],
}


class OperationsError(Exception):
    """Something in the app or in infra/*.json the template cannot be built from; said in one line."""


def function_names(template: Template) -> dict[str, str]:
    """Logical id of each function in the template -> its name in the app (`.chalice/config.json`)."""
    names = {}
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") == FUNCTION:
            handler = str(resource["Properties"]["Handler"])
            names[logical_id] = "api_handler" if handler == "app.app" else handler.rsplit(".", 1)[-1]
    return names


def complete(template: Template, policies: dict[str, Any], reserved: dict[str, int]) -> Template:
    """Adds all of the above to the template (in place) and answers it."""
    functions = function_names(template)
    missing = sorted(set(functions.values()) - set(policies))
    if missing:
        raise OperationsError(f"no policy in infra/policies.json for function(s) {', '.join(missing)}")
    for logical_id, name in functions.items():
        _complete_function(template, logical_id, name, policies[name], reserved.get(name))
    _watch_dead_letter_queues(template)
    _watch_api_and_mail(template)
    _act_on_every_alarm(template)
    _link_every_alarm_to_its_runbook(template)
    _explain_accepted_findings(template)
    for resource in template["Resources"].values():
        # Kept on delete, but not left behind by a create that failed (its retry would find the name taken).
        if resource.get("DeletionPolicy") == "Retain":
            resource["DeletionPolicy"] = "RetainExceptOnCreate"
    template["Resources"]["Dashboard"] = _dashboard(template, functions)
    return template


def render_policy(grants: dict[str, dict[str, list[str]]]) -> list[dict[str, Any]]:
    """`infra/policies.json`'s entry of one function (service -> resource -> actions) as IAM statements."""
    statements = []
    for service, resources in sorted(grants.items()):
        for resource, actions in sorted(resources.items()):
            statement: dict[str, Any] = {
                "Sid": _sid(service, resource),
                "Effect": "Allow",
                "Action": [f"{service}:{action}" for action in sorted(actions)],
                "Resource": resource_arns(service, resource),
            }
            if service == "kms":
                # The key is there to open a secret: only Secrets Manager may use it on the function's behalf.
                statement["Condition"] = {
                    "StringEquals": {
                        "kms:ViaService": {"Fn::Sub": "secretsmanager.${AWS::Region}.amazonaws.com"}
                    }
                }
            statements.append(statement)
    return statements


def resource_arns(service: str, resource: str) -> list[Any]:
    """The ARN(s) of a resource `infra/policies.json` names by its short name, in the stage's own account,
    region and `TablePrefix`."""
    base = "arn:${AWS::Partition}:" + service + ":${AWS::Region}:${AWS::AccountId}:"
    if service == "dynamodb":
        table, _, index = resource.partition("/index/")
        arn = f"{base}table/${{TablePrefix}}-{table}" + (f"/index/{index}" if index else "")
        return [{"Fn::Sub": arn}]
    if service in ("sqs", "sns"):
        return [{"Fn::Sub": f"{base}${{TablePrefix}}-{resource}"}]
    if service == "cognito-idp" and resource == "user-pool":
        return [{"Fn::GetAtt": ["UserPool", "Arn"]}]
    if service == "ses" and resource == "mail":
        return [
            {"Fn::Sub": f"{base}identity/${{MailDomain}}"},
            {"Fn::Sub": f"{base}configuration-set/${{MailConfigurationSet}}"},
        ]
    if service == "secretsmanager" and resource in SECRETS:
        return [{"Ref": SECRETS[resource]}]
    if service == "kms" and resource in KMS_KEYS:
        return [{"Fn::GetAtt": [KMS_KEYS[resource], "Arn"]}]
    raise OperationsError(f"infra/policies.json names {service} resource {resource!r}, which has no ARN rule")


def _complete_function(
    template: Template, logical_id: str, name: str, grants: dict[str, Any], reserved: int | None
) -> None:
    resources = template["Resources"]
    function = resources[logical_id]
    properties = function["Properties"]
    function_name = properties.get("FunctionName")
    if not (isinstance(function_name, dict) and "Fn::Sub" in function_name):
        raise OperationsError(
            f"function {name} has no FunctionName (Fn::Sub of TablePrefix) in resources.json"
        )

    log_group = f"{logical_id}LogGroup"
    resources[log_group] = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {
            "LogGroupName": {"Fn::Sub": "/aws/lambda/" + function_name["Fn::Sub"]},
            "RetentionInDays": {"Ref": "LogRetentionDays"},
        },
    }
    function["DependsOn"] = sorted({*_as_list(function.get("DependsOn", [])), log_group})
    properties["Tracing"] = "Active"
    # The stage's own mail domain, the one its SES identity verifies.
    variables = properties.setdefault("Environment", {}).setdefault("Variables", {})
    variables["GODKEND_MAIL_SENDER"] = {"Fn::Sub": MAIL_SENDER}

    statements = render_policy(grants)
    statements.append(
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [{"Fn::GetAtt": [log_group, "Arn"]}],
        }
    )
    statements.append({"Sid": "Traces", "Effect": "Allow", "Action": XRAY_ACTIONS, "Resource": "*"})
    statements += _event_sources(template, logical_id, name)

    role_id = properties["Role"]["Fn::GetAtt"][0]
    role = resources[role_id]
    role["Metadata"] = _skips(ROLE_SKIPS)
    role["Properties"]["Policies"] = [
        {
            "PolicyName": f"{name}-least-privilege",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
        }
    ]

    _reserve(template, logical_id, name, reserved)
    skips = list(FUNCTION_SKIPS)
    if "DeadLetterQueue" not in properties:
        skips.append(SYNCHRONOUS_SKIP)
    function["Metadata"] = {**function.get("Metadata", {}), **_skips(skips)}
    _function_alarms(template, logical_id, name)


def _event_sources(template: Template, logical_id: str, name: str) -> list[dict[str, Any]]:
    """Hardens the function's event sources and answers the permissions their pollers need."""
    resources = template["Resources"]
    properties = resources[logical_id]["Properties"]
    statements: list[dict[str, Any]] = []
    asynchronous = False
    for event in properties.get("Events", {}).values():
        kind, source = event["Type"], event["Properties"]
        _refer_to_our_own(template, kind, source)
        if kind == "DynamoDB":
            queue = _dead_letter_queue(template, logical_id, name, "stream batches given up on")
            source.update(
                BisectBatchOnFunctionError=True,
                MaximumRetryAttempts=STREAM_RETRIES,
                MaximumRecordAgeInSeconds=STREAM_RECORD_AGE_SECONDS,
                DestinationConfig={
                    "OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": [queue, "Arn"]}}
                },
            )
            statements.append(
                {
                    "Sid": "ReadStream",
                    "Effect": "Allow",
                    "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
                    "Resource": [source["Stream"]],
                }
            )
            statements.append(_send_to(queue, "StreamFailures"))
            _alarm(
                template,
                f"{logical_id}IteratorAgeAlarm",
                name=f"{_kebab(name)}-iterator-age",
                description=f"{name} is more than 5 minutes behind its stream: what it handles is late.",
                namespace="AWS/Lambda",
                metric="IteratorAge",
                dimensions={"FunctionName": {"Ref": logical_id}},
                statistic="Maximum",
                threshold=ITERATOR_AGE_ALARM_MS,
            )
        elif kind == "SQS":
            statements.append(
                {
                    "Sid": "ConsumeQueue",
                    "Effect": "Allow",
                    "Action": [
                        "sqs:ReceiveMessage",
                        "sqs:DeleteMessage",
                        "sqs:GetQueueAttributes",
                        "sqs:ChangeMessageVisibility",
                    ],
                    "Resource": [source["Queue"]],
                }
            )
        elif kind in ("Schedule", "SNS", "EventBridgeRule", "CloudWatchEvent"):
            asynchronous = True
        else:
            raise OperationsError(
                f"function {name} has an event source of type {kind} this file does not know"
            )
    if asynchronous:
        queue = _dead_letter_queue(
            template, logical_id, name, "invocations that failed after the retries of Lambda"
        )
        properties["DeadLetterQueue"] = {"Type": "SQS", "TargetArn": {"Fn::GetAtt": [queue, "Arn"]}}
        properties["EventInvokeConfig"] = {"MaximumRetryAttempts": ASYNC_RETRIES}
        statements.append(_send_to(queue, "DeadLetters"))
    return statements


def _refer_to_our_own(template: Template, kind: str, source: dict[str, Any]) -> None:
    """Chalice subscribes to a queue or topic by the name the app was packaged with (the stage's prefix,
    spelt out); point it at our resource of that name instead, so that the mapping follows `TablePrefix` and
    is created after the queue or topic."""
    key, resource_type, attribute = {
        "SQS": ("Queue", QUEUE, "QueueName"),
        "SNS": ("Topic", "AWS::SNS::Topic", "TopicName"),
    }.get(kind, ("", "", ""))
    arn = source.get(key)
    if not (isinstance(arn, dict) and isinstance(arn.get("Fn::Sub"), str)):
        return
    name = arn["Fn::Sub"].rsplit(":", 1)[-1]
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != resource_type:
            continue
        ours = resource["Properties"].get(attribute, {})
        suffix = ours.get("Fn::Sub", "").removeprefix("${TablePrefix}") if isinstance(ours, dict) else None
        if suffix and name.endswith(suffix) and name.removesuffix(suffix) == _packaged_prefix(template):
            source[key] = {"Fn::GetAtt": [logical_id, "Arn"]} if kind == "SQS" else {"Ref": logical_id}
            return
    raise OperationsError(f"the template has no {resource_type} named {name!r} for an event source to use")


def _packaged_prefix(template: Template) -> str:
    return str(template["Parameters"]["TablePrefix"]["Default"])


def _dead_letter_queue(template: Template, logical_id: str, name: str, what: str) -> str:
    queue = f"{logical_id}{DEAD_LETTER_SUFFIX}"
    template["Resources"][queue] = {
        "Type": QUEUE,
        "Properties": {
            "QueueName": {"Fn::Sub": f"${{TablePrefix}}-{_kebab(name)}-dlq"},
            "MessageRetentionPeriod": DLQ_RETENTION_SECONDS,
            "SqsManagedSseEnabled": True,
            "Tags": [{"Key": "holds", "Value": f"{name}: {what}"}],
        },
    }
    return queue


def _send_to(queue: str, sid: str) -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": ["sqs:SendMessage"],
        "Resource": [{"Fn::GetAtt": [queue, "Arn"]}],
    }


def _reserve(template: Template, logical_id: str, name: str, figure: int | None) -> None:
    properties = template["Resources"][logical_id]["Properties"]
    properties.pop("ReservedConcurrentExecutions", None)
    parameter = f"{logical_id}ReservedConcurrency"
    production = f" Production figure, once the account's quota allows it: {figure}." if figure else ""
    template["Parameters"][parameter] = {
        "Type": "Number",
        "Default": 0,
        "MinValue": 0,
        "Description": f"Concurrent executions reserved for {name}; 0 reserves none.{production}",
    }
    condition = f"{logical_id}Reserves"
    template.setdefault("Conditions", {})[condition] = {"Fn::Not": [{"Fn::Equals": [{"Ref": parameter}, 0]}]}
    properties["ReservedConcurrentExecutions"] = {
        "Fn::If": [condition, {"Ref": parameter}, {"Ref": "AWS::NoValue"}]
    }


def _function_alarms(template: Template, logical_id: str, name: str) -> None:
    for metric, what in (("Errors", "failed"), ("Throttles", "was throttled")):
        _alarm(
            template,
            f"{logical_id}{metric}Alarm",
            name=f"{_kebab(name)}-{metric.lower()}",
            description=f"{name} {what} at least once in 5 minutes; see its log group.",
            namespace="AWS/Lambda",
            metric=metric,
            dimensions={"FunctionName": {"Ref": logical_id}},
            statistic="Sum",
            threshold=1,
        )


def _watch_dead_letter_queues(template: Template) -> None:
    # A queue that resources.json already watches keeps its own alarm (and description).
    watched = {
        json.dumps(d["Value"])
        for r in template["Resources"].values()
        if r.get("Type") == ALARM
        for d in r["Properties"].get("Dimensions", [])
        if d["Name"] == "QueueName"
    }
    for logical_id in [q for q, r in template["Resources"].items() if r.get("Type") == QUEUE]:
        if not logical_id.endswith(DEAD_LETTER_SUFFIX):
            continue
        if json.dumps({"Fn::GetAtt": [logical_id, "QueueName"]}) in watched:
            continue
        stem = _kebab(logical_id.removesuffix(DEAD_LETTER_SUFFIX))
        _alarm(
            template,
            f"{logical_id}Alarm",
            name=f"{stem}-dead-letters",
            description=f"A message is waiting in {logical_id}: work that failed for good.",
            namespace="AWS/SQS",
            metric="ApproximateNumberOfMessagesVisible",
            dimensions={"QueueName": {"Fn::GetAtt": [logical_id, "QueueName"]}},
            statistic="Maximum",
            threshold=1,
        )


def _watch_api_and_mail(template: Template) -> None:
    api = {"ApiName": {"Fn::Sub": "${TablePrefix}-api"}, "Stage": API_STAGE}
    _alarm(
        template,
        "Api5xxAlarm",
        name="api-5xx",
        description=f"The API answered {API_5XX_PER_5_MINUTES} or more 5xx in 5 minutes.",
        namespace="AWS/ApiGateway",
        metric="5XXError",
        dimensions=api,
        statistic="Sum",
        threshold=API_5XX_PER_5_MINUTES,
    )
    _alarm(
        template,
        "ApiLatencyAlarm",
        name="api-p99-latency",
        description=f"The API's p99 latency was over {API_P99_LATENCY_MS} ms for 15 minutes.",
        namespace="AWS/ApiGateway",
        metric="Latency",
        dimensions=api,
        extended_statistic="p99",
        threshold=API_P99_LATENCY_MS,
        periods=3,
    )
    mail = {"ses:configuration-set": {"Ref": "MailConfigurationSet"}}
    for metric, rate, what in (
        ("Reputation.BounceRate", SES_BOUNCE_RATE, "bounce"),
        ("Reputation.ComplaintRate", SES_COMPLAINT_RATE, "complaint"),
    ):
        _alarm(
            template,
            f"Ses{what.title()}RateAlarm",
            name=f"ses-{what}-rate",
            description=f"SES reports a {what} rate of {rate:.1%} or more; SES reviews, then pauses.",
            namespace="AWS/SES",
            metric=metric,
            dimensions=mail,
            statistic="Maximum",
            threshold=rate,
            period=3600,
        )


def _alarm(
    template: Template,
    logical_id: str,
    *,
    name: str,
    description: str,
    namespace: str,
    metric: str,
    dimensions: dict[str, Any],
    threshold: float,
    statistic: str | None = None,
    extended_statistic: str | None = None,
    period: int = 300,
    periods: int = 1,
) -> None:
    properties: dict[str, Any] = {
        "AlarmName": {"Fn::Sub": f"${{TablePrefix}}-{name}"},
        "AlarmDescription": description,
        "Namespace": namespace,
        "MetricName": metric,
        "Dimensions": [{"Name": key, "Value": value} for key, value in dimensions.items()],
        "Period": period,
        "EvaluationPeriods": periods,
        "Threshold": threshold,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "notBreaching",
    }
    if extended_statistic:
        properties["ExtendedStatistic"] = extended_statistic
    else:
        properties["Statistic"] = statistic
    template["Resources"][logical_id] = {"Type": ALARM, "Properties": properties}


def _act_on_every_alarm(template: Template) -> None:
    for resource in template["Resources"].values():
        if resource.get("Type") == ALARM:
            resource["Properties"]["AlarmActions"] = [{"Ref": OPS_TOPIC}]
            resource["Properties"]["OKActions"] = [{"Ref": OPS_TOPIC}]


def runbook_anchor(alarm: dict[str, Any]) -> str:
    """The runbook section an alarm links to: its name without the stage's prefix (`api-5xx`)."""
    name = alarm["Properties"].get("AlarmName")
    text = name.get("Fn::Sub") if isinstance(name, dict) else None
    if not (
        isinstance(text, str)
        and text.startswith(ALARM_NAME_PREFIX)
        and "$" not in text[len(ALARM_NAME_PREFIX) :]
    ):
        raise OperationsError(f"an alarm's AlarmName is not {ALARM_NAME_PREFIX}<name>: {name!r}")
    return text[len(ALARM_NAME_PREFIX) :]


def _link_every_alarm_to_its_runbook(template: Template) -> None:
    # An alarm is read in the AWS console or in the ops topic's mail, far from the repository: its description
    # carries the way to what to do.
    for alarm in template["Resources"].values():
        if alarm.get("Type") != ALARM:
            continue
        description = alarm["Properties"]["AlarmDescription"]
        alarm["Properties"]["AlarmDescription"] = {
            "Fn::Join": ["", [f"{description} Runbook: ", {"Ref": RUNBOOK_URL}, f"#{runbook_anchor(alarm)}"]]
        }


def _dashboard(template: Template, functions: dict[str, str]) -> dict[str, Any]:
    resources = template["Resources"]

    def lambda_name(logical_id: str) -> str:
        return str(resources[logical_id]["Properties"]["FunctionName"]["Fn::Sub"])

    def graph(title: str, metrics: list[list[Any]], stat: str = "Sum") -> dict[str, Any]:
        return {
            "type": "metric",
            "width": 12,
            "height": 6,
            "properties": {
                "title": title,
                "region": "${AWS::Region}",
                "stat": stat,
                "period": 300,
                "metrics": metrics,
            },
        }

    ids = sorted(functions)
    api = ["ApiName", "${TablePrefix}-api", "Stage", API_STAGE]
    widgets = [
        graph("Function errors", [["AWS/Lambda", "Errors", "FunctionName", lambda_name(f)] for f in ids]),
        graph(
            "Function throttles", [["AWS/Lambda", "Throttles", "FunctionName", lambda_name(f)] for f in ids]
        ),
        graph("Invocations", [["AWS/Lambda", "Invocations", "FunctionName", lambda_name(f)] for f in ids]),
        graph(
            "Duration p99",
            [["AWS/Lambda", "Duration", "FunctionName", lambda_name(f)] for f in ids],
            stat="p99",
        ),
        graph(
            "API requests and errors",
            [["AWS/ApiGateway", m, *api] for m in ("Count", "4XXError", "5XXError")],
        ),
        graph("API latency p99", [["AWS/ApiGateway", "Latency", *api]], stat="p99"),
        graph(
            "Stream iterator age",
            [
                ["AWS/Lambda", "IteratorAge", "FunctionName", lambda_name(f)]
                for f in ids
                if any(e["Type"] == "DynamoDB" for e in resources[f]["Properties"].get("Events", {}).values())
            ],
            stat="Maximum",
        ),
        graph(
            "Dead letters",
            [
                ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", _queue_name(resources[q])]
                for q in sorted(resources)
                if resources[q].get("Type") == QUEUE and q.endswith(DEAD_LETTER_SUFFIX)
            ],
            stat="Maximum",
        ),
        graph(
            "SES reputation",
            [
                ["AWS/SES", m, "ses:configuration-set", "${TablePrefix}-mail"]
                for m in ("Reputation.BounceRate", "Reputation.ComplaintRate")
            ],
            stat="Maximum",
        ),
        graph(
            "Letters overdue",
            [["Godkend", "LettersOverdue", "deployment", "${TablePrefix}", "service", "godkend"]],
        ),
    ]
    return {
        "Type": "AWS::CloudWatch::Dashboard",
        "Properties": {
            "DashboardName": {"Fn::Sub": "${TablePrefix}"},
            "DashboardBody": {"Fn::Sub": json.dumps({"widgets": widgets}, separators=(",", ":"))},
        },
    }


def _queue_name(queue: dict[str, Any]) -> str:
    return str(queue["Properties"]["QueueName"]["Fn::Sub"])


def _explain_accepted_findings(template: Template) -> None:
    for resource in template["Resources"].values():
        accepted = ACCEPTED_BY_TYPE.get(resource.get("Type", ""), [])
        if "KmsKeyId" in resource.get("Properties", {}):
            # Encrypted with the stack's own key: the finding about the AWS managed key does not arise.
            accepted = [(check, reason) for check, reason in accepted if check != "CKV_AWS_149"]
        if accepted:
            skips = resource.setdefault("Metadata", {}).setdefault("checkov", {}).setdefault("skip", [])
            skips += _skips(accepted)["checkov"]["skip"]


def _skips(checks: list[tuple[str, str]]) -> dict[str, Any]:
    return {"checkov": {"skip": [{"id": check, "comment": reason} for check, reason in checks]}}


def _sid(service: str, resource: str) -> str:
    return "".join(part.title() for part in re.split(r"[^a-zA-Z0-9]+", f"{service} {resource}") if part)


def _kebab(name: str) -> str:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
    return snake.replace("_", "-")


def _as_list(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) else list(value)
