import { randomBytes } from 'node:crypto';
import { argon2id } from './argon2id.js';
import { KeyholdError } from '../../shared/errors.js';
import {
  aeadUnwrap,
  aeadWrap,
  slotAad,
  type KeySlot,
  type KeySlotProvider,
  type SealOptions,
  type SlotContext,
  type SlotParams,
  type UnlockMethod,
} from './key-slots.js';

/** Argon2id parameters (RFC 9106), stored in the slot so they can be raised later per slot. */
export interface Argon2Params {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/**
 * Defaults tuned on the reference machine (2 vCPU, hash-wasm, idle): 128 MiB with 2 passes
 * takes about 0.6 s (3 passes 0.9 s, which passes 1 s as soon as the machine is busy).
 * hash-wasm runs single-threaded, so parallelism > 1 would only cost time.
 */
export const DEFAULT_ARGON2: Argon2Params = { memoryKiB: 131072, iterations: 2, parallelism: 1 };

/** Upper bounds that refuse a tampered header asking for absurd work. */
const MAX_MEMORY_KIB = 4 * 1024 * 1024;
const MAX_ITERATIONS = 64;

export async function deriveKek(passphrase: Uint8Array, salt: Uint8Array, p: Argon2Params): Promise<Uint8Array> {
  return argon2id({
    password: passphrase,
    salt,
    parallelism: p.parallelism,
    iterations: p.iterations,
    memorySize: p.memoryKiB,
    hashLength: 32,
    outputType: 'binary',
  });
}

function passphraseBytes(method: UnlockMethod): Uint8Array {
  if (method.kind !== 'passphrase') throw new KeyholdError('invalid-argument', 'a passphrase slot needs a passphrase');
  const p = method.passphrase;
  const bytes = typeof p === 'string' ? Buffer.from(p.normalize('NFC'), 'utf8') : p;
  if (bytes.length === 0) throw new KeyholdError('invalid-argument', 'the passphrase is empty');
  return bytes;
}

function argon2Options(options: SealOptions | undefined): Argon2Params {
  const o = (options?.['argon2'] ?? {}) as Partial<Argon2Params>;
  const p = { ...DEFAULT_ARGON2, ...o };
  checkParams(p);
  return p;
}

function checkParams(p: Argon2Params): void {
  const ok =
    Number.isInteger(p.memoryKiB) &&
    Number.isInteger(p.iterations) &&
    Number.isInteger(p.parallelism) &&
    p.parallelism >= 1 &&
    p.parallelism <= 16 &&
    p.iterations >= 1 &&
    p.iterations <= MAX_ITERATIONS &&
    p.memoryKiB >= 8 * p.parallelism &&
    p.memoryKiB <= MAX_MEMORY_KIB;
  if (!ok) throw new KeyholdError('invalid-argument', 'Argon2id parameters out of range');
}

/** The passphrase unlock method: Argon2id over a random salt, then AES-256-GCM. */
export const passphraseSlotProvider: KeySlotProvider = {
  kind: 'passphrase',

  async seal(dataKey, method, context, options, onProgress) {
    const pw = passphraseBytes(method);
    const argon2 = argon2Options(options);
    const salt = randomBytes(16);
    const params: SlotParams = { kdf: 'argon2id', ...argon2, salt: salt.toString('base64') };
    onProgress?.(`deriving a key from the passphrase (Argon2id, ${argon2.memoryKiB / 1024} MiB)...`);
    const kek = await deriveKek(pw, salt, argon2);
    try {
      return { params, wrappedKey: aeadWrap(kek, dataKey, slotAad(context, 'passphrase', params)) };
    } finally {
      kek.fill(0);
      if (pw !== (method as { passphrase: unknown }).passphrase) pw.fill(0);
    }
  },

  async unseal(slot: KeySlot, method: UnlockMethod, context: SlotContext) {
    const pw = passphraseBytes(method);
    const params = slot.params;
    const argon2: Argon2Params = {
      memoryKiB: Number(params['memoryKiB']),
      iterations: Number(params['iterations']),
      parallelism: Number(params['parallelism']),
    };
    if (params['kdf'] !== 'argon2id' || typeof params['salt'] !== 'string') {
      throw new KeyholdError('vault-corrupt', `key slot ${slot.id} has unknown KDF parameters`);
    }
    checkParams(argon2);
    const kek = await deriveKek(pw, Buffer.from(params['salt'], 'base64'), argon2);
    try {
      const key = aeadUnwrap(kek, slot.wrappedKey, slotAad(context, 'passphrase', params));
      if (key === undefined) throw new KeyholdError('wrong-passphrase', 'wrong passphrase');
      return key;
    } finally {
      kek.fill(0);
      if (pw !== (method as { passphrase: unknown }).passphrase) pw.fill(0);
    }
  },
};
