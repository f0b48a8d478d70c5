"""Opaque ids: safe in workflow ids, search attributes and logs (no names, no emails)."""

import secrets


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(6)}"
