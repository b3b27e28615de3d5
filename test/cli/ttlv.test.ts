// `keyhold ttlv` end to end: spawns the built CLI (node bin/keyhold.js; `npm test` builds dist/
// first, and this builds it if it is missing).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const testcases = path.resolve(repo, '../shared/kmip/testcases');

function keyhold(args: string[], input?: string | Buffer): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(repo, 'bin/keyhold.js'), ...args], {
    cwd: repo,
    input: input ?? '',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

function hexLines(out: Buffer): string[] {
  return out.toString('utf8').trim().split('\n');
}

beforeAll(() => {
  if (!existsSync(path.join(repo, 'dist/main/cli/commands/ttlv.js'))) {
    const r = spawnSync(
      process.execPath,
      [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: repo,
        stdio: 'inherit',
      },
    );
    if (!existsSync(path.join(repo, 'dist/main/cli/commands/ttlv.js'))) throw new Error(`build failed (${r.status})`);
  }
}, 300_000);

describe('keyhold ttlv', () => {
  const files = [
    'v1.4/mandatory/MSGENC-XML-M-1-14.xml',
    'v1.4/mandatory/CS-AC-M-OAEP-1-14.xml',
    'v2.1/mandatory/BL-M-1-21.xml',
    'v2.1/mandatory/PKCS11-M-1-21.xml',
  ];

  it('encode --from xml prints one hex line per message of a test-case file', () => {
    const r = keyhold(['ttlv', 'encode', '--from', 'xml', '--sample-placeholders', path.join(testcases, files[0]!)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = hexLines(r.stdout);
    expect(lines).toHaveLength(4);
    // The request of MSGENC-XML-M-1-14: Request Message (0x420078) Structure, then Request Header.
    expect(lines[0]!.startsWith('42007801')).toBe(true);
    expect(lines[0]!.slice(16, 24)).toBe('42007701');
  });

  it.each(files)('decode --format json | encode --from json gives back the same bytes (%s)', (file) => {
    const enc = keyhold(['ttlv', 'encode', '--from', 'xml', '--sample-placeholders', path.join(testcases, file)]);
    expect(enc.status).toBe(0);
    // One response per file keeps the spawn count low; the library test covers every message.
    for (const hex of hexLines(enc.stdout).slice(1, 2)) {
      const json = keyhold(['ttlv', 'decode', '--format', 'json', '-'], hex + '\n');
      expect(json.stderr).toBe('');
      expect(json.status).toBe(0);
      const back = keyhold(['ttlv', 'encode', '--from', 'json', '-'], json.stdout);
      expect(back.stderr).toBe('');
      expect(hexLines(back.stdout)).toEqual([hex]);
    }
  });

  it('decode (XML, the default) | encode --from xml gives back the same bytes; HEX as an argument', () => {
    const hex = hexLines(
      keyhold(['ttlv', 'encode', '--from', 'xml', '--sample-placeholders', path.join(testcases, files[1]!)]).stdout,
    )[1]!;
    const xml = keyhold(['ttlv', 'decode', hex]);
    expect(xml.status).toBe(0);
    expect(xml.stdout.toString()).toMatch(/^<ResponseMessage>/);
    expect(hexLines(keyhold(['ttlv', 'encode', '--from', 'xml'], xml.stdout).stdout)).toEqual([hex]);
  });

  it('--raw reads and writes bytes', () => {
    const raw = keyhold([
      'ttlv',
      'encode',
      '--from',
      'xml',
      '--raw',
      '--sample-placeholders',
      path.join(testcases, files[2]!),
    ]);
    expect(raw.status).toBe(0);
    // The first message only: its length is in bytes 4..8 of its header.
    const first = raw.stdout.subarray(0, 8 + raw.stdout.readUInt32BE(4));
    const tree = keyhold(['ttlv', 'decode', '--raw', '--format', 'tree'], first);
    expect(tree.stderr).toBe('');
    expect(tree.stdout.toString()).toContain('RequestMessage (Structure)\n  RequestHeader (Structure)');
    expect(tree.stdout.toString()).toContain('    Operation (Enumeration): Interop');
  });

  it('a truncated message fails with the byte offset, exit code 1, one line on stderr', () => {
    const r = keyhold(['ttlv', 'decode', '420078010000009042007701000000484200690100000020']);
    expect(r.status).toBe(1);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(/^keyhold: TTLV: .*offset \d+/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('bad hex names where; a bad type byte names its offset', () => {
    const bad = keyhold(['ttlv', 'decode', '42007801zz']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('byte offset 4');
    const type = keyhold(['ttlv', 'decode', '4200780100000010420077ff000000040000000100000000']);
    expect(type.status).toBe(1);
    expect(type.stderr).toMatch(/unknown item type 0xff .*offset 11/);
  });

  it('encode refuses an unknown tag, a placeholder without --sample-placeholders, and bad JSON', () => {
    const tag = keyhold(
      ['ttlv', 'encode', '--from', 'xml'],
      '<RequestMessage><Foo type="Integer" value="1"/></RequestMessage>',
    );
    expect(tag.status).toBe(1);
    expect(tag.stderr).toContain('unknown tag <Foo>');
    const now = keyhold(
      ['ttlv', 'encode', '--from', 'xml'],
      '<ResponseMessage><TimeStamp type="DateTime" value="$NOW"/></ResponseMessage>',
    );
    expect(now.status).toBe(1);
    expect(now.stderr).toContain('placeholder "$NOW"');
    const json = keyhold(['ttlv', 'encode', '--from', 'json'], '{"tag": "RequestMessage", "value": [');
    expect(json.status).toBe(1);
    expect(json.stderr).toMatch(/^keyhold: KMIP JSON/);
  });

  it('has --help', () => {
    const r = keyhold(['ttlv', 'decode', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toContain('--format <format>');
    expect(keyhold(['--help']).stdout.toString()).toContain('ttlv');
  });
});
