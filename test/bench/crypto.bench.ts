import { execFileSync } from 'node:child_process';
import { createCipheriv, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import {
  encryptSymmetric,
  generateKeyPair,
  generateSymmetricKey,
  sign,
  verify,
  type KeyPairSpec,
} from '../../main/crypto/index.js';

/**
 * Crypto benchmark: AES-256-GCM throughput, RSA-2048 / ECDSA P-256 / Ed25519 sign and verify
 * per second and key generation per second, through main/crypto's own functions; with
 * `openssl speed` for the same algorithms run in the same process tree as the reference, and
 * the ratio printed. Each figure is a ~1 s loop (KEYHOLD_BENCH_CRYPTO_SECONDS to change).
 */
const SECONDS = Number(process.env['KEYHOLD_BENCH_CRYPTO_SECONDS'] ?? '1');

function rate(fn: () => void, seconds = SECONDS): number {
  for (let i = 0; i < 3; i++) fn(); // warm-up
  let n = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  let now = start;
  while (now < until) {
    for (let i = 0; i < 8; i++) fn();
    n += 8;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

async function rateAsync(fn: () => Promise<unknown>, seconds = SECONDS): Promise<number> {
  await fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await fn();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

function openssl(args: string[]): string | undefined {
  try {
    return execFileSync('openssl', ['speed', '-seconds', String(Math.max(1, Math.round(SECONDS))), ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 20,
    });
  } catch {
    return undefined;
  }
}

const fmt = (v: number | undefined, unit: string): string =>
  v === undefined ? 'n/a' : `${v.toFixed(v >= 100 ? 0 : 1)} ${unit}`;
const ratio = (ours: number, ref: number | undefined): string =>
  ref === undefined ? '' : `  ratio ${(ours / ref).toFixed(2)}x (openssl/keyhold ${(ref / ours).toFixed(2)})`;

/** One line: Keyhold's figure, plain node:crypto's (the binding's own cost), openssl speed's. */
function row(label: string, ours: number, raw: number | undefined, ref: number | undefined, unit: string): void {
  console.log(
    `${label.padEnd(36)} keyhold ${fmt(ours, unit).padStart(13)}  node:crypto ${fmt(raw, unit).padStart(13)}  openssl speed ${fmt(ref, unit).padStart(13)}${ratio(ours, ref)}`,
  );
}

export async function bench(): Promise<void> {
  console.log(`node ${process.version}, OpenSSL ${process.versions.openssl}; ${SECONDS} s per figure`);

  // Bulk AES-256-GCM, same message size on both sides: openssl speed -bytes N (one thread, no
  // -multi) against Node encrypting N-byte messages on this one thread; 16 KiB and 1 MiB.
  const key = generateSymmetricKey('AES', 256);
  const iv = Buffer.alloc(12, 1);
  const gcmRefs: number[] = [];
  for (const size of [16 * 1024, 1024 * 1024]) {
    const gcmOut = openssl(['-bytes', String(size), '-evp', 'aes-256-gcm']);
    const gcmLine = gcmOut?.split('\n').find((l) => /^aes-256-gcm/i.test(l.trim()));
    const gcmRef = gcmLine ? (Number(gcmLine.trim().split(/\s+/).pop()?.replace('k', '')) * 1000) / 2 ** 20 : undefined;
    if (gcmRef !== undefined) gcmRefs.push(gcmRef);
    const data = Buffer.alloc(size, 0x5a);
    const perSecond = rate(() => encryptSymmetric(key, { algorithm: 'AES', mode: 'GCM', iv }, data));
    const rawPerSecond = rate(() => {
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.update(data);
      c.final();
      c.getAuthTag();
    });
    const mib = (r: number): number => (r * size) / 2 ** 20;
    row(`AES-256-GCM encrypt, ${size / 1024} KiB msgs`, mib(perSecond), mib(rawPerSecond), gcmRef, 'MiB/s');
  }
  console.log(
    `  (openssl speed -seconds ${Math.max(1, Math.round(SECONDS))} -bytes 16384|1048576 -evp aes-256-gcm: ${gcmRefs.map((r) => r.toFixed(0)).join(' | ')} MiB/s, single thread)`,
  );
  console.log(
    `  load average ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${(await import('node:os')).cpus().length} CPUs`,
  );
  key.fill(0);

  // Signatures: openssl speed's sign/s and verify/s for the same key types.
  const sigOut = openssl(['rsa2048', 'ecdsap256', 'ed25519']) ?? '';
  const ref = (re: RegExp): [number, number] | undefined => {
    const m = re.exec(sigOut);
    return m ? [Number(m[1]), Number(m[2])] : undefined;
  };
  const refs: Record<string, [number, number] | undefined> = {
    RSA: ref(/rsa 2048 bits\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)/),
    EC: ref(/ecdsa \(nistp256\)\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)/),
    Ed25519: ref(/EdDSA \(Ed25519\)\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)/),
  };
  const specs: [string, KeyPairSpec][] = [
    ['RSA', { algorithm: 'RSA', length: 2048 }],
    ['EC', { algorithm: 'EC', curve: 'P-256' }],
    ['Ed25519', { algorithm: 'Ed25519' }],
  ];
  const msg = Buffer.from('the quick brown fox jumps over the lazy dog');
  for (const [name, spec] of specs) {
    const { privateKey } = await generateKeyPair(spec);
    const publicKey = createPublicKey(privateKey);
    const p = name === 'Ed25519' ? {} : { hash: 'sha256' as const };
    const sig = sign(privateKey, p, msg);
    const label = name === 'RSA' ? 'RSA-2048 PKCS#1 v1.5 SHA-256' : name === 'EC' ? 'ECDSA P-256 SHA-256' : 'Ed25519';
    const alg = name === 'Ed25519' ? null : 'sha256';
    row(
      `${label} sign`,
      rate(() => sign(privateKey, p, msg)),
      rate(() => nodeSign(alg, msg, privateKey)),
      refs[name]?.[0],
      'op/s',
    );
    row(
      `${label} verify`,
      rate(() => verify(publicKey, p, msg, sig)),
      rate(() => nodeVerify(alg, msg, publicKey, sig)),
      refs[name]?.[1],
      'op/s',
    );
  }

  // Key generation on the thread pool (openssl speed has no RSA keygen figure in 3.0).
  for (const [name, spec] of [...specs, ['RSA-4096', { algorithm: 'RSA', length: 4096 }] as [string, KeyPairSpec]]) {
    const seconds = name.startsWith('RSA') ? Math.max(2, SECONDS * 2) : SECONDS;
    row(
      `${name === 'RSA' ? 'RSA-2048' : name === 'EC' ? 'EC P-256' : name} key generation`,
      await rateAsync(() => generateKeyPair(spec), seconds),
      undefined,
      undefined,
      'keys/s',
    );
  }
}
