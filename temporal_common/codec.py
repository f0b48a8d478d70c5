"""Every Temporal payload and failure message, encrypted (AES-GCM) before it leaves the process.

The keys come from settings (`Settings.codec_keys()`: an inline key or the key file that
`partnerwatch keys init` creates): the first encrypts, every one decrypts, so that keys rotate by
adding a line on top and removing old lines once no running workflow's history needs them. The key
id travels in each payload's metadata."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes, PayloadCodec

from config import KeySet

ENCODING = b"binary/encrypted"
CODEC_KID_PREFIX = "ck"


class EncryptionCodec(PayloadCodec):
    def __init__(self, keys: KeySet) -> None:
        self.active, self.keys = keys.active, dict(keys.keys)

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


def data_converter(keys: KeySet) -> DataConverter:
    """pydantic payloads, encrypted; failure messages and stack traces encrypted too."""
    return dataclasses.replace(pydantic_data_converter, payload_codec=EncryptionCodec(keys),
                               failure_converter_class=DefaultFailureConverterWithEncodedAttributes)
