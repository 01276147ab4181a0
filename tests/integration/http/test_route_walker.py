"""Walks every operation of the published OpenAPI document with every kind of caller, and checks each answer
against what the operation declares (`x-godkend-caller`, `x-godkend-function`):

- anonymous on a route that needs a token ......................... 401
- a caller of the wrong kind (a user on a staff route, and so on) .. 403
- a caller without the operation's function ........................ 403
- a user of another organisation, given this one's ids in the path . 404, as if they did not exist
  (and a vendor's person given another vendor's key)
- anyone else ...................................................... neither 401 nor 403 (nor 404 for the
                                                                    ids in the path, which are theirs to see)
and never a 5xx. Every answer, whoever gets it, is kept by no cache (`Cache-Control: no-store`) and read as
the type it says (`X-Content-Type-Options: nosniff`): the walk's answers include API keys, webhook and
authenticator secrets, and the codes and people they show.

Path parameters come from real fixtures of the walked organisation (a code, a colleague, the organisation, a
failed mail), made fresh for every call, so a call that deletes or changes one cannot spoil the next. The walk
knows exactly the caller kinds, path parameters and request bodies below; a route that brings a new one
fails here until the tables are extended, so no route goes unchecked.

To add a route: give its body in BODIES if it takes one, its path parameters in PATH_FIXTURES if new (or in
ROUTE_PATH_FIXTURES where one route's parameter names something else than elsewhere), a header parameter in
HEADER_FIXTURES, and for a new caller kind, who it admits in ADMITS (and a walker caller of that kind in
CALLERS, with what a caller of another kind is answered in `refused`).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app import app
from chalicelib.api.http.openapi import build_document
from chalicelib.models.organisation import CompanyClaimModel
from chalicelib.models.outbox import MailKind, MailStatus, Recipient, outgoing
from chalicelib.models.support_case import SupportCaseModel
from chalicelib.models.webhook import DeliveryStatus, EventType, VendorEventModel
from chalicelib.services.access.authz import Function
from chalicelib.services.onboarding.support_cases import new_reference
from tests.colleagues import colleague, created_user, token_of
from tests.onboarding import JSON, form
from tests.people import PASSWORD, Org, People, Person, json_of

METHODS = ("get", "post", "put", "patch", "delete")
PATH_PARAM = re.compile(r"{([^}]+)}")

# The kinds of caller the walk plays. `limited` has one function (codes) and one account (A1); `outsider` is
# an administrator (every function, full scope) of another organisation; `vendor` and `other_vendor` call with
# API keys of two vendors.
# `vendor_person` and `other_vendor_person` are people of those two vendors, signed in to the vendor console.
CALLERS = (
    "anonymous",
    "staff",
    "administrator",
    "limited",
    "outsider",
    "vendor",
    "other_vendor",
    "vendor_person",
    "other_vendor_person",
)
VENDORS = frozenset({"vendor", "other_vendor"})
VENDOR_PEOPLE = frozenset({"vendor_person", "other_vendor_person"})
# Who is answered 404 for the walked organisation's (or the walking vendor's) ids in the path.
OUTSIDERS = frozenset({"outsider", "other_vendor", "other_vendor_person"})
HOLDS = {
    "anonymous": frozenset[str](),
    "staff": frozenset[str](),
    "administrator": frozenset(f.value for f in Function),
    "limited": frozenset({Function.CODES.value}),
    "outsider": frozenset(f.value for f in Function),
    "vendor": frozenset[str](),
    "other_vendor": frozenset[str](),
    "vendor_person": frozenset[str](),
    "other_vendor_person": frozenset[str](),
}
# Who gets past each caller kind an operation declares (chalicelib/api/http/routing.py, `Caller`).
ADMITS: dict[str, frozenset[str]] = {
    "anyone": frozenset(CALLERS),
    "user": frozenset({"administrator", "limited", "outsider"}),
    "staff": frozenset({"staff"}),
    # A vendor's person reaches `/v1/me` (and its enrolment and password steps) and the vendor console only.
    "signed_in": frozenset({"staff", "administrator", "limited", "outsider"}) | VENDOR_PEOPLE,
    "enrolling": frozenset({"staff", "administrator", "limited", "outsider"}) | VENDOR_PEOPLE,
    "vendor": VENDORS,
    "vendor_person": VENDOR_PEOPLE,
}


@dataclass
class World:
    """One approved organisation with an administrator and a limited colleague, another organisation's
    administrator, a staff member, and the client they call through."""

    client: Any
    org: Org
    callers: dict[str, Person | None]
    people: People | None = None
    # The key of the vendor the `vendor_id` fixture made last, for a `key_id` in the same path.
    last_vendor_key: str = ""

    @property
    def admin(self) -> Person:
        person = self.callers["administrator"]
        assert person is not None
        return person


def a_new_code(world: World) -> dict[str, Any]:
    response = world.client.http.post(
        "/v1/codes", headers={**world.admin.auth, **JSON}, body=json.dumps(code_body(world)).encode()
    )
    assert response.status_code == 201, response.body
    created: dict[str, Any] = json_of(response)
    return created


def a_code(world: World) -> str:
    return str(a_new_code(world)["code_id"])


def a_representatives_code(world: World) -> str:
    """A code for a representative of its own: requests are limited per representative as well as per code."""
    body = {**code_body(world), "email": f"rep-{uuid.uuid4().hex[:12]}@example.org"}
    response = world.client.http.post(
        "/v1/codes", headers={**world.admin.auth, **JSON}, body=json.dumps(body).encode()
    )
    assert response.status_code == 201, response.body
    return str(json_of(response)["code_id"])


def a_renewal_link(world: World, code_id: str | None = None) -> str:
    """The secret of the "Bed om en ny kode" link in a (fresh) code's mail."""
    from chalicelib.models.outbox import get_message

    message = get_message(f"code-issued:{code_id or a_representatives_code(world)}:0")
    assert message is not None
    assert message.secrets is not None
    return str(message.secrets["renewal_link"]).split("#", 1)[1]


def a_renewal_request(world: World) -> str:
    """An open renewal request for a fresh code of the walked organisation (its first request)."""
    code_id = a_representatives_code(world)
    body = json.dumps({"token": a_renewal_link(world, code_id)}).encode()
    response = world.client.http.post("/v1/renewal-requests", headers=JSON, body=body)
    assert response.status_code == 202, response.body
    return f"{code_id}-1"


def a_vendor(world: World) -> dict[str, Any]:
    staff = world.callers["staff"]
    assert staff is not None
    body = json.dumps({"name": "Walker ApS", "contact_email": "walker@example.org"}).encode()
    response = world.client.http.post("/v1/staff/vendors", headers={**staff.auth, **JSON}, body=body)
    assert response.status_code == 201, response.body
    vendor: dict[str, Any] = json_of(response)
    return vendor


def a_vendor_id(world: World) -> str:
    vendor = a_vendor(world)
    world.last_vendor_key = str(vendor["key"]["key_id"])
    return str(vendor["vendor_id"])


def a_receipt(world: World) -> str:
    """A receipt of the walking vendor's, for a fresh code of the walked organisation."""
    vendor = world.callers["vendor"]
    assert vendor is not None
    body = json.dumps({"code": a_new_code(world)["code"]}).encode()
    response = world.client.http.post("/v1/validations", headers={**vendor.auth, **JSON}, body=body)
    assert response.status_code == 200, response.body
    return str(json_of(response)["validation_id"])


def a_colleague(world: World) -> str:
    return str(created_user(world.client, world.admin, colleague(world.org))["user_id"])


def a_failed_mail(world: World) -> str:
    message, condition = outgoing(
        MailKind.CODE_ISSUED,
        to=Recipient("walker@example.org", "Walker"),
        language="da",
        context={"organisation_name": "X", "expires_at": "2027-01-01T00:00:00Z", "renewed": False},
        now=datetime.now(UTC),
    )
    message.status = MailStatus.FAILED.value
    message.save(condition=condition)
    return message.message_id


def a_pending_company(world: World) -> str:
    """A subsidiary the walked organisation named and has not proven yet (its code is not the body's)."""
    now = datetime.now(UTC)
    CompanyClaimModel(
        PENDING_CVR,
        world.org.org_id,
        name="Walker Datter",
        legal_name="Café Ørsted Frivillignetværk",
        official_mailbox="e-boks+31670004@digitalpost.example",
        parent_cvr=world.org.companies[0].cvr,
        code_digest="0" * 64,
        created_at=now,
        expires_at=now + timedelta(days=14),
        delete_after=now + timedelta(days=100),
    ).save()
    return PENDING_CVR


PENDING_CVR = "31670004"


def a_parked_event(world: World) -> str:
    """A parked webhook delivery of the walking vendor's (its every attempt failed)."""
    vendor = world.callers["vendor"]
    assert vendor is not None
    now = datetime.now(UTC)
    event = VendorEventModel(
        uuid.uuid4().hex,
        vendor_id=vendor.user_id,
        type=EventType.CODE_REVOKED.value,
        cause_id=f"code.revoked:{uuid.uuid4().hex}",
        created_at=now,
        feed_key=f"{now.isoformat()}#walker",
        data={
            "created_at": now.isoformat(),
            "validation_id": uuid.uuid4().hex,
            "validated_at": now.isoformat(),
            "code_id": uuid.uuid4().hex,
            "organisation": {"name": "Walker", "cvr": "12345674", "handle": "Walker"},
        },
        delivery_status=DeliveryStatus.FAILED.value,
        parked=DeliveryStatus.FAILED.value,
        window_started_at=now,
        expires_at=now + timedelta(days=1),
    )
    event.save()
    return event.event_id


def a_support_case(world: World) -> str:
    """An open support case, filed by someone about the walked organisation."""
    now = datetime.now(UTC)
    case = SupportCaseModel(
        new_reference(),
        organisation="Walker Forening",
        cvr=world.org.companies[0].cvr,
        name="Walker Hansen",
        email="walker@example.org",
        message="Vores administrator er stoppet.",
        created_at=now,
        subject="walker@example.org",
        purge_at=now + timedelta(days=30),
    )
    case.save()
    return case.case_id


def another_staff_member(world: World) -> str:
    """A staff member other than the walking one, to be removed."""
    assert world.people is not None
    return world.people.staff().user_id


def a_key_of_the_walking_vendor(world: World) -> str:
    """A fresh key of the walking vendor, made in the vendor console by its person."""
    person = world.callers["vendor_person"]
    assert person is not None
    body = json.dumps({"label": "Walker"}).encode()
    response = world.client.http.post("/v1/vendor/keys", headers={**person.auth, **JSON}, body=body)
    assert response.status_code == 201, response.body
    return str(json_of(response)["key_id"])


def a_check_body(world: World) -> dict[str, Any]:
    """A hosted check's body, on an origin both walking vendors registered through their people."""
    for caller in ("vendor_person", "other_vendor_person"):
        person = world.callers[caller]
        assert person is not None
        body = json.dumps({"origins": ["https://shop.example"]}).encode()
        response = world.client.http.put(
            "/v1/vendor/redirect-origins", headers={**person.auth, **JSON}, body=body
        )
        assert response.status_code == 200, response.body
    return {"redirect_url": "https://shop.example/tilbage"}


def a_check(world: World) -> str:
    """A fresh hosted check of the walking vendor's."""
    vendor = world.callers["vendor"]
    assert vendor is not None
    body = json.dumps(a_check_body(world)).encode()
    response = world.client.http.post("/v1/checks", headers={**vendor.auth, **JSON}, body=body)
    assert response.status_code == 201, response.body
    return str(json_of(response)["check_id"])


def a_person_of_the_walking_vendor(world: World) -> str:
    """A fresh colleague of the walking vendor, invited in the vendor console by its person."""
    person = world.callers["vendor_person"]
    assert person is not None
    body = json.dumps(VENDOR_COLLEAGUE).encode()
    response = world.client.http.post("/v1/vendor/users", headers={**person.auth, **JSON}, body=body)
    assert response.status_code == 201, response.body
    return str(json_of(response)["user_id"])


VENDOR_COLLEAGUE = {
    "first_name": "Walker",
    "last_name": "Hansen",
    "email": "w@example.org",
    "mobile": "22334455",
}


# Path parameter name -> a fresh id of the walked organisation's, made for one call.
PATH_FIXTURES: dict[str, Callable[[World], str]] = {
    "code_id": a_code,
    "user_id": a_colleague,
    "org_id": lambda world: world.org.org_id,
    "message_id": a_failed_mail,
    "vendor_id": a_vendor_id,
    # Always after `vendor_id` in a path: a key of that vendor.
    "key_id": lambda world: world.last_vendor_key,
    "validation_id": a_receipt,
    "cvr": a_pending_company,
    "event_id": a_parked_event,
    "case_id": a_support_case,
    "request_id": a_renewal_request,
    "check_id": a_check,
}
# (route, parameter) -> a fresh id, where a route's parameter names something other than PATH_FIXTURES makes.
ROUTE_PATH_FIXTURES: dict[tuple[str, str], Callable[[World], str]] = {
    ("/v1/staff/members/{user_id}", "user_id"): another_staff_member,
    ("/v1/vendor/keys/{key_id}", "key_id"): a_key_of_the_walking_vendor,
    ("/v1/vendor/users/{user_id}", "user_id"): a_person_of_the_walking_vendor,
}


def the_version_staff_saw(world: World, path: str) -> str:
    """The `ETag` of the walked organisation as staff see it now, for a decision's `If-Match`."""
    staff = world.callers["staff"]
    assert staff is not None
    response = world.client.http.get(f"/v1/staff/organisations/{world.org.org_id}", headers=staff.auth)
    assert response.status_code == 200, response.body
    return str(response.headers["ETag"])


# Header parameter name -> its value for one call to the path: valid, so a refusal is about who calls.
HEADER_FIXTURES: dict[str, Callable[[World, str], str]] = {
    "If-Match": the_version_staff_saw,
}
SECURITY_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
# The one answer caches may keep: the public keys receipts are verified with, the same for everyone.
PUBLIC = {"GET /.well-known/jwks.json": {**SECURITY_HEADERS, "Cache-Control": "public, max-age=300"}}


def code_body(world: World) -> dict[str, Any]:
    return {
        "first_name": "Mette",
        "last_name": "Hansen",
        "email": "mette@example.org",
        "company": world.org.companies[0].cvr,
        "account": "A1",
    }


def an_invitation(world: World) -> dict[str, Any]:
    user_id = a_colleague(world)
    return {"token": token_of(user_id), "password": "Walker-Password-2026"}


REASON = {"reason": "Route walker"}
# "METHOD /path" -> a minimal valid body for one call. Valid, so that a refusal is about who calls.
BODIES: dict[str, Callable[[World], Any]] = {
    "POST /v1/applications": lambda world: form(),
    "POST /v1/activations": lambda world: {
        "username": "adm-nobody00",
        "activation_code": "7K2M-9XQ4-B8ND",
        "password": "Walker-Password-2026",
    },
    "POST /v1/invitations/accept": an_invitation,
    # The administrator's own address and password: Cognito's next challenge, for any caller.
    "POST /v1/sign-in": lambda world: {"email": f"{world.admin.user_id}@example.org", "password": PASSWORD},
    # A session Cognito never made: the walker checks who may call, not the code.
    "POST /v1/sign-in/challenge": lambda world: {
        "username": world.admin.user_id,
        "session": "walker-session-cognito-never-made",
        "challenge": "SOFTWARE_TOKEN_MFA",
        "answer": "123456",
    },
    "POST /v1/sign-in/forgotten-password": lambda world: {"email": "walker@example.org"},
    "POST /v1/sign-in/forgotten-password/confirm": lambda world: {
        "email": "walker@example.org",
        "code": "123456",
        "password": "Walker-Password-2026",
    },
    "POST /v1/me/second-factor/authenticator/verify": lambda world: {"code": "123456"},
    "POST /v1/me/second-factor/sms/verify": lambda world: {"code": "123456"},
    "POST /v1/me/password": lambda world: {"old_password": PASSWORD, "new_password": "Walker-Password-2026"},
    "DELETE /v1/staff/members/{user_id}": lambda world: REASON,
    "POST /v1/codes": code_body,
    "POST /v1/users": lambda world: colleague(world.org),
    "PATCH /v1/users/{user_id}": lambda world: {"first_name": "Walker"},
    "PATCH /v1/organisation": lambda world: {"contact_email": "walker@example.org"},
    "POST /v1/staff/organisations/{org_id}/reject": lambda world: REASON,
    "POST /v1/staff/organisations/{org_id}/name/refuse": lambda world: REASON,
    "POST /v1/organisation/companies/{cvr}/proof": lambda world: {"activation_code": "7K2M-9XQ4-B8ND"},
    "POST /v1/organisation/companies": lambda world: {"cvr": PENDING_CVR, "name": "Walker Datter"},
    "POST /v1/staff/organisations/{org_id}/suspend": lambda world: REASON,
    "DELETE /v1/staff/organisations/{org_id}/users/{user_id}": lambda world: REASON,
    "POST /v1/staff/vendors": lambda world: {"name": "Walker ApS", "contact_email": "walker@example.org"},
    "POST /v1/staff/vendors/{vendor_id}/keys": lambda world: {"mode": "test"},
    "POST /v1/staff/personal-data/export": lambda world: {"email": "walker@example.org"},
    "POST /v1/staff/personal-data/erase": lambda world: {"email": "walker@example.org"},
    "POST /v1/validations": lambda world: {"code": a_new_code(world)["code"]},
    "PUT /v1/webhook": lambda world: {"url": "http://127.0.0.1:9/hook"},
    "POST /v1/support/cases": lambda world: {
        "organisation": "Walker Forening",
        "name": "Walker Hansen",
        "email": "walker@example.org",
        "message": "Vores administrator er stoppet.",
    },
    "POST /v1/staff/support/cases/{case_id}/answer": lambda world: {
        "text": "Vi har slettet det gamle login."
    },
    "POST /v1/renewal-requests/preview": lambda world: {"token": a_renewal_link(world)},
    "POST /v1/renewal-requests": lambda world: {"token": a_renewal_link(world)},
    "POST /v1/renewal-requests/{request_id}/decline": lambda world: REASON,
    "POST /v1/vendor/keys": lambda world: {"label": "Walker"},
    "PUT /v1/vendor/webhook": lambda world: {"url": "http://127.0.0.1:9/hook"},
    "POST /v1/checks": a_check_body,
    "PUT /v1/vendor/redirect-origins": lambda world: {"origins": ["https://shop.example"]},
    "POST /v1/hosted-check": lambda world: {"check_id": a_check(world)},
    "POST /v1/hosted-check/code": lambda world: {
        "check_id": a_check(world),
        "code": a_new_code(world)["code"],
    },
    "POST /v1/hosted-check/confirm": lambda world: {
        "check_id": a_check(world),
        "code": a_new_code(world)["code"],
    },
    "POST /v1/vendor/users": lambda world: VENDOR_COLLEAGUE,
}


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) for every operation of the app's document (what GET /openapi.json serves)."""
    document = build_document(app)
    return [
        (method.upper(), path, operation)
        for path, item in sorted(document["paths"].items())
        for method, operation in item.items()
        if method in METHODS
    ]


OPERATIONS = operations()


@dataclass(frozen=True)
class Expected:
    status: int | None  # exactly this, when refused
    refused_because: str
    path_ids_visible: bool = True


def expected(operation: dict[str, Any], caller: str, has_path_ids: bool) -> Expected:
    kind = operation["x-godkend-caller"]
    if kind not in ADMITS:
        pytest.fail(
            f"the route walker does not know the caller kind {kind!r}: say in ADMITS which walker callers it "
            "admits, and give the walk a caller of that kind (tests/integration/http/test_route_walker.py)"
        )
    if caller not in ADMITS[kind]:
        return Expected(refused(caller, kind), f"a {caller} is not a {kind} caller")
    # The walking vendors hold live keys; a route for test keys refuses them (and admits their test keys:
    # tests/integration/vendors/test_test_mode.py).
    if operation.get("x-godkend-key-mode") == "test":
        return Expected(403, f"a {caller} calls with a live key, and the route is for test keys")
    function = operation.get("x-godkend-function")
    if function is not None and function not in HOLDS[caller]:
        return Expected(403, f"a {caller} lacks the {function!r} function")
    if caller in OUTSIDERS and has_path_ids:
        return Expected(404, "the ids in the path belong to another organisation or vendor")
    return Expected(None, "", path_ids_visible=has_path_ids)


def refused(caller: str, kind: str) -> int:
    """What a caller of the wrong kind is answered: no credentials, or credentials of the other sort (an API
    key where a Cognito token belongs, or the other way round), are a 401; a valid login of the wrong role
    is a 403."""
    if caller == "anonymous" or (caller in VENDORS) != (kind == "vendor"):
        return 401
    return 403


def vendor_caller(client: Any, staff: Person) -> Person:
    """A vendor as the walk calls it: its API key is the bearer token."""
    body = json.dumps({"name": "Walking Vendor ApS", "contact_email": "vendor@example.org"}).encode()
    response = client.http.post("/v1/staff/vendors", headers={**staff.auth, **JSON}, body=body)
    assert response.status_code == 201, response.body
    vendor = json_of(response)
    return Person(user_id=vendor["vendor_id"], org_id=None, token=vendor["key"]["api_key"], totp_secret=None)


@pytest.fixture
def world(client, people: People) -> World:
    org, other = people.organisation(), people.organisation()
    parent = org.companies[0]
    staff = people.staff()
    vendor, other_vendor = vendor_caller(client, staff), vendor_caller(client, staff)
    return World(
        client=client,
        people=people,
        org=org,
        callers={
            "anonymous": None,
            "staff": staff,
            "vendor": vendor,
            "other_vendor": other_vendor,
            # The vendor's id is the walk's vendor caller's `user_id`.
            "vendor_person": people.vendor_person(vendor.user_id),
            "other_vendor_person": people.vendor_person(other_vendor.user_id),
            "administrator": people.member(org),
            "limited": people.member(org, functions=[Function.CODES], companies={parent.cvr: ["A1"]}),
            "outsider": people.member(other),
        },
    )


def path_for(template: str, world: World) -> str:
    values = {}
    for name in PATH_PARAM.findall(template):
        if (template, name) in ROUTE_PATH_FIXTURES:
            values[name] = ROUTE_PATH_FIXTURES[(template, name)](world)
            continue
        if name not in PATH_FIXTURES:
            pytest.fail(
                f"the route walker does not know the path parameter {name!r} of {template}: add a fixture "
                "that makes one of the walked organisation's to PATH_FIXTURES"
            )
        values[name] = PATH_FIXTURES[name](world)
    return template.format(**values)


def headers_for(operation: dict[str, Any], path: str, world: World) -> dict[str, str]:
    names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
    unknown = [name for name in names if name not in HEADER_FIXTURES]
    if unknown:
        pytest.fail(f"the route walker does not know the header parameters {unknown}: add to HEADER_FIXTURES")
    return {name: HEADER_FIXTURES[name](world, path) for name in names}


def assert_kept_by_no_cache(response: Any, context: str, key: str = "") -> None:
    found = {name: response.headers.get(name) for name in SECURITY_HEADERS}
    assert found == PUBLIC.get(key, SECURITY_HEADERS), context


def body_for(key: str, operation: dict[str, Any], world: World) -> bytes:
    if "requestBody" not in operation:
        return b""
    if key not in BODIES:
        pytest.fail(f"the route walker has no body for {key}: add a minimal valid one to BODIES")
    return json.dumps(BODIES[key](world)).encode()


@pytest.mark.parametrize(
    ("method", "template", "built"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_every_caller_gets_what_the_route_declares(world: World, method, template, built):
    # Given the operation as GET /openapi.json publishes it
    document = json_of(world.client.http.get("/openapi.json"))
    operation = document["paths"][template][method.lower()]
    assert operation == json.loads(json.dumps(built))
    key = f"{method} {template}"
    has_path_ids = bool(PATH_PARAM.search(template))

    for caller in CALLERS:
        # When each kind of caller calls it, with ids of the walked organisation and a valid body
        person = world.callers[caller]
        path = path_for(template, world)
        body = body_for(key, operation, world)
        headers = {
            **(person.auth if person else {}),
            **(JSON if body else {}),
            **headers_for(operation, path, world),
        }
        response = world.client.http.request(method, path, headers=headers, body=body)

        # Then the answer is the one its declaration promises
        want = expected(operation, caller, has_path_ids)
        status = response.status_code
        context = f"{key} as {caller}: {status} {response.body[:300]!r}"
        assert status < 500, context
        assert_kept_by_no_cache(response, context, key)
        if want.status is not None:
            assert status == want.status, f"{context}; expected {want.status} because {want.refused_because}"
            assert response.headers["Content-Type"] == "application/problem+json", context
        else:
            assert status not in {401, 403}, f"{context}; this caller is allowed"
            if want.path_ids_visible:
                assert status != 404, f"{context}; the ids in the path are this caller's to see"


MODE_OPERATIONS = [(m, p, op) for m, p, op in OPERATIONS if "x-godkend-key-mode" in op]


@pytest.mark.parametrize(
    ("method", "template", "operation"), MODE_OPERATIONS, ids=[f"{m} {p}" for m, p, _ in MODE_OPERATIONS]
)
def test_a_route_for_one_key_mode_takes_the_walking_vendors_test_key_as_it_declares(
    world: World, method, template, operation
):
    # Given a test key staff issued the walking vendor (the walk itself calls with its live key)
    vendor, staff = world.callers["vendor"], world.callers["staff"]
    assert vendor is not None
    assert staff is not None
    issued = world.client.http.post(
        f"/v1/staff/vendors/{vendor.user_id}/keys",
        headers={**staff.auth, **JSON},
        body=json.dumps({"mode": "test"}).encode(),
    )
    assert issued.status_code == 201, issued.body
    auth = {"authorization": f"Bearer {json_of(issued)['api_key']}"}

    # When it calls the route
    path = path_for(template, world)
    body = body_for(f"{method} {template}", operation, world)
    response = world.client.http.request(method, path, headers={**auth, **(JSON if body else {})}, body=body)

    # Then a route for test keys lets it in, and a route for live keys refuses it
    if operation["x-godkend-key-mode"] == "test":
        assert response.status_code not in {401, 403}, response.body
    else:
        assert response.status_code == 403, response.body
        assert response.headers["Content-Type"] == "application/problem+json"


def test_the_walk_covers_exactly_the_served_document(client):
    document = json_of(client.http.get("/openapi.json"))
    served = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }
    assert served == {(method, path) for method, path, _ in OPERATIONS}


def test_the_walks_tables_name_only_routes_that_exist():
    routes = {f"{method} {path}" for method, path, _ in OPERATIONS}
    assert set(BODIES) <= routes, set(BODIES) - routes
    parameters = {name for _, path, _ in OPERATIONS for name in PATH_PARAM.findall(path)}
    assert set(PATH_FIXTURES) <= parameters, set(PATH_FIXTURES) - parameters
    overridden = {(path, name) for _, path, _ in OPERATIONS for name in PATH_PARAM.findall(path)}
    assert set(ROUTE_PATH_FIXTURES) <= overridden, set(ROUTE_PATH_FIXTURES) - overridden
    kinds = {operation["x-godkend-caller"] for _, _, operation in OPERATIONS}
    assert kinds <= set(ADMITS)


@pytest.mark.parametrize(
    ("operation", "path_ids", "problem"),
    [
        ({"x-godkend-caller": "robot"}, False, "caller kind 'robot'"),
        ({"x-godkend-caller": "user"}, True, None),
    ],
)
def test_the_walk_fails_for_what_it_does_not_know(operation, path_ids, problem):
    # A caller kind it was never told about fails the walk instead of passing unchecked
    if problem is None:
        assert expected(operation, "outsider", path_ids).status == 404
        return
    with pytest.raises(pytest.fail.Exception, match=problem):
        expected(operation, "administrator", path_ids)


def test_an_unknown_path_parameter_fails_the_walk():
    with pytest.raises(pytest.fail.Exception, match="path parameter 'widget_id'"):
        path_for("/v1/widgets/{widget_id}", World(client=None, org=Org("org-x", ()), callers={}))


def test_a_vendor_person_is_admitted_only_to_the_vendor_console_and_me():
    # Given every operation of the served document, and who the walk expects it to admit
    reached = {
        path
        for _, path, operation in OPERATIONS
        if operation["x-godkend-caller"] != "anyone"
        and "vendor_person" in ADMITS[operation["x-godkend-caller"]]
    }

    # Then a vendor's person reaches /v1/vendor/... and /v1/me (its enrolment and password steps), no more
    assert reached
    in_console = ("/v1/vendor/", "/v1/me")
    assert all(path == "/v1/vendor" or path.startswith(in_console) for path in reached), sorted(reached)
    # And neither an organisation's people, nor staff, nor an API key reach the vendor console
    console = {
        op["x-godkend-caller"]
        for _, path, op in OPERATIONS
        if path == "/v1/vendor" or path.startswith("/v1/vendor/")
    }
    assert console == {"vendor_person"}
    assert ADMITS["vendor_person"] == VENDOR_PEOPLE
