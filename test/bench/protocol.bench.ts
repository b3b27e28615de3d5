import { decodeTtlv, encodeTtlv, type StructureItem, type TtlvItem } from '../../main/kmip/ttlv/index.js';
import { MemoryObjectStore, operations } from '../../main/ops/index.js';
import { find, findText, t } from '../../main/ops/ttlv.js';
import { Operation, Tag } from '../../main/ops/vocabulary.js';
import { GrantTable } from '../../main/server/access.js';
import { KmipProcessor } from '../../main/server/protocol.js';

/**
 * The server's request path without TLS or the vault: KmipProcessor.process (decode, parse with
 * the message model, operation, response through forVersion, encode) over the in-memory store,
 * in this process, a mix of Get / Encrypt / Locate / Get in KMIP 2.1 and 1.4. The kmip-load
 * bench measures the whole server; this one isolates the protocol layer, whose cost is a few
 * microseconds per request and lost in kmip-load's noise. Prints requests per second of wall time
 * and of this process's CPU time (steadier on a busy machine).
 * Size: KMIP_PROTOCOL_BENCH_REQUESTS (50,000 per version).
 */
const REQUESTS = Number(process.env['KMIP_PROTOCOL_BENCH_REQUESTS'] ?? 50_000);

function request(major: number, minor: number, operation: number, payload: TtlvItem[]): Buffer {
  return encodeTtlv(
    t.struct(Tag.RequestMessage, [
      t.struct(Tag.RequestHeader, [
        t.struct(Tag.ProtocolVersion, [t.int(Tag.ProtocolVersionMajor, major), t.int(Tag.ProtocolVersionMinor, minor)]),
        t.int(Tag.BatchCount, 1),
      ]),
      t.struct(Tag.BatchItem, [t.enm(Tag.Operation, operation), t.struct(Tag.RequestPayload, payload)]),
    ]),
  );
}

function succeeded(response: Buffer): StructureItem {
  const item = find(decodeTtlv(response) as StructureItem, Tag.BatchItem) as StructureItem;
  if ((find(item, Tag.ResultStatus) as { value: number }).value !== 0) {
    throw new Error(`protocol bench: ${findText(item, Tag.ResultMessage) ?? 'failed'}`);
  }
  return find(item, Tag.ResponsePayload) as StructureItem;
}

async function mix(major: number, minor: number): Promise<{ processor: KmipProcessor; messages: Buffer[] }> {
  const processor = new KmipProcessor({ store: new MemoryObjectStore(), access: new GrantTable(), operations });
  const name = (v: string): TtlvItem =>
    major >= 2
      ? t.struct(Tag.Name, [t.text(Tag.NameValue, v), t.enm(Tag.NameType, 1)])
      : t.struct(Tag.Attribute, [
          t.text(Tag.AttributeName, 'Name'),
          t.struct(Tag.AttributeValue, [t.text(Tag.NameValue, v), t.enm(Tag.NameType, 1)]),
        ]);
  const attribute = (n: string, v: TtlvItem): TtlvItem =>
    t.struct(Tag.Attribute, [t.text(Tag.AttributeName, n), { ...v, tag: Tag.AttributeValue }]);
  const attributes =
    major >= 2
      ? t.struct(Tag.Attributes, [
          t.enm(Tag.CryptographicAlgorithm, 3),
          t.int(Tag.CryptographicLength, 256),
          t.int(Tag.CryptographicUsageMask, 12),
          name('bench'),
        ])
      : t.struct(Tag.TemplateAttribute, [
          attribute('Cryptographic Algorithm', t.enm(0, 3)),
          attribute('Cryptographic Length', t.int(0, 256)),
          attribute('Cryptographic Usage Mask', t.int(0, 12)),
          name('bench'),
        ]);
  const created = succeeded(
    await processor.process(request(major, minor, Operation.Create, [t.enm(Tag.ObjectType, 2), attributes]), 'b'),
  );
  const uid = findText(created, Tag.UniqueIdentifier) as string;
  succeeded(
    await processor.process(request(major, minor, Operation.Activate, [t.text(Tag.UniqueIdentifier, uid)]), 'b'),
  );
  const get = request(major, minor, Operation.Get, [t.text(Tag.UniqueIdentifier, uid)]);
  const messages = [
    get,
    request(major, minor, Operation.Encrypt, [
      t.text(Tag.UniqueIdentifier, uid),
      t.struct(Tag.CryptographicParameters, [t.enm(Tag.BlockCipherMode, 1), t.enm(Tag.PaddingMethod, 3)]),
      t.bytes(Tag.Data, Buffer.alloc(64, 2)),
      t.bytes(Tag.IVCounterNonce, Buffer.alloc(16, 1)),
    ]),
    request(major, minor, Operation.Locate, major >= 2 ? [t.struct(Tag.Attributes, [name('bench')])] : [name('bench')]),
    get,
  ];
  for (const m of messages) succeeded(await processor.process(m, 'b'));
  return { processor, messages };
}

export async function bench(): Promise<void> {
  console.log(`protocol: KmipProcessor.process in process, in-memory store, mix Get/Encrypt/Locate/Get`);
  for (const [major, minor] of [
    [2, 1],
    [1, 4],
  ] as const) {
    const { processor, messages } = await mix(major, minor);
    for (let i = 0; i < Math.min(5000, REQUESTS); i++) await processor.process(messages[i % 4] as Buffer, 'b');
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < REQUESTS; i++) await processor.process(messages[i % 4] as Buffer, 'b');
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    console.log(
      `KMIP ${major}.${minor}`.padEnd(10) +
        `${(REQUESTS / wall).toFixed(0).padStart(8)} requests/s   ${(REQUESTS / cpuSeconds).toFixed(0).padStart(8)} requests/CPU-s   ` +
        `${((cpuSeconds / REQUESTS) * 1e6).toFixed(1)} µs CPU per request   (${REQUESTS} requests)`,
    );
  }
}
