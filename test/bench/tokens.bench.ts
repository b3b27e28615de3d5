import { randomBytes } from 'node:crypto';
import type { ManagedObject } from '../../main/vault/model.js';
import {
  backupObjects,
  encrypt,
  ensureKek,
  finalizeAllModules,
  generateKey,
  listTokens,
  openModule,
  restoreObjects,
  sign,
} from '../../main/tokens/pkcs11/index.js';
import { seal, unseal } from '../../main/tokens/tpm/index.js';
import { SoftHsm } from '../tokens/softhsm.js';
import { SwTpm } from '../tokens/swtpm.js';
import { withTokenSession } from '../../main/tokens/pkcs11/session.js';

/** Times `n` runs of fn; prints ms per operation and operations per second. */
async function time(label: string, n: number, fn: (i: number) => unknown): Promise<void> {
  const started = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  const ms = performance.now() - started;
  console.log(
    `${label.padEnd(48)} n=${String(n).padStart(5)}  ${(ms / n).toFixed(2).padStart(8)} ms/op  ${((n * 1000) / ms).toFixed(0).padStart(7)} op/s`,
  );
}

/**
 * Token and TPM figures: SoftHSM2 (a software token, so these are the host's crypto plus the
 * PKCS#11 path, not a smart card's speed) and swtpm. KEYHOLD_BENCH_TOKEN_KEYS sets how many
 * keys the backup figure uses (default 200).
 */
export async function bench(): Promise<void> {
  const keys = Number(process.env.KEYHOLD_BENCH_TOKEN_KEYS ?? 200);
  const hsm = new SoftHsm();
  const tpm = await SwTpm.start();
  try {
    hsm.initToken('bench', '1234', '12345678');
    const modules = [openModule(hsm.module)];
    await time('PKCS#11 list tokens', 50, () => listTokens(modules));
    await time('PKCS#11 open session + login + logout', 50, () =>
      withTokenSession(modules, { label: 'bench' }, { pin: '1234' }, () => 0),
    );
    await withTokenSession(modules, { label: 'bench' }, { pin: '1234' }, async (s) => {
      generateKey(s, { algorithm: 'EC', label: 'ec' });
      generateKey(s, { algorithm: 'RSA', length: 2048, label: 'rsa' });
      generateKey(s, { algorithm: 'AES', label: 'aes' });
      const data = randomBytes(1024);
      await time('ECDSA P-256 sign (SHA-256 here, CKM_ECDSA)', 300, () =>
        sign(s, { label: 'ec' }, 'ECDSA-SHA256', data),
      );
      await time('RSA-2048 PKCS#1 v1.5 sign', 100, () => sign(s, { label: 'rsa' }, 'RSA-PKCS1-SHA256', data));
      const iv = randomBytes(12);
      await time('AES-256-GCM encrypt 1 KiB', 500, () => encrypt(s, { label: 'aes' }, 'AES-GCM', data, iv));
      ensureKek(s);
      const objects: ManagedObject[] = Array.from({ length: keys }, (_, i) => ({
        uniqueIdentifier: `k${i}`,
        objectType: 'SymmetricKey',
        owner: 'bench',
        keyBlock: {
          keyFormatType: 'Raw',
          keyMaterial: randomBytes(32),
          cryptographicAlgorithm: 'AES',
          cryptographicLength: 256,
        },
        attributes: {},
      }));
      let file: ReturnType<typeof backupObjects> | undefined;
      await time(
        `backup ${keys} AES keys under the token KEK (whole file)`,
        1,
        () => (file = backupObjects(s, objects)),
      );
      await time(`restore ${keys} AES keys, MAC + unwrap (whole file)`, 1, () => restoreObjects(s, file!));
    });
    finalizeAllModules();

    const secret = randomBytes(32);
    await time('TPM seal 32 bytes (swtpm)', 5, () => seal(secret, { tcti: tpm.tcti }));
    const blob = await seal(secret, { tcti: tpm.tcti });
    await time('TPM unseal (swtpm)', 5, () => unseal(blob, { tcti: tpm.tcti }));
    const bound = await seal(secret, { tcti: tpm.tcti, pcrs: [7] });
    await time('TPM unseal, PCR 7 policy (swtpm)', 5, () => unseal(bound, { tcti: tpm.tcti }));
  } finally {
    finalizeAllModules();
    await tpm.stop();
    hsm.dispose();
  }
}
