"""An administrator adds a company to the group after activation, or asks again for a subsidiary's letter:
the register's ownership data proves it at once, and anything else gets a letter to its own mailbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.clock import FixedClock
from chalicelib.container import Container
from chalicelib.errors import Conflict
from chalicelib.models.audit import Origin
from chalicelib.models.mailbox import get_mailbox
from chalicelib.models.organisation import (
    AccountModel,
    CompanyClaimModel,
    OrganisationStatus,
    claims_on,
    get_company,
)
from chalicelib.models.outbox import MailKind
from chalicelib.models.user import UserModel, get_user
from chalicelib.services.access.authz import Access, CompanyScope, Function, Principal
from chalicelib.services.onboarding.activation_codes import ActivationCodes, new_code
from chalicelib.services.onboarding.applications import ApplicationForm, ApplicationService
from chalicelib.services.onboarding.mailboxes import Pacing
from chalicelib.services.onboarding.proofs import ProofService, give_company_to
from tests.conftest import TEST_ACTIVATION_KEY
from tests.integration.access.test_authentication import assert_problem
from tests.integration.onboarding.test_applications import RacingCodes
from tests.integration.onboarding.test_trust_chain import activated, claimed_subsidiary_form
from tests.onboarding import (
    MAIN,
    NOT_IN_REGISTER,
    OTHER_MAIN,
    OTHER_SUBSIDIARY,
    SAMPLE,
    SUBSIDIARY,
    fixed_clock,
    form,
    letter_to,
    next_letter_goes,
    post,
    registered_organisation,
    rendered,
    send_gathered_letters,
    trail,
)
from tests.people import People, Person, json_of

CEASED = "99999896"  # Ophørt Forening Horsens
HOUR = Pacing(interval=timedelta(hours=1))


def name_company(client: Any, person: Person, cvr: str, name: str = "Vores Værksted") -> Any:
    return post(client, "/v1/organisation/companies", {"cvr": cvr, "name": name}, person.auth)


def prove(client: Any, person: Person, cvr: str, code: str) -> Any:
    return post(client, f"/v1/organisation/companies/{cvr}/proof", {"activation_code": code}, person.auth)


def proof_letters(cvr: str) -> list[Any]:
    return sorted(letter_to(cvr, MailKind.PROOF_LETTER), key=lambda m: m.created_at)


def newest_code(cvr: str) -> str:
    [code] = (proof_letters(cvr)[-1].secrets or {})["proof_codes"]
    return str(code)


@pytest.fixture
def clock(container: Container) -> FixedClock:
    return fixed_clock(container)


def administrator(people: People, status: OrganisationStatus = OrganisationStatus.APPROVED) -> Person:
    """An administrator (every function, full access) of an organisation whose only company is MAIN."""
    return people.member(registered_organisation((MAIN,), status=status))


def expire(cvr: str) -> None:
    """The claim's code expires the moment it was made (by any clock the test runs on)."""
    [claim] = claims_on(cvr)
    claim.update(actions=[CompanyClaimModel.expires_at.set(claim.created_at)])


# 1. What the register proves counts at once


def test_a_company_the_register_says_the_main_company_owns_counts_at_once(client, people: People):
    # Given the register names MAIN as SUBSIDIARY's owner, and MAIN's administrator
    entry = SAMPLE.lookup(SUBSIDIARY)
    assert entry is not None
    assert entry.owned_by(MAIN)
    admin = administrator(people)

    # When the administrator adds it
    response = name_company(client, admin, SUBSIDIARY, name="Genbrugen")

    # Then it is the organisation's now, with the register's legal name and a default account, in scope
    assert response.status_code == 201, response.body
    assert json_of(response) == {"cvr": SUBSIDIARY, "status": "proven", "letter_expires_at": None}
    company = get_company(SUBSIDIARY)
    assert company is not None
    assert (company.org_id, company.proven_by, company.name, company.legal_name, company.parent_cvr) == (
        admin.org_id,
        "ownership",
        "Genbrugen",
        "Blå Kors Odense Genbrug ApS",
        MAIN,
    )
    assert [(a.number, a.name) for a in AccountModel.query(SUBSIDIARY)] == [("1000", "Hovedkonto")]
    organisation = json_of(client.http.get("/v1/organisation", headers=admin.auth))
    assert SUBSIDIARY in [c["cvr"] for c in organisation["companies"]]
    # And no letter goes out, the audit says who did it, and codes can be made under it at once
    assert proof_letters(SUBSIDIARY) == []
    [proven] = [e for e in trail(admin.org_id or "") if e.action == "company.proven"]
    assert (proven.actor_id, proven.targets["cvr"], proven.details["by"]) == (
        admin.user_id,
        SUBSIDIARY,
        "ownership",
    )
    body = {"first_name": "Mette", "last_name": "Hansen", "email": "m@example.org"}
    code = post(client, "/v1/codes", {**body, "company": SUBSIDIARY, "account": "1000"}, admin.auth)
    assert code.status_code == 201, code.body


# 2. Anything else is proven by a letter to its own official mailbox


def test_any_other_company_gets_a_letter_of_its_own_whose_code_proves_it(client, people: People):
    # Given MAIN's administrator, and OTHER_SUBSIDIARY, which the register ties to another group
    admin = administrator(people)

    # When the administrator adds it
    response = name_company(client, admin, OTHER_SUBSIDIARY)

    # Then it is pending, and a letter naming who asked goes to the register's mailbox for it
    assert response.status_code == 201, response.body
    answer = json_of(response)
    assert (answer["cvr"], answer["status"]) == (OTHER_SUBSIDIARY, "pending")
    assert get_company(OTHER_SUBSIDIARY) is None
    [letter] = proof_letters(OTHER_SUBSIDIARY)
    assert letter.to_name == "Grøn Hjælp Esbjerg Værksted"
    assert f"Test Person ({admin.user_id}@example.org)" in rendered(letter).text
    organisation = json_of(client.http.get("/v1/organisation", headers=admin.auth))
    assert organisation["pending_companies"] == [
        {
            "cvr": OTHER_SUBSIDIARY,
            "name": "Vores Værksted",
            "legal_name": "Grøn Hjælp Esbjerg Værksted",
            "proof": "pending",
            "letter_expires_at": answer["letter_expires_at"],
        }
    ]
    [sent] = [e for e in trail(admin.org_id or "") if e.action == "company.proof_sent"]
    assert (sent.actor_kind, sent.actor_id) == ("user", admin.user_id)
    assert sent.details == {"letter_to": letter.to_address}

    # When the administrator enters the letter's code
    proved = prove(client, admin, OTHER_SUBSIDIARY, newest_code(OTHER_SUBSIDIARY))

    # Then the company is the organisation's, proven by letter, in the administrator's scope
    assert proved.status_code == 200, proved.body
    company = get_company(OTHER_SUBSIDIARY)
    assert company is not None
    assert (company.org_id, company.proven_by) == (admin.org_id, "letter")
    assert OTHER_SUBSIDIARY in [c.cvr for c in UserModel.get(admin.user_id).companies]


def test_asking_again_while_the_letter_is_usable_is_refused_and_sends_nothing(client, people: People):
    admin = administrator(people)
    assert name_company(client, admin, OTHER_SUBSIDIARY).status_code == 201

    assert_problem(name_company(client, admin, OTHER_SUBSIDIARY), 409, "conflict")

    assert len(proof_letters(OTHER_SUBSIDIARY)) == 1
    assert get_mailbox(OTHER_SUBSIDIARY).version == 1  # type: ignore[union-attr]  # written once


def test_a_locked_code_gets_a_new_letter_and_the_old_code_stops_working(
    client, people: People, clock: FixedClock
):
    # Given a pending company whose code five wrong tries locked
    admin = administrator(people)
    name_company(client, admin, OTHER_SUBSIDIARY)
    old_code = newest_code(OTHER_SUBSIDIARY)
    for _ in range(4):
        assert_problem(prove(client, admin, OTHER_SUBSIDIARY, new_code()), 400, "wrong-activation-code")
    locked = assert_problem(prove(client, admin, OTHER_SUBSIDIARY, new_code()), 423, "activation-locked")
    assert "new letter" in locked["detail"]
    organisation = json_of(client.http.get("/v1/organisation", headers=admin.auth))
    assert [c["proof"] for c in organisation["pending_companies"]] == ["locked"]

    # When the administrator asks for a new letter
    response = name_company(client, admin, OTHER_SUBSIDIARY)

    # Then it waits for the next letter to that mailbox (the first went less than an hour ago)
    assert response.status_code == 201, response.body
    assert len(proof_letters(OTHER_SUBSIDIARY)) == 1
    waiting = assert_problem(prove(client, admin, OTHER_SUBSIDIARY, old_code), 409, "conflict")
    assert "not gone out yet" in waiting["detail"]
    # And when it goes, a second letter brings a new code, and the tries start over
    next_letter_goes(clock)
    assert len(proof_letters(OTHER_SUBSIDIARY)) == 2
    [claim] = claims_on(OTHER_SUBSIDIARY)
    assert claim.attempts == 0
    # And the old code proves nothing; the new one proves the company
    assert_problem(prove(client, admin, OTHER_SUBSIDIARY, old_code), 400, "wrong-activation-code")
    assert prove(client, admin, OTHER_SUBSIDIARY, newest_code(OTHER_SUBSIDIARY)).status_code == 200


def test_an_expired_code_or_a_letter_that_never_went_out_gets_a_new_letter(
    client, people: People, clock: FixedClock
):
    # Given a pending company whose letter's code expired unused
    admin = administrator(people)
    name_company(client, admin, OTHER_SUBSIDIARY)
    expire(OTHER_SUBSIDIARY)
    assert_problem(prove(client, admin, OTHER_SUBSIDIARY, newest_code(OTHER_SUBSIDIARY)), 404, "not-found")

    # When the administrator asks again, a new letter goes out (with the mailbox's next), and its code
    # proves the company
    assert name_company(client, admin, OTHER_SUBSIDIARY).status_code == 201
    next_letter_goes(clock)
    assert len(proof_letters(OTHER_SUBSIDIARY)) == 2
    assert prove(client, admin, OTHER_SUBSIDIARY, newest_code(OTHER_SUBSIDIARY)).status_code == 200

    # And a subsidiary whose claim was never written (activation stopped before its letter) is added the
    # same way: nothing of it is left, so asking is what any new company gets
    assert name_company(client, admin, SUBSIDIARY).status_code == 201


def test_a_mailbox_gets_one_letter_an_hour_however_often_one_is_asked_for(
    client, people: People, clock: FixedClock
):
    # Given a letter to OTHER_SUBSIDIARY just now, its code left to expire
    admin = administrator(people)
    assert name_company(client, admin, OTHER_SUBSIDIARY).status_code == 201
    expire(OTHER_SUBSIDIARY)

    # When the administrator asks for another within the hour
    response = name_company(client, admin, OTHER_SUBSIDIARY)

    # Then it is accepted, but no letter goes before the hour is up, however often the sender runs
    assert response.status_code == 201, response.body
    clock.advance(timedelta(minutes=59))
    send_gathered_letters()
    assert len(proof_letters(OTHER_SUBSIDIARY)) == 1
    # And at the hour, it goes, saying who asked and for which group, by the register's names
    clock.advance(timedelta(minutes=1))
    assert send_gathered_letters()["proofs"] == 1
    [_, second] = proof_letters(OTHER_SUBSIDIARY)
    text = rendered(second).text
    assert f"Test Person ({admin.user_id}@example.org)" in text
    assert "Blå Kors Odense (CVR 41270004)" in text
    assert [line for line in text.splitlines() if line.startswith("Bekræftelseskode: ")] == [
        f"Bekræftelseskode: {newest_code(OTHER_SUBSIDIARY)}"
    ]


# 3. What is refused, and writes nothing


@pytest.mark.parametrize(
    ("cvr", "status", "slug"),
    [
        (MAIN, 409, "conflict"),  # already the organisation's
        (NOT_IN_REGISTER, 422, "unknown-company"),
        (CEASED, 422, "unknown-company"),
        ("12345678", 400, "invalid-input"),  # fails the modulus-11 check
    ],
)
def test_what_cannot_be_added_is_refused_and_nothing_is_written(client, people: People, cvr, status, slug):
    admin = administrator(people)
    events = len(trail(admin.org_id or ""))

    problem = assert_problem(name_company(client, admin, cvr), status, slug)

    assert problem["errors"][0]["field"] == "cvr"
    assert claims_on(cvr) == []
    assert len(trail(admin.org_id or "")) == events
    assert get_mailbox(cvr) is None


def test_a_company_of_another_organisation_is_refused_without_a_letter(client, people: People):
    # Given OTHER_MAIN belongs to another organisation
    people.member(registered_organisation((OTHER_MAIN,), org_id="org-other"))
    admin = administrator(people)

    assert_problem(name_company(client, admin, OTHER_MAIN), 409, "conflict")

    assert get_company(OTHER_MAIN).org_id == "org-other"  # type: ignore[union-attr]
    assert letter_to(OTHER_MAIN, MailKind.PROOF_LETTER) == []


def test_only_a_user_with_full_access_to_the_main_company_may_add_one(client, people: People):
    org = registered_organisation((MAIN, SUBSIDIARY))
    limited = people.member(org, companies={MAIN: ["1001"], SUBSIDIARY: None})
    without_main = people.member(org, companies={SUBSIDIARY: None})
    codes_only = people.member(org, functions=[Function.CODES])

    assert_problem(name_company(client, limited, OTHER_SUBSIDIARY), 403, "forbidden")
    assert_problem(name_company(client, without_main, OTHER_SUBSIDIARY), 403, "forbidden")
    assert_problem(name_company(client, codes_only, OTHER_SUBSIDIARY), 403, "forbidden")
    assert proof_letters(OTHER_SUBSIDIARY) == []


@pytest.mark.parametrize("status", [OrganisationStatus.SUSPENDED, OrganisationStatus.REJECTED])
def test_a_suspended_or_rejected_organisation_adds_nothing(client, people: People, status):
    admin = administrator(people, status=status)

    assert_problem(name_company(client, admin, OTHER_SUBSIDIARY), 409, "conflict")

    assert proof_letters(OTHER_SUBSIDIARY) == []


def test_an_organisation_waiting_for_review_may_add_companies(client, people: People):
    admin = administrator(people, status=OrganisationStatus.PENDING_REVIEW)

    assert name_company(client, admin, OTHER_SUBSIDIARY).status_code == 201


# 4. Two requests at once send one letter


def admin_principal(admin: Person) -> Principal:
    return Principal(
        user_id=admin.user_id,
        org_id=admin.org_id,
        functions=frozenset(Function),
        companies={MAIN: CompanyScope(MAIN, Access.FULL)},
    )


def test_two_requests_at_once_send_one_letter(container, people: People):
    # Given two requests for the same company's letter, the other committing while ours is about to write
    admin = administrator(people)
    principal = admin_principal(admin)

    def service(codes: ActivationCodes) -> ProofService:
        return ProofService(codes=codes, clock=container.clock, registry=SAMPLE, pacing=HOUR)

    other = service(ActivationCodes(TEST_ACTIVATION_KEY))
    ours = service(
        RacingCodes(lambda: other.name_company(principal, OTHER_SUBSIDIARY, "Værksted", origin=Origin()))
    )

    # When ours goes on to write, it finds the claim taken
    with pytest.raises(Conflict):
        ours.name_company(principal, OTHER_SUBSIDIARY, "Værksted", origin=Origin())

    # Then exactly one letter went out, and the mailbox was written once
    assert len(proof_letters(OTHER_SUBSIDIARY)) == 1
    assert get_mailbox(OTHER_SUBSIDIARY).version == 1  # type: ignore[union-attr]


def test_a_letter_to_the_same_mailbox_meanwhile_is_read_again_not_refused(container, people: People):
    # Given an application to OTHER_SUBSIDIARY's mailbox that commits while our letter is about to write
    admin = administrator(people)
    competing = ApplicationForm.model_validate(form(cvr=OTHER_SUBSIDIARY, subsidiaries=[], accounts=[]))
    applications = ApplicationService(
        registry=SAMPLE, codes=ActivationCodes(TEST_ACTIVATION_KEY), clock=container.clock, pacing=HOUR
    )
    ours = ProofService(
        codes=RacingCodes(lambda: applications.apply(competing, origin=Origin())),
        clock=container.clock,
        registry=SAMPLE,
        pacing=HOUR,
    )

    # When ours writes, the mailbox it read is no longer quiet
    named = ours.name_company(admin_principal(admin), OTHER_SUBSIDIARY, "Værksted", origin=Origin())

    # Then it reads the mailbox again and waits for its next letter: the application's letter went at once
    assert named.status == "pending"
    assert proof_letters(OTHER_SUBSIDIARY) == []
    assert len(letter_to(OTHER_SUBSIDIARY)) == 1
    assert get_mailbox(OTHER_SUBSIDIARY).waiting_claims == [admin.org_id]  # type: ignore[union-attr]


def test_a_new_letter_keeps_the_accounts_the_application_gave_the_company(
    client, cognito, people: People, clock: FixedClock
):
    # Given a subsidiary named in the application with account 9001, whose code five wrong tries locked
    admin = activated(client, cognito, people, claimed_subsidiary_form())
    for _ in range(5):
        prove(client, admin, OTHER_SUBSIDIARY, new_code())

    # When a new letter is asked for and its code entered
    assert name_company(client, admin, OTHER_SUBSIDIARY).status_code == 201
    next_letter_goes(clock)
    assert prove(client, admin, OTHER_SUBSIDIARY, newest_code(OTHER_SUBSIDIARY)).status_code == 200

    # Then the company has the application's account, not a default one
    assert [a.number for a in AccountModel.query(OTHER_SUBSIDIARY)] == ["9001"]


# 5. Proving a company takes what asking for its letter takes, and the company stays the administrators'


def claim_tries(cvr: str) -> int:
    [claim] = claims_on(cvr)
    return int(claim.attempts)


def test_proving_a_company_needs_what_asking_for_its_letter_needs(client, people: People):
    # Given a letter on its way for OTHER_SUBSIDIARY, asked for by MAIN's administrator, and colleagues
    # who could not have asked for it: one with `users` limited to one of MAIN's accounts, one with full
    # access to MAIN but without `users`
    org = registered_organisation((MAIN,))
    admin = people.member(org)
    limited = people.member(org, companies={MAIN: ["1001"]})
    codes_only = people.member(org, functions=[Function.CODES])
    assert name_company(client, admin, OTHER_SUBSIDIARY).status_code == 201
    code = newest_code(OTHER_SUBSIDIARY)

    # When they enter the letter's right code
    # Then each is refused, without a try counted against the code, and the company stays pending
    assert_problem(prove(client, limited, OTHER_SUBSIDIARY, code), 403, "forbidden")
    assert_problem(prove(client, codes_only, OTHER_SUBSIDIARY, code), 403, "forbidden")
    assert claim_tries(OTHER_SUBSIDIARY) == 0
    assert get_company(OTHER_SUBSIDIARY) is None
    assert OTHER_SUBSIDIARY not in [c.cvr for c in UserModel.get(limited.user_id).companies]

    # And the administrator proves it with the same code
    assert prove(client, admin, OTHER_SUBSIDIARY, code).status_code == 200


@pytest.mark.parametrize("cvr", [OTHER_SUBSIDIARY, SUBSIDIARY], ids=["by letter", "by ownership"])
def test_a_proven_company_is_given_to_every_administrator_with_full_access_to_the_main_company(
    client, people: People, cvr
):
    # Given two administrators with full access to MAIN, a disabled one, and colleagues who are not such
    # administrators: one with `users` limited to one account of MAIN, one with full access but no `users`
    org = registered_organisation((MAIN,))
    prover, other = people.member(org), people.member(org)
    disabled = people.member(org)
    UserModel.get(disabled.user_id).update(actions=[UserModel.status.set("disabled")])
    limited = people.member(org, companies={MAIN: ["1001"]})
    codes_only = people.member(org, functions=[Function.CODES])

    # When one of them adds a company (proven by a letter's code, or at once by the register's ownership)
    answer = json_of(name_company(client, prover, cvr))
    if answer["status"] == "pending":
        assert prove(client, prover, cvr, newest_code(cvr)).status_code == 200

    # Then each administrator with full access to MAIN has full access to it, the others do not
    def scope_of(person: Person) -> dict[str, str]:
        return {c.cvr: c.access for c in UserModel.get(person.user_id).companies}

    for administrator in (prover, other, disabled):
        assert scope_of(administrator) == {MAIN: "full", cvr: "full"}
    assert scope_of(limited) == {MAIN: "limited"}
    assert scope_of(codes_only) == {MAIN: "full"}

    # And the other administrator sees the company's codes, and may change and remove whoever proved it
    body = {"first_name": "Mette", "last_name": "Hansen", "email": "m@example.org", "company": cvr}
    account = AccountModel.query(cvr).next().number
    made = post(client, "/v1/codes", {**body, "account": account}, prover.auth)
    assert made.status_code == 201, made.body
    listed = json_of(client.http.get(f"/v1/codes?company={cvr}", headers=other.auth))
    assert [c["code_id"] for c in listed["items"]] == [json_of(made)["code_id"]]
    disable = client.http.patch(
        f"/v1/users/{prover.user_id}",
        headers={**other.auth, "content-type": "application/json"},
        body=b'{"status": "disabled"}',
    )
    assert disable.status_code == 200, disable.body
    assert client.http.delete(f"/v1/users/{prover.user_id}", headers=other.auth).status_code == 204


def test_a_company_proven_later_keeps_a_colleague_it_was_granted_to_within_every_administrators_reach(
    client, people: People
):
    # Given two administrators of MAIN, and a company one of them proved and granted a new colleague
    org = registered_organisation((MAIN,))
    prover, other = people.member(org), people.member(org)
    name_company(client, prover, OTHER_SUBSIDIARY)
    assert prove(client, prover, OTHER_SUBSIDIARY, newest_code(OTHER_SUBSIDIARY)).status_code == 200
    colleague = {
        "first_name": "Ida",
        "last_name": "Holm",
        "email": "ida@example.org",
        "mobile": "+4522334455",
        "functions": ["codes"],
        "companies": [{"cvr": OTHER_SUBSIDIARY, "access": "full"}],
    }
    created = post(client, "/v1/users", colleague, prover.auth)
    assert created.status_code == 201, created.body

    # When the other administrator changes that colleague, and then deletes them
    path = f"/v1/users/{json_of(created)['user_id']}"
    changed = client.http.patch(
        path, headers={**other.auth, "content-type": "application/json"}, body=b'{"last_name": "Holm-Jensen"}'
    )
    deleted = client.http.delete(path, headers=other.auth)

    # Then the colleague is within their reach
    assert changed.status_code == 200, changed.body
    assert deleted.status_code == 204, deleted.body


def test_administrators_beyond_the_proofs_transaction_get_the_company_each_as_they_stand(people: People):
    # Given an organisation's administrators as read before one changed, one was demoted and one left
    org = registered_organisation((MAIN, SUBSIDIARY))
    changed, demoted, gone = (people.member(org, companies={MAIN: None}) for _ in range(3))
    read = [UserModel.get(person.user_id) for person in (changed, demoted, gone)]
    UserModel.get(changed.user_id).update(actions=[UserModel.language.set("en")])
    UserModel.get(demoted.user_id).update(actions=[UserModel.functions.set(["codes"])])  # type: ignore[list-item]
    UserModel.get(gone.user_id).delete()

    # When they are given a company proven in a transaction that had no room for them
    give_company_to(read, SUBSIDIARY, main_cvr=MAIN)

    # Then the one who still administers the group has it, the demoted one does not, and nobody is made up
    assert [c.cvr for c in UserModel.get(changed.user_id).companies] == [MAIN, SUBSIDIARY]
    assert [c.cvr for c in UserModel.get(demoted.user_id).companies] == [MAIN]
    assert get_user(gone.user_id) is None
