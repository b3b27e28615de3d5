import { randomBytes } from 'node:crypto';
import { KeyholdError } from '../../../shared/errors.js';
import {
  slotAad,
  type KeySlot,
  type KeySlotProvider,
  type SealOptions as VaultSealOptions,
  type SlotContext,
  type SlotParams,
  type UnlockMethod,
} from '../../vault/index.js';
import { resolveModules } from './modules.js';
import { generateKey, findOne, listObjects } from './objects.js';
import { decrypt, encrypt } from './operations.js';
import { withTokenSession } from './session.js';
import type { TokenSelector } from './tokens.js';

/** What `{ kind: 'pkcs11', credential }` carries to unlock or add a token slot. */
export interface Pkcs11Credential {
  /** Module paths (default: the slot's recorded module, else the system's). */
  modules?: string[];
  /** When adding a slot: which token. Unlocking uses the token recorded in the slot. */
  selector?: TokenSelector;
  /** The user PIN, or a function that asks for it. */
  pin?: string | (() => Promise<string>);
  /** When adding a slot: use this existing key (by label) instead of generating one. */
  keyLabel?: string;
}

function credentialOf(method: UnlockMethod): Pkcs11Credential {
  if (method.kind !== 'pkcs11')
    throw new KeyholdError('invalid-argument', 'a token slot needs a PKCS#11 unlock method');
  return (method.credential ?? {}) as Pkcs11Credential;
}

const str = (p: SlotParams, k: string): string => {
  const v = p[k];
  if (typeof v !== 'string') throw new KeyholdError('vault-corrupt', `the token key slot lacks "${k}"`);
  return v;
};

/**
 * The 'pkcs11' unlock method: the data key is encrypted on the token under a key that never
 * leaves it, AES-256-GCM (AAD binds it to the vault and slot) or, for tokens without AES
 * (PIV-style smart cards), RSA-OAEP with an RSA key on the token. Unlocking needs the token
 * and its PIN; the slot records the token's serial and label and the key's id.
 */
export const pkcs11SlotProvider: KeySlotProvider = {
  kind: 'pkcs11',

  async seal(
    dataKey: Uint8Array,
    method: UnlockMethod,
    context: SlotContext,
    _options?: VaultSealOptions,
    onProgress?: (m: string) => void,
  ) {
    const cred = credentialOf(method);
    const modules = resolveModules(cred.modules);
    return withTokenSession(modules, cred.selector ?? {}, { pin: cred.pin }, (s) => {
      onProgress?.(`wrapping the vault key on token "${s.token.label}"...`);
      let key;
      if (cred.keyLabel !== undefined) {
        key = listObjects(s, { label: cred.keyLabel }).find(
          (o) => o.objectClass === 'SecretKey' || o.objectClass === 'PrivateKey',
        );
        if (key === undefined)
          throw new KeyholdError('not-found', `no key labelled "${cred.keyLabel}" on token "${s.token.label}"`);
      } else {
        const label = `keyhold-vault-${context.vaultId.slice(0, 8)}-${context.slotId}`;
        try {
          [key] = generateKey(s, { algorithm: 'AES', label });
        } catch {
          // No AES on this token (PIV): an RSA key pair, decrypting on the token.
          [key] = generateKey(s, { algorithm: 'RSA', length: 2048, label });
        }
      }
      const rsa = key!.keyType === 'RSA';
      const params: SlotParams = {
        module: s.module.path,
        tokenLabel: s.token.label,
        tokenSerial: s.token.serialNumber,
        tokenManufacturer: s.token.manufacturer,
        tokenModel: s.token.model,
        keyLabel: key!.label,
        keyId: key!.id,
        mechanism: rsa ? 'RSA-OAEP-SHA1' : 'AES-GCM',
      };
      if (rsa) {
        const ct = encrypt(s, { id: key!.id, objectClass: 'PublicKey' }, 'RSA-OAEP-SHA1', dataKey);
        return { params, wrappedKey: Buffer.from(ct).toString('base64') };
      }
      const iv = randomBytes(12);
      const ct = encrypt(
        s,
        { id: key!.id, objectClass: 'SecretKey' },
        'AES-GCM',
        dataKey,
        iv,
        slotAad(context, 'pkcs11', params),
      );
      return { params, wrappedKey: Buffer.concat([iv, ct]).toString('base64') };
    });
  },

  async unseal(slot: KeySlot, method: UnlockMethod, context: SlotContext) {
    const cred = credentialOf(method);
    const p = slot.params;
    const modules = resolveModules(cred.modules ?? [str(p, 'module')]);
    const selector: TokenSelector = cred.selector ?? { serial: str(p, 'tokenSerial') };
    const wrapped = Buffer.from(slot.wrappedKey, 'base64');
    const keyId = str(p, 'keyId');
    return withTokenSession(modules, selector, { pin: cred.pin }, (s) => {
      let out: Uint8Array;
      try {
        if (str(p, 'mechanism') === 'RSA-OAEP-SHA1') {
          out = decrypt(s, findOne(s, { id: keyId, objectClass: 'PrivateKey' }), 'RSA-OAEP-SHA1', wrapped);
        } else {
          const key = findOne(s, { id: keyId, objectClass: 'SecretKey' });
          out = decrypt(
            s,
            key,
            'AES-GCM',
            wrapped.subarray(12),
            wrapped.subarray(0, 12),
            slotAad(context, 'pkcs11', p),
          );
        }
      } catch (e) {
        if (e instanceof KeyholdError && e.code === 'not-found')
          throw new KeyholdError('token', `token "${s.token.label}" no longer holds the key of slot ${slot.id}`, {
            cause: e,
          });
        if (e instanceof KeyholdError && /encrypted data is invalid|CKR_ENCRYPTED_DATA|CKR_GENERAL/.test(e.message))
          throw new KeyholdError('vault-corrupt', `key slot ${slot.id}: the token could not unwrap the vault key`, {
            cause: e,
          });
        throw e;
      }
      return Buffer.from(out);
    });
  },
};
