"""`make run` as a newcomer meets it: the service on the emulator, seeded, signed in to like a front end."""

from __future__ import annotations

import time
from collections.abc import Iterator

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from openapi_spec_validator import validate

from infra.local.signin import SignInRefused, sign_in
from infra.local.totp import STEP_SECONDS, totp
from tests.e2e.conftest import RunningStack, stack_of_its_own, start_stack

pytestmark = pytest.mark.e2e


def test_the_stack_answers_health_and_serves_a_valid_openapi_document(stack: RunningStack):
    assert requests.get(f"{stack.api}/health", timeout=5).json() == {"status": "ok"}
    validate(requests.get(f"{stack.api}/openapi.json", timeout=5).json())


def test_demo_json_has_the_documented_shape(stack: RunningStack):
    demo = stack.demo
    assert demo["api_url"].startswith("http://127.0.0.1:")
    assert demo["aws_endpoint_url"].startswith("http://127.0.0.1:")
    assert demo["console_url"].startswith("http://127.0.0.1:")
    assert demo["region"] == "eu-west-1"
    assert set(demo["cognito"]) == {"user_pool_id", "client_id"}
    for who in ("admin", "staff"):
        assert set(demo["users"][who]) == {"username", "password", "totp_secret"}
        assert all(demo["users"][who].values())
    assert set(demo["vendor"]) == {"vendor_id", "api_key"}
    assert demo["vendor"]["api_key"].startswith("gkv_")


def test_the_demo_administrator_signs_in_with_password_and_authenticator_and_sees_the_organisation(
    stack: RunningStack,
):
    # Given the demo administrator's credentials
    admin = stack.demo["users"]["admin"]
    cognito = stack.cognito()
    client_id = stack.demo["cognito"]["client_id"]

    # Then the password alone is not enough
    with pytest.raises(SignInRefused):
        sign_in(cognito, client_id, admin["username"], admin["password"])

    # When they sign in with password and authenticator code, as a front end would
    token = sign_in(cognito, client_id, admin["username"], admin["password"], admin["totp_secret"])
    me = requests.get(f"{stack.api}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=5)

    # Then the service knows them, their approved organisation with two companies of two accounts each
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["organisation"]["status"] == "approved"
    assert [len(c["accounts"]) for c in body["companies"]] == [2, 2]
    assert body["functions"] == ["codes", "history", "masterdata", "users"]

    # And a token with the same claims signed by any other key is refused
    forged = jwt.encode(
        jwt.decode(token, options={"verify_signature": False}),
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        algorithm="RS256",
        headers={"kid": "dummy"},
    )
    refused = requests.get(f"{stack.api}/v1/me", headers={"Authorization": f"Bearer {forged}"}, timeout=5)
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"


def test_the_staff_user_is_staff(stack: RunningStack):
    staff = stack.demo["users"]["staff"]
    token = sign_in(
        stack.cognito(),
        stack.demo["cognito"]["client_id"],
        staff["username"],
        staff["password"],
        staff["totp_secret"],
    )
    me = requests.get(f"{stack.api}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=5).json()
    assert me["roles"] == ["staff"]


def signs_in_with_the_code_of(stack: RunningStack, steps_away: int) -> bool:
    """Whether the demo staff user's sign-in takes the authenticator code of the 30-second step `steps_away`
    steps from the one it is in. Asked again if the step turned while it was asked (the pool then judged the
    code against the next step); the second time it cannot turn again."""
    staff = stack.demo["users"]["staff"]
    cognito, client_id = stack.cognito(), stack.demo["cognito"]["client_id"]
    for _ in range(2):
        asked_in = int(time.time() // STEP_SECONDS)
        challenge = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": staff["username"], "PASSWORD": staff["password"]},
        )
        code = totp(staff["totp_secret"], (asked_in + steps_away) * STEP_SECONDS)
        try:
            cognito.respond_to_auth_challenge(
                ClientId=client_id,
                ChallengeName="SOFTWARE_TOKEN_MFA",
                Session=challenge["Session"],
                ChallengeResponses={"USERNAME": staff["username"], "SOFTWARE_TOKEN_MFA_CODE": code},
            )
            taken = True
        except cognito.exceptions.CodeMismatchException:
            taken = False
        if int(time.time() // STEP_SECONDS) == asked_in:
            return taken
    raise AssertionError("the 30-second step turned twice within one sign-in")


def test_the_emulators_pool_takes_an_authenticator_code_one_step_early_or_late_as_cognito_does(
    stack: RunningStack,
):
    # Cognito accepts a code one 30-second step early or late, for clock skew; the emulator does too, so a
    # code typed as the step turns still signs in, here as in AWS
    assert signs_in_with_the_code_of(stack, 0)
    assert signs_in_with_the_code_of(stack, -1)
    assert signs_in_with_the_code_of(stack, 1)
    # But no further
    assert not signs_in_with_the_code_of(stack, -2)
    assert not signs_in_with_the_code_of(stack, 2)


@pytest.fixture
def stopped_and_restarted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    # A stack of its own: the test stops it and starts it again, which the shared one must not be.
    yield from stack_of_its_own(tmp_path_factory, "restarted")


def test_a_second_start_on_the_same_ports_is_refused_clearly_and_ctrl_c_then_restart_works(
    stopped_and_restarted: RunningStack,
    tmp_path,
):
    import subprocess
    import sys

    from tests.e2e.conftest import PROJECT_DIR

    stack = stopped_and_restarted

    # Given a running stack, a second one on the same ports says why it cannot start
    api_port = stack.demo["api_url"].rsplit(":", 1)[1]
    clash = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "infra.local.run",
            "--api-port",
            api_port,
            "--aws-port",
            "1",
            "--state-dir",
            str(tmp_path / "clash"),
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert clash.returncode != 0
    assert "Traceback" not in clash.stderr

    # When the running one is stopped with Ctrl-C, it stops
    assert stack.stop() == 0

    # Then it can be started again in the same place, fresh
    again = start_stack(stack.state_dir)
    try:
        assert requests.get(f"{again.api}/health", timeout=5).status_code == 200
    finally:
        assert again.stop() == 0
