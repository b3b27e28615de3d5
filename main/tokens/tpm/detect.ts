import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyholdError } from '../../../shared/errors.js';
import { resolveTcti } from './tcti.js';
import { runTool } from './tools.js';

export interface TpmInfo {
  tcti: string;
  /** TPM_PT_MANUFACTURER as its four letters, e.g. "IBM", "INTC", "STM". */
  manufacturer: string;
  /** TPM_PT_FAMILY_INDICATOR, "2.0". */
  family: string;
  firmware: string;
}

/** tpm2_getcap's YAML-ish output: "NAME:" lines followed by indented "raw:" and "value:" lines. */
function properties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let name: string | undefined;
  for (const line of text.split('\n')) {
    const head = /^(\w+):\s*$/.exec(line);
    if (head !== null) {
      name = head[1];
      continue;
    }
    const field = /^\s+(raw|value):\s*"?([^"]*)"?\s*$/.exec(line);
    if (name === undefined || field === null) continue;
    if (field[1] === 'value' || !out.has(name)) out.set(name, field[2]!.trim());
  }
  return out;
}

/** Asks the TPM for its fixed properties; undefined when no TPM answers on that TCTI. */
export async function detectTpm(tctiOption?: string): Promise<TpmInfo | undefined> {
  const tcti = resolveTcti(tctiOption);
  const cwd = mkdtempSync(join(tmpdir(), 'keyhold-tpm-'));
  try {
    const props = properties((await runTool('tpm2_getcap', ['properties-fixed'], { tcti, cwd })).toString('utf8'));
    return {
      tcti,
      manufacturer: props.get('TPM2_PT_MANUFACTURER') ?? '',
      family: props.get('TPM2_PT_FAMILY_INDICATOR') ?? '',
      firmware: [props.get('TPM2_PT_FIRMWARE_VERSION_1'), props.get('TPM2_PT_FIRMWARE_VERSION_2')]
        .filter((x) => x !== undefined)
        .join('.'),
    };
  } catch (e) {
    if (e instanceof KeyholdError && e.code === 'tpm') return undefined;
    throw e;
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** Reads PCR values (hex) of one bank. */
export async function readPcrs(
  pcrs: number[],
  options: { tcti?: string; bank?: string } = {},
): Promise<Record<number, string>> {
  const tcti = resolveTcti(options.tcti);
  const bank = options.bank ?? 'sha256';
  const cwd = mkdtempSync(join(tmpdir(), 'keyhold-tpm-'));
  try {
    const out = (await runTool('tpm2_pcrread', [`${bank}:${pcrs.join(',')}`], { tcti, cwd })).toString('utf8');
    const values: Record<number, string> = {};
    for (const m of out.matchAll(/^\s*(\d+)\s*:\s*0x([0-9A-Fa-f]+)/gm)) values[Number(m[1])] = m[2]!.toLowerCase();
    return values;
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
