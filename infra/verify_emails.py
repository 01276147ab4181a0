"""`python -m infra.verify_emails --stage dev|prod`: once, after the deploy that made recovery e-mail only.

*Glemt adgangskode?* reaches a login only through a verified e-mail address (Cognito mails the code nowhere
else), and logins made before that deploy were given an e-mail address that was not marked verified. This
marks it verified on every such login of the stage's user pool, as the service now does when it makes a
login (`chalicelib/adapters/cognito.py`). It changes nothing else, and running it again changes nothing.
It lists the pool's users page by page: an operator's step, never a request's.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from infra.staff import StaffError, deployed_target

PROG = "python -m infra.verify_emails"


def verify_emails(cognito: Any, user_pool_id: str) -> list[str]:
    """Marks the e-mail of every login that has one, and has it unverified, as verified; answers their
    usernames."""
    marked: list[str] = []
    for page in cognito.get_paginator("list_users").paginate(UserPoolId=user_pool_id):
        for user in page["Users"]:
            attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
            if attributes.get("email") and attributes.get("email_verified") != "true":
                cognito.admin_update_user_attributes(
                    UserPoolId=user_pool_id,
                    Username=user["Username"],
                    UserAttributes=[{"Name": "email_verified", "Value": "true"}],
                )
                marked.append(str(user["Username"]))
    return marked


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0] if __doc__ else None)
    # (the local stack starts empty every time, and its logins are made verified already)
    parser.add_argument("--stage", required=True, choices=("dev", "prod"))
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1"
    parser.add_argument("--region", default=region)
    arguments = parser.parse_args(argv)
    try:
        import boto3

        cloudformation = boto3.client("cloudformation", region_name=arguments.region)
        target = deployed_target(arguments.stage, arguments.region, cloudformation)
        cognito = boto3.client("cognito-idp", region_name=target.region)
        marked = verify_emails(cognito, target.user_pool_id)
    except StaffError as failure:
        print(f"{PROG}: {failure}", file=sys.stderr)
        return 2
    print(f"{len(marked)} login(s) now have a verified e-mail address in {target.user_pool_id}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
