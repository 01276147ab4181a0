"""Every table's connection in a thread builds its DynamoDB client from one botocore session, and a
transaction reuses the thread's connection: a function touching many tables, or writing many transactions,
loads botocore's service model once rather than once per table and per transaction."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import botocore.session

from chalicelib.models.audit import AuditModel
from chalicelib.models.base import thread_session, transaction
from chalicelib.models.code import CodeModel
from chalicelib.models.handle import HandleModel
from chalicelib.models.organisation import OrganisationModel


def sessions_of(*models: Any) -> set[int]:
    return {id(model._get_connection().connection.session) for model in models}


def test_every_table_in_a_thread_shares_one_session() -> None:
    assert sessions_of(OrganisationModel, CodeModel, AuditModel, HandleModel) == {id(thread_session())}


def test_another_thread_has_a_session_of_its_own() -> None:
    # botocore builds clients safely from one session in one thread at a time
    here = thread_session()
    there: list[Any] = []
    worker = threading.Thread(target=lambda: there.append(thread_session()))
    worker.start()
    worker.join()

    assert there[0] is not here
    assert there[0] is not None


def test_transactions_in_a_row_build_one_client_between_them(tables: None, monkeypatch: Any) -> None:
    # Given every botocore client creation counted, whichever session it comes from
    built: list[str] = []
    create_client = botocore.session.Session.create_client

    def counted(self: botocore.session.Session, service_name: str, *args: Any, **kwargs: Any) -> Any:
        built.append(service_name)
        return create_client(self, service_name, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "create_client", counted)
    now = datetime.now(UTC)

    # When three transactions are written one after another
    for number in range(3):
        with transaction() as tx:
            tx.save(HandleModel(f"handle-{number}", handle=f"Handle{number}", org_id="org", reserved_at=now))

    # Then all three are written, and at most one client was built for them
    assert [HandleModel.get(f"handle-{n}").handle for n in range(3)] == ["Handle0", "Handle1", "Handle2"]
    assert built.count("dynamodb") <= 1
