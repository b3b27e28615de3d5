/**
 * Runs the benchmarks in order: `npm run bench` (all) or `npm run bench -- <filter>` (those whose
 * name contains the filter). Each module exports `bench(): Promise<void>` and prints its figures.
 * Add a module with one line in `benches`.
 */
interface BenchModule {
  bench(): Promise<void>;
}

const benches: { name: string; load: () => Promise<BenchModule> }[] = [
  { name: 'codec', load: () => import('./codec.bench.js') },
  { name: 'vault', load: () => import('./vault.bench.js') },
  { name: 'console', load: () => import('./console.bench.js') },
  { name: 'tokens', load: () => import('./tokens.bench.js') },
  { name: 'kmip-load', load: () => import('./kmip-load.bench.js') },
  { name: 'protocol', load: () => import('./protocol.bench.js') },
  { name: 'crypto', load: () => import('./crypto.bench.js') },
];

const filter = process.argv[2];
const selected = benches.filter((b) => filter === undefined || b.name.includes(filter));
if (selected.length === 0) {
  console.error(`no benchmark matches "${filter}"; known: ${benches.map((b) => b.name).join(', ')}`);
  process.exitCode = 1;
}
for (const { name, load } of selected) {
  console.log(`\n== ${name} ==`);
  const started = performance.now();
  await (await load()).bench();
  console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
