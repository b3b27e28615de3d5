import { Tag } from '../registry/index.js';
import { ItemType, type TtlvItem } from '../ttlv/item.js';
import { MessageError } from './errors.js';
import { asEnumeration, asInteger, asStructure, asText, Fields, item } from './fields.js';
import type { Authentication, Credential, ProtocolVersion } from './types.js';

/** Protocol Version (1.4 section 6.1). */
export function parseProtocolVersion(f: TtlvItem): ProtocolVersion {
  const fields = new Fields(asStructure(f));
  return {
    major: asInteger(fields.required(Tag.ProtocolVersionMajor)),
    minor: asInteger(fields.required(Tag.ProtocolVersionMinor)),
  };
}

export function protocolVersionItem(v: ProtocolVersion): TtlvItem {
  return item.structure(Tag.ProtocolVersion, [
    item.integer(Tag.ProtocolVersionMajor, v.major),
    item.integer(Tag.ProtocolVersionMinor, v.minor),
  ]);
}

/** Authentication (1.4 section 6.6) with its Credentials (section 2.1.2). */
export function parseAuthentication(f: TtlvItem): Authentication {
  const fields = new Fields(asStructure(f));
  const credentials = fields.all(Tag.Credential).map(parseCredential);
  if (credentials.length === 0) throw new MessageError('Authentication has no Credential', Tag.Authentication);
  return { credentials };
}

function parseCredential(f: TtlvItem): Credential {
  const fields = new Fields(asStructure(f));
  const type = asEnumeration(fields.required(Tag.CredentialType));
  const value = fields.required(Tag.CredentialValue);
  if (type === 'UsernameAndPassword') {
    const v = new Fields(asStructure(value));
    const password = v.one(Tag.Password);
    return {
      credentialType: type,
      username: asText(v.required(Tag.Username)),
      ...(password === undefined ? {} : { password: asText(password) }),
    };
  }
  return {
    credentialType: type as Exclude<Credential['credentialType'], 'UsernameAndPassword'>,
    credentialValue: value,
  };
}

export function authenticationItem(a: Authentication): TtlvItem {
  return item.structure(
    Tag.Authentication,
    a.credentials.map((c) =>
      item.structure(Tag.Credential, [
        item.enumeration(Tag.CredentialType, c.credentialType),
        c.credentialType === 'UsernameAndPassword'
          ? item.structure(Tag.CredentialValue, [
              item.text(Tag.Username, c.username),
              c.password === undefined ? undefined : item.text(Tag.Password, c.password),
            ])
          : { ...c.credentialValue, tag: Tag.CredentialValue },
      ]),
    ),
  );
}

/** Attestation Type values (enumeration names). */
export function parseAttestationTypes(fields: Fields): string[] | undefined {
  const all = fields.all(Tag.AttestationType);
  return all.length === 0 ? undefined : all.map((f) => asEnumeration(f));
}

/** Asynchronous Indicator: a Boolean in 1.x, an enumeration in 2.x. */
export function parseAsynchronousIndicator(f: TtlvItem): boolean | string {
  return f.type === ItemType.Boolean ? f.value : asEnumeration(f);
}

export function asynchronousIndicatorItem(v: boolean | string): TtlvItem {
  return typeof v === 'boolean'
    ? item.boolean(Tag.AsynchronousIndicator, v)
    : item.enumeration(Tag.AsynchronousIndicator, v);
}
