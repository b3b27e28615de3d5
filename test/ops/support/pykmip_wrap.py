"""Get with a Key Wrapping Specification from PyKMIP's ProxyKmipClient against a KMIP server.

Usage: pykmip_wrap.py HOST PORT CERT KEY CA
Prints one JSON object per step: {"step": ..., "ok": true, ...}.
"""
import binascii
import json
import sys

from kmip.core import enums
from kmip.pie import client as pie_client

host, port, cert, key, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
results = []


def step(name, fn):
    try:
        value = fn()
        results.append({"step": name, "ok": True, "value": value})
        return value
    except Exception as e:  # noqa: BLE001 - reported to the test
        results.append({"step": name, "ok": False, "error": "%s: %s" % (type(e).__name__, e)})
        return None


def hexed(b):
    return binascii.hexlify(b).decode()


U = enums.CryptographicUsageMask
c = pie_client.ProxyKmipClient(hostname=host, port=port, cert=cert, key=key, ca=ca, config_file="/dev/null")
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

for r in results:
    print(json.dumps(r))
