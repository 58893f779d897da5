// Redis persistence of the telemetry series and cost ledger, so a restart keeps its history.
//
// Keys (owner: telemetry service):
//   sy:v1:telemetry:series:<model>|<pool>   hash  slot index -> SlotJSON      TTL = series retention
//   sy:v1:telemetry:series:index            set   of "<model>|<pool>"          TTL = series retention
//   sy:v1:telemetry:cost:<YYYY-MM>          hash  "tenant|model|pool|day" -> "cost requests"   TTL 62 days
// Writes are the slots/cells that changed since the last flush (HSET of the whole slot, so a
// flush is idempotent). Series slot fields older than the retention are ignored on load.
import type { Redis } from '@switchyard/store';
import { redisKey } from '@switchyard/store';
import { monthOf, slotFromJSON, slotToJSON, type CostLedger, type SeriesStore, type SlotJSON } from './series.ts';

const DAY_MS = 86_400_000;
const COST_TTL_S = 62 * 86_400;
const SEP = '|';

export const KEYS = {
  seriesIndex: redisKey('telemetry', 'series', 'index'),
  series: (model: string, pool: string) => redisKey('telemetry', 'series', `${model}${SEP}${pool}`),
  cost: (month: string) => redisKey('telemetry', 'cost', month),
};

export async function flush(redis: Redis, series: SeriesStore, cost: CostLedger): Promise<number> {
  const slots = series.takeDirty();
  const cells = cost.takeDirty();
  if (slots.length === 0 && cells.length === 0) return 0;
  const ttl = Math.ceil(series.retentionMs / 1000) + 60;
  const m = redis.multi();
  const keys = new Set<string>();
  for (const s of slots) {
    const k = KEYS.series(s.model, s.pool);
    m.hset(k, String(s.idx), JSON.stringify(slotToJSON(s.slot)));
    keys.add(k);
    m.sadd(KEYS.seriesIndex, `${s.model}${SEP}${s.pool}`);
  }
  for (const k of keys) m.expire(k, ttl);
  if (slots.length) m.expire(KEYS.seriesIndex, ttl);
  const months = new Set<string>();
  for (const c of cells) {
    const month = monthOf(c.day * DAY_MS);
    months.add(month);
    m.hset(KEYS.cost(month), [c.tenant, c.model, c.pool, String(c.day)].join(SEP), `${c.cost} ${c.requests}`);
  }
  for (const mo of months) m.expire(KEYS.cost(mo), COST_TTL_S);
  await m.exec();
  return slots.length + cells.length;
}

export async function load(redis: Redis, series: SeriesStore, cost: CostLedger, nowMs: number): Promise<{ slots: number; cells: number }> {
  let slots = 0;
  let cells = 0;
  const members = await redis.smembers(KEYS.seriesIndex);
  const oldest = Math.floor((nowMs - series.retentionMs) / series.slotMs);
  for (const member of members) {
    const i = member.lastIndexOf(SEP);
    if (i <= 0) continue;
    const model = member.slice(0, i);
    const pool = member.slice(i + 1);
    const h = await redis.hgetall(KEYS.series(model, pool));
    for (const [idx, json] of Object.entries(h)) {
      const n = Number(idx);
      if (!Number.isInteger(n) || n < oldest) continue;
      try {
        series.restore(model, pool, n, slotFromJSON(JSON.parse(json) as SlotJSON));
        slots++;
      } catch { /* a corrupt slot is skipped */ }
    }
  }
  const d = new Date(nowMs);
  const prev = monthOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 0));
  for (const month of [prev, monthOf(nowMs)]) {
    const h = await redis.hgetall(KEYS.cost(month));
    for (const [field, v] of Object.entries(h)) {
      const parts = field.split(SEP);
      if (parts.length < 4) continue;
      const day = Number(parts.pop());
      const pool = parts.pop()!;
      const tenant = parts.shift()!;
      const model = parts.join(SEP);
      const [c, r] = v.split(' ').map(Number) as [number, number];
      if (!Number.isFinite(day) || !Number.isFinite(c)) continue;
      cost.restore(tenant, model, pool, day, c, Number.isFinite(r) ? r : 0);
      cells++;
    }
  }
  return { slots, cells };
}
