import { KeyholdError } from '../../shared/errors.js';
import { ItemType, decodeTtlv, encodeTtlv, type StructureItem, type TtlvItem } from '../kmip/ttlv/index.js';
import { attributesToWire, attributesFromV1, attributesFromV2 } from '../ops/attributes.js';
import type { ProtocolVersion } from '../ops/context.js';
import { find, findAll, findBytes, findEnum, findInt, findStruct, findText, t } from '../ops/ttlv.js';
import {
  BatchErrorContinuationOption,
  Operation,
  ResultReason,
  ResultStatus,
  Tag,
  enumName,
  enumValue,
  type OperationName,
} from '../ops/vocabulary.js';
import type { Attributes } from '../vault/model.js';
import { KmipConnection, type ConnectionOptions } from './connection.js';

export interface KmipClientOptions extends ConnectionOptions {
  /** Versions to offer in DiscoverVersions, most preferred first; default 2.1 down to 1.0. */
  versions?: ProtocolVersion[];
  /** Fixed version (no negotiation). */
  version?: ProtocolVersion;
  /** Optional Credential (Username and Password) sent in every request header. */
  credential?: { username: string; password: string };
  /** Reconnect once when the connection was lost between requests (default true). */
  reconnect?: boolean;
}

export interface BatchRequestItem {
  operation: OperationName;
  payload: (TtlvItem | undefined)[];
}

export interface BatchResult {
  operation: OperationName | undefined;
  status: 'Success' | 'OperationFailed' | 'OperationPending' | 'OperationUndone';
  reason?: string;
  message?: string;
  payload: StructureItem | undefined;
}

const allVersions: ProtocolVersion[] = [
  { major: 2, minor: 1 },
  { major: 2, minor: 0 },
  { major: 1, minor: 4 },
  { major: 1, minor: 3 },
  { major: 1, minor: 2 },
  { major: 1, minor: 1 },
  { major: 1, minor: 0 },
];

const operationByValue = new Map<number, OperationName>(
  Object.entries(Operation).map(([k, v]) => [v, k as OperationName]),
);
const reasonByValue = new Map<number, string>(Object.entries(ResultReason).map(([k, v]) => [v, k]));
const statusByValue = new Map<number, BatchResult['status']>(
  Object.entries(ResultStatus).map(([k, v]) => [v, k as BatchResult['status']]),
);

/** A failed KMIP operation: the server's Result Reason (by name) and Result Message. */
export class KmipOperationError extends KeyholdError {
  constructor(
    readonly operation: string,
    readonly resultReason: string,
    readonly resultMessage: string | undefined,
  ) {
    super('kmip', `${operation} failed: ${resultReason}${resultMessage ? ` (${resultMessage})` : ''}`, {
      reason: resultReason.replace(/([a-z])([A-Z])/g, '$1 $2'),
    });
  }
}

/**
 * A KMIP client over TLS: version negotiation (Discover Versions), batches, timeouts and one
 * reconnect when the connection dropped between requests. Operations are thin helpers over
 * `call`, which sends one batch item and returns its response payload or throws KmipOperationError.
 */
export class KmipClient {
  private connection: KmipConnection | undefined;
  private negotiated: ProtocolVersion;

  private constructor(private readonly options: KmipClientOptions) {
    this.negotiated = options.version ?? { major: 1, minor: 4 };
  }

  static async connect(options: KmipClientOptions): Promise<KmipClient> {
    const c = new KmipClient(options);
    c.connection = await KmipConnection.open(options);
    if (!options.version) await c.negotiate();
    return c;
  }

  get version(): ProtocolVersion {
    return this.negotiated;
  }

  /** Discover Versions in 1.0 framing (every server reads it); adopts the server's first pick. */
  async negotiate(): Promise<ProtocolVersion> {
    const offer = this.options.versions ?? allVersions;
    const saved = this.negotiated;
    this.negotiated = { major: 1, minor: 0 };
    try {
      const [r] = await this.batch([
        {
          operation: 'DiscoverVersions',
          payload: offer.map((v) =>
            t.struct(Tag.ProtocolVersion, [
              t.int(Tag.ProtocolVersionMajor, v.major),
              t.int(Tag.ProtocolVersionMinor, v.minor),
            ]),
          ),
        },
      ]);
      const first = r?.status === 'Success' ? findStruct(r.payload, Tag.ProtocolVersion) : undefined;
      const major = findInt(first, Tag.ProtocolVersionMajor);
      const minor = findInt(first, Tag.ProtocolVersionMinor);
      this.negotiated = major !== undefined && minor !== undefined ? { major, minor } : saved;
    } catch (e) {
      this.negotiated = saved;
      throw e;
    }
    return this.negotiated;
  }

  /** Sends several operations in one message (Unique Batch Item IDs set); results in order. */
  async batch(
    items: BatchRequestItem[],
    options: { continueOnError?: boolean; maximumResponseSize?: number } = {},
  ): Promise<BatchResult[]> {
    const v = this.negotiated;
    const many = items.length > 1;
    const cred = this.options.credential;
    const header = t.struct(Tag.RequestHeader, [
      t.struct(Tag.ProtocolVersion, [
        t.int(Tag.ProtocolVersionMajor, v.major),
        t.int(Tag.ProtocolVersionMinor, v.minor),
      ]),
      options.maximumResponseSize !== undefined
        ? t.int(Tag.MaximumResponseSize, options.maximumResponseSize)
        : undefined,
      cred
        ? t.struct(Tag.Authentication, [
            t.struct(Tag.Credential, [
              t.enm(Tag.CredentialType, 1),
              t.struct(Tag.CredentialValue, [t.text(Tag.Username, cred.username), t.text(Tag.Password, cred.password)]),
            ]),
          ])
        : undefined,
      many && options.continueOnError
        ? t.enm(Tag.BatchErrorContinuationOption, BatchErrorContinuationOption.Continue)
        : undefined,
      t.int(Tag.BatchCount, items.length),
    ]);
    const message = t.struct(Tag.RequestMessage, [
      header,
      ...items.map((item, i) =>
        t.struct(Tag.BatchItem, [
          t.enm(Tag.Operation, Operation[item.operation]),
          many ? t.bytes(Tag.UniqueBatchItemID, Buffer.from([i])) : undefined,
          t.struct(Tag.RequestPayload, item.payload),
        ]),
      ),
    ]);
    const response = decodeTtlv(await this.send(encodeTtlv(message)));
    if (response.type !== ItemType.Structure || response.tag !== Tag.ResponseMessage) {
      throw new KeyholdError('kmip', 'the server did not answer with a Response Message');
    }
    return findAll(response, Tag.BatchItem).map((b): BatchResult => {
      const s = b.type === ItemType.Structure ? b : undefined;
      const op = findEnum(s, Tag.Operation);
      const reason = findEnum(s, Tag.ResultReason);
      return {
        operation: op !== undefined ? operationByValue.get(op) : undefined,
        status: statusByValue.get(findEnum(s, Tag.ResultStatus) ?? 1) ?? 'OperationFailed',
        reason: reason !== undefined ? (reasonByValue.get(reason) ?? `0x${reason.toString(16)}`) : undefined,
        message: findText(s, Tag.ResultMessage),
        payload: findStruct(s, Tag.ResponsePayload),
      };
    });
  }

  /** One operation; its response payload, or KmipOperationError. */
  async call(operation: OperationName, payload: (TtlvItem | undefined)[]): Promise<StructureItem> {
    const [r] = await this.batch([{ operation, payload }]);
    if (!r) throw new KeyholdError('kmip', `${operation}: empty response`);
    if (r.status !== 'Success') throw new KmipOperationError(operation, r.reason ?? 'GeneralFailure', r.message);
    return r.payload ?? t.struct(Tag.ResponsePayload, []);
  }

  private async send(bytes: Uint8Array): Promise<Buffer> {
    if ((!this.connection || !this.connection.isOpen) && this.options.reconnect !== false) {
      this.connection = await KmipConnection.open(this.options);
    }
    if (!this.connection) throw new KeyholdError('io', 'not connected');
    return this.connection.request(bytes);
  }

  close(): Promise<void> {
    return this.connection?.close() ?? Promise.resolve();
  }

  // ---- attribute helpers --------------------------------------------------------------------

  /** Attributes in the negotiated version's form, under `v1Tag` (Template Attribute) or `v2Tag` (Attributes). */
  attributesItem(attrs: Attributes, v1Tag: number = Tag.TemplateAttribute, v2Tag: number = Tag.Attributes): TtlvItem {
    const wire = attributesToWire(attrs, this.negotiated);
    return t.struct(this.negotiated.major >= 2 ? v2Tag : v1Tag, wire);
  }

  readAttributes(payload: StructureItem): Attributes {
    return this.negotiated.major >= 2
      ? attributesFromV2(findStruct(payload, Tag.Attributes))
      : attributesFromV1(payload);
  }

  // ---- operations ---------------------------------------------------------------------------

  async create(objectType: string, attrs: Attributes): Promise<string> {
    const p = await this.call('Create', [
      t.enm(Tag.ObjectType, enumValue('ObjectType', objectType) ?? 2),
      this.attributesItem(attrs),
    ]);
    return uid(p);
  }

  async createKeyPair(
    common: Attributes,
    privateAttrs: Attributes = {},
    publicAttrs: Attributes = {},
  ): Promise<{ privateKey: string; publicKey: string }> {
    const p = await this.call('CreateKeyPair', [
      this.attributesItem(common, Tag.CommonTemplateAttribute, Tag.CommonAttributes),
      this.attributesItem(privateAttrs, Tag.PrivateKeyTemplateAttribute, Tag.PrivateKeyAttributes),
      this.attributesItem(publicAttrs, Tag.PublicKeyTemplateAttribute, Tag.PublicKeyAttributes),
    ]);
    return {
      privateKey: findText(p, Tag.PrivateKeyUniqueIdentifier) ?? '',
      publicKey: findText(p, Tag.PublicKeyUniqueIdentifier) ?? '',
    };
  }

  /** Register a symmetric key (Raw) or secret data. */
  async registerKey(
    objectType: 'SymmetricKey' | 'SecretData',
    material: Uint8Array,
    attrs: Attributes,
    algorithm = 'AES',
  ): Promise<string> {
    const keyBlock = t.struct(Tag.KeyBlock, [
      t.enm(Tag.KeyFormatType, enumValue('KeyFormatType', objectType === 'SecretData' ? 'Opaque' : 'Raw') as number),
      t.struct(Tag.KeyValue, [t.bytes(Tag.KeyMaterial, material)]),
      objectType === 'SymmetricKey'
        ? t.enm(Tag.CryptographicAlgorithm, enumValue('CryptographicAlgorithm', algorithm) ?? 3)
        : undefined,
      objectType === 'SymmetricKey' ? t.int(Tag.CryptographicLength, material.length * 8) : undefined,
    ]);
    const object =
      objectType === 'SecretData'
        ? t.struct(Tag.SecretData, [t.enm(Tag.SecretDataType, 1), keyBlock])
        : t.struct(Tag.SymmetricKey, [keyBlock]);
    const p = await this.call('Register', [
      t.enm(Tag.ObjectType, enumValue('ObjectType', objectType) as number),
      this.attributesItem(attrs),
      object,
    ]);
    return uid(p);
  }

  /** Get: the object structure (the caller reads the Key Block), plus the key bytes when Raw/Opaque. */
  async get(
    uniqueIdentifier: string,
  ): Promise<{ objectType: string; object: StructureItem | undefined; keyMaterial: Uint8Array | undefined }> {
    const p = await this.call('Get', [t.text(Tag.UniqueIdentifier, uniqueIdentifier)]);
    const type = enumName('ObjectType', findEnum(p, Tag.ObjectType) ?? 0);
    const object = p.value.find((i): i is StructureItem => i.type === ItemType.Structure);
    // A wrapped key's Key Value is a Byte String (no Key Material to show).
    const keyValue = find(findStruct(object, Tag.KeyBlock), Tag.KeyValue);
    const keyMaterial = keyValue?.type === ItemType.Structure ? findBytes(keyValue, Tag.KeyMaterial) : undefined;
    return { objectType: type, object, keyMaterial };
  }

  async getAttributes(uniqueIdentifier: string, names: string[] = []): Promise<Attributes> {
    const refs =
      this.negotiated.major >= 2
        ? names.map((n) => t.enm(Tag.AttributeReference, (Tag as Record<string, number>)[n] ?? 0))
        : names.map((n) => t.text(Tag.AttributeName, n.replace(/([a-z0-9])([A-Z])/g, '$1 $2')));
    const p = await this.call('GetAttributes', [t.text(Tag.UniqueIdentifier, uniqueIdentifier), ...refs]);
    return this.readAttributes(p);
  }

  async locate(attrs: Attributes, options: { maximumItems?: number; offsetItems?: number } = {}): Promise<string[]> {
    const filter =
      this.negotiated.major >= 2
        ? [t.struct(Tag.Attributes, attributesToWire(attrs, this.negotiated))]
        : attributesToWire(attrs, this.negotiated);
    const p = await this.call('Locate', [
      options.maximumItems !== undefined ? t.int(Tag.MaximumItems, options.maximumItems) : undefined,
      options.offsetItems !== undefined ? t.int(Tag.OffsetItems, options.offsetItems) : undefined,
      ...filter,
    ]);
    return findAll(p, Tag.UniqueIdentifier).flatMap((i) => (i.type === ItemType.TextString ? [i.value] : []));
  }

  async activate(uniqueIdentifier: string): Promise<void> {
    await this.call('Activate', [t.text(Tag.UniqueIdentifier, uniqueIdentifier)]);
  }

  async revoke(uniqueIdentifier: string, code = 'CessationOfOperation', message?: string): Promise<void> {
    await this.call('Revoke', [
      t.text(Tag.UniqueIdentifier, uniqueIdentifier),
      t.struct(Tag.RevocationReason, [
        t.enm(Tag.RevocationReasonCode, enumValue('RevocationReasonCode', code) ?? 1),
        message !== undefined ? t.text(Tag.RevocationMessage, message) : undefined,
      ]),
    ]);
  }

  async destroy(uniqueIdentifier: string): Promise<void> {
    await this.call('Destroy', [t.text(Tag.UniqueIdentifier, uniqueIdentifier)]);
  }

  /** Encrypt with Cryptographic Parameters by name (e.g. { BlockCipherMode: 'CBC', PaddingMethod: 'PKCS5' }). */
  async encrypt(
    uniqueIdentifier: string,
    data: Uint8Array,
    params: Record<string, string> = {},
    iv?: Uint8Array,
  ): Promise<{ data: Uint8Array; iv?: Uint8Array }> {
    const p = await this.call('Encrypt', [
      t.text(Tag.UniqueIdentifier, uniqueIdentifier),
      cryptoParams(params),
      t.bytes(Tag.Data, data),
      iv ? t.bytes(Tag.IVCounterNonce, iv) : undefined,
    ]);
    return { data: findBytes(p, Tag.Data) ?? new Uint8Array(), iv: findBytes(p, Tag.IVCounterNonce) ?? iv };
  }

  async decrypt(
    uniqueIdentifier: string,
    data: Uint8Array,
    params: Record<string, string> = {},
    iv?: Uint8Array,
  ): Promise<Uint8Array> {
    const p = await this.call('Decrypt', [
      t.text(Tag.UniqueIdentifier, uniqueIdentifier),
      cryptoParams(params),
      t.bytes(Tag.Data, data),
      iv ? t.bytes(Tag.IVCounterNonce, iv) : undefined,
    ]);
    return findBytes(p, Tag.Data) ?? new Uint8Array();
  }

  async query(): Promise<{ operations: string[]; objectTypes: string[]; vendor: string | undefined }> {
    const p = await this.call('Query', [
      t.enm(Tag.QueryFunction, 1),
      t.enm(Tag.QueryFunction, 2),
      t.enm(Tag.QueryFunction, 3),
    ]);
    return {
      operations: findAll(p, Tag.Operation).map((o) =>
        o.type === ItemType.Enumeration ? (operationByValue.get(o.value) ?? String(o.value)) : '',
      ),
      objectTypes: findAll(p, Tag.ObjectType).map((o) =>
        o.type === ItemType.Enumeration ? enumName('ObjectType', o.value) : '',
      ),
      vendor: findText(p, Tag.VendorIdentification),
    };
  }

  async rngRetrieve(length: number): Promise<Uint8Array> {
    const p = await this.call('RNGRetrieve', [t.int(Tag.DataLength, length)]);
    return findBytes(p, Tag.Data) ?? new Uint8Array();
  }

  /** Derive Key (KMIP 1.4 section 4.6 / 2.1 section 6.1.14): the derived object's Unique Identifier. */
  async deriveKey(r: DeriveKeyRequest): Promise<string> {
    const p = await this.call('DeriveKey', [
      t.enm(Tag.ObjectType, enumValue('ObjectType', r.objectType) as number),
      ...r.baseIdentifiers.map((u) => t.text(Tag.UniqueIdentifier, u)),
      t.enm(Tag.DerivationMethod, enumValue('DerivationMethod', r.method) ?? 0),
      t.struct(Tag.DerivationParameters, [
        cryptoParams(r.parameters ?? {}),
        r.initializationVector ? t.bytes(Tag.InitializationVector, r.initializationVector) : undefined,
        r.derivationData ? t.bytes(Tag.DerivationData, r.derivationData) : undefined,
        r.salt ? t.bytes(Tag.Salt, r.salt) : undefined,
        r.iterationCount !== undefined ? t.int(Tag.IterationCount, r.iterationCount) : undefined,
      ]),
      this.attributesItem(r.attributes),
    ]);
    return uid(p);
  }

  /** Create Split Key (1.4 section 4.38 / 2.1 section 6.1.10): the parts' Unique Identifiers, part 1 first. */
  async createSplitKey(r: CreateSplitKeyRequest): Promise<string[]> {
    const p = await this.call('CreateSplitKey', [
      t.enm(Tag.ObjectType, enumValue('ObjectType', r.objectType ?? 'SymmetricKey') as number),
      r.uniqueIdentifier !== undefined ? t.text(Tag.UniqueIdentifier, r.uniqueIdentifier) : undefined,
      t.int(Tag.SplitKeyParts, r.parts),
      t.int(Tag.SplitKeyThreshold, r.threshold),
      t.enm(Tag.SplitKeyMethod, enumValue('SplitKeyMethod', r.method) ?? 0),
      r.primeFieldSize !== undefined ? t.big(Tag.PrimeFieldSize, r.primeFieldSize) : undefined,
      this.attributesItem(r.attributes ?? {}),
    ]);
    return findAll(p, Tag.UniqueIdentifier).flatMap((i) => (i.type === ItemType.TextString ? [i.value] : []));
  }

  /** Join Split Key (1.4 section 4.39 / 2.1 section 6.1.27): the joined object's Unique Identifier. */
  async joinSplitKey(r: JoinSplitKeyRequest): Promise<string> {
    const p = await this.call('JoinSplitKey', [
      t.enm(Tag.ObjectType, enumValue('ObjectType', r.objectType) as number),
      ...r.uniqueIdentifiers.map((u) => t.text(Tag.UniqueIdentifier, u)),
      r.secretDataType !== undefined
        ? t.enm(Tag.SecretDataType, enumValue('SecretDataType', r.secretDataType) ?? 2)
        : undefined,
      r.attributes ? this.attributesItem(r.attributes) : undefined,
    ]);
    return uid(p);
  }

  /**
   * Certify (KMIP 1.4 section 4.7 / 2.1 section 6.1.6): a certificate for a public key (by its
   * Unique Identifier) or for a PKCS#10 request (DER, or PEM); the new certificate's identifier.
   */
  async certify(o: { uniqueIdentifier?: string; csr?: Uint8Array; attributes?: Attributes }): Promise<string> {
    const p = await this.call('Certify', [
      o.uniqueIdentifier !== undefined ? t.text(Tag.UniqueIdentifier, o.uniqueIdentifier) : undefined,
      ...this.certificateRequestItems(o.csr),
      o.attributes ? this.attributesItem(o.attributes) : undefined,
    ]);
    return uid(p);
  }

  /** Re-certify (KMIP 1.4 section 4.8 / 2.1 section 6.1.45): a renewed certificate; Offset in seconds. */
  async reCertify(
    uniqueIdentifier: string,
    o: { csr?: Uint8Array; offsetSeconds?: number; attributes?: Attributes } = {},
  ): Promise<string> {
    const p = await this.call('ReCertify', [
      t.text(Tag.UniqueIdentifier, uniqueIdentifier),
      ...this.certificateRequestItems(o.csr),
      o.offsetSeconds !== undefined ? t.interval(Tag.Offset, o.offsetSeconds) : undefined,
      o.attributes ? this.attributesItem(o.attributes) : undefined,
    ]);
    return uid(p);
  }

  private certificateRequestItems(csr: Uint8Array | undefined): TtlvItem[] {
    if (!csr) return [];
    const pem = Buffer.from(csr.subarray(0, 11)).toString('latin1') === '-----BEGIN ';
    return [
      t.enm(Tag.CertificateRequestType, pem ? 3 : 2),
      t.bytes(this.negotiated.major >= 2 ? Tag.CertificateRequestValue : Tag.CertificateRequest, csr),
    ];
  }

  /**
   * Get with a Key Wrapping Specification: the key wrapped by another key (an AES key with Wrap
   * Key usage: NISTKeyWrap, AESKeyWrapPadding; or an RSA public key: PaddingMethod OAEP).
   */
  async getWrapped(
    uniqueIdentifier: string,
    wrapping: KeyWrapping,
  ): Promise<{ objectType: string; object: StructureItem | undefined; wrappedKey: Uint8Array | undefined }> {
    const p = await this.call('Get', [
      t.text(Tag.UniqueIdentifier, uniqueIdentifier),
      keyWrappingSpecification(wrapping),
    ]);
    const object = p.value.find((i): i is StructureItem => i.type === ItemType.Structure);
    return {
      objectType: enumName('ObjectType', findEnum(p, Tag.ObjectType) ?? 0),
      object,
      wrappedKey: wrappedBytes(find(findStruct(object, Tag.KeyBlock), Tag.KeyValue)),
    };
  }

  /**
   * Export (KMIP 2.1 section 6.1.18): the object with all its attributes, optionally wrapped; the
   * Response Payload as is, ready for `importObject` on another server.
   */
  async exportObject(uniqueIdentifier: string, o: { wrapping?: KeyWrapping } = {}): Promise<StructureItem> {
    return this.call('Export', [
      t.text(Tag.UniqueIdentifier, uniqueIdentifier),
      o.wrapping ? keyWrappingSpecification(o.wrapping) : undefined,
    ]);
  }

  /**
   * Import of an Export Response Payload, under its Unique Identifier, in the negotiated version's
   * form: 2.x (KMIP 2.1 section 6.1.25: Object Type and one Attributes structure) or 1.4 (section
   * 4.40: no Object Type, one Attribute structure per attribute). An export taken in either form
   * imports in either.
   */
  async importObject(
    exported: StructureItem,
    o: { replaceExisting?: boolean; keyWrapType?: 'NotWrapped' | 'AsRegistered' } = {},
  ): Promise<string> {
    const uniqueIdentifier = findText(exported, Tag.UniqueIdentifier);
    const objectType = findEnum(exported, Tag.ObjectType);
    const object = exported.value.find(
      (i) => i.type === ItemType.Structure && i.tag !== Tag.Attributes && i.tag !== Tag.Attribute,
    );
    if (uniqueIdentifier === undefined || !object)
      throw new KeyholdError('invalid-argument', 'not an Export response: Unique Identifier or object missing');
    const v1 = this.version.major < 2;
    if (!v1 && objectType === undefined)
      throw new KeyholdError('invalid-argument', 'not an Export response: Object Type missing');
    const given = findStruct(exported, Tag.Attributes);
    const attributes = given !== undefined ? attributesFromV2(given) : attributesFromV1(exported);
    const p = await this.call('Import', [
      t.text(Tag.UniqueIdentifier, uniqueIdentifier),
      v1 ? undefined : t.enm(Tag.ObjectType, objectType as number),
      o.replaceExisting !== undefined ? t.bool(Tag.ReplaceExisting, o.replaceExisting) : undefined,
      o.keyWrapType ? t.enm(Tag.KeyWrapType, enumValue('KeyWrapType', o.keyWrapType) ?? 1) : undefined,
      ...(v1
        ? attributesToWire(attributes, this.version)
        : [given ?? t.struct(Tag.Attributes, attributesToWire(attributes, this.version))]),
      object,
    ]);
    return uid(p);
  }
}

/** Field order of Cryptographic Parameters (KMIP 1.4 section 3.6); strict parsers (PyKMIP) need it. */
const cryptoParamOrder = [
  'BlockCipherMode',
  'PaddingMethod',
  'HashingAlgorithm',
  'KeyRoleType',
  'DigitalSignatureAlgorithm',
  'CryptographicAlgorithm',
  'RandomIV',
  'IVLength',
  'TagLength',
  'FixedFieldLength',
  'InvocationFieldLength',
  'CounterLength',
  'InitialCounterValue',
  'SaltLength',
  'MaskGenerator',
  'MaskGeneratorHashingAlgorithm',
];

function cryptoParams(params: Record<string, string>): TtlvItem | undefined {
  const entries = Object.entries(params).sort(([a], [b]) => cryptoParamOrder.indexOf(a) - cryptoParamOrder.indexOf(b));
  if (entries.length === 0) return undefined;
  return t.struct(
    Tag.CryptographicParameters,
    entries.map(([k, v]) => t.enm((Tag as Record<string, number>)[k] ?? 0, enumValue(k, v) ?? 0)),
  );
}

/** A Key Wrapping Specification (Wrapping Method Encrypt): the wrapping key and how to wrap. */
export interface KeyWrapping {
  wrappingKey: string;
  /** Cryptographic Parameters by name, e.g. { BlockCipherMode: 'NISTKeyWrap' } or { PaddingMethod: 'OAEP', HashingAlgorithm: 'SHA_256' }. */
  parameters?: Record<string, string>;
  /** Default (absent): TTLV Encoding of the Key Value, as the spec says. */
  encoding?: 'NoEncoding' | 'TTLVEncoding';
  /** Attribute names (as 1.x spells them) to wrap with the key material (TTLV Encoding only). */
  attributeNames?: string[];
}

/** A wrapped Key Value: a Byte String per the spec; PyKMIP's server puts it in Key Material inside a Structure. */
function wrappedBytes(keyValue: TtlvItem | undefined): Uint8Array | undefined {
  if (keyValue?.type === ItemType.ByteString) return keyValue.value;
  return keyValue?.type === ItemType.Structure ? findBytes(keyValue, Tag.KeyMaterial) : undefined;
}

function keyWrappingSpecification(w: KeyWrapping): TtlvItem {
  return t.struct(Tag.KeyWrappingSpecification, [
    t.enm(Tag.WrappingMethod, 1),
    t.struct(Tag.EncryptionKeyInformation, [
      t.text(Tag.UniqueIdentifier, w.wrappingKey),
      cryptoParams(w.parameters ?? {}),
    ]),
    ...(w.attributeNames ?? []).map((n) => t.text(Tag.AttributeName, n)),
    w.encoding ? t.enm(Tag.EncodingOption, enumValue('EncodingOption', w.encoding) ?? 1) : undefined,
  ]);
}

/** A Derive Key request; names are KMIP's normalized enumeration names ("PBKDF2", "NIST800_108_C"). */
export interface DeriveKeyRequest {
  objectType: 'SymmetricKey' | 'SecretData';
  /** The derivation key, then optionally a Secret Data object holding the Derivation Data. */
  baseIdentifiers: string[];
  method: string;
  /** Cryptographic Parameters by name, e.g. { HashingAlgorithm: 'SHA_256' }. */
  parameters?: Record<string, string>;
  initializationVector?: Uint8Array;
  derivationData?: Uint8Array;
  salt?: Uint8Array;
  iterationCount?: number;
  /** Cryptographic Length (always), Cryptographic Algorithm (for a key), and any others. */
  attributes: Attributes;
}

export interface CreateSplitKeyRequest {
  /** What is split: SymmetricKey (default) or SecretData. */
  objectType?: string;
  /** An existing key to split; without it the server makes one from the attributes. */
  uniqueIdentifier?: string;
  parts: number;
  threshold: number;
  /** "XOR" or "PolynomialSharingGF_2_8" (Keyhold's server); others a server may know. */
  method: string;
  primeFieldSize?: bigint;
  attributes?: Attributes;
}

export interface JoinSplitKeyRequest {
  objectType: 'SymmetricKey' | 'SecretData';
  uniqueIdentifiers: string[];
  /** For Secret Data: "Password" or "Seed". */
  secretDataType?: string;
  attributes?: Attributes;
}

function uid(p: StructureItem): string {
  const u = find(p, Tag.UniqueIdentifier);
  if (u?.type !== ItemType.TextString) throw new KeyholdError('kmip', 'the response has no Unique Identifier');
  return u.value;
}
