import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TCTI, hasResourceManager, resolveTcti } from '../../../main/tokens/tpm/tcti.js';
import { explainTpmFailure } from '../../../main/tokens/tpm/tools.js';

describe('TPM plumbing', () => {
  const saved = process.env.KEYHOLD_TCTI;
  afterEach(() => {
    if (saved === undefined) delete process.env.KEYHOLD_TCTI;
    else process.env.KEYHOLD_TCTI = saved;
  });

  it('takes the TCTI from the option, else KEYHOLD_TCTI, else the kernel resource manager', () => {
    delete process.env.KEYHOLD_TCTI;
    expect(resolveTcti()).toBe(DEFAULT_TCTI);
    process.env.KEYHOLD_TCTI = 'swtpm:host=127.0.0.1,port=2321';
    expect(resolveTcti()).toBe('swtpm:host=127.0.0.1,port=2321');
    expect(resolveTcti('mssim:port=1')).toBe('mssim:port=1');
    expect(hasResourceManager('device:/dev/tpmrm0')).toBe(true);
    expect(hasResourceManager('device:/dev/tpm0')).toBe(false);
    expect(hasResourceManager('swtpm:port=1')).toBe(false);
  });

  it('explains tpm2-tools failures (text as tpm2-tools 5.x prints it)', () => {
    expect(
      explainTpmFailure('tpm2_unseal', 'ERROR: Esys_Unseal(0x99D) - tpm:session(1):a policy check failed').message,
    ).toMatch(/PCR values/);
    expect(
      explainTpmFailure(
        'tpm2_unseal',
        'ERROR: Esys_Unseal(0x98E) - tpm:session(1):the authorization HMAC check failed and DA counter incremented',
      ).message,
    ).toBe('incorrect TPM PIN');
    expect(
      explainTpmFailure(
        'tpm2_unseal',
        'ERROR: Esys_Unseal(0x921) - tpm:warn(2.0): authorizations for objects subject to DA protection are not allowed at this time because the TPM is in DA lockout mode',
      ).message,
    ).toMatch(/lockout/);
    expect(
      explainTpmFailure(
        'tpm2_getcap',
        'ERROR:tcti:src/tss2-tcti/tcti-swtpm.c:148:tcti_control_command() Failed to connect to control socket.',
      ).message,
    ).toMatch(/no TPM answered/);
  });
});
