/**
 * The Tokens panel's and the unlock methods' calls: PKCS#11 tokens (list, objects, generate,
 * import a vault key, back up / restore vault objects under a KEK on the token, change or reset
 * the user PIN, delete an object) and
 * the vault's key slots (list, add a TPM or token slot, remove). The PKCS#11 and TPM modules are
 * loaded on the first of these calls. PINs pass straight to the login and are never kept or logged.
 * Modules: the system's common ones (SoftHSM2 honours SOFTHSM2_CONF); the TPM: KEYHOLD_TCTI, else
 * the kernel's resource manager.
 */
import { KeyholdError } from '../../shared/errors.js';
import type { TokenBackupInfo, TokenObject, VaultSlot } from '../../shared/api/index.js';
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

type Session = Parameters<Parameters<Pkcs11['withTokenSession']>[3]>[0];

async function modulesOrFail(m: Pkcs11): Promise<ReturnType<Pkcs11['resolveModules']>> {
  const modules = m.resolveModules(undefined);
  if (modules.length === 0)
    throw new KeyholdError(
      'not-found',
      'No PKCS#11 module found on this computer. Install your token’s software (e.g. OpenSC) and try again.',
    );
  return modules;
}

/** Runs a token operation as the user, making "no such token" a clear message. */
async function onToken<T>(label: string, pin: string, fn: (m: Pkcs11, s: Session) => T): Promise<T> {
  const m = await pkcs11();
  return m.withTokenSession(await modulesOrFail(m), { label }, { pin, readWrite: true }, (s) => fn(m, s));
}

const backupFileName = (token: string, at: Date): string =>
  `keyhold-token-backup-${token.replace(/[^A-Za-z0-9._-]+/g, '-')}-${at.toISOString().slice(0, 10)}.json`;

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
    'tokens.import': async ({ label, pin, uniqueIdentifier, name, extractable }) => {
      const m = await pkcs11();
      const obj = await session.vault().getObjectForUse(uniqueIdentifier, session.identity, 'Export');
      const material =
        obj.objectType === 'Certificate' && obj.value !== undefined ? undefined : m.importMaterialOf(obj);
      try {
        const onTokenLabel = name ?? m.objectName(obj) ?? uniqueIdentifier;
        const made = await onToken(label, pin, (_, s) =>
          obj.objectType === 'Certificate' && obj.value !== undefined
            ? [m.writeCertificate(s, obj.value, onTokenLabel)]
            : m.importKey(s, material!, { label: onTokenLabel, extractable: extractable ?? false }),
        );
        return made.map(tokenObject);
      } finally {
        if (material?.kind === 'secret') material.value.fill(0);
        else if (material?.kind === 'pkcs8') material.der.fill(0);
        m.wipeObjects([obj]);
      }
    },
    'tokens.backup': async ({ label, pin, uniqueIdentifiers, kek, storeOnToken }) => {
      const m = await pkcs11();
      const kekLabel = kek ?? m.DEFAULT_KEK_LABEL;
      const objects = await m.objectsForBackup(session.vault(), uniqueIdentifiers, session.identity);
      try {
        if (objects.length === 0)
          throw new KeyholdError('invalid-argument', 'The vault has no objects to back up.', {
            reason: 'Item Not Found',
          });
        const file = await onToken(label, pin, (_, s) => {
          m.ensureKek(s, kekLabel);
          const f = m.backupObjects(s, objects, kekLabel);
          if (storeOnToken !== undefined) m.storeBackupOnToken(s, f, storeOnToken);
          return f;
        });
        return {
          file: {
            fileName: backupFileName(file.token.label, new Date(file.createdAt)),
            mediaType: 'application/json',
            data: Buffer.from(`${JSON.stringify(file, null, 2)}\n`, 'utf8').toString('base64'),
          },
          count: file.entries.length,
          token: file.token.label,
          kek: kekLabel,
          ...(storeOnToken !== undefined ? { storedOnToken: storeOnToken } : {}),
        };
      } finally {
        m.wipeObjects(objects);
      }
    },
    'tokens.backups': ({ label, pin }) =>
      onToken(label, pin, (m, s) =>
        m.listBackupsOnToken(s).map((b): TokenBackupInfo => ({
          label: b.label,
          createdAt: b.file.createdAt,
          count: b.file.entries.length,
          kek: b.file.kek.label,
        })),
      ),
    'tokens.restore': async ({ label, pin, data, fromToken }) => {
      if ((data === undefined) === (fromToken === undefined))
        throw new KeyholdError('invalid-argument', 'Give either a backup file or the name of a backup on the token.');
      const m = await pkcs11();
      // Parse an uploaded file before logging in, so a wrong file costs no PIN try.
      const uploaded = data !== undefined ? m.parseBackup(Buffer.from(data, 'base64').toString('utf8')) : undefined;
      const vault = session.vault();
      const objects = await onToken(label, pin, (_, s) => {
        let backup = uploaded;
        if (backup === undefined) {
          backup = m.listBackupsOnToken(s).find((b) => b.label === fromToken)?.file;
          if (backup === undefined)
            throw new KeyholdError('not-found', `No backup named “${fromToken}” is kept on token “${label}”.`, {
              reason: 'Item Not Found',
            });
        }
        return m.restoreObjects(s, backup);
      });
      try {
        return await m.insertRestored(vault, objects, session.identity);
      } finally {
        m.wipeObjects(objects);
      }
    },
    'tokens.changePin': async ({ label, pin, newPin }) => {
      const m = await pkcs11();
      await m.changePin(await modulesOrFail(m), { label }, pin, newPin);
      return { changed: true as const };
    },
    'tokens.initPin': async ({ label, soPin, newPin }) => {
      const m = await pkcs11();
      await m.initUserPin(await modulesOrFail(m), { label }, soPin, newPin);
      return { changed: true as const };
    },
    'tokens.delete': ({ label, pin, objectClass, id, objectLabel }) =>
      onToken(label, pin, (m, s) => {
        const filter = { objectClass, label: objectLabel, ...(id !== '' ? { id } : {}) };
        if (m.deleteObjects(s, filter) === 0)
          throw new KeyholdError('not-found', `That object is no longer on token “${label}”.`, {
            reason: 'Item Not Found',
          });
        return m.listObjects(s).map(tokenObject);
      }),
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
