"""`make staff`: a staff member's login, `staff` group membership and record, on a deployed stage or locally;
`make staff-remove`: offboarding one, as `DELETE /v1/staff/members/{user_id}` does.

    make staff EMAIL=ida@godkend.dk MOBILE=+4512345678 NAME="Ida Holm" STAGE=dev
    make staff EMAIL=ida@godkend.dk MOBILE=+4512345678 STAGE=local     # against the running `make run`
    make staff-remove EMAIL=ida@godkend.dk STAGE=dev REASON="Left the company"

On dev or prod it uses your AWS credentials (as `aws` does) and finds the user pool in the outputs of the
stack `godkend-<stage>`; the login gets a temporary password, which the person replaces at the first
sign-in, when they also enrol an authenticator app. Locally it finds the emulator and the pool in
.local/demo.json, and the password is permanent.

Removing marks the record `removed` (kept, so the staff trail keeps naming the person) and ends every
session at once, writes the staff trail's entry with the operator's AWS identity (locally, the OS user) and
the reason, then disables and signs out the Cognito login. Every staff record with that e-mail address goes.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

PROG = "make staff"
REMOVE_PROG = "make staff-remove"
DEFAULT_REASON = "Removed by the operator (make staff-remove)"
PROJECT_DIR = Path(__file__).resolve().parent.parent
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
MOBILE = re.compile(r"^\+45[0-9]{8}$")
# As the staff routes' reasons (chalicelib/fields.py, `Text`).
MAX_REASON = 1000


class StaffError(Exception):
    """Said in one line, without a traceback."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


@dataclass(frozen=True)
class Target:
    """Where the staff member is made: the table prefix, the user pool and its client, and (locally) the
    emulator's address."""

    stage: str
    table_prefix: str
    user_pool_id: str
    client_id: str
    region: str
    endpoint_url: str | None = None


def local_target(state_dir: Path) -> Target:
    demo_file = state_dir / "demo.json"
    try:
        demo: Any = json.loads(demo_file.read_text())
        return Target(
            stage="local",
            table_prefix="godkend-local",
            user_pool_id=str(demo["cognito"]["user_pool_id"]),
            client_id=str(demo["cognito"]["client_id"]),
            region="eu-west-1",
            endpoint_url=str(demo["aws_endpoint_url"]),
        )
    except FileNotFoundError:
        raise StaffError(
            f"the local stack is not running (no {demo_file}); start it with `make run`"
        ) from None
    except (ValueError, TypeError, KeyError):
        raise StaffError(f"{demo_file} is not the local stack's; restart `make run`") from None


def deployed_target(stage: str, region: str, cloudformation: Any) -> Target:
    from botocore.exceptions import BotoCoreError, ClientError

    from infra.package import table_prefix

    stack = f"godkend-{stage}"
    try:
        (found,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except (ClientError, BotoCoreError) as exc:
        raise StaffError(f"could not read the stack {stack} in {region} ({exc}); is it deployed?") from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])}
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in found.get("Parameters", [])}
    try:
        return Target(
            stage=stage,
            table_prefix=parameters.get("TablePrefix") or table_prefix(stage),
            user_pool_id=outputs["UserPoolId"],
            client_id=outputs["UserPoolClientId"],
            region=region,
        )
    except KeyError:
        raise StaffError(
            f"the stack {stack} has no UserPoolId output; deploy it again (make deploy)"
        ) from None


def temporary_password() -> str:
    # The pool's policy: 12 characters or more, upper and lower case and digits.
    return "Tmp-" + secrets.token_urlsafe(12) + "-a1B"


def _use(target: Target) -> None:
    # The models read their table names from the environment when imported: set it first.
    os.environ["GODKEND_TABLE_PREFIX"] = target.table_prefix
    os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = target.region
    if target.endpoint_url:
        os.environ["AWS_ENDPOINT_URL"] = target.endpoint_url
        os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")


def create(target: Target, *, email: str, mobile: str, name: str, password: str) -> str:
    """Makes the staff member; answers what to tell the person who asked."""
    _use(target)
    import boto3

    from chalicelib.adapters.cognito import CognitoDirectory
    from chalicelib.services.people.staff import StaffMember, add_staff_member

    first, _, last = name.strip().partition(" ")
    directory = CognitoDirectory(boto3.client("cognito-idp", region_name=target.region), target.user_pool_id)
    local = target.stage == "local"
    try:
        user = add_staff_member(
            directory,
            StaffMember(first or email.split("@")[0], last or "(staff)", email, mobile),
            password=password,
            now=datetime.now(UTC),
            temporary_password=not local,
        )
    except Exception as exc:  # one line for the operator, whatever AWS or the emulator said
        raise StaffError(f"could not create the staff member: {exc}") from None
    said = [
        f"Staff member {user.email} created on {target.stage}: username {user.user_id}, group staff.",
        f"Password ({'permanent' if local else 'temporary: replaced at the first sign-in'}): {password}",
        f"Sign in with USER_PASSWORD_AUTH on user pool {target.user_pool_id}, app client {target.client_id}:",
    ]
    if local:
        said.append(
            "  the first sign-in has no second factor; enrol one at POST /v1/me/second-factor/authenticator."
        )
    else:
        said.append(
            "  Cognito then asks for a new password (NEW_PASSWORD_REQUIRED) and for an authenticator app "
            "(MFA_SETUP); the password expires unused after 7 days."
        )
    return "\n".join(said)


def operator_identity(target: Target) -> str:
    """Who runs the tool, for the staff trail: the AWS identity on a deployed stage, the OS user locally."""
    if target.stage == "local":
        return f"local:{getpass.getuser()}"
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return str(boto3.client("sts", region_name=target.region).get_caller_identity()["Arn"])
    except (ClientError, BotoCoreError) as exc:
        raise StaffError(f"could not tell who you are in AWS ({exc})") from None


def remove(target: Target, *, email: str, reason: str, operator: str) -> str:
    """Offboards every staff member with the e-mail address; answers what to tell the operator."""
    _use(target)
    import boto3

    from chalicelib.adapters.cognito import CognitoDirectory
    from chalicelib.clock import SystemClock
    from chalicelib.models.audit import Actor, ActorKind, Origin
    from chalicelib.models.user import UserStatus, staff_with_email
    from chalicelib.services.people.staff import StaffService

    directory = CognitoDirectory(boto3.client("cognito-idp", region_name=target.region), target.user_pool_id)
    service = StaffService(logins=directory, clock=SystemClock())
    try:
        members = staff_with_email(email)
        if not members:
            raise StaffError(f"no staff member on {target.stage} has the e-mail address {email}")
        said = []
        for member in members:
            was = member.status
            service.remove(
                Actor(ActorKind.OPERATOR, operator),
                member.user_id,
                reason=reason,
                origin=Origin(source_ip=REMOVE_PROG, user_agent=f"infra.staff ({operator})"),
            )
            again = " (already removed; the login is disabled and signed out again)"
            said.append(
                f"Staff member {member.email} removed on {target.stage}: username {member.user_id}"
                f"{again if was == UserStatus.REMOVED.value else ''}."
            )
    except StaffError:
        raise
    except Exception as exc:  # one line for the operator, whatever AWS or the emulator said
        raise StaffError(f"could not remove the staff member: {exc}") from None
    said.append("Every token they held is refused from now on; the login is disabled and signed out.")
    return "\n".join(said)


def _target(stage: str, region: str | None, state_dir: Path) -> Target:
    if stage == "local":
        return local_target(state_dir)
    import boto3

    region = region or "eu-west-1"
    return deployed_target(stage, region, boto3.client("cloudformation", region_name=region))


def main_remove(argv: Sequence[str]) -> int:
    parser = _Parser(prog=REMOVE_PROG, description="Offboard a staff member on a stage, or locally.")
    parser.add_argument("--stage", required=True, choices=("local", "dev", "prod"))
    parser.add_argument("--email", required=True)
    parser.add_argument("--reason", default=DEFAULT_REASON, help="why; kept in the staff trail")
    parser.add_argument(
        "--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    )
    parser.add_argument(
        "--state-dir", type=Path, default=Path(os.environ.get("GODKEND_LOCAL_DIR", PROJECT_DIR / ".local"))
    )
    arguments = parser.parse_args(argv)
    reason = arguments.reason.strip()
    try:
        if not EMAIL.match(arguments.email):
            raise StaffError(f"EMAIL must be an e-mail address, not {arguments.email!r}")
        if not reason or len(reason) > MAX_REASON:
            raise StaffError(f"REASON must be 1 to {MAX_REASON} characters")
        target = _target(arguments.stage, arguments.region, arguments.state_dir)
        print(remove(target, email=arguments.email, reason=reason, operator=operator_identity(target)))
    except StaffError as failure:
        print(f"{REMOVE_PROG}: {failure}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["remove"]:
        return main_remove(arguments[1:])
    return main_add(arguments)


def main_add(argv: Sequence[str]) -> int:
    parser = _Parser(prog=PROG, description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--stage", required=True, choices=("local", "dev", "prod"))
    parser.add_argument("--email", required=True)
    parser.add_argument("--mobile", required=True, help="+45 and 8 digits (Cognito sends SMS codes there)")
    parser.add_argument("--name", default="", help='"First Last"; the e-mail\'s local part if not given')
    parser.add_argument(
        "--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    )
    parser.add_argument(
        "--state-dir", type=Path, default=Path(os.environ.get("GODKEND_LOCAL_DIR", PROJECT_DIR / ".local"))
    )
    arguments = parser.parse_args(argv)
    mobile = "".join(arguments.mobile.split())
    try:
        if not EMAIL.match(arguments.email):
            raise StaffError(f"EMAIL must be an e-mail address, not {arguments.email!r}")
        if not MOBILE.match(mobile):
            raise StaffError(f"MOBILE must be +45 and 8 digits, not {arguments.mobile!r}")
        target = _target(arguments.stage, arguments.region, arguments.state_dir)
        password = (
            "Staff-" + secrets.token_hex(6) + "-Aa1" if target.stage == "local" else temporary_password()
        )
        print(create(target, email=arguments.email, mobile=mobile, name=arguments.name, password=password))
    except StaffError as failure:
        print(f"{PROG}: {failure}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
