/**
 * The Tokens panel's and the unlock methods' calls: PKCS#11 tokens (list, objects, generate) and
 * the vault's key slots (list, add a TPM or token slot, remove). The PKCS#11 and TPM modules are
 * loaded on the first of these calls. PINs pass straight to the login and are never kept or logged.
 * Modules: the system's common ones (SoftHSM2 honours SOFTHSM2_CONF); the TPM: KEYHOLD_TCTI, else
 * the kernel's resource manager.
 */
import { KeyholdError } from '../../shared/errors.js';
import type { TokenObject, VaultSlot } from '../../shared/api/index.js';
import type { KeySlotInfo } from '../vault/index.js';
import type { TokenObjectInfo } from '../tokens/pkcs11/index.js';
import type { Handlers } from './router.js';
import type { VaultSession } from './vault-session.js';

type Pkcs11 = typeof import('../tokens/pkcs11/index.js');

let loaded: Promise<Pkcs11> | undefined;
async function pkcs11(): Promise<Pkcs11> {
  loaded ??= Promise.all([import('../tokens/pkcs11/index.js'), import('../tokens/slot-providers.js')]).then(
    ([m, providers]) => {
      providers.registerHardwareSlotProviders();
      return m;
    },
  );
  return loaded;
}

function tokenObject(o: TokenObjectInfo): TokenObject {
  const out: TokenObject = { objectClass: o.objectClass, label: o.label, id: o.id, private: o.private, usage: o.usage };
  if (o.keyType !== undefined) out.keyType = o.keyType;
  if (o.bits !== undefined) out.bits = o.bits;
  if (o.curve !== undefined) out.curve = o.curve;
  if (o.sensitive !== undefined) out.sensitive = o.sensitive;
  if (o.extractable !== undefined) out.extractable = o.extractable;
  return out;
}

export function slotView(s: KeySlotInfo): VaultSlot {
  let detail = s.kind === 'passphrase' ? 'Typed at each unlock' : s.kind;
  if (s.kind === 'tpm') {
    const pcrs = Array.isArray(s.params['pcrs']) ? (s.params['pcrs'] as unknown[]).map(String) : [];
    detail = `TPM${pcrs.length > 0 ? `, bound to PCR ${pcrs.join(',')}` : ''}${s.params['pin'] === true ? ', PIN' : ''}`;
  } else if (s.kind === 'pkcs11') {
    const label = s.params['tokenLabel'];
    detail = typeof label === 'string' ? `token “${label}”` : 'token';
  }
  return { id: s.id, kind: s.kind, label: s.label, createdAt: s.createdAt, detail };
}

/** Runs a token operation, making "no such token" a clear message. */
async function onToken<T>(
  label: string,
  pin: string,
  fn: (m: Pkcs11, s: Parameters<Parameters<Pkcs11['withTokenSession']>[3]>[0]) => T,
): Promise<T> {
  const m = await pkcs11();
  const modules = m.resolveModules(undefined);
  if (modules.length === 0)
    throw new KeyholdError(
      'not-found',
      'No PKCS#11 module found on this computer. Install your token’s software (e.g. OpenSC) and try again.',
    );
  return m.withTokenSession(modules, { label }, { pin, readWrite: true }, (s) => fn(m, s));
}

export function tokenHandlers(session: VaultSession): Handlers {
  return {
    'tokens.list': async () => {
      const m = await pkcs11();
      const modules = m.resolveModules(undefined);
      const tokens = m.listTokens(modules);
      return {
        modules: modules.map((x) => {
          const d = x.describe();
          return { path: d.path, manufacturer: d.manufacturer, description: d.description };
        }),
        tokens: tokens.map((t) => ({
          modulePath: t.modulePath,
          slotId: t.slotId,
          label: t.label,
          manufacturer: t.manufacturer,
          model: t.model,
          serialNumber: t.serialNumber,
          flags: t.flags,
          pinPad: t.pinPad,
        })),
      };
    },
    'tokens.objects': ({ label, pin }) => onToken(label, pin, (m, s) => m.listObjects(s).map(tokenObject)),
    'tokens.generate': ({ label, pin, algorithm, length, curve, name }) =>
      onToken(label, pin, (m, s) =>
        m
          .generateKey(s, {
            algorithm,
            label: name,
            ...(length !== undefined ? { length } : {}),
            ...(curve !== undefined ? { curve } : {}),
          })
          .map(tokenObject),
      ),
    'vault.slots.list': () => session.vault().listSlots().map(slotView),
    'vault.slots.addTpm': async ({ pcrs, tcti }) => {
      await pkcs11();
      const tpm = await import('../tokens/tpm/index.js');
      const target = tpm.resolveTcti(tcti);
      if ((await tpm.detectTpm(target)) === undefined)
        throw new KeyholdError(
          'not-found',
          'No TPM found on this computer. Turn on the TPM (fTPM / PTT) in the firmware settings, or use a token or passphrase instead.',
        );
      const slot = await session
        .vault()
        .addSlot(
          { kind: 'tpm', credential: { tcti: target, pcrs: pcrs ?? [] } },
          { label: 'tpm', identity: session.identity },
        );
      return slotView(slot);
    },
    'vault.slots.addToken': async ({ label, pin }) => {
      await pkcs11();
      const slot = await session
        .vault()
        .addSlot(
          { kind: 'pkcs11', credential: { modules: undefined, selector: { label }, pin } },
          { label: 'token', identity: session.identity },
        );
      return slotView(slot);
    },
    'vault.slots.remove': async ({ id }) => {
      const vault = session.vault();
      await vault.removeSlot(id, session.identity);
      return vault.listSlots().map(slotView);
    },
  };
}
