"""Shapes of what people type: business ids and emails."""

from __future__ import annotations

import re

from models.errors import Invalid

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def business_id(value: str) -> str:
    value = value.strip()
    if not value.isdigit() or not 5 <= len(value) <= 30:
        raise Invalid(f"'{value}' is not a Pinterest business id (a string of digits, like 549755813002)")
    return value


def email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.match(value):
        raise Invalid(f"'{value}' is not an email address")
    return value
