/** Limits that keep one client from exhausting the server (DESIGN.md: every decode is bounded). */
export interface ServerLimits {
  /** Largest request message accepted, in bytes (header included). */
  maxMessageBytes: number;
  /** A connection with no traffic for this long is closed. */
  idleTimeoutMs: number;
  /** A TLS handshake that takes longer is abandoned (slowloris). */
  handshakeTimeoutMs: number;
  /** Open connections beyond this are refused at accept. */
  maxConnections: number;
  /** Requests read ahead on one connection while one is being answered. */
  maxPipelined: number;
}

export const defaultServerLimits: ServerLimits = {
  maxMessageBytes: 1024 * 1024,
  idleTimeoutMs: 5 * 60_000,
  handshakeTimeoutMs: 10_000,
  maxConnections: 4096,
  maxPipelined: 8,
};
