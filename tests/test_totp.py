"""TOTP codes and secrets by the project's own rule, whatever the library release."""

from __future__ import annotations

import time

import pytest

from totp import BadTOTPSecret, check_secret, code_at, current_code
from pinterest_sim import totp as site_totp

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # RFC 6238's SHA-1 seed "12345678901234567890"


@pytest.mark.parametrize("moment,code", [(59, "287082"), (1111111109, "081804"), (1234567890, "005924"),
                                         (2000000000, "279037")])
def test_codes_match_rfc_6238(moment, code):
    assert code_at(RFC_SECRET, moment) == code


def test_classic_80_bit_secrets_work_and_pasted_ones_are_cleaned():
    assert check_secret("jbsw y3dp-ehpk 3pxp") == "JBSWY3DPEHPK3PXP"
    assert site_totp.verify("JBSWY3DPEHPK3PXP", current_code("jbsw y3dp ehpk 3pxp"))


@pytest.mark.parametrize("secret,words", [("JBSWY3DP", "40 bits"), ("not base32!", "not base32"), ("", "empty"),
                                          ("18UUU", "not base32")])
def test_a_secret_that_cannot_work_is_refused_with_the_reason(secret, words):
    with pytest.raises(BadTOTPSecret, match=words):
        check_secret(secret)


def test_the_site_accepts_the_previous_current_and_next_step_only():
    now = time.time()
    for step, accepted in ((-2, False), (-1, True), (0, True), (1, True), (2, False)):
        assert site_totp.verify(RFC_SECRET, code_at(RFC_SECRET, now + 30 * step)) is accepted, step
