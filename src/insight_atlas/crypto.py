"""Encryption at rest for sensitive fields (free text, report bodies) with Fernet.

`FIELD_ENCRYPTION_KEY` holds one or more comma-separated Fernet keys: the first encrypts,
all decrypt, so keys can be rotated without rewriting old rows first. The embedded
default generates a key once and keeps it in the data directory.

Report bodies are compressed before they are encrypted, with Zstandard (level 1). Bodies
stored earlier were compressed with zlib and still read back: a Zstandard frame starts
with its magic number, and the zlib streams written then start with 0x78.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Annotated

import zstandard
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from fastapi import Depends, Request

from insight_atlas.private_files import private_directory, private_file, write_private_file
from insight_atlas.settings import Settings

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class FieldCipher:
    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._keys = list(keys)
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    @property
    def keys(self) -> list[bytes]:
        """The key list, for worker processes that build their own cipher."""
        return list(self._keys)

    def encrypt(self, plaintext: bytes) -> bytes:
        return self._fernet.encrypt(plaintext)

    def decrypt(self, ciphertext: bytes) -> bytes:
        try:
            return self._fernet.decrypt(ciphertext)
        except InvalidToken as exc:
            raise RuntimeError(
                "stored ciphertext does not decrypt with the configured keys"
            ) from exc

    def encrypt_document(self, document: bytes) -> bytes:
        """Compress, then encrypt: report bodies are repetitive JSON, 3-4x smaller packed."""
        # Zstandard level 1 against zlib level 1 on a 25.7 KB report: 7.6 against 8.1 KB,
        # in 46 against 162 microseconds (docs/PERFORMANCE.md).
        return self.encrypt(zstandard.compress(document, 1))

    def decrypt_document(self, ciphertext: bytes) -> bytes:
        packed = self.decrypt(ciphertext)
        if packed.startswith(_ZSTD_MAGIC):
            return zstandard.decompress(packed)
        return zlib.decompress(packed)  # stored before reports were packed with Zstandard

    def encrypt_text(self, text: str) -> bytes:
        return self.encrypt(text.encode("utf-8"))

    def decrypt_text(self, ciphertext: bytes) -> str:
        return self.decrypt(ciphertext).decode("utf-8")


def _local_key(path: Path) -> bytes:
    private_directory(path.parent)
    if path.exists():
        private_file(path)  # a key written before files were kept private
        return path.read_bytes().strip()
    key = Fernet.generate_key()
    # O_EXCL: two processes starting together cannot both write a different key.
    try:
        write_private_file(path, key + b"\n")
    except FileExistsError:
        return path.read_bytes().strip()
    return key


def create_field_cipher(settings: Settings) -> FieldCipher:
    if settings.field_encryption_key:
        keys = [k.strip().encode() for k in settings.field_encryption_key.split(",") if k.strip()]
        return FieldCipher(keys)
    return FieldCipher([_local_key(settings.encryption_key_file)])


async def app_cipher(request: Request) -> FieldCipher:
    cipher: FieldCipher = request.app.state.cipher
    return cipher


CipherDep = Annotated[FieldCipher, Depends(app_cipher)]
