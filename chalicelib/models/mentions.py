"""Where a person's data sits under somebody else's key: one pointer per person and item.

Most of what Godkend holds about a person is found by their own e-mail address: their codes, applications,
logins and the mail sent to them each have a `by-subject` index. Some items name a person while being about
something else: the activation letter names its applicant but goes to a company's mailbox; a colleague's
entry in the organisation's audit trail (`user.invited`, `user.deleted`) holds their name, e-mail and mobile
under the organisation's key; a mail to the administrators names the colleague whose rights changed and the
administrator who changed them. Such an item says whom it names (`mentioned`, the addresses; see
`chalicelib/models/audit.py` and `chalicelib/models/outbox.py`), and the transaction that writes it also
writes one pointer here per address (`chalicelib/models/base.py`), so the item and its pointers exist
together or not at all.

A pointer holds the address (as `retention.subject_of` gives it) and where the item is (`ref_of`), nothing
else; it lives as long as the item does (`purge_at`, the item's own end of retention). When a person's data
is erased, their pointers move to the digest that stands for the address (`retention.erased_subject`) in the
same transaction that pseudonymises the item, so that a later request still finds what was kept.

Access patterns
- everything naming a person ........... Query mentions[subject]
- write a pointer with its item ........ UpdateItem mentions[subject, ref] SET purge_at, in the item's
                                         transaction (an update, so that it is idempotent and goes last)
- move it when the person is erased .... DeleteItem + UpdateItem, in the erasing transaction
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.models.base import PAY_PER_REQUEST_BILLING_MODE, aws_region, table_name
from chalicelib.models.retention import subject_of

SEPARATOR = "/"


class MentionModel(Model):
    class Meta:
        table_name = table_name("mentions")
        region = aws_region()
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    # The person's address (trimmed, lower-cased), or the digest that stands for it once erased.
    subject = UnicodeAttribute(hash_key=True)
    # Where the item is: its table's short name and its key (`ref_of`).
    ref = UnicodeAttribute(range_key=True)
    # The item's own end of retention; the table's TTL. Absent for an item kept without one.
    purge_at = TTLAttribute(null=True)

    @property
    def purge_when(self) -> datetime | None:
        return cast("datetime | None", self.purge_at)


def short_name(model: type[Model] | Model) -> str:
    """A table's name without the stage's prefix: `audit`, `outbox`."""
    prefix = table_name("")
    name = str(model.Meta.table_name)
    return name[len(prefix) :] if name.startswith(prefix) else name


def ref_of(item: Model) -> str:
    """`<table>/<hash key>[/<range key>]`: enough to read the item again."""
    keys = [short_name(item)]
    hash_name = item._hash_key_attribute().attr_name
    keys.append(str(item.attribute_values[_python_name(item, hash_name)]))
    range_attribute = item._range_key_attribute()
    if range_attribute is not None:
        keys.append(str(item.attribute_values[_python_name(item, range_attribute.attr_name)]))
    return SEPARATOR.join(keys)


def parse_ref(ref: str) -> tuple[str, str, str | None]:
    """The table's short name, hash key and range key (None when the table has none) of a pointer."""
    table, _, rest = ref.partition(SEPARATOR)
    hash_key, _, range_key = rest.partition(SEPARATOR)
    return table, hash_key, range_key or None


def subjects_of(addresses: Iterable[str | None]) -> list[str]:
    """The distinct subjects of some addresses, in order, leaving out empty ones."""
    found: list[str] = []
    for address in addresses:
        subject = subject_of(address) if address else ""
        if subject and subject not in found:
            found.append(subject)
    return found


def pointers_for(item: Model, addresses: Iterable[str]) -> list[MentionModel]:
    """The pointers an item that names these people is written with."""
    ttl = item._ttl_attribute()
    until: Any = getattr(item, _python_name(item, ttl.attr_name), None) if ttl is not None else None
    ref = ref_of(item)
    return [MentionModel(subject, ref, purge_at=until) for subject in subjects_of(addresses)]


def mentions_of(subject: str, *, now: datetime) -> list[MentionModel]:
    """Every pointer under a subject whose item is still kept."""
    return [m for m in MentionModel.query(subject) if m.purge_when is None or now < m.purge_when]


def _python_name(item: Model, attr_name: str) -> str:
    for name, attribute in item.get_attributes().items():
        if attribute.attr_name == attr_name:
            return name
    return attr_name
