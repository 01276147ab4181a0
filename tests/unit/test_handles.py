import pytest

from chalicelib.services.organisation.handles import ascii_handle


@pytest.mark.parametrize(
    ("name", "handle"),
    [
        ("Røde Kors Aarhus", "RoedeKorsAarhus"),
        ("Ældre Sagen", "AeldreSagen"),
        ("Blå Kors Danmark", "BlaaKorsDanmark"),
        ("Foreningen af 1. maj", "ForeningenAf1Maj"),
        ("Café Ørsted & Søn", "CafeOerstedSoen"),
        ("  mange   mellemrum ", "MangeMellemrum"),
        ("Straße-Verein e.V.", "StrasseVereinEV"),
        ("Zoë's «Hjælp»", "ZoeSHjaelp"),
    ],
)
def test_names_become_ascii_handles(name, handle):
    assert ascii_handle(name) == handle


def test_a_name_without_letters_or_digits_has_no_handle():
    assert ascii_handle("— ♥ —") == ""


def test_handles_are_at_most_40_characters():
    # 40: what a code's handle may be (`[0-9A-Za-z]{1,40}` after the @, in the validation URL's contract)
    assert len(ascii_handle("Meget " * 30)) == 40


def test_handles_are_plain_ascii_alphanumerics():
    handle = ascii_handle("Ünïcødé Ñame ﬁnal")
    assert handle.isascii()
    assert handle.isalnum()
