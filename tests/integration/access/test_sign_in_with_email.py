"""Signing in, and Glemt adgangskode?, with the e-mail address: the API turns the address into the login, and
the sign-in goes on at Cognito as after the console's own InitiateAuth, second factor included."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chalicelib.container import Container, use_container
from chalicelib.models.user import UserModel, UserStatus
from chalicelib.settings import Settings
from infra.local.demo import add_user, give_login
from infra.local.emulator import mail_forgotten_password_codes
from infra.local.totp import fresh_totp
from tests.integration.access.test_password_recovery import NEW_PASSWORD, mailed_code
from tests.logs import CloudWatchLogs
from tests.people import PASSWORD, People, json_of

PROBLEM = "application/problem+json"
SIGN_IN = "/v1/sign-in"
CHALLENGE = "/v1/sign-in/challenge"
JSON = {"Content-Type": "application/json"}
_ids = iter(range(1_000_000))


def post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.http.post(path, headers=JSON, body=json.dumps(body))


def login_with(
    cognito: Any, people: People, email: str, *, password: str = PASSWORD, enrolled: bool = True
) -> Any:
    """A member login with this e-mail address (another organisation's each time); answers its Login."""
    org = people.organisation()
    user = add_user(
        user_id=f"mail-{next(_ids)}-{int(time.time() * 1000) % 100000}",
        org_id=org.org_id,
        first_name="Ida",
        last_name="Holm",
        email=email,
        mobile="+4512345678",
        scope=None,
        now=datetime.now(UTC),
    )
    return give_login(cognito, people.pool, user, password=password, authenticator=enrolled)


def second_step(first: dict[str, Any], code: str) -> dict[str, Any]:
    """The body of POST /v1/sign-in/challenge for the first step's answer and a code."""
    return {
        "username": first["username"],
        "session": first["session"],
        "challenge": first["challenge"],
        "answer": code,
    }


def address() -> str:
    return f"ida.{next(_ids)}.{time.time_ns()}@example.org"


def assert_problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == PROBLEM
    body: dict[str, Any] = json_of(response)
    assert body["type"].endswith("/" + slug)
    return body


def test_the_e_mail_address_and_password_lead_to_the_authenticator_challenge_and_a_token(
    client, people: People, cognito
):
    # Given a login with an authenticator app, and its e-mail address typed in another case
    email = address()
    login = login_with(cognito, people, email)

    # When the console signs in with the address and the password
    response = post(client, SIGN_IN, {"email": email.upper(), "password": PASSWORD})

    # Then it gets Cognito's challenge for the second factor, with the username, and no token
    assert response.status_code == 200, response.body
    body = json_of(response)
    assert body["challenge"] == "SOFTWARE_TOKEN_MFA"
    assert body["username"] == login.username
    assert "AccessToken" not in response.body.decode()
    assert "token" not in body
    # And answering it at the API's second step gives Cognito's tokens, which the API takes
    tokens = post(client, CHALLENGE, second_step(body, fresh_totp(login.totp_secret)))
    assert tokens.status_code == 200, tokens.body
    assert set(json_of(tokens)) == {"access_token", "id_token", "refresh_token", "expires_in"}
    me = client.http.get("/v1/me", headers={"Authorization": f"Bearer {json_of(tokens)['access_token']}"})
    assert me.status_code == 200, me.body
    # And they renew at Cognito as any sign-in's do
    renewed = cognito.initiate_auth(
        ClientId=people.pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": json_of(tokens)["refresh_token"]},
    )
    assert renewed["AuthenticationResult"]["AccessToken"]


@pytest.mark.parametrize("case", ["unknown address", "wrong password", "disabled login"])
def test_every_refusal_is_one_answer_in_the_words_of_a_wrong_password(client, people: People, cognito, case):
    # Given a login with an address, and a refusal of each kind
    email = address()
    login = login_with(cognito, people, email)
    body = {"email": email, "password": PASSWORD}
    if case == "unknown address":
        body["email"] = address()
    elif case == "wrong password":
        body["password"] = "Forkert-Adgang-2026"
    else:
        UserModel.get(login.username).update(actions=[UserModel.status.set(UserStatus.DISABLED.value)])

    # When the console signs in with it
    response = post(client, SIGN_IN, body)

    # Then the answer is the same 401, word for word, whichever it was
    problem = assert_problem(response, 401, "unauthenticated")
    assert problem["detail"] == "The e-mail address or the password is not correct."
    assert "session" not in problem
    assert "username" not in problem


def test_an_unknown_address_still_asks_cognito_once_so_it_is_not_answered_faster(
    container: Container, tables
):
    # Given a directory that counts the password checks
    from chalicelib.services.access.sign_in_names import EmailSignIn, EmailSignInForm

    asked: list[str] = []

    class Directory:
        def check_password(self, username: str, password: str) -> None:
            asked.append(username)

        def answer_challenge(self, username: str, session: str, challenge: str, answer: str) -> Any:
            raise AssertionError("not asked here")

        def send_reset_code(self, username: str) -> None: ...

        def reset_password(self, username: str, code: str, password: str) -> bool:
            return False

    service = EmailSignIn(
        directory=Directory(),
        admit_caller=lambda _: None,
        admit_address=lambda _: None,
        admit_answering_caller=lambda _: None,
        admit_answering_login=lambda _: None,
        end_sessions=lambda _: None,
    )

    # When an address no login has signs in
    from chalicelib.errors import Unauthenticated

    with pytest.raises(Unauthenticated):
        service.sign_in(EmailSignInForm(email=address(), password=PASSWORD), source_ip="192.0.2.1")

    # Then Cognito was asked once all the same
    assert len(asked) == 1


def test_a_login_without_a_second_factor_is_refused_tokens_and_told_to_use_the_username(
    client, people: People, cognito
):
    # Given a login that has not enrolled a second factor (Cognito answers tokens for the password alone)
    email = address()
    login_with(cognito, people, email, enrolled=False)

    # When it signs in with its address
    response = post(client, SIGN_IN, {"email": email, "password": PASSWORD})

    # Then no token is answered
    assert_problem(response, 403, "second-factor-required")
    assert "Token" not in response.body.decode()


def test_two_logins_share_an_address_and_the_password_picks_the_login(client, people: People, cognito):
    # Given one address for two logins in two organisations, with different passwords
    email = address()
    login_with(cognito, people, email, password="Forste-Adgang-2026")
    second = login_with(cognito, people, email, password="Anden-Adgang-2026")

    # When one signs in with the second's password
    response = post(client, SIGN_IN, {"email": email, "password": "Anden-Adgang-2026"})

    # Then the second login's challenge is answered
    assert response.status_code == 200, response.body
    assert json_of(response)["username"] == second.username


def test_two_logins_with_the_same_address_and_password_are_sent_to_their_usernames(
    client, people: People, cognito
):
    # Given one address and one password for two logins (one person in two organisations)
    email = address()
    login_with(cognito, people, email)
    login_with(cognito, people, email)

    # When they sign in with the address
    response = post(client, SIGN_IN, {"email": email, "password": PASSWORD})

    # Then the address cannot say which login: 409, sign in with the username
    assert_problem(response, 409, "conflict")


@pytest.mark.parametrize(
    "body",
    [
        {"email": "ikke-en-adresse", "password": PASSWORD},
        {"email": "ida@example.org"},
        {"email": "ida@example.org", "password": ""},
        {"email": "ida@example.org", "password": PASSWORD, "username": "adm-x"},
        {"email": "ida@example.org", "password": "x" * 257},
    ],
)
def test_bad_input_is_a_clear_problem(client, body):
    # When the body is not a sign-in
    response = post(client, SIGN_IN, body)

    # Then 400 with a problem, nothing asked of Cognito
    assert_problem(response, 400, "invalid-input")


@pytest.fixture
def tight(settings: Settings, container: Container) -> Container:
    """The app with 3 sign-ins an hour per address and 5 per caller."""
    limited = Container(
        settings=settings.model_copy(
            update={"sign_ins_per_address_per_hour": 3, "sign_ins_per_caller_per_hour": 5}
        ),
        clock=container.clock,
    )
    use_container(limited)
    return limited


def test_sign_ins_are_limited_per_address_and_per_caller(client, people: People, cognito, tight):
    # Given a login, and a guesser trying passwords for its address
    email = address()
    login_with(cognito, people, email)
    for _ in range(3):
        assert post(client, SIGN_IN, {"email": email, "password": "Gaet-Adgang-2026"}).status_code == 401

    # When they try once more, even with the right password
    refused = post(client, SIGN_IN, {"email": email, "password": PASSWORD})

    # Then 429 with Retry-After, before Cognito is asked
    assert_problem(refused, 429, "too-many-requests")
    assert int(refused.headers["Retry-After"]) > 0
    # And the same caller is stopped across addresses too, after 5 in the hour
    # (the refused try counted for the caller: 5 with this one)
    assert post(client, SIGN_IN, {"email": address(), "password": PASSWORD}).status_code == 401
    assert_problem(
        post(client, SIGN_IN, {"email": address(), "password": PASSWORD}), 429, "too-many-requests"
    )


PLANTED = "Plantet-Hemmelig-7429"


def test_the_password_reaches_no_log_and_no_answer(
    client, people: People, cognito, capsys, logs: CloudWatchLogs
):
    # Given a login whose password is planted, and sign-ins of every kind with it
    email = address()
    login_with(cognito, people, email, password=PLANTED)
    answers = [
        post(client, SIGN_IN, {"email": email, "password": PLANTED}),
        post(client, SIGN_IN, {"email": address(), "password": PLANTED}),
        post(client, SIGN_IN, {"email": "ikke-en-adresse", "password": PLANTED}),
        post(client, SIGN_IN, {"email": email, "password": PLANTED, "extra": PLANTED}),
        post(
            client,
            "/v1/sign-in/forgotten-password/confirm",
            {"email": email, "code": "123", "password": PLANTED},
        ),
    ]

    # Then the password is in no answer, no line CloudWatch would get, and nothing printed
    printed = capsys.readouterr()
    assert logs.records
    for answer in answers:
        assert PLANTED not in answer.body.decode()
    assert PLANTED not in logs.text + printed.out + printed.err


def test_glemt_adgangskode_with_the_address_mails_a_code_and_sets_the_password(
    client, people: People, cognito, tmp_path: Path
):
    # Given a login with an authenticator, and the emulator mailing Cognito's codes
    mail_forgotten_password_codes(tmp_path)
    email = address()
    login = login_with(cognito, people, email)

    # When a code is asked for with the address
    asked = post(client, "/v1/sign-in/forgotten-password", {"email": email})

    # Then 202, and the code is mailed to the address
    assert asked.status_code == 202, asked.body
    to, code = mailed_code(tmp_path)
    assert to == email
    # And a wrong code is a field error, the right one sets the new password
    wrong = post(
        client,
        "/v1/sign-in/forgotten-password/confirm",
        {"email": email, "code": "000000", "password": NEW_PASSWORD},
    )
    assert [e["field"] for e in assert_problem(wrong, 400, "invalid-input")["errors"]] == ["code"]
    done = post(
        client,
        "/v1/sign-in/forgotten-password/confirm",
        {"email": email, "code": code, "password": NEW_PASSWORD},
    )
    assert done.status_code == 204, done.body
    # And the second factor is still asked when signing in with the new password
    step = post(client, SIGN_IN, {"email": email, "password": NEW_PASSWORD})
    assert json_of(step)["challenge"] == "SOFTWARE_TOKEN_MFA"
    assert json_of(step)["username"] == login.username


def test_a_code_asked_for_an_unknown_address_is_answered_alike(client, tmp_path: Path):
    # Given the emulator mailing Cognito's codes
    mail_forgotten_password_codes(tmp_path)

    # When a code is asked for an address no login has
    asked = post(client, "/v1/sign-in/forgotten-password", {"email": address()})

    # Then the answer is the same 202, and nothing is mailed
    assert asked.status_code == 202
    assert not list(tmp_path.glob("*.eml"))


def started(client: Any, cognito: Any, people: People) -> tuple[Any, dict[str, Any]]:
    """A login with an authenticator app, and the first step of its sign-in with the address."""
    email = address()
    login = login_with(cognito, people, email)
    first = post(client, SIGN_IN, {"email": email, "password": PASSWORD})
    assert first.status_code == 200, first.body
    return login, json_of(first)


def test_a_wrong_code_is_one_field_error_in_danish_and_english_and_no_token(client, people: People, cognito):
    # Given a sign-in begun with the address
    _, first = started(client, cognito, people)

    # When the code is wrong, asked in Danish and in English
    danish = client.http.post(
        CHALLENGE,
        headers={**JSON, "Accept-Language": "da"},
        body=json.dumps(second_step(first, "000000")),
    )
    english = post(client, CHALLENGE, second_step(first, "000001"))

    # Then each is a 400 with one error, on `answer`, in the language asked for, and no token
    for answer, words in ((danish, "Koden er ikke rigtig"), (english, "The code is not correct")):
        problem = assert_problem(answer, 400, "invalid-input")
        assert [e["field"] for e in problem["errors"]] == ["answer"]
        assert words in problem["errors"][0]["message"]
        assert "access_token" not in answer.body.decode()


def test_the_session_is_taken_once(client, people: People, cognito):
    # Given a sign-in finished with its code at the second step
    login, first = started(client, cognito, people)
    assert post(client, CHALLENGE, second_step(first, fresh_totp(login.totp_secret))).status_code == 200

    # When the same session is answered again, with a good code
    again = post(client, CHALLENGE, second_step(first, fresh_totp(login.totp_secret)))

    # Then it is refused, on the session: begin again with the password
    problem = assert_problem(again, 400, "invalid-input")
    assert [e["field"] for e in problem["errors"]] == ["session"]
    assert "access_token" not in again.body.decode()


def test_a_login_whose_factor_is_sms_answers_the_texted_code(client, people: People, cognito):
    # Given a login whose second factor is SMS
    email = address()
    login = login_with(cognito, people, email, enrolled=False)
    cognito.admin_set_user_mfa_preference(
        UserPoolId=people.pool.user_pool_id,
        Username=login.username,
        SMSMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    first = json_of(post(client, SIGN_IN, {"email": email, "password": PASSWORD}))
    assert first["challenge"] == "SMS_MFA"

    # When the texted code is answered at the second step
    tokens = post(client, CHALLENGE, second_step(first, "123456"))

    # Then the tokens are answered
    assert tokens.status_code == 200, tokens.body
    assert json_of(tokens)["access_token"]


@pytest.mark.parametrize(
    "change",
    [
        {"challenge": "MFA_SETUP"},
        {"challenge": "NEW_PASSWORD_REQUIRED"},
        {"challenge": "PASSWORD_VERIFIER"},
        {"answer": "12345"},
        {"answer": "1234567"},
        {"answer": "12a456"},
        {"session": ""},
        {"session": "x" * 19},
        {"session": "x" * 4097},
        {"session": "with space"},
        {"username": ""},
        {"username": "ida@example.org"},
        {"extra": "x"},
        {"answer": None},
    ],
)
def test_bad_input_and_unknown_challenges_are_a_clear_problem_and_no_token(
    client, people: People, cognito, change
):
    # Given a sign-in begun with the address, and a second step that is not one
    login, first = started(client, cognito, people)
    body = {**second_step(first, fresh_totp(login.totp_secret)), **change}
    body = {k: v for k, v in body.items() if v is not None}

    # When it is answered
    response = post(client, CHALLENGE, body)

    # Then 400 with a problem, and no token
    assert_problem(response, 400, "invalid-input")
    assert "access_token" not in response.body.decode()


@pytest.mark.parametrize("challenge", ["MFA_SETUP", "NEW_PASSWORD_REQUIRED"])
def test_a_login_cognito_asks_for_more_than_a_factor_is_sent_to_its_username(
    people: People, cognito, challenge
):
    # Given a login with the address whose password Cognito takes with a step only the username's sign-in
    # takes (MFA_SETUP for a login of a pool requiring a factor it has not set up; a new password)
    from chalicelib.errors import SecondFactorRequired
    from chalicelib.services.access.sign_in_names import EmailSignIn, EmailSignInForm

    email = address()
    login_with(cognito, people, email)

    class Accepted:
        def __init__(self) -> None:
            self.challenge = challenge
            self.session = "a-session"

    class Directory:
        def check_password(self, username: str, password: str) -> Accepted:
            return Accepted()

        def answer_challenge(self, username: str, session: str, challenge: str, answer: str) -> Any:
            raise AssertionError("not asked here")

        def send_reset_code(self, username: str) -> None: ...

        def reset_password(self, username: str, code: str, password: str) -> bool:
            return False

    service = EmailSignIn(
        directory=Directory(),
        admit_caller=lambda _: None,
        admit_address=lambda _: None,
        admit_answering_caller=lambda _: None,
        admit_answering_login=lambda _: None,
        end_sessions=lambda _: None,
    )

    # When the address signs in, Then it is refused with second-factor-required: no session is answered
    with pytest.raises(SecondFactorRequired):
        service.sign_in(EmailSignInForm(email=email, password=PASSWORD), source_ip="192.0.2.1")


def test_answers_are_limited_per_login_and_per_caller(client, people: People, cognito, tight):
    # Given a sign-in begun with the address, and a guesser trying codes for it
    login, first = started(client, cognito, people)
    for guess in ("000000", "000001", "000002"):
        assert post(client, CHALLENGE, second_step(first, guess)).status_code == 400

    # When they try once more, even with the right code
    refused = post(client, CHALLENGE, second_step(first, fresh_totp(login.totp_secret)))

    # Then 429 with Retry-After, before Cognito is asked, and no token
    assert_problem(refused, 429, "too-many-requests")
    assert int(refused.headers["Retry-After"]) > 0
    assert "access_token" not in refused.body.decode()
    # And the same caller is stopped across logins too, after 5 in the hour (the refused one counted)
    other = {
        **second_step(first, "123456"),
        "username": "user-another",
        "session": "not-a-session-of-cognito-at-all",
    }
    assert post(client, CHALLENGE, other).status_code == 400
    assert_problem(post(client, CHALLENGE, {**other, "username": "user-a-third"}), 429, "too-many-requests")


def test_the_session_the_code_and_the_tokens_reach_no_log(
    client, people: People, cognito, capsys, logs: CloudWatchLogs
):
    # Given a login whose password is planted, and a sign-in with its address: a wrong code, the right one
    email = address()
    login = login_with(cognito, people, email, password=PLANTED)
    first = json_of(post(client, SIGN_IN, {"email": email, "password": PLANTED}))
    wrong = post(client, CHALLENGE, second_step(first, "000000"))
    code = fresh_totp(login.totp_secret)
    tokens = json_of(post(client, CHALLENGE, second_step(first, code)))
    reused = post(client, CHALLENGE, second_step(first, code))
    assert tokens["access_token"]
    assert wrong.status_code == 400
    assert reused.status_code == 400

    # Then none of the secrets is in a line CloudWatch would get, nor printed
    printed = capsys.readouterr()
    assert logs.records
    seen = logs.text + printed.out + printed.err
    for secret in (
        PLANTED,
        first["session"],
        code,
        "000000",
        tokens["access_token"],
        tokens["id_token"],
        tokens["refresh_token"],
    ):
        assert secret not in seen
