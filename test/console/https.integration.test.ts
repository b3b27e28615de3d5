import https from 'node:https';
import os from 'node:os';
import type { TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../../main/api/router.js';
import { startConsole } from '../../main/console/server.js';
import { consoleCertificate } from '../../main/console/tls-certificate.js';

describe('web console beyond loopback', () => {
  it('serves HTTPS only, with the certificate whose fingerprint it prints, and a Secure cookie', async () => {
    const tls = await consoleCertificate('0.0.0.0');
    expect(tls.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const c = await startConsole({
      router: createRouter({}, 'http'),
      host: '0.0.0.0',
      tls,
      rendererDir: '/nonexistent',
    });
    try {
      expect(c.url.startsWith(`https://${os.hostname()}:${c.port}/?token=`)).toBe(true);
      const reply = await new Promise<{ status: number; cookie: string; fingerprint: string }>((resolve, reject) => {
        const req = https.request(
          { host: '0.0.0.0', port: c.port, path: `/?token=${c.token}`, rejectUnauthorized: false },
          (res) => {
            const cert = (res.socket as TLSSocket).getPeerCertificate();
            res.resume();
            resolve({
              status: res.statusCode ?? 0,
              cookie: res.headers['set-cookie']?.[0] ?? '',
              fingerprint: cert.fingerprint256,
            });
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(reply.status).toBe(303);
      expect(reply.cookie).toMatch(/; Secure/);
      expect(reply.fingerprint).toBe(tls.fingerprint);
    } finally {
      await c.close();
    }
  });
});
