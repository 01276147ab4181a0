"""Human callers: Cognito access tokens, verified the same way here as in AWS and in the local stack."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.clock import FixedClock
from chalicelib.container import Container, use_container
from chalicelib.models.user import UserModel, UserStatus
from chalicelib.services.access.authz import Function
from infra.local.provision import create_user_pool
from infra.local.signin import enrol_authenticator, sign_in, wait_for_sign_in
from infra.local.totp import fresh_totp
from tests.people import PASSWORD, People, json_of

PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == PROBLEM
    body: dict[str, Any] = json_of(response)
    assert body["type"].endswith("/" + slug)
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body


def claims_of(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def test_me_answers_the_user_their_organisation_scope_and_functions(client, people: People):
    # Given an administrator with every function and a user limited to one account of one company
    org = people.organisation()
    parent, child = org.companies
    admin = people.member(org)
    limited = people.member(org, functions=[Function.CODES], companies={parent.cvr: ["A2"]})

    # When each asks who they are
    admin_me = json_of(client.http.get("/v1/me", headers=admin.auth))
    limited_me = json_of(client.http.get("/v1/me", headers=limited.auth))

    # Then each sees their own organisation, and only what is in their scope
    assert admin_me["organisation"]["org_id"] == org.org_id
    assert admin_me["organisation"]["status"] == "approved"
    assert admin_me["functions"] == ["codes", "history", "masterdata", "users"]
    assert [c["cvr"] for c in admin_me["companies"]] == [parent.cvr, child.cvr]
    assert [a["number"] for a in admin_me["companies"][0]["accounts"]] == ["A1", "A2"]
    assert admin_me["user"]["user_id"] == admin.user_id
    assert limited_me["functions"] == ["codes"]
    assert limited_me["companies"] == [
        {
            "cvr": parent.cvr,
            "name": parent.name,
            "access": "limited",
            "accounts": [{"number": "A2", "name": "Account two", "status": "open"}],
        }
    ]


def test_me_answers_staff_with_their_role_and_no_organisation(client, people: People):
    staff = people.staff()
    body = json_of(client.http.get("/v1/me", headers=staff.auth))
    assert body["roles"] == ["staff"]
    assert body["organisation"] is None


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer a b",
        "Bearer not-a-jwt",
        "Token abc.def.ghi",
    ],
)
def test_a_missing_or_malformed_authorization_header_is_401(client, authorization):
    headers = {} if authorization is None else {"authorization": authorization}
    assert_problem(client.http.get("/v1/me", headers=headers), 401, "unauthenticated")


def test_a_token_signed_by_any_other_key_is_401(client, people: People):
    # Given a real token, and the same claims signed with a key of our own under the pool's key id
    org = people.organisation()
    person = people.member(org)
    forger_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims_of(person.token), forger_key, algorithm="RS256", headers={"kid": "dummy"})

    # Then only the real one is accepted
    assert client.http.get("/v1/me", headers=person.auth).status_code == 200
    assert_problem(
        client.http.get("/v1/me", headers={"authorization": f"Bearer {forged}"}), 401, "unauthenticated"
    )


def test_an_unsigned_token_is_401(client, people: People):
    person = people.member(people.organisation())
    unsigned = jwt.encode(claims_of(person.token), key=None, algorithm="none")  # type: ignore[arg-type]
    assert_problem(
        client.http.get("/v1/me", headers={"authorization": f"Bearer {unsigned}"}), 401, "unauthenticated"
    )


def test_a_token_from_another_user_pool_is_401(client, people: People, cognito, scratch):
    # Given a user of the same name in another pool of the same emulator (same signing key, other issuer;
    # `scratch` removes the pool after the test)
    person = people.member(people.organisation())
    other = create_user_pool(cognito, "someone-elses-pool")
    cognito.admin_create_user(
        UserPoolId=other.user_pool_id, Username=person.user_id, MessageAction="SUPPRESS"
    )
    cognito.admin_set_user_password(
        UserPoolId=other.user_pool_id, Username=person.user_id, Password=PASSWORD, Permanent=True
    )
    token = sign_in(cognito, other.client_id, person.user_id, PASSWORD)

    # Then its token does not get in
    assert_problem(
        client.http.get("/v1/me", headers={"authorization": f"Bearer {token}"}), 401, "unauthenticated"
    )


def test_a_token_issued_to_another_app_client_is_401(client, people: People, cognito, scratch):
    # Given a real, correctly signed token of our pool, but issued to another app client (`scratch` removes
    # the client after the test)
    person = people.member(people.organisation())
    other_client = cognito.create_user_pool_client(
        UserPoolId=people.pool.user_pool_id,
        ClientName="other-app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"]
    token = sign_in(cognito, other_client, person.user_id, PASSWORD, person.totp_secret)
    assert claims_of(token)["client_id"] == other_client

    # Then it does not get in
    assert_problem(
        client.http.get("/v1/me", headers={"authorization": f"Bearer {token}"}), 401, "unauthenticated"
    )


def test_an_id_token_is_not_an_access_token(client, people: People, cognito):
    person = people.member(people.organisation(), enrolled=False)
    answer = cognito.initiate_auth(
        ClientId=people.pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": person.user_id, "PASSWORD": PASSWORD},
    )
    id_token = answer["AuthenticationResult"]["IdToken"]
    assert_problem(
        client.http.get("/v1/me", headers={"authorization": f"Bearer {id_token}"}), 401, "unauthenticated"
    )


def test_a_token_is_refused_from_the_second_it_expires(client, people: People, container: Container):
    # Given a valid token and a clock stopped one second before it expires
    person = people.member(people.organisation())
    expires = claims_of(person.token)["exp"]
    clock = FixedClock(datetime.fromtimestamp(expires - 1, UTC))
    use_container(Container(settings=container.settings, clock=clock))
    assert client.http.get("/v1/me", headers=person.auth).status_code == 200

    # When the clock reaches the expiry second
    clock.set(datetime.fromtimestamp(expires, UTC))

    # Then the token is refused
    body = assert_problem(client.http.get("/v1/me", headers=person.auth), 401, "unauthenticated")
    assert "expired" in body["detail"]


def test_a_disabled_or_deleted_login_is_401_even_with_a_valid_token(client, people: People):
    person = people.member(people.organisation())
    user = UserModel.get(person.user_id)
    user.update(actions=[UserModel.status.set(UserStatus.DISABLED.value)])
    assert_problem(client.http.get("/v1/me", headers=person.auth), 401, "unauthenticated")
    user.delete()
    assert_problem(client.http.get("/v1/me", headers=person.auth), 401, "unauthenticated")


def test_a_person_without_a_second_factor_reaches_only_the_enrolment_step(client, people: People, cognito):
    # Given a user who signed in with only a password (the emulator allows it; real Cognito would not)
    person = people.member(people.organisation(), enrolled=False)

    # Then everything but enrolment is refused with a problem that says what to do
    assert_problem(client.http.get("/v1/me", headers=person.auth), 403, "second-factor-required")

    # When they enrol an authenticator app through the service
    started = client.http.post("/v1/me/second-factor/authenticator", headers=person.auth)
    assert started.status_code == 200
    secret = json_of(started)["secret_code"]
    done = client.http.post(
        "/v1/me/second-factor/authenticator/verify",
        headers={**person.auth, "content-type": "application/json"},
        body=f'{{"code": "{fresh_totp(secret)}"}}'.encode(),
    )
    assert done.status_code == 200, done.body

    # Then signing in now takes the second factor, and the new token reaches the service
    with pytest.raises(Exception, match="authenticator code"):
        sign_in(cognito, people.pool.client_id, person.user_id, PASSWORD)
    wait_for_sign_in(json_of(done)["sign_in_from"])
    token = sign_in(cognito, people.pool.client_id, person.user_id, PASSWORD, secret)
    assert client.http.get("/v1/me", headers={"authorization": f"Bearer {token}"}).status_code == 200
    assert UserModel.get(person.user_id).second_factor_enrolled is True


def test_a_wrong_authenticator_code_does_not_enrol(client, people: People):
    person = people.member(people.organisation(), enrolled=False)
    client.http.post("/v1/me/second-factor/authenticator", headers=person.auth)
    headers = {**person.auth, "content-type": "application/json"}
    for body in (b'{"code": "000000"}', b'{"code": "12345"}', b'{"code": 123456}', b"{}", b"[]", b"nonsense"):
        response = client.http.post("/v1/me/second-factor/authenticator/verify", headers=headers, body=body)
        assert_problem(response, 400, "invalid-input")
    assert_problem(client.http.get("/v1/me", headers=person.auth), 403, "second-factor-required")


def test_a_factor_enrolled_directly_with_cognito_is_recognised_and_remembered(
    client, people: People, cognito
):
    # Given a user whose front end enrolled the authenticator with Cognito itself (as real Cognito's
    # MFA_SETUP challenge does), so our record does not know yet
    person = people.member(people.organisation(), enrolled=False)
    secret = enrol_authenticator(cognito, person.token)
    token = sign_in(cognito, people.pool.client_id, person.user_id, PASSWORD, secret)

    # Then the service asks Cognito, lets them in, and remembers it
    assert client.http.get("/v1/me", headers={"authorization": f"Bearer {token}"}).status_code == 200
    assert UserModel.get(person.user_id).second_factor_enrolled is True


def test_a_staff_group_member_without_a_staff_record_is_refused(client, people: People, cognito):
    # Given an organisation user who was (wrongly) put in the staff group, signing in again
    person = people.member(people.organisation())
    cognito.admin_add_user_to_group(
        UserPoolId=people.pool.user_pool_id, Username=person.user_id, GroupName="staff"
    )
    token = sign_in(cognito, people.pool.client_id, person.user_id, PASSWORD, person.totp_secret)
    assert claims_of(token)["cognito:groups"] == ["staff"]

    # Then the record and the pool disagree, and neither is trusted
    assert_problem(client.http.get("/v1/me", headers={"authorization": f"Bearer {token}"}), 403, "forbidden")
