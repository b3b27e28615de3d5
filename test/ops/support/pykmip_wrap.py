"""Get with a Key Wrapping Specification from PyKMIP's ProxyKmipClient against a KMIP server.

Usage: pykmip_wrap.py HOST PORT CERT KEY CA
Prints one JSON object per step: {"step": ..., "ok": true, ...}.
"""
import binascii
import os
import sys

from kmip.core import enums

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "interop", "support"))
from pykmip_steps import client, report, results, step  # noqa: E402 - after the sys.path line


def hexed(b):
    return binascii.hexlify(b).decode()


U = enums.CryptographicUsageMask
c = client()
with c:
    kek = step("create_kek", lambda: c.create(enums.CryptographicAlgorithm.AES, 256, cryptographic_usage_mask=[U.WRAP_KEY, U.UNWRAP_KEY]))
    step("activate_kek", lambda: c.activate(kek))
    uid = step("create_key", lambda: c.create(enums.CryptographicAlgorithm.AES, 256, cryptographic_usage_mask=[U.ENCRYPT, U.DECRYPT]))
    step("activate_key", lambda: c.activate(uid))
    step("kek", lambda: hexed(c.get(kek).value))
    step("key", lambda: hexed(c.get(uid).value))
    spec = {
        "wrapping_method": enums.WrappingMethod.ENCRYPT,
        "encryption_key_information": {
            "unique_identifier": kek,
            "cryptographic_parameters": {"block_cipher_mode": enums.BlockCipherMode.NIST_KEY_WRAP},
        },
        "encoding_option": enums.EncodingOption.NO_ENCODING,
    }
    wrapped = step("get_wrapped", lambda: c.get(uid, key_wrapping_specification=spec))
    if wrapped is not None:
        results[-1]["value"] = hexed(wrapped.value)
        step("wrapping_data", lambda: str(wrapped.key_wrapping_data.get("encryption_key_information", {}).get("unique_identifier")))
    not_kek = uid
    spec_bad = dict(spec, encryption_key_information={"unique_identifier": not_kek, "cryptographic_parameters": {"block_cipher_mode": enums.BlockCipherMode.NIST_KEY_WRAP}})
    step("wrong_usage_refused", lambda: c.get(kek, key_wrapping_specification=spec_bad))

report()
