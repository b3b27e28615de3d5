import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectTpm, readPcrs, seal, unseal } from '../../../main/tokens/tpm/index.js';
import { SwTpm } from '../swtpm.js';

describe('TPM 2.0 sealing on swtpm', () => {
  let tpm: SwTpm;
  beforeAll(async () => {
    tpm = await SwTpm.start();
  });
  afterAll(async () => {
    await tpm?.stop();
  });

  it('detects the TPM and reports no TPM on a dead TCTI', async () => {
    const info = await detectTpm(tpm.tcti);
    expect(info).toMatchObject({ tcti: tpm.tcti, manufacturer: 'IBM', family: '2.0' });
    expect(await detectTpm('swtpm:host=127.0.0.1,port=1')).toBeUndefined();
  });

  it('seals and unseals a 32-byte secret, without and with a PIN', async () => {
    const secret = randomBytes(32);
    const blob = await seal(secret, { tcti: tpm.tcti });
    expect(blob).toMatchObject({ format: 'keyhold-tpm-sealed', pcrs: [], pin: false });
    expect((await unseal(blob, { tcti: tpm.tcti })).equals(secret)).toBe(true);

    const withPin = await seal(secret, { tcti: tpm.tcti, pin: '2468' });
    expect((await unseal(withPin, { tcti: tpm.tcti, pin: '2468' })).equals(secret)).toBe(true);
    await expect(unseal(withPin, { tcti: tpm.tcti, pin: '1111' })).rejects.toThrow(/incorrect TPM PIN/);
    await expect(unseal(withPin, { tcti: tpm.tcti })).rejects.toThrow(/needs its PIN/);
  });

  it('binds to PCR 7: unseals while it is unchanged, refuses clearly after tpm2_pcrextend', async () => {
    const secret = randomBytes(32);
    const blob = await seal(secret, { tcti: tpm.tcti, pcrs: [7] });
    const blobPin = await seal(secret, { tcti: tpm.tcti, pcrs: [7], pin: '1357' });
    expect((await unseal(blob, { tcti: tpm.tcti })).equals(secret)).toBe(true);
    expect((await unseal(blobPin, { tcti: tpm.tcti, pin: '1357' })).equals(secret)).toBe(true);
    await expect(unseal(blobPin, { tcti: tpm.tcti, pin: '0000' })).rejects.toThrow(/incorrect TPM PIN/);

    const before = await readPcrs([7], { tcti: tpm.tcti });
    await tpm.extendPcr(7);
    const after = await readPcrs([7], { tcti: tpm.tcti });
    expect(after[7]).not.toBe(before[7]);
    await expect(unseal(blob, { tcti: tpm.tcti })).rejects.toThrow(/PCR values .* changed since the secret was sealed/);
    await expect(unseal(blobPin, { tcti: tpm.tcti, pin: '1357' })).rejects.toThrow(/PCR values/);
    // Unbound blobs still unseal; and nothing stays loaded in the TPM.
    const free = await seal(secret, { tcti: tpm.tcti });
    expect((await unseal(free, { tcti: tpm.tcti })).equals(secret)).toBe(true);
    expect(await tpm.tool('tpm2_getcap', ['handles-transient'])).toBe('');
  });

  it('refuses a blob from another TPM', async () => {
    const other = await SwTpm.start();
    try {
      const blob = await seal(randomBytes(32), { tcti: other.tcti });
      await expect(unseal(blob, { tcti: tpm.tcti })).rejects.toMatchObject({ code: 'tpm' });
    } finally {
      await other.stop();
    }
  });
});
