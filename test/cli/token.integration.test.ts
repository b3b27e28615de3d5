import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../main/cli/index.js';
import { Vault } from '../../main/vault/index.js';
import { SoftHsm } from '../tokens/softhsm.js';
import { SwTpm } from '../tokens/swtpm.js';

const PW = 'token cli passphrase';
const PIN = '4711';

interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process with the given environment, capturing its output. */
async function keyhold(args: string[], env: Record<string, string | undefined> = {}): Promise<Result> {
  const saved: Record<string, string | undefined> = {};
  const base = { KEYHOLD_PASSPHRASE: PW, KEYHOLD_TOKEN_PIN: PIN, KEYHOLD_TCTI: undefined, ...env };
  for (const [k, val] of Object.entries(base)) {
    saved[k] = process.env[k];
    if (val === undefined) delete process.env[k];
    else process.env[k] = val;
  }
  let stdout = '';
  let stderr = '';
  const out = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const err = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  try {
    const status = await run(['node', 'keyhold', ...args]);
    return { status, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const [k, val] of Object.entries(saved)) {
      if (val === undefined) delete process.env[k];
      else process.env[k] = val;
    }
  }
}

describe('keyhold token / vault slots CLI', () => {
  let hsm: SoftHsm;
  let tpm: SwTpm;
  let dir: string;
  let vaultA: string;
  let vaultB: string;
  let aesUid: string;
  let mod: string[];

  beforeAll(async () => {
    hsm = new SoftHsm();
    hsm.initToken('cli', PIN, '55555555');
    tpm = await SwTpm.start();
    dir = mkdtempSync(join(tmpdir(), 'keyhold-token-cli-'));
    vaultA = join(dir, 'a');
    vaultB = join(dir, 'b');
    mod = ['--module', hsm.module];
    for (const p of [vaultA, vaultB]) {
      const r = await keyhold(['vault', 'init', '--vault', p, '--kdf-memory', '64', '--kdf-iterations', '1']);
      expect(r.status, r.stderr).toBe(0);
    }
    const v = await Vault.open(vaultA, { unlock: { kind: 'passphrase', passphrase: PW } });
    aesUid = await v.insert(
      {
        objectType: 'SymmetricKey',
        keyBlock: {
          keyFormatType: 'Raw',
          keyMaterial: new Uint8Array(32).fill(7),
          cryptographicAlgorithm: 'AES',
          cryptographicLength: 256,
        },
        attributes: { Name: [{ NameValue: 'payroll', NameType: 'UninterpretedTextString' }] },
        owner: 'test',
      },
      'test',
    );
    await v.lock();
  });
  afterAll(async () => {
    await tpm?.stop();
    hsm?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('token list, generate, keys', async () => {
    const list = await keyhold(['token', 'list', ...mod]);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/slot \d+ {2}"cli" {2}SoftHSM project SoftHSM v2 {2}serial [0-9a-f]{16}/);
    const json = JSON.parse((await keyhold(['token', 'list', ...mod, '--json'])).stdout) as {
      tokens: { label: string; slotId: number }[];
    };
    const slotId = json.tokens.find((t) => t.label === 'cli')!.slotId;

    const gen = await keyhold([
      'token',
      'generate',
      ...mod,
      '--slot',
      String(slotId),
      '--alg',
      'EC',
      '--curve',
      'P-384',
      '--name',
      'signer',
    ]);
    expect(gen.status, gen.stderr).toBe(0);
    expect(gen.stdout).toMatch(/PrivateKey .*"signer"  EC P-384  \[sensitive, non-extractable\]/);
    const keys = await keyhold(['token', 'keys', ...mod, '--label', 'cli']);
    expect(keys.stdout).toMatch(/PublicKey .*"signer"/);
    // The OpenSC tool sees the key Keyhold made.
    expect(hsm.pkcs11Tool(['--token-label', 'cli', '--list-objects', '--type', 'pubkey'])).toMatch(/label:\s+signer/);

    const wrongPin = await keyhold(['token', 'keys', ...mod, '--label', 'cli'], { KEYHOLD_TOKEN_PIN: '0000' });
    expect(wrongPin.status).toBe(1);
    expect(wrongPin.stderr).toMatch(/^keyhold: incorrect PIN/);
    expect(wrongPin.stderr).not.toContain('0000');
    const missing = await keyhold(['token', 'keys', ...mod, '--label', 'nope']);
    expect(missing.stderr).toMatch(/no token labelled "nope" is present/);
  });

  it('token import puts a vault key on the token; pkcs11-tool sees it', async () => {
    const r = await keyhold(['token', 'import', aesUid, ...mod, '--label', 'cli', '--vault', vaultA]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SecretKey .*"payroll"  AES 256  \[sensitive, non-extractable\]/);
    expect(
      hsm.pkcs11Tool(['--token-label', 'cli', '--login', '--pin', PIN, '--list-objects', '--type', 'secrkey']),
    ).toMatch(/label:\s+payroll/);
  });

  it('token backup and restore move vault keys to another vault through the token', async () => {
    const file = join(dir, 'backup.json');
    const b = await keyhold(['token', 'backup', ...mod, '--label', 'cli', '--vault', vaultA, '--out', file]);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/backed up 1 objects/);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 'keyhold-token-backup', version: 1 });
    const r = await keyhold(['token', 'restore', ...mod, '--label', 'cli', '--vault', vaultB, file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/restored 1 objects/);
    const v = await Vault.open(vaultB, { unlock: { kind: 'passphrase', passphrase: PW } });
    const o = await v.getObjectForUse(aesUid, 'test');
    await v.lock();
    expect(Buffer.from(o.keyBlock!.keyMaterial as Uint8Array).equals(Buffer.alloc(32, 7))).toBe(true);
    const again = await keyhold(['token', 'restore', ...mod, '--label', 'cli', '--vault', vaultB, file]);
    expect(again.stdout).toMatch(/restored 0 objects \(1 already in the vault/);
  });

  it('vault slots add-tpm / add-token / list / remove; commands open the vault by TPM first', async () => {
    const t = await keyhold(['vault', 'slots', 'add-tpm', '--vault', vaultA, '--pcrs', '7', '--tcti', tpm.tcti]);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/added key slot [0-9a-f]+ \(TPM, PCR 7\)/);
    const k = await keyhold(['vault', 'slots', 'add-token', '--vault', vaultA, ...mod, '--label', 'cli']);
    expect(k.status, k.stderr).toBe(0);
    const list = await keyhold(['vault', 'slots', 'list', '--vault', vaultA, '--json']);
    const slots = JSON.parse(list.stdout) as { id: string; kind: string }[];
    expect(slots.map((s) => s.kind)).toEqual(['passphrase', 'tpm', 'pkcs11']);

    // No passphrase in the environment: the TPM slot opens the vault.
    const out = join(dir, 'by-tpm.json');
    const byTpm = await keyhold(['token', 'backup', ...mod, '--label', 'cli', '--vault', vaultA, '--out', out], {
      KEYHOLD_PASSPHRASE: undefined,
      KEYHOLD_TCTI: tpm.tcti,
    });
    expect(byTpm.status, byTpm.stderr).toBe(0);
    // So do the vault's own commands.
    const info = await keyhold(['vault', 'info', '--vault', vaultA, '--tcti', tpm.tcti], {
      KEYHOLD_PASSPHRASE: undefined,
    });
    expect(info.status, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/key slots: +3/);

    await tpm.extendPcr(7);
    const refused = await keyhold(['token', 'backup', ...mod, '--label', 'cli', '--vault', vaultA, '--out', out], {
      KEYHOLD_PASSPHRASE: undefined,
      KEYHOLD_TCTI: tpm.tcti,
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/TPM unlock failed \(the TPM refused to unseal: the PCR values/);
    // The passphrase still works.
    const withPass = await keyhold(['token', 'backup', ...mod, '--label', 'cli', '--vault', vaultA, '--out', out], {
      KEYHOLD_TCTI: tpm.tcti,
    });
    expect(withPass.status, withPass.stderr).toBe(0);

    const tpmSlot = slots.find((s) => s.kind === 'tpm')!.id;
    const rm = await keyhold(['vault', 'slots', 'remove', tpmSlot, '--vault', vaultA]);
    expect(rm.status, rm.stderr).toBe(0);
    const after = JSON.parse((await keyhold(['vault', 'slots', 'list', '--vault', vaultA, '--json'])).stdout) as {
      kind: string;
    }[];
    expect(after.map((s) => s.kind)).toEqual(['passphrase', 'pkcs11']);
  });

  it('token tpm detects the TPM', async () => {
    const r = await keyhold(['token', 'tpm', '--tcti', tpm.tcti]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^TPM 2\.0 by IBM/);
  });
  it('token escrow puts one vault key into two non-exportable tokens and writes an escrow; escrow-restore re-provisions a third', async () => {
    const hsm = new SoftHsm();
    try {
      hsm.initToken('piv-a', PIN, '55555555');
      hsm.initToken('piv-b', '9999', '55555555');
      hsm.initToken('piv-spare', PIN, '55555555');
      const m = ['--module', hsm.module];
      const file = join(dir, 'payroll.escrow.json');
      const env = { KEYHOLD_OTHER_TOKEN_PIN: '9999', KEYHOLD_ESCROW_PASSPHRASE: 'escrow passphrase' };
      const e = await keyhold(
        ['token', 'escrow', ...m, '--label', 'piv-a', '--to', 'piv-b', '--vault', vaultA, '--out', file, aesUid],
        env,
      );
      expect(e.status, e.stderr).toBe(0);
      expect(e.stdout).toMatch(/imported "payroll" into "piv-a", "piv-b"; escrow written to /);
      const text = readFileSync(file, 'utf8');
      expect(JSON.parse(text)).toMatchObject({ format: 'keyhold-token-escrow', label: 'payroll' });
      expect(text).not.toContain(Buffer.alloc(32, 7).toString('base64').slice(0, 20));
      for (const [label, pin] of [
        ['piv-a', PIN],
        ['piv-b', '9999'],
      ] as const) {
        const keys = await keyhold(['token', 'keys', ...m, '--label', label], { KEYHOLD_TOKEN_PIN: pin });
        expect(keys.stdout).toMatch(/SecretKey .*"payroll"  AES 256  \[sensitive, non-extractable\]/);
      }
      const wrong = await keyhold(['token', 'escrow-restore', ...m, '--label', 'piv-spare', file], {
        KEYHOLD_ESCROW_PASSPHRASE: 'not the passphrase',
      });
      expect(wrong.status).toBe(1);
      expect(wrong.stderr).toMatch(/wrong escrow passphrase/);
      const r = await keyhold(['token', 'escrow-restore', ...m, '--label', 'piv-spare', file], env);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/SecretKey .*"payroll"  AES 256  \[sensitive, non-extractable\]/);
    } finally {
      hsm.dispose();
    }
  });
});

describe('keyhold token generate --register', () => {
  it('records a token key in the vault as an object whose material stays on the token', async () => {
    const hsm = new SoftHsm();
    const dir = mkdtempSync(join(tmpdir(), 'keyhold-token-reg-'));
    try {
      hsm.initToken('reg', PIN, '55555555');
      const path = join(dir, 'v');
      expect(
        (await keyhold(['vault', 'init', '--vault', path, '--kdf-memory', '64', '--kdf-iterations', '1'])).status,
      ).toBe(0);
      const r = await keyhold([
        'token',
        'generate',
        '--module',
        hsm.module,
        '--label',
        'reg',
        '--alg',
        'RSA',
        '--length',
        '2048',
        '--name',
        'ca-key',
        '--register',
        '--vault',
        path,
      ]);
      expect(r.status, r.stderr).toBe(0);
      const uid = /registered in the vault as (\S+)/.exec(r.stdout)![1]!;
      const v = await Vault.open(path, { unlock: { kind: 'passphrase', passphrase: PW } });
      const o = await v.getObject(uid);
      await v.lock();
      expect(o.objectType).toBe('PrivateKey');
      expect(o.keyBlock).toBeUndefined();
      expect(o.attributes['CryptographicAlgorithm']).toEqual(['RSA']);
      expect(String(o.attributes['x-Keyhold-PKCS11-URI']?.[0])).toMatch(
        /^pkcs11:manufacturer=SoftHSM%20project;model=SoftHSM%20v2;serial=[0-9a-f]{16};token=reg;object=ca-key;id=(%[0-9A-F]{2})+;type=private$/,
      );
    } finally {
      hsm.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('keyhold token domain / copy', () => {
  it('gives two tokens one KEK and copies an extractable key across; a non-extractable one stays', async () => {
    const hsm = new SoftHsm();
    try {
      hsm.initToken('left', PIN, '55555555');
      hsm.initToken('right', '9999', '55555555');
      const m = ['--module', hsm.module];
      const env = { KEYHOLD_OTHER_TOKEN_PIN: '9999' };
      const d = await keyhold(['token', 'domain', ...m, '--label', 'left', '--with', 'right'], env);
      expect(d.status, d.stderr).toBe(0);
      expect(
        (
          await keyhold([
            'token',
            'generate',
            ...m,
            '--label',
            'left',
            '--alg',
            'AES',
            '--name',
            'movable',
            '--extractable',
          ])
        ).status,
      ).toBe(0);
      expect(
        (await keyhold(['token', 'generate', ...m, '--label', 'left', '--alg', 'AES', '--name', 'fixed'])).status,
      ).toBe(0);
      const c = await keyhold(['token', 'copy', ...m, '--label', 'left', '--to', 'right', '--name', 'movable'], env);
      expect(c.status, c.stderr).toBe(0);
      expect(c.stdout).toBe('copied "movable" to token "right"\n');
      const keys = await keyhold(['token', 'keys', ...m, '--label', 'right'], { KEYHOLD_TOKEN_PIN: '9999' });
      expect(keys.stdout).toMatch(/SecretKey .*"movable"  AES  \[sensitive, extractable\]/);
      const refused = await keyhold(
        ['token', 'copy', ...m, '--label', 'left', '--to', 'right', '--name', 'fixed'],
        env,
      );
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/^keyhold: the key "fixed" is not extractable/);
    } finally {
      hsm.dispose();
    }
  });
});
