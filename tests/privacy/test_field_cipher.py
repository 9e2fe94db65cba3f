"""Report bodies at rest: compressed with Zstandard, then encrypted; older zlib bodies
still read back."""

from __future__ import annotations

import zlib

import orjson
import pytest
from cryptography.fernet import Fernet

from insight_atlas.crypto import FieldCipher

DOCUMENT = orjson.dumps(
    {"scales": [{"key": f"N{i}", "raw": i, "statement": "steady and calm " * 8} for i in range(40)]}
)


def test_documents_are_packed_with_zstandard_and_read_back() -> None:
    key = Fernet.generate_key()
    cipher = FieldCipher([key])

    ciphertext = cipher.encrypt_document(DOCUMENT)

    packed = Fernet(key).decrypt(ciphertext)
    assert packed.startswith(b"\x28\xb5\x2f\xfd")  # a Zstandard frame
    assert len(packed) < len(DOCUMENT) / 3
    assert cipher.decrypt_document(ciphertext) == DOCUMENT


def test_documents_stored_with_zlib_still_read_back() -> None:
    key = Fernet.generate_key()
    stored_earlier = Fernet(key).encrypt(zlib.compress(DOCUMENT, 1))

    assert FieldCipher([key]).decrypt_document(stored_earlier) == DOCUMENT


def test_a_rotated_key_reads_documents_of_the_old_one() -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    ciphertext = FieldCipher([old]).encrypt_document(DOCUMENT)

    assert FieldCipher([new, old]).decrypt_document(ciphertext) == DOCUMENT
    with pytest.raises(RuntimeError, match="does not decrypt"):
        FieldCipher([new]).decrypt_document(ciphertext)
