"""The representative's mails carry the *Bed om en ny kode* link, its secret in the URL's fragment only: the
code mail and the reminders of 7 days, 1 day and the day after; the issuer's reminders carry none."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from chalicelib.clock import FixedClock
from tests.integration.codes.test_reminders import Jobs, at_6, create_code, email_of, expiry_of
from tests.integration.codes.test_reminders import clock as clock
from tests.integration.codes.test_reminders import jobs as jobs
from tests.people import People

# Any address in a mail's text or HTML that leads to the console's request page, and what follows it.
TO_THE_PAGE = re.compile(r"""https?://[^\s"'<>]*anmodning[^\s"'<>]*|/anmodning[^\s"'<>]*""")
JSON = {"content-type": "application/json"}


def links_in(text: str) -> list[str]:
    return TO_THE_PAGE.findall(text)


def test_every_link_in_a_mail_keeps_its_secret_in_the_fragment_and_works(
    client, people: People, clock: FixedClock, jobs: Jobs
):
    # Given a code mailed to its representative, and the reminders of its value
    org = people.organisation()
    admin = people.member(org)
    code = create_code(client, admin, org)
    mails = jobs.run(clock.now())
    expiry = expiry_of(code)
    for days in (-7, -1, 1):
        mails += jobs.run(at_6(expiry, days))

    # Then each of the representative's four mails has the link, in its text and HTML; the issuer's have none
    to_representative = [m for m in mails if m.to == ["mette@example.org"]]
    assert len(to_representative) == 4
    assert all(not links_in(m.text + m.html) for m in mails if m.to == [email_of(admin)])
    for mail in to_representative:
        found = links_in(mail.text) + links_in(mail.html)
        assert len(found) >= 2, mail.text
        for link in found:
            parts = urlsplit(link)
            # And nothing but the fragment holds the secret: not the path, not the query
            assert parts.path.endswith("/anmodning"), link
            assert parts.query == ""
            assert len(parts.fragment) >= 32
        assert "#" not in mail.subject
        # And the link works (the day after expiry too: it works until 30 days after the value expires)
        token = urlsplit(found[0]).fragment
        body = json.dumps({"token": token}).encode()
        shown = client.http.post("/v1/renewal-requests/preview", headers=JSON, body=body)
        assert shown.status_code == 200, shown.body
