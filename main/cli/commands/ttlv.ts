import type { Command } from 'commander';

/** `keyhold ttlv`: decode and encode KMIP messages (TTLV, XML, JSON). */
export function registerTtlv(program: Command): void {
  program.command('ttlv').description('Decode and encode KMIP TTLV messages');
}
