"""Secrets at rest: sealed per row and field, rotatable, and never in the database file in plaintext."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from models import audit, credentials, vault
from models.db import engine_for, session_scope
from models.tables import AuditEvent, Credential, DataKey, Workspace

CANARY_PASSWORD = "canary-pw-7Q2xLm9v"
CANARY_TOTP = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


@pytest.fixture
def engine(tmp_path):
    return engine_for(f"sqlite:///{tmp_path}/vault.db")


def _two_credentials(engine):
    with session_scope(engine) as session:
        ws = Workspace(name="Acme")
        session.add(ws)
        session.flush()
        a = credentials.store(session, ws.id, "a@x.example", CANARY_PASSWORD, CANARY_TOTP)
        b = credentials.store(session, ws.id, "b@x.example", "another-password", None)
    return a.id, b.id


def test_secrets_round_trip_and_the_database_file_holds_no_plaintext(engine, tmp_path):
    a, _ = _two_credentials(engine)
    with session_scope(engine) as session:
        loaded = credentials.load(session, a)
    assert (loaded.password, loaded.totp_secret) == (CANARY_PASSWORD, CANARY_TOTP)
    with engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(FULL)"))
    for path in Path(tmp_path).glob("vault.db*"):
        data = path.read_bytes()
        assert CANARY_PASSWORD.encode() not in data and CANARY_TOTP.encode() not in data


def test_a_ciphertext_moved_to_another_row_or_field_does_not_open(engine):
    a, b = _two_credentials(engine)
    with session_scope(engine) as session:
        first, second = session.get(Credential, a), session.get(Credential, b)
        second.password = first.password  # another row
        first.totp_secret, first.password = first.password, first.totp_secret  # another field
    with session_scope(engine) as session:
        with pytest.raises(vault.VaultError, match="moved from another row or field"):
            credentials.load(session, b)
        with pytest.raises(vault.VaultError, match="moved from another row or field"):
            credentials.load(session, a)


def test_rotation_rewraps_data_keys_and_old_master_keys_retire(engine, tmp_path, monkeypatch):
    key_file = tmp_path / "master.key"
    monkeypatch.setenv("PARTNERWATCH_MASTER_KEY_FILE", str(key_file))
    vault.MasterKeys.init(key_file)
    a, _ = _two_credentials(engine)
    old = vault.current().masters.active
    with session_scope(engine) as session:
        v = vault.current()
        new, count = v.rotate_master(session)
        v.masters.write()
    assert count == 1 and new != old
    assert key_file.stat().st_mode & 0o777 == 0o600
    with session_scope(engine) as session:
        assert {k.master_kid for k in session.exec(select(DataKey))} == {new}
        v = vault.current()
        assert v.retire_unused(session) == [old]
        v.masters.write()
    assert old not in key_file.read_text()
    with session_scope(engine) as session:
        assert credentials.load(session, a).password == CANARY_PASSWORD  # still opens under the new key


def test_without_the_master_key_nothing_opens(engine, tmp_path, monkeypatch):
    a, _ = _two_credentials(engine)
    monkeypatch.setenv("PARTNERWATCH_MASTER_KEY_FILE", str(tmp_path / "another.key"))
    vault.MasterKeys.init(tmp_path / "another.key")
    with session_scope(engine) as session:
        with pytest.raises(vault.VaultError):
            credentials.load(session, a)


def test_the_audit_log_is_append_only(engine):
    with session_scope(engine) as session:
        audit.record(session, None, "key.rotate", target="mk1")
    with pytest.raises(Exception, match="append-only"):
        with session_scope(engine) as session:
            event = session.exec(select(AuditEvent)).one()
            event.action = "nothing happened"
    with pytest.raises(Exception, match="append-only"):
        with session_scope(engine) as session:
            session.delete(session.exec(select(AuditEvent)).one())
