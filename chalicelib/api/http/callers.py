"""Who may call a route, and who is calling: the access rules a route declares (`Rule`), and the `Call` its
handler gets once the caller is authenticated and checked against the rule, before the handler runs. A
person is known by a Cognito access token, a vendor by its API key, checked here in the function itself."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from chalice.app import Request

from chalicelib.api.http import light
from chalicelib.api.http.parsing import parse_body, parse_query
from chalicelib.container import container
from chalicelib.errors import DomainError, Forbidden, PreconditionRequired, UpstreamUnavailable
from chalicelib.log import logger
from chalicelib.services.access.authz import Function, Principal, authorize

if TYPE_CHECKING:
    from chalicelib.api.http.routing import Operation
    from chalicelib.models.audit import Origin
    from chalicelib.services.vendors.api_keys import PresentedKey, VendorIdentity


class Caller(StrEnum):
    ANYONE = "anyone"
    USER = "user"  # a person in an organisation
    STAFF = "staff"  # the operator's people
    SIGNED_IN = "signed_in"  # any person: of an organisation, of the staff, or of a vendor
    ENROLLING = "enrolling"  # either of the two, also before a second factor is enrolled
    VENDOR = "vendor"  # a vendor's system, with an API key checked in this function (no authorizer)
    VENDOR_PERSON = "vendor_person"  # a vendor's person in the vendor console, with a Cognito access token


@dataclass(frozen=True)
class Rule:
    caller: Caller
    function: Function | None = None
    # A vendor route whose handler reads the key in its own first read (one round trip for both) and
    # checks it before anything else; the rule only checks that the header names a key.
    key_read_by_handler: bool = False
    # A vendor route for keys of one mode only ("live" or "test"); a key of the other mode is 403.
    key_mode: str | None = None

    @property
    def needs_token(self) -> bool:
        return self.caller is not Caller.ANYONE

    @property
    def is_person(self) -> bool:
        """A caller with a Cognito access token, who may lack a function or a second factor (403)."""
        return self.caller not in (Caller.ANYONE, Caller.VENDOR)


ANYONE = Rule(Caller.ANYONE)
STAFF = Rule(Caller.STAFF)
SIGNED_IN = Rule(Caller.SIGNED_IN)
# Only the second-factor enrolment step accepts a person who has not yet enrolled one.
ENROLLING = Rule(Caller.ENROLLING)
VENDOR = Rule(Caller.VENDOR)
# The vendor console: a vendor's person, never an API key; they reach their own vendor only.
VENDOR_PERSON = Rule(Caller.VENDOR_PERSON)
# The validation check: the key is read in the same BatchGetItem as the code (see services/validation).
VENDOR_KEY_IN_FIRST_READ = Rule(Caller.VENDOR, key_read_by_handler=True)
# Test keys only (the test codes); live keys only (the webhook and the event feed, which hold real
# organisations' data that a test key, often handed to a test system, must not reach or redirect).
TEST_KEY = Rule(Caller.VENDOR, key_mode="test")
LIVE_KEY = Rule(Caller.VENDOR, key_mode="live")


def user(function: Function | None = None) -> Rule:
    return Rule(Caller.USER, function)


class Call:
    """What a handler gets: the request, and who is calling: a person or a vendor."""

    def __init__(
        self,
        request: Request,
        principal: Principal | None,
        vendor: VendorIdentity | None = None,
        presented_key: PresentedKey | None = None,
        operation: Operation | None = None,
    ) -> None:
        self.request = request
        self.operation = operation
        self._principal = principal
        self._vendor = vendor
        self._presented_key = presented_key

    @property
    def principal(self) -> Principal:
        if self._principal is None:
            raise Forbidden("This needs a signed-in caller.")
        return self._principal

    @property
    def origin(self) -> Origin:
        """Where the request came from, for the audit trail: API Gateway's source IP and the user agent."""
        from chalicelib.models.audit import Origin

        identity = (self.request.context or {}).get("identity") or {}
        return Origin(
            source_ip=str(identity.get("sourceIp") or "unknown"),
            user_agent=str(self.request.headers.get("user-agent") or ""),
        )

    @property
    def vendor(self) -> VendorIdentity:
        if self._vendor is None:
            raise Forbidden("This is for vendors, with an API key.")
        return self._vendor

    @property
    def presented_key(self) -> PresentedKey:
        """The key a `VENDOR_KEY_IN_FIRST_READ` route must check itself, in its first read."""
        if self._presented_key is None:
            raise Forbidden("This is for vendors, with an API key.")
        return self._presented_key

    def check_key(self) -> VendorIdentity:
        """The vendor, checked on its own (one GetItem): for a `VENDOR_KEY_IN_FIRST_READ` route that is
        refusing the request before its read, so that a bad key is still told before a bad body."""
        return self._vendor or authenticate_vendor(self.presented_key)

    def if_match(self) -> frozenset[str]:
        """The versions the request names in `If-Match`, for a route that requires one (428 without).
        Only strong entity tags count (RFC 9110, 13.1.1): a weak one matches nothing, and `*` names none."""
        header = str(self.request.headers.get("if-match") or "").strip()
        if not header or header == "*":
            raise PreconditionRequired(
                "Say which version you decided on: send If-Match with the ETag of the organisation as you "
                "saw it (GET it again if you do not have it)."
            )
        return frozenset(
            tag.strip().strip('"')
            for tag in header.split(",")
            if tag.strip() and not tag.strip().startswith("W/")
        )

    def query(self, name: str) -> str | None:
        params = self.request.query_params
        return None if params is None else params.get(name)

    def body(self, model: Any = None) -> Any:
        """The body, parsed into the route's declared body model (or the one given). The declared model's
        generated schema reads it first when it can (chalicelib/api/http/light.py): the same fields, and
        pydantic imported only when that path is unsure."""
        operation = self.operation
        schema = None
        if model is None and operation is not None and operation.body is not None:
            schema = light.declared(operation.schemas, operation.body, "body")
            model = operation.body_model
        if model is None:
            raise TypeError("this route declares no body")
        raw = self.request.raw_body
        if not raw and operation is not None and operation.body_optional:
            raw = b"{}"
        return parse_body(raw.encode() if isinstance(raw, str) else raw, model, light=schema)

    def query_model(self, model: Any = None) -> Any:
        """The query string, parsed into the route's declared query model (or the one given)."""
        model = model or (None if self.operation is None else self.operation.query_model())
        if model is None:
            raise TypeError("this route declares no query")
        params = self.request.query_params
        return parse_query({} if params is None else params, model)


def identify(operation: Operation, request: Request) -> Call:
    """Who is calling, checked against the rule before the handler runs."""
    rule = operation.rule
    if rule.caller is Caller.VENDOR:
        presented = presented_key(request.headers.get("authorization"))
        if rule.key_read_by_handler:
            return Call(request, None, presented_key=presented, operation=operation)
        vendor = authenticate_vendor(presented)
        if rule.key_mode is not None and vendor.mode.value != rule.key_mode:
            raise wrong_mode(vendor)
        return Call(request, None, vendor=vendor, operation=operation)
    return Call(request, authenticate(rule, request), operation=operation)


def wrong_mode(vendor: VendorIdentity) -> Forbidden:
    if vendor.livemode:
        return Forbidden(
            "This is for test keys (gkv_test_...); this is a live key.",
            detail_da="Det her er kun for testnøgler (gkv_test_...). Du sendte en live-nøgle.",
        )
    return Forbidden(
        "This is for live keys; this is a test key (gkv_test_...).",
        detail_da="Det her er kun for live-nøgler. Du sendte en testnøgle (gkv_test_...).",
    )


def presented_key(authorization: str | None) -> PresentedKey:
    """The vendor key the header names, or 401 before anything is read."""
    from chalicelib.services.vendors.api_keys import KeyRefused, parse_authorization, refusal

    try:
        return parse_authorization(authorization)
    except KeyRefused as refused:
        raise refusal(refused) from None


def authenticate_vendor(presented: PresentedKey) -> VendorIdentity:
    try:
        return container().vendor_keys.authenticate(presented)
    except DomainError:
        raise
    except Exception as exc:
        # A key store that cannot be read is no way in, and no bare 500 either.
        logger.exception("vendor key check failed")
        raise UpstreamUnavailable("The API key could not be checked just now; try again shortly.") from exc


def authenticate(rule: Rule, request: Request) -> Principal | None:
    if not rule.needs_token:
        return None
    principal = container().identity.authenticate(
        request.headers.get("authorization"),
        require_second_factor=rule.caller is not Caller.ENROLLING,
    )
    if rule.caller is Caller.STAFF and not principal.is_staff:
        raise Forbidden("This is for the operator's staff.")
    if rule.caller is Caller.USER and (principal.is_staff or principal.org_id is None):
        raise Forbidden("This is for users of an organisation.")
    if rule.caller is Caller.VENDOR_PERSON and (principal.is_staff or principal.vendor_id is None):
        raise Forbidden("This is for a vendor's people, in the vendor console.")
    if rule.function is not None:
        authorize(principal, rule.function)
    return principal
