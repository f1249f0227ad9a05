/**
 * `npx tsx bench/profile-summary.ts <file.cpuprofile>`: where a V8 CPU profile
 * (from `BENCH_CPU_PROF=1 npm run bench`, in node_modules/.cache/tollway-bench/profiles) spends its time, by self time per
 * function and per package or source folder.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ownerOf = (url: string): string => {
  if (url === '') return '(native / idle / gc)';
  const packageName = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (packageName) return packageName;
  if (url.startsWith('node:')) return url;
  const source = /\/(functions\/[^/]+|bench)\//.exec(url)?.[1];
  return source ?? url;
};

/** Self time by function and by owner (package, node: module or source folder), in milliseconds. */
export const summarizeProfile = (profile: CpuProfile, top = 30) => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, index) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const functions = new Map<string, number>();
  const owners = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    total += micros;
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(functions|bench)\//, '$1/')}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + micros);
    owners.set(ownerOf(frame.url), (owners.get(ownerOf(frame.url)) ?? 0) + micros);
  }
  const sorted = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({ name, ms: Math.round(micros / 100) / 10, percent: Math.round((micros / total) * 1000) / 10 }));
  return { totalMs: total / 1000, functions: sorted(functions), owners: sorted(owners) };
};

const file = process.argv[2];
if (file) {
  const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(process.argv[3] ?? 30));
  console.log(`total ${summary.totalMs.toFixed(0)} ms\n\nby owner:`);
  for (const row of summary.owners) console.log(`${row.percent.toFixed(1).padStart(6)} %  ${row.ms.toFixed(0).padStart(7)} ms  ${row.name}`);
  console.log('\nby function (self time):');
  for (const row of summary.functions) console.log(`${row.percent.toFixed(1).padStart(6)} %  ${row.ms.toFixed(0).padStart(7)} ms  ${row.name}`);
}
