// Top self/inclusive frames of a V8 .cpuprofile, optionally only a window before the end:
//   node_modules/.bin/node tools/bench/cpuprofile-top.mjs FILE [SECONDS_BEFORE_END_FROM] [SECONDS_BEFORE_END_TO]
import fs from 'node:fs';
const p = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map(); let total;
const counts = new Map();
let tt = p.startTime; const from = p.endTime - Number(process.argv[3] ?? 1e12) * 1e6, to = p.endTime - Number(process.argv[4] ?? 0) * 1e6; let total2 = 0; p.samples.forEach((s, i) => { tt += p.timeDeltas[i]; if (tt >= from && tt <= to) { counts.set(s, (counts.get(s) ?? 0) + 1); total2++; } });
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const key = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*node_modules\//, 'nm/').replace(/.*\/work\/main\//, '')}:${n.callFrame.lineNumber + 1}`;
const incl = new Map();
for (const [id, c] of counts) {
  const n = byId.get(id); const k = key(n); self.set(k, (self.get(k) ?? 0) + c);
  const seen = new Set(); let cur = id;
  while (cur !== undefined) { const kk = key(byId.get(cur)); if (!seen.has(kk)) { seen.add(kk); incl.set(kk, (incl.get(kk) ?? 0) + c); } cur = parent.get(cur); }
}
total = total2; const dur = (p.endTime - p.startTime) / 1e6;
console.log(`samples ${total}, ${dur.toFixed(1)} s`);
console.log('--- self'); for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log((100 * v / total).toFixed(1).padStart(5) + '%  ' + k);
console.log('--- inclusive'); for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log((100 * v / total).toFixed(1).padStart(5) + '%  ' + k);
