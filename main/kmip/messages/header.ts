import { MessageTag } from './tags.js';
import { ItemType, type TtlvItem } from '../ttlv/item.js';
import { MessageError } from './errors.js';
import { asEnumeration, asInteger, asStructure, asText, Fields, item } from './fields.js';
import type { Authentication, Credential, ProtocolVersion } from './types.js';

/** Protocol Version (1.4 section 6.1). */
export function parseProtocolVersion(f: TtlvItem): ProtocolVersion {
  let major: number | undefined;
  let minor: number | undefined;
  for (const c of asStructure(f).value) {
    if (c.tag === MessageTag.ProtocolVersionMajor && major === undefined) major = asInteger(c);
    else if (c.tag === MessageTag.ProtocolVersionMinor && minor === undefined) minor = asInteger(c);
    else throw new MessageError('unexpected field in the Protocol Version', c.tag);
  }
  if (major === undefined || minor === undefined) {
    throw new MessageError('the Protocol Version needs a major and a minor number', MessageTag.ProtocolVersion);
  }
  return { major, minor };
}

export function protocolVersionItem(v: ProtocolVersion): TtlvItem {
  return item.structure(MessageTag.ProtocolVersion, [
    item.integer(MessageTag.ProtocolVersionMajor, v.major),
    item.integer(MessageTag.ProtocolVersionMinor, v.minor),
  ]);
}

/** Authentication (1.4 section 6.6) with its Credentials (section 2.1.2). */
export function parseAuthentication(f: TtlvItem): Authentication {
  const fields = new Fields(asStructure(f));
  const credentials = fields.all(MessageTag.Credential).map(parseCredential);
  if (credentials.length === 0) throw new MessageError('Authentication has no Credential', MessageTag.Authentication);
  return { credentials };
}

function parseCredential(f: TtlvItem): Credential {
  const fields = new Fields(asStructure(f));
  const type = asEnumeration(fields.required(MessageTag.CredentialType));
  const value = fields.required(MessageTag.CredentialValue);
  if (type === 'UsernameAndPassword') {
    const v = new Fields(asStructure(value));
    const password = v.one(MessageTag.Password);
    return {
      credentialType: type,
      username: asText(v.required(MessageTag.Username)),
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
    MessageTag.Authentication,
    a.credentials.map((c) =>
      item.structure(MessageTag.Credential, [
        item.enumeration(MessageTag.CredentialType, c.credentialType),
        c.credentialType === 'UsernameAndPassword'
          ? item.structure(MessageTag.CredentialValue, [
              item.text(MessageTag.Username, c.username),
              c.password === undefined ? undefined : item.text(MessageTag.Password, c.password),
            ])
          : { ...c.credentialValue, tag: MessageTag.CredentialValue },
      ]),
    ),
  );
}

/** Asynchronous Indicator: a Boolean in 1.x, an enumeration in 2.x. */
export function parseAsynchronousIndicator(f: TtlvItem): boolean | string {
  return f.type === ItemType.Boolean ? f.value : asEnumeration(f);
}

export function asynchronousIndicatorItem(v: boolean | string): TtlvItem {
  return typeof v === 'boolean'
    ? item.boolean(MessageTag.AsynchronousIndicator, v)
    : item.enumeration(MessageTag.AsynchronousIndicator, v);
}
