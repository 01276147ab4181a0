"""The trust chain: every company proven before it counts, each application on its own, the register naming
the organisation, one handle per organisation, and codes right after approval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.clock import FixedClock, isoformat
from chalicelib.container import Container
from chalicelib.models.application import ApplicationStatus, applications_for
from chalicelib.models.handle import owner_of
from chalicelib.models.organisation import (
    AccountModel,
    CompanyClaimModel,
    CompanyModel,
    OrganisationModel,
    OrganisationStatus,
    claims_on,
    get_company,
)
from chalicelib.models.outbox import MailKind, OutboxModel
from chalicelib.models.user import UserModel
from chalicelib.services.onboarding.activation_codes import new_code
from infra.local.demo import CompanySpec, add_organisation
from tests.integration.access.test_authentication import assert_problem
from tests.onboarding import (
    MAIN,
    OTHER_MAIN,
    OTHER_SUBSIDIARY,
    SAMPLE,
    SUBSIDIARY,
    activate,
    apply,
    fixed_clock,
    form,
    letter_to,
    letters,
    mail,
    next_letter_goes,
    post,
    registered_organisation,
    rendered,
    signed_in,
    staff_decide,
    username_and_code,
)
from tests.people import People, Person, json_of

STRANGER = {
    "first_name": "Sune",
    "last_name": "Fremmed",
    "email": "sune@evil.example",
    "mobile": "+4599887766",
}
OWN = {"first_name": "Ida", "last_name": "Holm", "email": "ida.holm@example.org", "mobile": "+4522334455"}


def activated(
    client: Any, cognito: Any, people: People, body: dict[str, Any], clock: FixedClock | None = None
) -> Person:
    """Apply with the form, activate the letter to the main CVR's mailbox, and sign in. With `clock`, an
    application gathered into the mailbox's next letter waits for it to go."""
    assert apply(client, body).status_code == 202
    if clock is not None and not applicant_letters(body):
        next_letter_goes(clock)
    [letter] = applicant_letters(body)
    username, code = username_and_code(letter, body["applicant"]["email"])
    assert activate(client, username, code).status_code == 201
    return signed_in(cognito, people, username)


def applicant_letters(body: dict[str, Any]) -> list[OutboxModel]:
    return [m for m in letter_to(body["cvr"]) if body["applicant"]["email"] in rendered(m).text]


@pytest.fixture
def clock(container: Container) -> FixedClock:
    return fixed_clock(container)


def approve(client: Any, staff: Person, org_id: str) -> None:
    response = staff_decide(client, staff, org_id, "approve")
    assert response.status_code == 200, response.body


def new_code_under(client: Any, person: Person, company: str, account: str) -> Any:
    body = {"first_name": "Mette", "last_name": "Hansen", "email": "m@example.org"}
    return post(client, "/v1/codes", {**body, "company": company, "account": account}, person.auth)


def claimed_subsidiary_form() -> dict[str, Any]:
    """MAIN applying with another group's subsidiary, which the register says OTHER_MAIN owns."""
    return form(
        subsidiaries=[{"cvr": OTHER_SUBSIDIARY, "name": "Vores Værksted"}],
        accounts=[{"cvr": OTHER_SUBSIDIARY, "number": "9001", "name": "Værksted"}],
    )


def proof_code(cvr: str) -> str:
    [letter] = letter_to(cvr, MailKind.PROOF_LETTER)
    [code] = (letter.secrets or {})["proof_codes"]
    return str(code)


def prove(client: Any, person: Person, cvr: str, code: str) -> Any:
    return post(client, f"/v1/organisation/companies/{cvr}/proof", {"activation_code": code}, person.auth)


# 1. Every company is proven before it counts


def test_a_subsidiary_you_do_not_control_gives_you_nothing_until_its_own_letter_is_used(
    client, cognito, people: People
):
    # Given MAIN's applicant named a subsidiary that the register ties to another group, and activated
    admin = activated(client, cognito, people, claimed_subsidiary_form())
    staff = people.staff()
    approve(client, staff, admin.org_id or "")

    # Then the subsidiary is not the organisation's: pending, with its own letter to its own mailbox
    assert get_company(OTHER_SUBSIDIARY) is None
    [proof] = letter_to(OTHER_SUBSIDIARY, MailKind.PROOF_LETTER)
    text = rendered(proof).text
    assert "Ida Holm (ida.holm@example.org)" in text
    assert "Bekræftelseskode:" in text
    organisation = json_of(client.http.get("/v1/organisation", headers=admin.auth))
    assert [c["cvr"] for c in organisation["companies"]] == [MAIN]
    [claim] = claims_on(OTHER_SUBSIDIARY)
    assert organisation["pending_companies"] == [
        {
            "cvr": OTHER_SUBSIDIARY,
            "name": "Vores Værksted",
            "legal_name": "Grøn Hjælp Esbjerg Værksted",
            "proof": "pending",
            "letter_expires_at": isoformat(claim.expires_at),
        }
    ]
    # And no code can be made under it, nor can it be given to a colleague
    assert new_code_under(client, admin, OTHER_SUBSIDIARY, "9001").status_code in {403, 404}
    assert UserModel.get(admin.user_id).companies[0].cvr == MAIN
    assert len(UserModel.get(admin.user_id).companies) == 1
    # And staff see it with its proof status and the register's name beside the typed one
    listed = json_of(client.http.get("/v1/staff/organisations?status=approved", headers=staff.auth))
    [mine] = [o for o in listed["items"] if o["org_id"] == admin.org_id]
    assert {c["cvr"]: (c["proof"], c["name"], c["legal_name"]) for c in mine["companies"]} == {
        MAIN: ("proven", "Blå Kors Odense", "Blå Kors Odense"),
        OTHER_SUBSIDIARY: ("pending", "Vores Værksted", "Grøn Hjælp Esbjerg Værksted"),
    }
    assert mine["applicant"] == {"first_name": "Ida", "last_name": "Holm", "email": "ida.holm@example.org"}


def test_its_real_owner_applies_with_it_afterwards_and_the_first_proof_wins(
    client, cognito, people: People, clock: FixedClock
):
    # Given another organisation claims OTHER_SUBSIDIARY (pending), its letter just sent
    claimant = activated(client, cognito, people, claimed_subsidiary_form())

    # When the subsidiary's real owner applies with it as its own main company
    body = form(cvr=OTHER_SUBSIDIARY, name="Grøn Hjælp Værksted", subsidiaries=[], accounts=[])
    response = apply(client, body)

    # Then nothing blocks it: a letter goes to the company's own mailbox (with the next one to it, within
    # the promise), and it activates
    assert response.status_code == 202, response.body
    next_letter_goes(clock)
    [letter] = letter_to(OTHER_SUBSIDIARY)
    username, code = username_and_code(letter)
    assert activate(client, username, code).status_code == 201
    company = get_company(OTHER_SUBSIDIARY)
    assert company is not None
    assert company.org_id == UserModel.get(username).org_id
    # And the claimant's claim is dropped: its code proves nothing any more
    assert claims_on(OTHER_SUBSIDIARY) == []
    assert_problem(prove(client, claimant, OTHER_SUBSIDIARY, proof_code(OTHER_SUBSIDIARY)), 404, "not-found")


def test_an_administrator_proves_a_subsidiary_with_the_code_from_its_own_letter(
    client, cognito, people: People
):
    # Given a pending subsidiary and the code in its letter
    admin = activated(client, cognito, people, claimed_subsidiary_form())
    code = proof_code(OTHER_SUBSIDIARY)

    # When a wrong code is entered, it is refused and nothing changes
    assert_problem(prove(client, admin, OTHER_SUBSIDIARY, new_code()), 400, "wrong-activation-code")
    assert get_company(OTHER_SUBSIDIARY) is None

    # When the administrator enters the right one
    response = prove(client, admin, OTHER_SUBSIDIARY, code)

    # Then the company is the organisation's, with the application's account, in the administrator's scope
    assert response.status_code == 200, response.body
    company = get_company(OTHER_SUBSIDIARY)
    assert company is not None
    assert (company.org_id, company.proven_by, company.legal_name) == (
        admin.org_id,
        "letter",
        "Grøn Hjælp Esbjerg Værksted",
    )
    assert [a.number for a in AccountModel.query(OTHER_SUBSIDIARY)] == ["9001"]
    assert OTHER_SUBSIDIARY in [c.cvr for c in UserModel.get(admin.user_id).companies]
    # And the code is single-use
    assert_problem(prove(client, admin, OTHER_SUBSIDIARY, code), 404, "not-found")


def test_five_wrong_proof_codes_lock_it(client, cognito, people: People):
    admin = activated(client, cognito, people, claimed_subsidiary_form())
    code = proof_code(OTHER_SUBSIDIARY)
    for _ in range(4):
        assert_problem(prove(client, admin, OTHER_SUBSIDIARY, new_code()), 400, "wrong-activation-code")
    assert_problem(prove(client, admin, OTHER_SUBSIDIARY, new_code()), 423, "activation-locked")
    assert_problem(prove(client, admin, OTHER_SUBSIDIARY, code), 423, "activation-locked")
    assert get_company(OTHER_SUBSIDIARY) is None


def test_ownership_in_the_register_proves_a_subsidiary_without_a_letter(client, cognito, people: People):
    # Given the register says MAIN owns SUBSIDIARY (the sample register's group)
    entry = SAMPLE.lookup(SUBSIDIARY)
    assert entry is not None
    assert entry.owned_by(MAIN)

    # When MAIN applies with it and activates
    admin = activated(client, cognito, people, form())

    # Then it is proven by ownership, and no proof letter is sent
    company = get_company(SUBSIDIARY)
    assert company is not None
    assert (company.org_id, company.proven_by) == (admin.org_id, "ownership")
    assert letter_to(SUBSIDIARY, MailKind.PROOF_LETTER) == []


def test_rejection_and_an_expired_proof_release_the_pending_companies(client, cognito, people: People):
    # Given a pending subsidiary
    admin = activated(client, cognito, people, claimed_subsidiary_form())
    [claim] = claims_on(OTHER_SUBSIDIARY)

    # When its proof expires unused (the code's 14 days are over), it is no longer listed nor provable
    claim.update(actions=[CompanyClaimModel.expires_at.set(datetime.now(UTC) - timedelta(seconds=1))])
    organisation = json_of(client.http.get("/v1/organisation", headers=admin.auth))
    assert organisation["pending_companies"] == []
    assert_problem(prove(client, admin, OTHER_SUBSIDIARY, proof_code(OTHER_SUBSIDIARY)), 404, "not-found")

    # When staff reject the organisation, its claims are dropped altogether
    staff = people.staff()
    response = staff_decide(client, staff, str(admin.org_id), "reject", "Ikke en NGO")
    assert response.status_code == 200, response.body
    assert claims_on(OTHER_SUBSIDIARY) == []


def test_rejection_drops_a_claim_still_open(client, cognito, people: People):
    admin = activated(client, cognito, people, claimed_subsidiary_form())
    staff = people.staff()
    staff_decide(client, staff, str(admin.org_id), "reject", "Ikke en NGO")
    assert claims_on(OTHER_SUBSIDIARY) == []
    # A rejected organisation proves no company, as it asks for no letter
    # (chalicelib/services/onboarding/proofs.py)
    assert_problem(prove(client, admin, OTHER_SUBSIDIARY, proof_code(OTHER_SUBSIDIARY)), 409, "conflict")


# 2. Each application stands on its own


def test_the_companys_own_application_binds_its_own_applicant_not_the_strangers_who_applied_first(
    client, cognito, people: People, clock: FixedClock
):
    # Given a stranger applied for the company first, with their own contact data
    assert apply(client, form(subsidiaries=[], accounts=[], applicant=STRANGER)).status_code == 202

    # When the company applies itself, it gets its own letter naming its own applicant
    assert apply(client, form(subsidiaries=[], accounts=[], applicant=OWN)).status_code == 202
    next_letter_goes(clock)
    own = [m for m in letter_to(MAIN) if "Ida Holm (ida.holm@example.org)" in rendered(m).text]
    stranger = [m for m in letter_to(MAIN) if "sune@evil.example" in rendered(m).text]
    assert len(own) == 1
    assert len(stranger) == 1

    # And activating it makes the company's applicant the administrator, in our records and in Cognito
    username, code = username_and_code(own[0])
    assert activate(client, username, code).status_code == 201
    admin = signed_in(cognito, people, username)
    me = json_of(client.http.get("/v1/me", headers=admin.auth))
    assert "sune" not in str(me).lower()
    user = UserModel.get(username)
    assert (user.first_name, user.email, user.mobile) == ("Ida", OWN["email"], OWN["mobile"])
    attributes = {
        a["Name"]: a["Value"]
        for a in cognito.admin_get_user(UserPoolId=people.pool.user_pool_id, Username=username)[
            "UserAttributes"
        ]
    }
    assert (attributes["email"], attributes["phone_number"]) == (OWN["email"], OWN["mobile"])
    # And the stranger's application is void: its letter activates nothing
    assert sorted(a.status for a in applications_for(MAIN)) == [
        ApplicationStatus.ACTIVATED.value,
        ApplicationStatus.VOIDED.value,
    ]
    username, code = username_and_code(stranger[0])
    assert_problem(activate(client, username, code), 410, "activation-expired")
    # And staff's decision mail goes to the company's applicant only
    approve(client, people.staff(), user.org_id or "")
    assert [m.to_address for m in mail(MailKind.DECISION)] == [OWN["email"]]


def test_an_application_for_a_company_with_an_administrator_is_refused_saying_so(client, cognito, people):
    activated(client, cognito, people, form(subsidiaries=[], accounts=[]))
    problem = assert_problem(
        apply(client, form(subsidiaries=[], accounts=[], applicant=STRANGER)), 409, "administrator-exists"
    )
    assert "Ask your administrator" in problem["detail"]
    assert "support" in problem["detail"]


# 3. The register names the organisation


def test_vendors_see_the_registers_legal_name_and_a_rename_only_once_staff_approve_it(
    client, cognito, people: People
):
    # Given CVR 12345674 (register: "Foreningen Ældre Hjælper Ældre") applied as "Røde Kors Aarhus"
    body = form(cvr="12345674", name="Hjælpere Aarhus", subsidiaries=[], accounts=[])
    admin = activated(client, cognito, people, body)
    staff = people.staff()
    approve(client, staff, admin.org_id or "")
    code = json_of(new_code_under(client, admin, "12345674", "1000"))["code"]
    vendor = people.vendor()

    def seen() -> dict[str, Any]:
        answer = json_of(post(client, "/v1/validations", {"code": code}, vendor.auth))
        assert answer["valid"] is True, answer
        return dict(answer["organisation"])

    # Then the vendor is told the display name and the register's name
    assert (seen()["name"], seen()["legal_name"]) == ("Hjælpere Aarhus", "Foreningen Ældre Hjælper Ældre")

    # When the approved organisation renames itself
    patched = client.http.patch(
        "/v1/organisation",
        headers={**admin.auth, "content-type": "application/json"},
        body=b'{"name": "R\\u00f8de Kors Aarhus"}',
    )

    # Then that is a request: vendors keep seeing the approved name
    assert patched.status_code == 200, patched.body
    assert (json_of(patched)["name"], json_of(patched)["requested_name"]) == (
        "Hjælpere Aarhus",
        "Røde Kors Aarhus",
    )
    assert seen()["name"] == "Hjælpere Aarhus"
    reviewed = json_of(client.http.get(f"/v1/staff/organisations/{admin.org_id}", headers=staff.auth))
    assert reviewed["requested_name"] == "Røde Kors Aarhus"
    assert reviewed["companies"][0]["register_name"] == "Foreningen Ældre Hjælper Ældre"

    # When staff refuse it, the approved name stays; when asked again and approved, vendors see the new one
    refused = staff_decide(client, staff, str(admin.org_id), "name/refuse", "Vildledende")
    assert json_of(refused)["requested_name"] is None
    assert seen()["name"] == "Hjælpere Aarhus"
    client.http.patch(
        "/v1/organisation",
        headers={**admin.auth, "content-type": "application/json"},
        body=b'{"name": "Hjaelpere i Aarhus"}',
    )
    approved = staff_decide(client, staff, str(admin.org_id), "name/approve")
    assert approved.status_code == 200, approved.body
    assert seen()["name"] == "Hjaelpere i Aarhus"
    assert seen()["legal_name"] == "Foreningen Ældre Hjælper Ældre"


def test_only_masterdata_with_full_access_to_the_main_company_may_ask_for_a_new_name(client, people: People):
    org = people.organisation()
    limited = people.member(org, companies={org.companies[0].cvr: ["A1"], org.companies[1].cvr: None})
    response = client.http.patch(
        "/v1/organisation",
        headers={**limited.auth, "content-type": "application/json"},
        body=b'{"name": "X"}',
    )
    assert_problem(response, 403, "forbidden")
    assert OrganisationModel.get(org.org_id).requested_name is None


# 4. One handle, one organisation


def test_the_demo_seed_and_the_factories_reserve_handles_as_approval_does(client, people: People):
    # Given an organisation written by the seed's builder with the demo's handle
    now = datetime.now(UTC)
    first = add_organisation(
        org_id="org-first",
        name="Røde Kors Aarhus",
        handle="RoedeKorsAarhus",
        companies=[CompanySpec("29180008", "Røde Kors Aarhus")],
        now=now,
    )
    # When another is written, or approved, under the same name
    second = add_organisation(
        org_id="org-second",
        name="Røde Kors Aarhus",
        handle="RoedeKorsAarhus",
        companies=[CompanySpec("34560005", "Røde Kors Aarhus Frivilligcenter")],
        now=now,
    )
    # Then each holds its own reserved handle
    assert first.handle == "RoedeKorsAarhus"
    assert owner_of("RoedeKorsAarhus") == "org-first"
    assert second.handle != first.handle
    assert owner_of(second.handle) == "org-second"


# 6. Codes right after approval


def test_an_organisation_that_applied_without_accounts_creates_a_code_right_after_approval(
    client, cognito, people: People
):
    # Given an organisation that applied without accounts, activated and was approved
    admin = activated(client, cognito, people, form(accounts=[]))
    approve(client, people.staff(), admin.org_id or "")

    # Then every proven company has a default account, and a code can be made at once
    for cvr in (MAIN, SUBSIDIARY):
        assert [(a.number, a.name) for a in AccountModel.query(cvr)] == [("1000", "Hovedkonto")]
    response = new_code_under(client, admin, MAIN, "1000")
    assert response.status_code == 201, response.body


def test_a_subsidiary_proven_later_gets_a_default_account(client, cognito, people: People):
    admin = activated(
        client,
        cognito,
        people,
        form(cvr=OTHER_MAIN, name="Grøn Hjælp", accounts=[], subsidiaries=[{"cvr": MAIN, "name": "Blå"}]),
    )
    assert prove(client, admin, MAIN, proof_code(MAIN)).status_code == 200
    assert [(a.number, a.name) for a in AccountModel.query(MAIN)] == [("1000", "Hovedkonto")]
    assert CompanyModel.get(MAIN).parent_cvr == OTHER_MAIN
    assert letters()
    assert OrganisationModel.get(admin.org_id or "").status == OrganisationStatus.PENDING_REVIEW.value


def test_a_proof_that_comes_second_is_refused_and_its_claim_dropped(client, cognito, people: People):
    # Given a pending claim, and the company proven for its real owner meanwhile (the conditional write wins)
    admin = activated(client, cognito, people, claimed_subsidiary_form())
    code = proof_code(OTHER_SUBSIDIARY)
    registered_organisation([OTHER_MAIN, OTHER_SUBSIDIARY], org_id="org-owner", name="Grøn Hjælp")

    # When the claimant enters the right code
    problem = assert_problem(prove(client, admin, OTHER_SUBSIDIARY, code), 409, "conflict")

    # Then it is told another organisation proved it first, the company stays the owner's, and the claim goes
    assert "first" in problem["detail"]
    assert CompanyModel.get(OTHER_SUBSIDIARY).org_id == "org-owner"
    assert claims_on(OTHER_SUBSIDIARY) == []


def test_wrong_codes_for_a_voided_letter_lock_it_without_an_error(
    client, cognito, people: People, clock: FixedClock
):
    # Given a stranger's letter voided by the company's own activation
    assert apply(client, form(subsidiaries=[], accounts=[], applicant=STRANGER)).status_code == 202
    activated(client, cognito, people, form(subsidiaries=[], accounts=[]), clock)
    [stranger] = [m for m in letter_to(MAIN) if "sune@evil.example" in rendered(m).text]
    username, _ = username_and_code(stranger)

    # When five wrong codes are tried on it, the fifth locks it, and nothing answers 500
    for _ in range(4):
        assert_problem(activate(client, username, new_code()), 400, "wrong-activation-code")
    assert_problem(activate(client, username, new_code()), 423, "activation-locked")


@pytest.mark.parametrize(
    ("subsidiary", "owner_cvrs"),
    [(OTHER_SUBSIDIARY, [OTHER_MAIN, OTHER_SUBSIDIARY]), (SUBSIDIARY, [OTHER_MAIN, SUBSIDIARY])],
    ids=["proven by its own letter", "owned by the main company in the register"],
)
def test_a_named_subsidiary_another_organisation_holds_is_left_out_and_the_administrator_told(
    client, cognito, people: People, subsidiary: str, owner_cvrs: list[str]
):
    # Given the subsidiary belongs to another organisation
    registered_organisation(owner_cvrs, org_id="org-owner", name="Grøn Hjælp")

    # When MAIN applies naming it (accepted like any other application), and activates its letter
    body = form(
        subsidiaries=[{"cvr": subsidiary, "name": "Vores Værksted"}],
        accounts=[{"cvr": subsidiary, "number": "9001", "name": "Værksted"}],
    )
    admin = activated(client, cognito, people, body)

    # Then the company stays with its organisation, and nothing of it joins the new one: no claim, no
    # letter to its mailbox, no account
    assert CompanyModel.get(subsidiary).org_id == "org-owner"
    assert claims_on(subsidiary) == []
    assert letter_to(subsidiary, MailKind.PROOF_LETTER) == []
    assert "9001" not in [a.number for a in AccountModel.query(subsidiary)]
    organisation = json_of(client.http.get("/v1/organisation", headers=admin.auth))
    assert [c["cvr"] for c in organisation["companies"]] == [MAIN]
    assert organisation["pending_companies"] == []
    # And the administrator's trail says so, naming the company the application named
    audit = json_of(client.http.get("/v1/organisation/audit", headers=admin.auth))
    [left_out] = [e for e in audit["items"] if e["action"] == "company.left_out"]
    assert left_out["details"] == {"reason": "held_by_another_organisation", "cvr": subsidiary}
