"""Secrets at rest: AES-GCM per field, bound to its row and field by associated data, under data
keys that are themselves wrapped by a master key kept outside the database.

The master keys are given to the vault (`Vault(settings.master_keys())`: an inline key or the key
file that `partnerwatch keys init` creates, the first line active). Rotation wraps every data key
again under a new master key; ciphertexts do not change, so checks keep running meanwhile."""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlmodel import Session, select

from config import KeySet
from models.tables import DataKey

PREFIX = "pwv1"
MASTER_KID_PREFIX = "mk"


class VaultError(Exception):
    """A secret could not be opened: wrong key, tampered ciphertext, or moved to another row or field."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode())


@dataclass
class Vault:
    masters: KeySet
    _plain_keys: dict[str, bytes] = field(default_factory=dict, repr=False)

    def _unwrap(self, data_key: DataKey) -> bytes:
        if data_key.id not in self._plain_keys:
            master = self.masters.keys.get(data_key.master_kid)
            if master is None:
                raise VaultError(f"data key {data_key.id} is wrapped by master key {data_key.master_kid}, which is not loaded")
            try:
                self._plain_keys[data_key.id] = AESGCM(master).decrypt(
                    _unb64(data_key.nonce), _unb64(data_key.wrapped), f"datakey:{data_key.id}".encode())
            except InvalidTag as error:
                raise VaultError(f"data key {data_key.id} does not open with master key {data_key.master_kid}") from error
        return self._plain_keys[data_key.id]

    def _active_data_key(self, session: Session) -> DataKey:
        found = session.exec(select(DataKey).where(DataKey.retired_at.is_(None)).order_by(DataKey.created_at.desc())).first()
        if found is None:
            key = AESGCM.generate_key(256)
            found = DataKey(master_kid=self.masters.active)
            nonce = os.urandom(12)
            found.nonce = _b64(nonce)
            found.wrapped = _b64(AESGCM(self.masters.keys[self.masters.active]).encrypt(
                nonce, key, f"datakey:{found.id}".encode()))
            session.add(found)
            session.flush()
            self._plain_keys[found.id] = key
        return found

    def verify(self, session: Session) -> int:
        """Opens every data key still in use with the loaded master keys (a VaultError names the first
        that does not open); returns how many opened."""
        live = session.exec(select(DataKey).where(DataKey.retired_at.is_(None))).all()
        for data_key in live:
            self._unwrap(data_key)
        return len(live)

    def seal(self, session: Session, plaintext: str, *, table: str, row_id: str, column: str) -> str:
        data_key = self._active_data_key(session)
        nonce = os.urandom(12)
        sealed = AESGCM(self._unwrap(data_key)).encrypt(nonce, plaintext.encode(), f"{table}:{row_id}:{column}".encode())
        return f"{PREFIX}.{data_key.id}.{_b64(nonce + sealed)}"

    def open(self, session: Session, sealed: str, *, table: str, row_id: str, column: str) -> str:
        try:
            prefix, kid, body = sealed.split(".", 2)
        except ValueError:
            raise VaultError(f"{table}.{column} of {row_id} is not sealed") from None
        data_key = session.get(DataKey, kid) if prefix == PREFIX else None
        if data_key is None:
            raise VaultError(f"{table}.{column} of {row_id}: unknown data key")
        raw = _unb64(body)
        try:
            return AESGCM(self._unwrap(data_key)).decrypt(raw[:12], raw[12:], f"{table}:{row_id}:{column}".encode()).decode()
        except InvalidTag:
            raise VaultError(f"{table}.{column} of {row_id} does not open: tampered, or moved from another row or field") from None

    def rotate_master(self, session: Session) -> tuple[str, int]:
        """A new active master key; every data key is wrapped again under it. Returns (kid, count)."""
        kid = f"{MASTER_KID_PREFIX}{secrets.token_hex(4)}"
        new_key = AESGCM.generate_key(256)
        count = 0
        for data_key in session.exec(select(DataKey)):
            plain = self._unwrap(data_key)
            nonce = os.urandom(12)
            data_key.nonce, data_key.master_kid = _b64(nonce), kid
            data_key.wrapped = _b64(AESGCM(new_key).encrypt(nonce, plain, f"datakey:{data_key.id}".encode()))
            session.add(data_key)
            count += 1
        self.masters.keys = {kid: new_key, **self.masters.keys}
        self.masters.active = kid
        return kid, count

    def retire_unused(self, session: Session) -> list[str]:
        """Drops master keys that no data key needs any more."""
        used = {k.master_kid for k in session.exec(select(DataKey))}
        retired = [kid for kid in self.masters.keys if kid not in used and kid != self.masters.active]
        for kid in retired:
            del self.masters.keys[kid]
        return retired

