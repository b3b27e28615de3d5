"""A full key lifecycle with PyKMIP's ProxyKmipClient against a KMIP server.

Usage: pykmip_lifecycle.py HOST PORT CERT KEY CA
Prints one JSON object per step: {"step": ..., "ok": true, ...} and exits 0 when every step passed.
"""

from kmip.core import enums
from kmip.core.factories import attributes as attribute_factories
from kmip.pie import objects

from pykmip_steps import client, report, step


c = client()
with c:
    mask = [enums.CryptographicUsageMask.ENCRYPT, enums.CryptographicUsageMask.DECRYPT]
    uid = step("create", lambda: c.create(enums.CryptographicAlgorithm.AES, 256, name="pykmip-aes", cryptographic_usage_mask=mask))
    step("get", lambda: len(c.get(uid).value))
    step("get_attributes", lambda: sorted(a.attribute_name.value for a in c.get_attributes(uid, ["State", "Cryptographic Algorithm", "Cryptographic Length", "Name"])[1]))
    step("get_attribute_list", lambda: sorted(c.get_attribute_list(uid)))
    step("locate_by_name", lambda: c.locate(attributes=[attribute_factories.AttributeFactory().create_attribute(enums.AttributeType.NAME, "pykmip-aes")]))
    step("activate", lambda: c.activate(uid))
    step("state_active", lambda: str(c.get_attributes(uid, ["State"])[1][0].attribute_value.value))
    params = {"block_cipher_mode": enums.BlockCipherMode.CBC, "padding_method": enums.PaddingMethod.PKCS5, "cryptographic_algorithm": enums.CryptographicAlgorithm.AES}
    enc = step("encrypt", lambda: c.encrypt(b"attack at dawn, keyhold", uid=uid, cryptographic_parameters=params))
    if enc:
        step("decrypt", lambda: c.decrypt(enc[0], uid=uid, cryptographic_parameters=params, iv_counter_nonce=enc[1]).decode())
    secret = objects.SecretData(b"\x01" * 32, enums.SecretDataType.PASSWORD, masks=[enums.CryptographicUsageMask.VERIFY], name="pykmip-secret")
    sid = step("register", lambda: c.register(secret))
    step("get_registered", lambda: c.get(sid).value.hex())
    pub, priv = (step("create_key_pair", lambda: c.create_key_pair(enums.CryptographicAlgorithm.RSA, 2048, public_usage_mask=[enums.CryptographicUsageMask.VERIFY], private_usage_mask=[enums.CryptographicUsageMask.SIGN])) or (None, None))
    step("get_public", lambda: c.get(pub).key_format_type.name)
    step("get_private", lambda: c.get(priv).key_format_type.name)
    step("activate_private", lambda: c.activate(priv))
    sig = step("sign", lambda: c.sign(b"message", uid=priv, cryptographic_parameters={"padding_method": enums.PaddingMethod.PSS, "hashing_algorithm": enums.HashingAlgorithm.SHA_256, "cryptographic_algorithm": enums.CryptographicAlgorithm.RSA}))
    step("activate_public", lambda: c.activate(pub))
    if sig:
        step("signature_verify", lambda: str(c.signature_verify(b"message", sig, uid=pub, cryptographic_parameters={"padding_method": enums.PaddingMethod.PSS, "hashing_algorithm": enums.HashingAlgorithm.SHA_256, "cryptographic_algorithm": enums.CryptographicAlgorithm.RSA})))
    step("revoke", lambda: c.revoke(enums.RevocationReasonCode.CESSATION_OF_OPERATION, uid))
    step("destroy", lambda: c.destroy(uid))
    step("state_destroyed", lambda: str(c.get_attributes(uid, ["State"])[1][0].attribute_value.value))
    step("destroy_secret", lambda: c.destroy(sid))

report()
