"""Taking a person out of an event's details: a stable, keyed pseudonym for the name; address and mobile
gone; everything and everyone else left as it was."""

from __future__ import annotations

from chalicelib.services.privacy.pseudonyms import Identity, Replacement, pseudonym, scrub

KEY = b"test-only-pseudonym-key-000000000000"


def ingeborg() -> Identity:
    person = Identity()
    person.add_address("Ingeborg.QR@Example.org")
    person.add_mobile("+4529384756")
    person.add_name("Ingeborg", "Quistgaard-Ravn")
    return person


def test_the_pseudonym_is_the_same_for_the_same_address_and_says_nothing_without_the_key():
    same = pseudonym(KEY, "ingeborg.qr@example.org")

    assert same == pseudonym(KEY, "ingeborg.qr@example.org")
    assert same.startswith("Slettet person ")
    assert same != pseudonym(KEY, "someone.else@example.org")
    assert same != pseudonym(b"another-key-000000000000000000000000", "ingeborg.qr@example.org")


def test_a_profile_keeps_its_shape_with_the_name_pseudonymised_and_address_and_mobile_gone():
    # Given a colleague's profile as the trail holds it
    profile = {
        "name": "Ingeborg Quistgaard-Ravn",
        "email": "ingeborg.qr@example.org",
        "mobile": "+4529384756",
        "functions": ["users"],
        "status": "invited",
    }

    # When the person is taken out of it
    out = scrub(profile, ingeborg(), Replacement("Slettet person 1a2b3c4d", None, None))

    # Then only the person's fields changed
    assert out == {
        "name": "Slettet person 1a2b3c4d",
        "email": None,
        "mobile": None,
        "functions": ["users"],
        "status": "invited",
    }


def test_text_loses_every_way_the_person_is_written_and_keeps_everyone_else():
    # Given free text naming the person (any case, the mobile spaced) and somebody else
    text = "INGEBORG er stoppet; ring 29 38 47 56 eller skriv til ingeborg.qr@example.org. Spørg Kim Hansen."

    # When the person is taken out of it
    out = scrub({"reason": text}, ingeborg(), Replacement("Slettet person x", None, None))["reason"]

    # Then nothing of them is left, and Kim Hansen still is
    assert "ingeborg" not in out.lower()
    assert "29 38" not in out
    assert out.startswith("Slettet person x er stoppet")
    assert out.endswith("Spørg Kim Hansen.")


def test_a_marker_or_a_pseudonym_is_never_taken_for_a_name():
    # Given what an erased item already says where a name was
    person = Identity()
    person.add_name("[slettet]", "[slettet]")
    person.add_name("Slettet person 1a2b3c4d")

    # Then it is no name to look for: nothing else with the same words is touched
    assert person.names == set()
    assert scrub("En person slettet", person, Replacement("x", None, None)) == "En person slettet"
