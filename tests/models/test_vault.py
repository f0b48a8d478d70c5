"""Secrets at rest: sealed per row and field, rotatable, and never in the database file in plaintext."""

from __future__ import annotations


import pytest
from sqlmodel import select

from config import KeysMissing, Settings, create_key_file, read_key_file
from models import audit, credentials, vault
from models.db import session_scope
from tests.helpers import store_bytes
from models.tables import AuditEvent, Credential, DataKey, Workspace
from models.vault import MASTER_KID_PREFIX, Vault

CANARY_PASSWORD = "canary-pw-7Q2xLm9v"
CANARY_TOTP = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "master.key"
    create_key_file(path, MASTER_KID_PREFIX)
    return path


@pytest.fixture
def v(key_file) -> Vault:
    return Vault(read_key_file(key_file))


def _two_credentials(engine, v):
    with session_scope(engine) as session:
        ws = Workspace(name="Acme")
        session.add(ws)
        session.flush()
        a = credentials.store(session, v, ws.id, "a@x.example", CANARY_PASSWORD, CANARY_TOTP)
        b = credentials.store(session, v, ws.id, "b@x.example", "another-password", None)
    return a.id, b.id


def test_secrets_round_trip_and_the_database_holds_no_plaintext(engine, database_url, v):
    a, _ = _two_credentials(engine, v)
    with session_scope(engine) as session:
        loaded = credentials.load(session, v, a)
    assert (loaded.password, loaded.totp_secret) == (CANARY_PASSWORD, CANARY_TOTP)
    data = store_bytes(database_url)
    assert b"a@x.example" in data  # the dump holds the rows (emails are not secret)
    assert CANARY_PASSWORD.encode() not in data and CANARY_TOTP.encode() not in data


def test_a_ciphertext_moved_to_another_row_or_field_does_not_open(engine, v):
    a, b = _two_credentials(engine, v)
    with session_scope(engine) as session:
        first, second = session.get(Credential, a), session.get(Credential, b)
        second.password = first.password  # another row
        first.totp_secret, first.password = first.password, first.totp_secret  # another field
    with session_scope(engine) as session:
        with pytest.raises(vault.VaultError, match="moved from another row or field"):
            credentials.load(session, v, b)
        with pytest.raises(vault.VaultError, match="moved from another row or field"):
            credentials.load(session, v, a)


def test_rotation_rewraps_data_keys_and_old_master_keys_retire(engine, v, key_file):
    a, _ = _two_credentials(engine, v)
    old = v.masters.active
    with session_scope(engine) as session:
        new, count = v.rotate_master(session)
        v.masters.write()
    assert count == 1 and new != old
    assert key_file.stat().st_mode & 0o777 == 0o600
    reloaded = Vault(read_key_file(key_file))  # what the next process reads
    with session_scope(engine) as session:
        assert {k.master_kid for k in session.exec(select(DataKey))} == {new}
        assert reloaded.retire_unused(session) == [old]
        reloaded.masters.write()
    assert old not in key_file.read_text()
    with session_scope(engine) as session:
        assert credentials.load(session, Vault(read_key_file(key_file)), a).password == CANARY_PASSWORD


def test_without_the_master_key_nothing_opens(engine, v, tmp_path):
    a, _ = _two_credentials(engine, v)
    create_key_file(tmp_path / "another.key", MASTER_KID_PREFIX)
    with session_scope(engine) as session:
        with pytest.raises(vault.VaultError):
            credentials.load(session, Vault(read_key_file(tmp_path / "another.key")), a)


def test_a_missing_key_file_is_one_clear_line_and_nothing_creates_it(tmp_path):
    """Only `keys init` creates keys: a host without them must be told, never given keys of its own."""
    settings = Settings(master_key_file=tmp_path / "master.key", codec_key_file=tmp_path / "codec.key")
    for read in (settings.master_keys, settings.codec_keys):
        with pytest.raises(KeysMissing, match="partnerwatch keys init"):
            read()
    assert list(tmp_path.iterdir()) == []


def test_an_inline_key_comes_from_settings(tmp_path):
    import base64
    import os as _os

    inline = base64.urlsafe_b64encode(_os.urandom(32)).decode()
    settings = Settings(master_key=inline, master_key_file=tmp_path / "absent.key")
    assert settings.master_keys().active == "env" and settings.master_keys().source is None


def test_the_audit_log_is_append_only(engine):
    with session_scope(engine) as session:
        audit.record(session, None, "key.rotate", target="mk1", by="test")
    with pytest.raises(Exception, match="append-only"):
        with session_scope(engine) as session:
            event = session.exec(select(AuditEvent)).one()
            event.action = "nothing happened"
    with pytest.raises(Exception, match="append-only"):
        with session_scope(engine) as session:
            session.delete(session.exec(select(AuditEvent)).one())
