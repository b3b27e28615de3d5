import { describe, expect, it } from 'vitest';
import { TtlvError, TtlvFrameReader } from '../../../main/kmip/index.js';
import { hex, naive } from './support/naive-ttlv.js';

// A Request Message (0x420078) with a header (0x420077) holding a Batch Count (0x42000D), and a
// Response Message (0x42007B); tags from KMIP 1.4 section 9.1.3.1.
const request = hex(naive.structure(0x420078, naive.structure(0x420077, naive.integer(0x42000d, 1))));
const response = hex(
  naive.structure(0x42007b, naive.textString(0x540001, 'reply'), naive.byteString(0x420042, '0102')),
);
const empty = hex(naive.structure(0x420078));
const stream = Buffer.concat([request, response, empty, request]);
const messages = [request, response, empty, request];

describe('TtlvFrameReader', () => {
  it('splits a stream cut at every position into the same messages', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const reader = new TtlvFrameReader();
      const out = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
      expect(out).toEqual(messages);
      expect(reader.pending).toBe(0);
    }
  });

  it('splits a stream cut at every pair of positions', () => {
    for (let a = 0; a <= stream.length; a += 3) {
      for (let b = a; b <= stream.length; b += 5) {
        const reader = new TtlvFrameReader();
        const out = [
          ...reader.push(stream.subarray(0, a)),
          ...reader.push(stream.subarray(a, b)),
          ...reader.push(stream.subarray(b)),
        ];
        expect(out).toEqual(messages);
      }
    }
  });

  it('takes one byte at a time and reports pending bytes', () => {
    const reader = new TtlvFrameReader();
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) {
      out.push(...reader.push(stream.subarray(i, i + 1)));
      if (i === 4) expect(reader.pending).toBe(5);
    }
    expect(out).toEqual(messages);
  });

  it('returns copies, not views into the chunk', () => {
    const chunk = Buffer.from(request);
    const [message] = new TtlvFrameReader().push(chunk);
    chunk.fill(0);
    expect(message).toEqual(request);
  });

  it('refuses an oversized length from the header alone, before the body arrives', () => {
    const reader = new TtlvFrameReader({ maxMessageBytes: 1024 });
    const header = hex('42007801 00100000');
    let error: unknown;
    try {
      reader.push(header);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TtlvError);
    expect((error as TtlvError).message).toMatch(/exceeds the limit of 1024/);
    expect((error as TtlvError).offset).toBe(4);
    // The stream cannot be resynchronised: every later push fails the same way.
    expect(() => reader.push(request)).toThrow(/exceeds the limit/);
  });

  it('names the stream offset of a bad header after good messages', () => {
    const reader = new TtlvFrameReader();
    expect(reader.push(request)).toHaveLength(1);
    expect(() => reader.push(hex('4300780100000000'))).toThrow(
      expect.objectContaining({ offset: request.length, message: expect.stringMatching(/not a KMIP tag/) }),
    );
  });

  it('refuses a message that is not a Structure or has a length not a multiple of 8', () => {
    expect(() => new TtlvFrameReader().push(hex(naive.integer(0x420078, 1)))).toThrow(/must be a Structure/);
    expect(() => new TtlvFrameReader().push(hex('4200780100000004'))).toThrow(/multiple of 8/);
  });
});
