"""PyKMIP's ProxyKmipClient runs Derive Key against a KMIP server.

Usage: pykmip_derive.py HOST PORT CERT KEY CA
Prints one JSON object per step: {"step": ..., "ok": true, "value": ...}; derived key bytes are hex.
"""

from kmip.core import enums
from kmip.pie import objects

from pykmip_steps import client, record, report, step


DERIVE = [enums.CryptographicUsageMask.DERIVE_KEY]
c = client()
with c:
    pw = step("register_password", lambda: c.register(objects.SecretData(b"password", enums.SecretDataType.PASSWORD, masks=DERIVE)))
    step("activate_password", lambda: c.activate(pw))
    uid = step("derive_pbkdf2", lambda: c.derive_key(
        enums.ObjectType.SYMMETRIC_KEY, [pw], enums.DerivationMethod.PBKDF2,
        {"cryptographic_parameters": {"hashing_algorithm": enums.HashingAlgorithm.SHA_256}, "salt": b"NaCl", "iteration_count": 1000},
        cryptographic_length=256, cryptographic_algorithm=enums.CryptographicAlgorithm.AES))
    step("get_pbkdf2", lambda: c.get(uid).value.hex())
    hk = step("register_hmac_key", lambda: c.register(objects.SymmetricKey(enums.CryptographicAlgorithm.HMAC_SHA256, 256, b"\x0b" * 32, masks=DERIVE)))
    step("activate_hmac_key", lambda: c.activate(hk))
    kb = step("derive_nist800_108_c", lambda: c.derive_key(
        enums.ObjectType.SECRET_DATA, [hk], enums.DerivationMethod.NIST800_108_C,
        {"cryptographic_parameters": {"hashing_algorithm": enums.HashingAlgorithm.SHA_256}, "derivation_data": b"label\x00context"},
        cryptographic_length=320))
    step("get_nist800_108_c", lambda: c.get(kb).value.hex())
    hs = step("derive_hash", lambda: c.derive_key(
        enums.ObjectType.SYMMETRIC_KEY, [hk], enums.DerivationMethod.HASH,
        {"cryptographic_parameters": {"hashing_algorithm": enums.HashingAlgorithm.SHA_256}},
        cryptographic_length=128, cryptographic_algorithm=enums.CryptographicAlgorithm.AES))
    step("get_hash", lambda: c.get(hs).value.hex())
    nomask = step("register_no_derive", lambda: c.register(objects.SecretData(b"x" * 16, enums.SecretDataType.SEED, masks=[enums.CryptographicUsageMask.ENCRYPT])))
    step("activate_no_derive", lambda: c.activate(nomask))
    try:
        c.derive_key(enums.ObjectType.SECRET_DATA, [nomask], enums.DerivationMethod.HASH,
                     {"cryptographic_parameters": {"hashing_algorithm": enums.HashingAlgorithm.SHA_256}}, cryptographic_length=128)
        record("derive_refused", False, error="accepted")
    except Exception as e:  # noqa: BLE001
        record("derive_refused", True, value=str(getattr(e, "reason", e)))

report()
