import type { PeerContext } from './tls-listener.js';

/** The owner name of a connection's identity ("anonymous" when mutual TLS was turned off). */
export function identityName(peer: PeerContext | undefined): string {
  return peer?.identity?.name ?? 'anonymous';
}
