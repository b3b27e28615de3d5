import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from './support/certs.js';
import { PYTHON, startPyKmipServer, type PyKmipServer } from './support/pykmip-server.js';

describe('pykmip-server harness', () => {
  let pki: TestPki;
  let server: PyKmipServer;
  beforeAll(async () => {
    pki = makeTestPki();
    server = await startPyKmipServer(pki);
  });
  afterAll(async () => {
    await server?.stop();
    pki?.dispose();
  });

  it('answers PyKMIP own client over TLS 1.2 with a client certificate', () => {
    const alice = pki.client('alice');
    const script = `
from kmip.pie.client import ProxyKmipClient
from kmip.core import enums
c = ProxyKmipClient(hostname='127.0.0.1', port=${server.port}, cert='${alice.cert}', key='${alice.key}', ca='${pki.caCert}', config_file='/dev/null')
with c:
    uid = c.create(enums.CryptographicAlgorithm.AES, 256)
    print(uid)
`;
    const out = execFileSync(PYTHON, ['-c', script], { encoding: 'utf8' });
    expect(out.trim()).toMatch(/^\d+$/);
  });
});
