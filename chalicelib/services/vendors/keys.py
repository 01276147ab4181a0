"""Vendors and their API keys: staff create vendors, issue and revoke keys; a vendor's people do the same for
their own vendor. A key's format and its check on every vendor request are in
`chalicelib/services/vendors/api_keys.py`. The whole key is shown once, in the answer that issues it; only
the SHA-256 of its secret is stored. A vendor can hold several keys at once, which is how keys are rotated:
issue a new one, switch over, revoke the old. A test key is made, hashed and shown once the same way.

Access patterns (besides those of `chalicelib/models/vendor.py`)
- who made the vendor's listed keys (vendor console) ... BatchGetItem users[the distinct `created_by`], once
                                                         for the whole list (`makers_of`)
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

from chalicelib.clock import Clock, isoformat
from chalicelib.errors import Forbidden, NotFound
from chalicelib.models.audit import (
    STAFF_TRAIL,
    Actor,
    ActorKind,
    AuditAction,
    AuditEvent,
    AuditModel,
    Origin,
    audit_record,
)
from chalicelib.models.paging import encode_cursor, page_start
from chalicelib.models.user import UserKind, UserModel, get_user, users_by_id
from chalicelib.models.validation import ReceiptModel
from chalicelib.models.vendor import (
    CATALOGUE,
    TEST_MODE,
    VendorKeyModel,
    VendorMissing,
    VendorModel,
    add_key,
    create_vendor,
    get_key,
    get_vendor,
    keys_of,
    record_key_use,
    revoke_key,
)
from chalicelib.models.webhook import get_webhook
from chalicelib.services.access.authz import Principal
from chalicelib.services.vendors.api_keys import (
    KEY_ID_BYTES,
    KEY_PREFIX,
    SECRET_BYTES,
    TEST_PREFIX,
    KeyMode,
    mode_of,
    secret_hash,
)
from chalicelib.values.page import Page

VENDORS_INDEX = "vendors.by-catalogue"
# Who made a key that staff issued, as a vendor's people see it: the operator, never a staff member.
OPERATOR_NAME = "Godkend"
VENDORS_CURSOR_KEYS = frozenset({"vendor_id", "catalogue", "created_at"})


@dataclass(frozen=True)
class DrawnKey:
    key_id: str
    secret: str

    def api_key(self, vendor_id: str, mode: KeyMode = KeyMode.LIVE) -> str:
        prefix = KEY_PREFIX + (TEST_PREFIX if mode is KeyMode.TEST else "")
        return f"{prefix}{vendor_id}_{self.key_id}_{self.secret}"


KeySource = Callable[[], DrawnKey]
# What else to save in the transaction that creates a vendor (its contact's login and invitation), given the
# vendor's id and name and the instant: items with the condition each is saved on.
SaveAlso = Callable[[str, str, datetime], list[tuple[Model, Condition | None]]]


def draw_key() -> DrawnKey:
    return DrawnKey(key_id=secrets.token_hex(KEY_ID_BYTES), secret=secrets.token_hex(SECRET_BYTES))


@dataclass(frozen=True)
class KeyUse:
    """A check that presented the key and left a receipt, at `used_at` (the receipt's validated_at)."""

    key_id: str
    used_at: datetime


class StreamRecord(Protocol):
    """A record of the receipts' stream (NEW_IMAGE), as Chalice hands it to the handler."""

    @property
    def event_name(self) -> str: ...

    @property
    def new_image(self) -> dict[str, Any] | None: ...


def uses_in_stream(records: Iterable[StreamRecord]) -> list[KeyUse]:
    """The key uses the new receipts in `records` stand for. Only an INSERT is a check: a receipt changed
    later (a person's data erased) or removed by its retention's TTL is no use of the key."""
    uses = []
    for record in records:
        image = record.new_image or {}
        if record.event_name != "INSERT" or "key_id" not in image or "validated_at" not in image:
            continue
        used_at = ReceiptModel.validated_at.deserialize(image["validated_at"]["S"])
        uses.append(KeyUse(str(image["key_id"]["S"]), used_at))
    return uses


def newest_uses(uses: Iterable[KeyUse]) -> list[KeyUse]:
    """The newest use of each key, so that a batch of many receipts of one key writes once."""
    newest: dict[str, datetime] = {}
    for use in uses:
        if use.key_id not in newest or use.used_at > newest[use.key_id]:
            newest[use.key_id] = use.used_at
    return [KeyUse(key_id, used_at) for key_id, used_at in newest.items()]


class VendorService:
    def __init__(self, *, clock: Clock, draw: KeySource = draw_key) -> None:
        self._clock = clock
        self._draw = draw

    def record_uses(self, uses: Iterable[KeyUse]) -> int:
        """Keeps each key's `last_used_at` current from the receipts' stream, off the check's path (the check
        stays at its round trips). Only a newer time is written, so a redelivered or out-of-order batch
        changes nothing; answers how many keys moved on."""
        return sum(record_key_use(use.key_id, use.used_at) for use in newest_uses(uses))

    def create(
        self,
        principal: Principal,
        *,
        name: str,
        contact_email: str,
        origin: Origin,
        also: SaveAlso | None = None,
    ) -> CreatedVendor:
        """A vendor and its first key; the key is in the answer and nowhere else. `also` adds what is saved
        with them, all or nothing (the contact person's login and invitation)."""
        now = self._now()
        vendor = VendorModel(
            uuid.uuid4().hex,
            name=name,
            contact_email=contact_email,
            created_at=now,
            created_by=principal.user_id,
        )
        drawn = self._draw()
        key = self._key(vendor, drawn, principal, now)
        audit = self._audit(AuditAction.VENDOR_CREATED, principal, origin, vendor.vendor_id, key.key_id)
        create_vendor(vendor, key, audit, also=also(vendor.vendor_id, name, now) if also else [])
        return CreatedVendor(**vars(describe_vendor(vendor)), key=issued(key, drawn))

    def issue_key(
        self, principal: Principal, vendor_id: str, *, origin: Origin, mode: KeyMode = KeyMode.LIVE
    ) -> IssuedKey:
        """Another key for the vendor, live or test; the ones it has keep working until they are revoked."""
        vendor = get_vendor(vendor_id)
        if vendor is None:
            raise NotFound("No such vendor.")
        drawn = self._draw()
        now = self._now()
        key = self._key(vendor, drawn, principal, now, mode=mode)
        audit = self._audit(AuditAction.VENDOR_KEY_ISSUED, principal, origin, vendor_id, key.key_id)
        try:
            add_key(key, audit)
        except VendorMissing as exc:
            raise NotFound("No such vendor.") from exc
        return issued(key, drawn)

    def revoke_key(self, principal: Principal, vendor_id: str, key_id: str, *, origin: Origin) -> KeyView:
        """The key stops working on the next request. Revoking it again changes nothing."""
        key = get_key(key_id)
        if key is None or key.vendor_id != vendor_id:
            raise NotFound("No such key for this vendor.")
        if key.revoked_when is None:
            now = self._now()
            audit = self._audit(AuditAction.VENDOR_KEY_REVOKED, principal, origin, vendor_id, key_id)
            key = revoke_key(key, now=now, by=principal.user_id, audit=audit)
        return describe_key(key)

    def page(self, *, limit: int, cursor: str | None) -> Page[VendorWithKeys]:
        """Every vendor, newest first, each with its keys (never a secret or its hash)."""
        start = page_start(
            cursor, index=VENDORS_INDEX, key_names=VENDORS_CURSOR_KEYS, partition=("catalogue", CATALOGUE)
        )
        results = VendorModel.by_catalogue.query(
            CATALOGUE, scan_index_forward=False, limit=limit, last_evaluated_key=start
        )
        vendors = list(results)
        last = results.last_evaluated_key
        return Page(
            [self._with_keys(vendor) for vendor in vendors],
            encode_cursor(VENDORS_INDEX, last) if last else None,
        )

    def get(self, vendor_id: str) -> VendorWithKeys:
        vendor = get_vendor(vendor_id)
        if vendor is None:
            raise NotFound("No such vendor.")
        return self._with_keys(vendor)

    def _with_keys(self, vendor: VendorModel) -> VendorWithKeys:
        keys = keys_of(vendor.vendor_id)
        return VendorWithKeys(**vars(describe_vendor(vendor)), keys=[describe_key(key) for key in keys])

    # The vendor console: a vendor's person works with their own vendor's keys only. A key of another
    # vendor answers as if it did not exist.

    def own_vendor(self, person: Principal) -> OwnVendor:
        """The person's vendor: its name, whom the operator contacts, and whether a webhook is set."""
        vendor = get_vendor(_own_vendor(person))
        if vendor is None:
            raise NotFound("No such vendor.")
        webhook = get_webhook(vendor.vendor_id)
        return OwnVendor(
            vendor_id=vendor.vendor_id,
            name=vendor.name,
            contact_email=vendor.contact_email,
            webhook_set=webhook is not None,
            webhook_status=None if webhook is None else webhook.status,
        )

    def own_keys(self, person: Principal) -> list[KeyView]:
        """The keys of the person's vendor, newest first: label, who made it, created, revoked, last used;
        no secret. The makers are read once for the whole list (`makers_of`)."""
        vendor_id = _own_vendor(person)
        keys = keys_of(vendor_id)
        makers = makers_of(keys, vendor_id)
        return [describe_key(key, created_by_name=makers.get(key.created_by)) for key in keys]

    def issue_own_key(
        self, person: Principal, *, label: str, origin: Origin, mode: str = KeyMode.LIVE.value
    ) -> IssuedKey:
        """A new key for the person's vendor, live or test, shown once in the answer; audited in the staff
        trail."""
        vendor_id = _own_vendor(person)
        vendor = get_vendor(vendor_id)
        if vendor is None:
            raise NotFound("No such vendor.")
        drawn = self._draw()
        key = self._key(vendor, drawn, person, self._now(), label=label, mode=KeyMode(mode))
        user = get_user(person.user_id)
        audit = self._person_audit(AuditAction.VENDOR_KEY_ISSUED, person, user, origin, vendor_id, key.key_id)
        try:
            add_key(key, audit)
        except VendorMissing as exc:
            raise NotFound("No such vendor.") from exc
        return issued(key, drawn, created_by_name=maker_name(user, vendor_id))

    def revoke_own_key(self, person: Principal, key_id: str, *, origin: Origin) -> KeyView:
        """The key is refused from the next check on; revoking it again changes nothing."""
        vendor_id = _own_vendor(person)
        key = get_key(key_id)
        if key is None or key.vendor_id != vendor_id:
            raise NotFound("No such key.")
        if key.revoked_when is None:
            user = get_user(person.user_id)
            action = AuditAction.VENDOR_KEY_REVOKED
            audit = self._person_audit(action, person, user, origin, vendor_id, key_id)
            key = revoke_key(key, now=self._now(), by=person.user_id, audit=audit)
        return describe_key(key, created_by_name=makers_of([key], vendor_id).get(key.created_by))

    def _person_audit(
        self,
        action: AuditAction,
        person: Principal,
        user: UserModel | None,
        origin: Origin,
        vendor_id: str,
        key_id: str,
    ) -> tuple[AuditModel, Condition]:
        """The staff trail's entry for a vendor person's action (`user`, their record as read now), with
        their name as it is now."""
        name = user.full_name if user is not None else None
        event = AuditEvent(
            STAFF_TRAIL,
            action,
            Actor(ActorKind.USER, person.user_id, name),
            origin,
            targets={"vendor_id": vendor_id, "key_id": key_id},
            # The entry keeps the person's name: their request about their data must find it.
            mentions=(user.email,) if user is not None else (),
        )
        return audit_record(event, now=self._clock.now())

    def _key(
        self,
        vendor: VendorModel,
        drawn: DrawnKey,
        principal: Principal,
        now: datetime,
        *,
        mode: KeyMode = KeyMode.LIVE,
        label: str | None = None,
    ) -> VendorKeyModel:
        return VendorKeyModel(
            drawn.key_id,
            vendor_id=vendor.vendor_id,
            vendor_name=vendor.name,
            secret_sha256=secret_hash(drawn.secret),
            created_at=now,
            created_by=principal.user_id,
            mode=TEST_MODE if mode is KeyMode.TEST else None,
            label=label,
        )

    def _audit(
        self, action: AuditAction, staff: Principal, origin: Origin, vendor_id: str, key_id: str
    ) -> tuple[AuditModel, Condition]:
        event = AuditEvent(
            STAFF_TRAIL,
            action,
            Actor(ActorKind.STAFF, staff.user_id),
            origin,
            targets={"vendor_id": vendor_id, "key_id": key_id},
        )
        # To the microsecond, unlike the records' own times: the trail orders a vendor's actions by it.
        return audit_record(event, now=self._clock.now())

    def _now(self) -> datetime:
        return self._clock.now().astimezone(UTC).replace(microsecond=0)


def makers_of(keys: Iterable[VendorKeyModel], vendor_id: str) -> dict[str, str | None]:
    """Who made each of these keys of `vendor_id`, by the makers' user ids, as the vendor's people may see it:
    one BatchGetItem of the users table for the distinct makers (none for no keys). A maker whose record is
    gone (a removed colleague: removal deletes the record) is left out, so a key
    of theirs names nobody."""
    found = users_by_id({key.created_by for key in keys})
    return {user_id: maker_name(user, vendor_id) for user_id, user in found.items()}


def maker_name(user: UserModel | None, vendor_id: str) -> str | None:
    """A key's maker as the vendor's people see them: a colleague by the name they have now, staff as the
    operator (never a staff member's name), anyone else (a record that is gone) as nobody."""
    if user is None:
        return None
    if user.kind == UserKind.STAFF.value:
        return OPERATOR_NAME
    if user.kind == UserKind.VENDOR.value and user.vendor_id == vendor_id:
        return user.full_name
    return None


def _own_vendor(person: Principal) -> str:
    if person.vendor_id is None:
        raise Forbidden("This is for a vendor's people, in the vendor console.")
    return person.vendor_id


@dataclass(frozen=True)
class OwnVendor:
    """A vendor as its own people see it in the vendor console."""

    vendor_id: str
    name: str
    contact_email: str
    webhook_set: bool
    webhook_status: str | None


@dataclass(frozen=True)
class VendorEntry:
    """A vendor as staff see it."""

    vendor_id: str
    name: str
    contact_email: str
    created_at: str


@dataclass(frozen=True)
class KeyView:
    """One of a vendor's keys: never its secret, nor the secret's hash."""

    key_id: str
    vendor_id: str
    mode: str
    status: str
    created_at: str
    revoked_at: str | None
    label: str | None
    last_used_at: str | None
    # Who made the key, for the vendor's own people (`maker_name`); staff's views leave it out.
    created_by_name: str | None


@dataclass(frozen=True)
class IssuedKey(KeyView):
    # The key itself, answered this once: only its hash is stored.
    api_key: str


@dataclass(frozen=True)
class VendorWithKeys(VendorEntry):
    keys: list[KeyView]


@dataclass(frozen=True)
class CreatedVendor(VendorEntry):
    key: IssuedKey


def describe_vendor(vendor: VendorModel) -> VendorEntry:
    return VendorEntry(
        vendor_id=vendor.vendor_id,
        name=vendor.name,
        contact_email=vendor.contact_email,
        created_at=isoformat(vendor.created_at),
    )


def describe_key(key: VendorKeyModel, *, created_by_name: str | None = None) -> KeyView:
    revoked = key.revoked_when
    return KeyView(
        key_id=key.key_id,
        vendor_id=key.vendor_id,
        mode=mode_of(key).value,
        status="active" if revoked is None else "revoked",
        created_at=isoformat(key.created_at),
        revoked_at=None if revoked is None else isoformat(revoked),
        label=key.label,
        last_used_at=None if key.last_used_at is None else isoformat(key.last_used_at),
        created_by_name=created_by_name,
    )


def issued(key: VendorKeyModel, drawn: DrawnKey, *, created_by_name: str | None = None) -> IssuedKey:
    shown = describe_key(key, created_by_name=created_by_name)
    return IssuedKey(**vars(shown), api_key=drawn.api_key(key.vendor_id, mode_of(key)))
