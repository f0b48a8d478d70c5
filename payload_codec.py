"""Every Temporal payload and failure message, encrypted (AES-GCM) before it leaves the process.

Keys come from PARTNERWATCH_CODEC_KEY (one base64 key) or a key file (PARTNERWATCH_CODEC_KEY_FILE,
default .partnerwatch/codec.key, mode 600): one `kid base64key` per line, the first encrypts, every
line decrypts, so that keys rotate by adding a line on top and removing old lines once no running
workflow's history needs them. The key id travels in each payload's metadata."""

from __future__ import annotations

import base64
import dataclasses
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes, PayloadCodec

ENCODING = b"binary/encrypted"
DEFAULT_KEY_FILE = Path(".partnerwatch/codec.key")


def _keys() -> tuple[str, dict[str, bytes]]:
    inline = os.environ.get("PARTNERWATCH_CODEC_KEY")
    if inline:
        return "env", {"env": base64.urlsafe_b64decode(inline)}
    path = Path(os.environ.get("PARTNERWATCH_CODEC_KEY_FILE", DEFAULT_KEY_FILE))
    if not path.exists():
        init_key_file(path)
    keys = {}
    for line in path.read_text().split("\n"):
        if line.strip():
            kid, value = line.split()
            keys[kid] = base64.urlsafe_b64decode(value)
    return next(iter(keys)), keys


def init_key_file(path: Path | None = None) -> Path:
    path = path or Path(os.environ.get("PARTNERWATCH_CODEC_KEY_FILE", DEFAULT_KEY_FILE))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path
    with os.fdopen(fd, "w") as out:
        out.write(f"ck{secrets.token_hex(4)} {base64.urlsafe_b64encode(AESGCM.generate_key(256)).decode()}\n")
    return path


class EncryptionCodec(PayloadCodec):
    def __init__(self) -> None:
        self.active, self.keys = _keys()

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        key = AESGCM(self.keys[self.active])
        out = []
        for payload in payloads:
            nonce = os.urandom(12)
            out.append(Payload(
                metadata={"encoding": ENCODING, "encryption-key-id": self.active.encode()},
                data=nonce + key.encrypt(nonce, payload.SerializeToString(), self.active.encode())))
        return out

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                out.append(payload)  # written before encryption was on (old histories still replay)
                continue
            kid = payload.metadata["encryption-key-id"].decode()
            if kid not in self.keys:
                raise ValueError(f"payload encrypted with codec key {kid}, which this process does not have")
            plain = AESGCM(self.keys[kid]).decrypt(payload.data[:12], payload.data[12:], kid.encode())
            decoded = Payload()
            decoded.ParseFromString(plain)
            out.append(decoded)
        return out


def data_converter() -> DataConverter:
    """pydantic payloads, encrypted; failure messages and stack traces encrypted too."""
    from temporalio.contrib.pydantic import pydantic_data_converter

    return dataclasses.replace(pydantic_data_converter, payload_codec=EncryptionCodec(),
                               failure_converter_class=DefaultFailureConverterWithEncodedAttributes)
