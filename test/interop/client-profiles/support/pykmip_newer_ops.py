"""PyKMIP's ProxyKmipClient runs the operations beyond the basic lifecycle against a KMIP server:
Get with a Key Wrapping Specification (AES Key Wrap), MAC, Sign / Signature Verify, ReKey, Check.

Usage: pykmip_newer_ops.py HOST PORT CERT KEY CA
Prints one JSON object per step: {"step": ..., "ok": true, "value": ...}; bytes are hex.
"""
import os
import sys

from kmip.core import enums

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
from pykmip_steps import client, report, step  # noqa: E402 - after the sys.path line


M = enums.CryptographicUsageMask
c = client()
with c:
    kek = step("create_kek", lambda: c.create(enums.CryptographicAlgorithm.AES, 256, cryptographic_usage_mask=[M.WRAP_KEY, M.UNWRAP_KEY]))
    step("activate_kek", lambda: c.activate(kek))
    step("get_kek", lambda: c.get(kek).value.hex())
    dek = step("create_dek", lambda: c.create(enums.CryptographicAlgorithm.AES, 128, cryptographic_usage_mask=[M.ENCRYPT, M.DECRYPT]))
    step("activate_dek", lambda: c.activate(dek))
    step("get_dek", lambda: c.get(dek).value.hex())

    def wrapped():
        o = c.get(dek, key_wrapping_specification={
            "wrapping_method": enums.WrappingMethod.ENCRYPT,
            "encryption_key_information": {
                "unique_identifier": kek,
                "cryptographic_parameters": {"block_cipher_mode": enums.BlockCipherMode.NIST_KEY_WRAP},
            },
            "encoding_option": enums.EncodingOption.NO_ENCODING,
        })
        return {"value": o.value.hex(), "wrapping": {k: str(v) for k, v in (o.key_wrapping_data or {}).items()}}

    step("get_wrapped_dek", wrapped)

    hk = step("create_hmac_key", lambda: c.create(enums.CryptographicAlgorithm.HMAC_SHA256, 256, cryptographic_usage_mask=[M.MAC_GENERATE, M.MAC_VERIFY]))
    step("activate_hmac_key", lambda: c.activate(hk))
    step("get_hmac_key", lambda: c.get(hk).value.hex())
    step("mac", lambda: c.mac(b"keyhold mac data", hk, enums.CryptographicAlgorithm.HMAC_SHA256)[1].hex())

    pair = step("create_rsa_pair", lambda: c.create_key_pair(
        enums.CryptographicAlgorithm.RSA, 2048,
        public_usage_mask=[M.VERIFY], private_usage_mask=[M.SIGN]))
    if pair:
        pub, priv = pair
        step("activate_private", lambda: c.activate(priv))
        step("activate_public", lambda: c.activate(pub))
        params = {"padding_method": enums.PaddingMethod.PKCS1v15, "hashing_algorithm": enums.HashingAlgorithm.SHA_256,
                  "cryptographic_algorithm": enums.CryptographicAlgorithm.RSA}
        sig = step("sign", lambda: c.sign(b"keyhold signed", priv, cryptographic_parameters=params))
        step("verify_good", lambda: str(c.signature_verify(b"keyhold signed", sig, pub, cryptographic_parameters=params)))
        step("verify_bad", lambda: str(c.signature_verify(b"keyhold forged", sig, pub, cryptographic_parameters=params)))

    rk = step("rekey_dek", lambda: c.rekey(uid=dek))
    step("rekeyed_is_new", lambda: rk != dek and len(c.get(rk).value) == 16)
    step("check_dek", lambda: c.check(uid=kek, cryptographic_usage_mask=[M.WRAP_KEY]))

report()
