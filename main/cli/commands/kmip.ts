import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { KeyholdError } from '../../../shared/errors.js';
import { KmipClient } from '../../client/kmip-client.js';
import { writeKmipJson } from '../../kmip/json/index.js';
import { ItemType, decodeTtlv, encodeTtlv, type StructureItem, type TtlvItem } from '../../kmip/ttlv/index.js';
import { parseKmipXmlItem } from '../../kmip/xml/index.js';
import { decodeCkInfo } from '../../ops/pkcs11-operation.js';
import { t } from '../../ops/ttlv.js';
import { Operation, Tag, enumName, type OperationName } from '../../ops/vocabulary.js';
import type { Attributes } from '../../vault/model.js';

interface ConnectionFlags {
  server: string;
  cert?: string;
  key?: string;
  ca?: string;
  servername?: string;
  username?: string;
  password?: string;
  json?: boolean;
  kmipVersion?: string;
  timeout?: string;
}

function read(file: string | undefined, what: string): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new KeyholdError('io', `cannot read the ${what} ${file}`);
  }
}

function readBytes(file: string | undefined, what: string): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch {
    throw new KeyholdError('io', `cannot read the ${what} ${file}`);
  }
}

/** Gets a certificate and writes it as PEM when `out` is given. */
async function saveCertificate(c: KmipClient, uid: string, out: string | undefined): Promise<Record<string, string>> {
  if (out === undefined) return {};
  const { object } = await c.get(uid);
  const der = object?.value.find((i) => i.tag === Tag.CertificateValue)?.value;
  if (!(der instanceof Uint8Array)) throw new KeyholdError('kmip', `object ${uid} has no certificate value`);
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n');
  writeFileSync(out, `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`);
  return { file: out };
}

async function connect(flags: ConnectionFlags): Promise<KmipClient> {
  const i = flags.server.lastIndexOf(':');
  const port = Number(flags.server.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port))
    throw new KeyholdError('invalid-argument', `--server must be HOST:PORT, not ${flags.server}`);
  const version = flags.kmipVersion?.split('.').map(Number);
  return KmipClient.connect({
    host: flags.server.slice(0, i),
    port,
    cert: read(flags.cert, 'certificate'),
    key: read(flags.key, 'key'),
    ca: read(flags.ca, 'CA file'),
    servername: flags.servername,
    timeoutMs: flags.timeout ? Number(flags.timeout) * 1000 : 30_000,
    ...(version && version.length === 2
      ? { version: { major: version[0] as number, minor: version[1] as number } }
      : {}),
    ...(flags.username ? { credential: { username: flags.username, password: flags.password ?? '' } } : {}),
  });
}

function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function print(flags: ConnectionFlags, value: Record<string, unknown>): void {
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(plain(value), null, 2)}\n`);
    return;
  }
  const width = Math.max(...Object.keys(value).map((k) => k.length), 4);
  for (const [k, v] of Object.entries(value)) {
    const p = plain(v);
    process.stdout.write(`${k.padEnd(width)}  ${typeof p === 'string' ? p : JSON.stringify(p)}\n`);
  }
}

/** Runs fn with a connected client, then closes it. */
function action<A extends unknown[]>(
  fn: (c: KmipClient, flags: ConnectionFlags, ...args: A) => Promise<Record<string, unknown>>,
) {
  return async (...args: unknown[]): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    const flags = cmd.optsWithGlobals<ConnectionFlags>();
    const client = await connect(flags);
    try {
      print(flags, await fn(client, flags, ...(args.slice(0, -1) as A)));
    } finally {
      await client.close();
    }
  };
}

function keyAttributes(o: { algorithm?: string; length?: string; name?: string; usage?: string }): Attributes {
  const a: Attributes = {};
  if (o.algorithm) a.CryptographicAlgorithm = [o.algorithm];
  if (o.length) a.CryptographicLength = [Number(o.length)];
  if (o.usage) a.CryptographicUsageMask = [Number(o.usage)];
  if (o.name) a.Name = [{ NameValue: o.name, NameType: 'UninterpretedTextString' }];
  return a;
}

/**
 * `keyhold kmip --server HOST:PORT --cert C --key K --ca CA <operation>`: the KMIP client on the
 * command line. Common operations have their own subcommand; `call` sends any operation with a
 * request payload written in the KMIP XML encoding.
 */
export function registerKmip(program: Command): void {
  const kmip = program
    .command('kmip')
    .description('KMIP client: run operations against a KMIP server')
    .requiredOption('--server <host:port>', 'the KMIP server')
    .option('--cert <file>', 'client certificate (PEM)')
    .option('--key <file>', 'client private key (PEM)')
    .option('--ca <file>', 'CA certificate(s) of the server (PEM)')
    .option('--servername <name>', 'name to check in the server certificate')
    .option('--username <name>', 'send a Credential (username and password)')
    .option('--password <password>', 'password of the Credential')
    .option('--kmip-version <major.minor>', 'fixed protocol version (default: negotiate)')
    .option('--timeout <seconds>', 'per request')
    .option('--json', 'print JSON instead of a table');

  kmip
    .command('discover-versions')
    .description('Negotiate the protocol version')
    .action(action(async (c) => ({ version: `${c.version.major}.${c.version.minor}` })));
  kmip
    .command('query')
    .description('Operations and object types the server supports')
    .action(action(async (c) => ({ ...(await c.query()) })));
  kmip
    .command('create')
    .description('Create a symmetric key')
    .option('--algorithm <name>', 'Cryptographic Algorithm', 'AES')
    .option('--length <bits>', 'Cryptographic Length', '256')
    .option('--usage <mask>', 'Cryptographic Usage Mask (number)', '12')
    .option('--name <name>', 'Name')
    .action(
      action(async (c, _f, o: Record<string, string>) => ({
        uniqueIdentifier: await c.create('SymmetricKey', keyAttributes(o)),
      })),
    );
  kmip
    .command('create-key-pair')
    .description('Create a key pair (RSA or EC)')
    .option('--algorithm <name>', 'RSA or EC', 'RSA')
    .option('--length <bits>', 'Cryptographic Length', '2048')
    .option('--name <name>', 'Name')
    .action(action(async (c, _f, o: Record<string, string>) => ({ ...(await c.createKeyPair(keyAttributes(o))) })));
  kmip
    .command('register-secret')
    .description('Register Secret Data (hex)')
    .argument('<hex>', 'the secret bytes in hex')
    .option('--name <name>', 'Name')
    .action(
      action(async (c, _f, hex: string, o: Record<string, string>) => ({
        uniqueIdentifier: await c.registerKey('SecretData', Buffer.from(hex, 'hex'), keyAttributes(o)),
      })),
    );
  kmip
    .command('get <uid>')
    .description('Get an object')
    .action(
      action(async (c, _f, uid: string) => {
        const g = await c.get(uid);
        return { objectType: g.objectType, keyMaterial: g.keyMaterial ?? '(structured; use --json with call Get)' };
      }),
    );
  kmip
    .command('get-attributes <uid> [names...]')
    .description('Get attributes (all, or by name)')
    .action(action(async (c, _f, uid: string, names: string[]) => ({ ...(await c.getAttributes(uid, names ?? [])) })));
  kmip
    .command('locate')
    .description('Locate objects')
    .option('--name <name>', 'by Name')
    .option('--type <ObjectType>', 'by Object Type')
    .option('--state <State>', 'by State')
    .option('--max <n>', 'Maximum Items')
    .action(
      action(async (c, _f, o: Record<string, string>) => {
        const a: Attributes = {};
        if (o.name) a.Name = [{ NameValue: o.name, NameType: 'UninterpretedTextString' }];
        if (o.type) a.ObjectType = [o.type];
        if (o.state) a.State = [o.state];
        return { uniqueIdentifiers: await c.locate(a, o.max ? { maximumItems: Number(o.max) } : {}) };
      }),
    );
  for (const [name, run] of [
    ['activate', (c: KmipClient, uid: string) => c.activate(uid)],
    ['destroy', (c: KmipClient, uid: string) => c.destroy(uid)],
  ] as const) {
    kmip
      .command(`${name} <uid>`)
      .description(`${name[0]?.toUpperCase()}${name.slice(1)} an object`)
      .action(
        action(async (c, _f, uid: string) => {
          await run(c, uid);
          return { uniqueIdentifier: uid, result: 'Success' };
        }),
      );
  }
  kmip
    .command('revoke <uid>')
    .description('Revoke an object')
    .option('--reason <code>', 'Revocation Reason Code', 'CessationOfOperation')
    .action(
      action(async (c, _f, uid: string, o: Record<string, string>) => {
        await c.revoke(uid, o.reason);
        return { uniqueIdentifier: uid, result: 'Success' };
      }),
    );
  const ciphers = [
    [
      'encrypt',
      async (c: KmipClient, uid: string, data: Buffer, p: Record<string, string>, iv: Buffer | undefined) => {
        const r = await c.encrypt(uid, data, p, iv);
        return { data: r.data, iv: r.iv ?? '' };
      },
    ],
    [
      'decrypt',
      async (c: KmipClient, uid: string, data: Buffer, p: Record<string, string>, iv: Buffer | undefined) => ({
        data: await c.decrypt(uid, data, p, iv),
      }),
    ],
  ] as const;
  for (const [name, run] of ciphers) {
    kmip
      .command(`${name} <uid> <hex>`)
      .description(`${name[0]?.toUpperCase()}${name.slice(1)} data (hex) with a symmetric key`)
      .option('--mode <BlockCipherMode>', 'block cipher mode', 'CBC')
      .option('--padding <PaddingMethod>', 'padding method', 'PKCS5')
      .option('--iv <hex>', 'IV/counter/nonce')
      .action(
        action(async (c, _f, uid: string, hex: string, o: Record<string, string>) =>
          run(
            c,
            uid,
            Buffer.from(hex, 'hex'),
            { BlockCipherMode: o.mode as string, PaddingMethod: o.padding as string },
            o.iv ? Buffer.from(o.iv, 'hex') : undefined,
          ),
        ),
      );
  }
  kmip
    .command('rng-retrieve <bytes>')
    .description('Random bytes from the server')
    .action(action(async (c, _f, n: string) => ({ data: await c.rngRetrieve(Number(n)) })));
  kmip
    .command('certify [uid]')
    .description('Certify a public key (by identifier) or a PKCS#10 request: an X.509 certificate from the server CA')
    .option('--csr <file>', 'certificate request, PEM or DER')
    .option('--subject-cn <name>', 'Certificate Subject CN (without a request)')
    .option('--name <name>', 'Name of the certificate object')
    .option('--out <file>', 'also write the certificate (PEM)')
    .action(
      action(async (c, _f, uid: string | undefined, o: Record<string, string>) => {
        const attributes: Attributes = keyAttributes({ name: o.name });
        if (o.subjectCn) attributes.CertificateSubjectCN = [o.subjectCn];
        const id = await c.certify({ uniqueIdentifier: uid, csr: readBytes(o.csr, 'certificate request'), attributes });
        return { uniqueIdentifier: id, ...(await saveCertificate(c, id, o.out)) };
      }),
    );
  kmip
    .command('recertify <uid>')
    .description('Renew a certificate (new serial and validity); the old one links to the new')
    .option('--csr <file>', 'certificate request for the same key, PEM or DER')
    .option('--offset <seconds>', 'Activation Date of the new certificate, seconds from now')
    .option('--out <file>', 'also write the certificate (PEM)')
    .action(
      action(async (c, _f, uid: string, o: Record<string, string>) => {
        const id = await c.reCertify(uid, {
          csr: readBytes(o.csr, 'certificate request'),
          ...(o.offset !== undefined ? { offsetSeconds: Number(o.offset) } : {}),
        });
        return { uniqueIdentifier: id, replaces: uid, ...(await saveCertificate(c, id, o.out)) };
      }),
    );
  kmip
    .command('export <uid>')
    .description('Export an object with its attributes (KMIP 2.x) to a file (the TTLV Export response)')
    .requiredOption('--out <file>', 'where to write it')
    .option('--wrap-key <uid>', 'wrap the key with this key (Wrap Key usage)')
    .option('--wrap-mode <BlockCipherMode>', 'AES wrapping mode: NISTKeyWrap, AESKeyWrapPadding', 'NISTKeyWrap')
    .action(
      action(async (c, _f, uid: string, o: Record<string, string>) => {
        const exported = await c.exportObject(
          uid,
          o.wrapKey
            ? { wrapping: { wrappingKey: o.wrapKey, parameters: { BlockCipherMode: o.wrapMode as string } } }
            : {},
        );
        writeFileSync(o.out as string, encodeTtlv(exported), { mode: 0o600 });
        return { uniqueIdentifier: uid, file: o.out, wrapped: o.wrapKey !== undefined };
      }),
    );
  kmip
    .command('import <file>')
    .description('Import an object written by `kmip export` (same identifier and attributes)')
    .option('--replace', 'replace an existing object with the same identifier')
    .option('--unwrap', 'unwrap a wrapped key before storing it (Key Wrap Type Not Wrapped)')
    .action(
      action(async (c, _f, file: string, o: Record<string, boolean>) => {
        const item = decodeTtlv(readBytes(file, 'export file') as Uint8Array);
        if (item.type !== ItemType.Structure)
          throw new KeyholdError('invalid-argument', `${file} is not a KMIP export`);
        const id = await c.importObject(item, {
          ...(o.replace ? { replaceExisting: true } : {}),
          ...(o.unwrap ? { keyWrapType: 'NotWrapped' as const } : {}),
        });
        return { uniqueIdentifier: id };
      }),
    );
  kmip
    .command('derive-key <uids...>')
    .description('Derive a key or Secret Data from a base object (and optionally a Secret Data object as data)')
    .requiredOption('--method <DerivationMethod>', 'PBKDF2, HASH, HMAC, ENCRYPT, NIST800_108_C, NIST800_108_F, HKDF')
    .option('--type <ObjectType>', 'SymmetricKey or SecretData', 'SymmetricKey')
    .option('--algorithm <name>', 'Cryptographic Algorithm of a derived key', 'AES')
    .option('--length <bits>', 'Cryptographic Length', '256')
    .option('--hash <HashingAlgorithm>', 'PRF / hash, e.g. SHA_256')
    .option('--mode <BlockCipherMode>', 'for ENCRYPT: ECB or CBC')
    .option('--salt <hex>', 'Salt (PBKDF2, HKDF)')
    .option('--iterations <n>', 'Iteration Count (PBKDF2)')
    .option('--data <hex>', 'Derivation Data')
    .option('--iv <hex>', 'Initialization Vector')
    .option('--usage <mask>', 'Cryptographic Usage Mask (number)')
    .option('--name <name>', 'Name')
    .action(
      action(async (c, _f, uids: string[], o: Record<string, string>) => {
        const attributes = keyAttributes(o.type === 'SecretData' ? { ...o, algorithm: undefined } : o);
        const parameters: Record<string, string> = {};
        if (o.hash) parameters.HashingAlgorithm = o.hash;
        if (o.mode) parameters.BlockCipherMode = o.mode;
        const bytes = (v: string | undefined) => (v === undefined ? undefined : Buffer.from(v, 'hex'));
        const uniqueIdentifier = await c.deriveKey({
          objectType: o.type === 'SecretData' ? 'SecretData' : 'SymmetricKey',
          baseIdentifiers: uids,
          method: o.method as string,
          parameters,
          ...(o.salt !== undefined ? { salt: bytes(o.salt) } : {}),
          ...(o.data !== undefined ? { derivationData: bytes(o.data) } : {}),
          ...(o.iv !== undefined ? { initializationVector: bytes(o.iv) } : {}),
          ...(o.iterations !== undefined ? { iterationCount: Number(o.iterations) } : {}),
          attributes,
        });
        return { uniqueIdentifier };
      }),
    );
  kmip
    .command('create-split-key')
    .description('Split a key into parts (a new one, or --uid an existing one)')
    .requiredOption('--parts <n>', 'Split Key Parts')
    .requiredOption('--threshold <k>', 'Split Key Threshold (XOR: equal to the parts)')
    .option('--method <SplitKeyMethod>', 'XOR or PolynomialSharingGF_2_8', 'PolynomialSharingGF_2_8')
    .option('--uid <uid>', 'the key to split')
    .option('--type <ObjectType>', 'what is split: SymmetricKey or SecretData', 'SymmetricKey')
    .option('--algorithm <name>', 'Cryptographic Algorithm of a new key', 'AES')
    .option('--length <bits>', 'Cryptographic Length of a new key', '256')
    .option('--usage <mask>', 'Cryptographic Usage Mask of the parts (number)')
    .option('--name <name>', 'Name of the parts')
    .action(
      action(async (c, _f, o: Record<string, string>) => {
        const attributes =
          o.uid !== undefined
            ? keyAttributes({ name: o.name, usage: o.usage })
            : keyAttributes(o.type === 'SecretData' ? { ...o, algorithm: undefined } : o);
        return {
          uniqueIdentifiers: await c.createSplitKey({
            objectType: o.type ?? 'SymmetricKey',
            ...(o.uid !== undefined ? { uniqueIdentifier: o.uid } : {}),
            parts: Number(o.parts),
            threshold: Number(o.threshold),
            method: o.method as string,
            attributes,
          }),
        };
      }),
    );
  kmip
    .command('join-split-key <uids...>')
    .description('Join split key parts back into a key or Secret Data')
    .option('--type <ObjectType>', 'SymmetricKey or SecretData', 'SymmetricKey')
    .option('--secret-data-type <type>', 'Password or Seed (Secret Data)')
    .option('--usage <mask>', 'Cryptographic Usage Mask (number)')
    .option('--name <name>', 'Name')
    .action(
      action(async (c, _f, uids: string[], o: Record<string, string>) => ({
        uniqueIdentifier: await c.joinSplitKey({
          objectType: o.type === 'SecretData' ? 'SecretData' : 'SymmetricKey',
          uniqueIdentifiers: uids,
          ...(o.secretDataType !== undefined ? { secretDataType: o.secretDataType } : {}),
          attributes: keyAttributes({ name: o.name, usage: o.usage }),
        }),
      })),
    );
  kmip
    .command('pkcs11-info')
    .description("The server's PKCS#11 library information (PKCS#11 operation: C_Initialize, C_GetInfo, C_Finalize)")
    .action(
      action(async (c) => {
        const pkcs11 = async (fn: number, correlation?: Uint8Array) => {
          const out = await c.call('PKCS_11', [
            t.enm(Tag.PKCS_11Function, fn),
            correlation === undefined ? undefined : t.bytes(Tag.CorrelationValue, correlation),
          ]);
          const rv = out.value.find((i) => i.tag === Tag.PKCS_11ReturnCode)?.value;
          if (rv !== 0)
            throw new KeyholdError('kmip', `PKCS#11 function ${fn}: ${enumName('PKCS_11ReturnCode', Number(rv))}`);
          return out;
        };
        const init = await pkcs11(1); // C_Initialize
        const correlation = init.value.find((i) => i.tag === Tag.CorrelationValue)?.value;
        if (!(correlation instanceof Uint8Array))
          throw new KeyholdError('kmip', 'C_Initialize answered no Correlation Value');
        let info: StructureItem;
        try {
          info = await pkcs11(3, correlation); // C_GetInfo
        } catch (e) {
          // End the session, but report what went wrong with C_GetInfo, not a later C_Finalize error.
          await pkcs11(2, correlation).catch(() => undefined);
          throw e;
        }
        await pkcs11(2, correlation); // C_Finalize
        const bytes = info.value.find((i) => i.tag === Tag.PKCS_11OutputParameters)?.value;
        const ck = bytes instanceof Uint8Array ? decodeCkInfo(bytes) : undefined;
        if (ck === undefined) throw new KeyholdError('kmip', 'C_GetInfo answered no CK_INFO');
        return {
          cryptokiVersion: `${ck.cryptokiVersion.major}.${ck.cryptokiVersion.minor}`,
          manufacturerID: ck.manufacturerID,
          libraryDescription: ck.libraryDescription,
          libraryVersion: `${ck.libraryVersion.major}.${ck.libraryVersion.minor}`,
          flags: ck.flags,
        };
      }),
    );
  kmip
    .command('call <operation> [payload-xml]')
    .description('Any operation: the Request Payload in the KMIP XML encoding (a file), printed back as KMIP JSON')
    .action(
      action(async (c, _f, operation: string, file: string | undefined) => {
        if (!(operation in Operation)) throw new KeyholdError('invalid-argument', `unknown operation ${operation}`);
        let payload: TtlvItem[] = [];
        if (file !== undefined) {
          const item = parseKmipXmlItem(read(file, 'payload file') as string);
          payload = item.type === ItemType.Structure ? item.value : [item];
        }
        const out: StructureItem = await c.call(operation as OperationName, payload);
        return {
          response: JSON.parse(
            writeKmipJson(t.struct(Tag.ResponsePayload, out.value), { major: c.version.major }),
          ) as unknown,
        };
      }),
    );
}
