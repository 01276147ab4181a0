"""Activation codes: enough randomness, easy to type, and kept only as a keyed hash."""

from __future__ import annotations

import math

import pytest

from chalicelib.services.onboarding.activation_codes import (
    ALPHABET,
    LENGTH,
    ActivationCodes,
    new_code,
    new_username,
    normalise_code,
)

KEY = "a-test-key-that-is-long-enough-for-hmac-0001"


def test_a_code_carries_at_least_60_random_bits():
    assert LENGTH * math.log2(len(ALPHABET)) >= 60
    assert len({new_code() for _ in range(2000)}) == 2000


def test_a_code_is_printed_in_three_groups_of_four_unambiguous_characters():
    code = new_code()
    groups = code.split("-")
    assert [len(group) for group in groups] == [4, 4, 4]
    assert not set("".join(groups)) & set("ILOU")


@pytest.mark.parametrize(
    "typed",
    ["7K2M-9XQ4-B8ND", "7k2m-9xq4-b8nd", "7K2M9XQ4B8ND", " 7K2M 9XQ4 B8ND ", "7K2M--9XQ4-B8ND"],
)
def test_case_spaces_and_hyphens_do_not_matter(typed):
    assert normalise_code(typed) == "7K2M9XQ4B8ND"


def test_letters_that_look_like_digits_are_read_as_the_digits():
    assert normalise_code("IL0O-0000-0000") == "110000000000"


@pytest.mark.parametrize(
    "typed", ["", "7K2M-9XQ4", "7K2M-9XQ4-B8ND-7", "7K2M-9XQ4-B8NU", "7K2M-9XQ4-B8N!", "\uff17K2M-9XQ4-B8ND"]
)
def test_what_cannot_be_a_code_is_recognised(typed):
    assert normalise_code(typed) is None


def test_the_hash_is_keyed_bound_to_the_username_and_hides_the_code():
    codes = ActivationCodes(KEY)
    digest = codes.digest("adm-abc", "7K2M-9XQ4-B8ND")
    assert len(digest) == 64
    assert "7K2M" not in digest
    assert digest == codes.digest("ADM-abc", "7k2m9xq4b8nd")
    assert digest != codes.digest("adm-abd", "7K2M-9XQ4-B8ND")
    assert digest != ActivationCodes(KEY + "x").digest("adm-abc", "7K2M-9XQ4-B8ND")


def test_only_the_right_code_for_the_username_matches():
    codes = ActivationCodes(KEY)
    digest = codes.digest("adm-abc", "7K2M-9XQ4-B8ND")
    assert codes.matches(digest, "adm-abc", "7k2m 9xq4 b8nd")
    assert not codes.matches(digest, "adm-abc", "7K2M-9XQ4-B8NE")
    assert not codes.matches(digest, "adm-abd", "7K2M-9XQ4-B8ND")
    assert not codes.matches(digest, "adm-abc", "not a code")


@pytest.mark.parametrize("key", ["", "short", "x" * 31])
def test_a_missing_or_short_key_is_refused(key):
    with pytest.raises(ValueError, match="GODKEND_ACTIVATION_KEY"):
        ActivationCodes(key)


def test_usernames_are_lower_case_and_distinct():
    names = {new_username() for _ in range(1000)}
    assert len(names) == 1000
    assert all(name.startswith("adm-") and name == name.lower() and len(name) == 12 for name in names)
