// Live dashboard of the telemetry service: one self-contained HTML page (inline CSS/JS, SVG
// charts, no CDN) at GET /, polling GET /api/dashboard (JSON) every 2 s.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Aggregator } from './aggregate.ts';
import type { Insights } from './insights.ts';
import type { CostLedger, SeriesStore } from './series.ts';
import type { EjectionLog } from './ejections.ts';

export interface DashboardSources {
  agg: Aggregator;
  series: SeriesStore;
  cost: CostLedger;
  insights: Insights;
  /** The scheduler's recent ejection events (sy.v1.scheduler.ejection.*); none: an empty panel. */
  ejections?: EjectionLog;
  staleMs?: number;
  now?: () => number;
}

export function dashboardData(s: DashboardSources): Record<string, unknown> {
  const now = (s.now ?? Date.now)();
  const staleMs = s.staleMs ?? 30_000;
  const summary = s.agg.summary(Math.min(300, s.agg.maxWindowSeconds));
  const scores = s.insights.latestScores;
  const executors = s.agg.liveExecutors(3_600_000).map((e) => ({
    executor_id: e.executor_id,
    pool: e.pool,
    region: e.region,
    state: now - e.last_seen_ms > staleMs ? 'stale' : e.draining ? 'draining' : 'up',
    cpu_fallback: e.cpu_fallback,
    execution_provider: e.execution_provider,
    utilization: e.utilization,
    queue_depth: e.queue_depth,
    in_flight: e.in_flight,
    last_seen_ms: e.last_seen_ms,
    anomaly_score: scores.get(e.executor_id)?.score ?? 0,
    anomaly_flag: scores.get(e.executor_id)?.flag ?? false,
  })).sort((a, b) => a.executor_id.localeCompare(b.executor_id));
  const routing = s.series.arrivals('', 90);
  const latency = s.series.get({ slots: 90 });
  return {
    generated_at_ms: now,
    slot_seconds: s.series.slotMs / 1000,
    totals: { requests: summary.requests, errors: summary.errors, p50_ms: summary.p50_ms, p99_ms: summary.p99_ms, window_seconds: Math.min(300, s.agg.maxWindowSeconds) },
    pools: summary.by_pool,
    models: summary.by_model,
    executors,
    routing,
    latency: latency.map((x) => ({ model: x.model, pool: x.pool, points: x.points.map((p) => ({ start_ms: p.start_ms, p99_ms: p.p99_ms, arrivals: p.arrivals })) })),
    forecast: s.insights.forecastView(),
    anomalies: s.insights.anomalies.slice(-20),
    ejections: s.ejections?.list(now) ?? [],
    ejections_note: `outlier ejections and restores by the placement-scheduler, newest first (the last ${s.ejections?.max ?? 0} since this service started); the gateway's short local ejections are in its metrics (switchyard_gateway_ejections_total)`,
    slo: s.series.slo(),
    cost: s.cost.report(),
  };
}

export interface DashboardServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startDashboard(src: DashboardSources, opts: { host: string; port: number; log?: { warn(o: object, m: string): void } }): Promise<DashboardServer> {
  const server = http.createServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end('method not allowed\n');
      return;
    }
    if (p === '/' || p === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'" });
      res.end(PAGE);
    } else if (p === '/api/dashboard') {
      try {
        const body = JSON.stringify(dashboardData(src));
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(body);
      } catch (e) {
        opts.log?.warn({ err: (e as Error).message }, 'dashboard data failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('dashboard data failed\n');
      }
    } else if (p === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try GET / or GET /api/dashboard\n');
    }
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  return {
    port,
    url: `http://${host}:${port}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchyard — live</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>
:root{--bg:#0f1419;--panel:#182028;--fg:#e6e6e6;--mut:#8a96a3;--gpu:#4fa3ff;--cpu:#ffb347;--ok:#5ccf7a;--bad:#ff5c5c;--fc:#c58cff}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:13px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif}
header{display:flex;align-items:baseline;gap:24px;padding:10px 16px;border-bottom:1px solid #26313c}
header h1{font-size:18px;margin:0}header .kpi{font-size:13px;color:var(--mut)}header .kpi b{font-size:18px;color:var(--fg)}
main{display:grid;grid-template-columns:repeat(3,1fr);gap:10px;padding:10px}
section{background:var(--panel);border-radius:6px;padding:8px 10px;min-height:120px}
section.wide{grid-column:span 2}
h2{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--mut);margin:0 0 6px}
table{border-collapse:collapse;width:100%}td,th{padding:2px 6px;text-align:left;white-space:nowrap}th{color:var(--mut);font-weight:500}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.tag{display:inline-block;padding:0 6px;border-radius:8px;font-size:11px}
.up{background:#1f4d2e;color:var(--ok)}.draining{background:#4d431f;color:#ffd75c}.stale{background:#4d1f1f;color:var(--bad)}.fb{background:#4d3a1f;color:var(--cpu)}
.mut{color:var(--mut)}td .ej-reason{white-space:normal}svg{display:block;width:100%;height:150px}.legend span{margin-right:12px}.sw{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
</style></head><body>
<header><h1>Switchyard</h1>
<span class="kpi">requests (5 min) <b id="kpi-requests">–</b></span>
<span class="kpi">errors <b id="kpi-errors">–</b></span>
<span class="kpi">p50 <b id="kpi-p50">–</b></span>
<span class="kpi">p99 <b id="kpi-p99">–</b></span>
<span class="kpi">cost MTD <b id="kpi-cost">–</b></span>
<span class="kpi mut" id="updated">waiting for data…</span></header>
<main>
<section><h2>Pools</h2><table id="pools"></table></section>
<section class="wide"><h2>Executors</h2><table id="executors"></table></section>
<section class="wide"><h2>Routing split: GPU vs CPU arrivals per slot</h2><div class="legend"><span><i class="sw" style="background:var(--gpu)"></i>gpu</span><span><i class="sw" style="background:var(--cpu)"></i>cpu</span></div><svg id="routing" viewBox="0 0 600 150" preserveAspectRatio="none"></svg></section>
<section><h2>SLO</h2><table id="slo"></table></section>
<section class="wide"><h2>Latency p99 per model and pool (ms)</h2><div class="legend" id="lat-legend"></div><svg id="latency" viewBox="0 0 600 150" preserveAspectRatio="none"></svg></section>
<section><h2>Latency percentiles (5 min)</h2><table id="models"></table></section>
<section class="wide"><h2>Arrivals: forecast (Holt / Holt-Winters ensemble) vs actual</h2><div class="legend"><span><i class="sw" style="background:var(--fg)"></i>actual</span><span><i class="sw" style="background:var(--fc)"></i>forecast (95 % band)</span></div><svg id="forecast" viewBox="0 0 600 150" preserveAspectRatio="none"></svg></section>
<section><h2>Cost</h2><div id="cost-head" class="mut"></div><table id="cost"></table></section>
<section><h2>Anomalies (latency per executor)</h2><table id="anomalies"></table></section>
<section class="wide"><h2>Ejections</h2><table id="ejections"></table><div id="ejections-note" class="mut"></div></section>
</main>
<script>
"use strict";
const $=(id)=>document.getElementById(id);
const esc=(s)=>String(s).replace(/[&<>"']/g,(c)=>({"&":"&amp;","<":"&lt;",">":"&gt;","\\"":"&quot;","'":"&#39;"})[c]);
const ms=(v)=>v>=100?v.toFixed(0)+" ms":v.toFixed(1)+" ms";
const money=(v)=>v<0.01&&v>0?v.toExponential(2):v.toFixed(4);
const COLORS=["#4fa3ff","#ffb347","#5ccf7a","#c58cff","#ff5c5c","#4fd1c5","#f687b3"];
function rows(el,head,data){$(el).innerHTML="<tr>"+head.map((h)=>"<th>"+h+"</th>").join("")+"</tr>"+data.map((r)=>"<tr>"+r.map((c)=>typeof c==="number"?'<td class="n">'+c+"</td>":"<td>"+c+"</td>").join("")+"</tr>").join("");}
function axis(max,w,h){return '<text x="4" y="12" fill="#8a96a3" font-size="10">'+(Math.round(max*10)/10)+'</text><line x1="0" y1="'+(h-1)+'" x2="'+w+'" y2="'+(h-1)+'" stroke="#26313c"/>';}
const SLOTS=30;
function xs(len,w){const n=Math.max(len,SLOTS);return (i)=>((n-len+i)*w/Math.max(n-1,1));}
function line(pts,w,h,max,color,dash){if(!pts.length)return"";const X=xs(pts.length,w);const xy=pts.map((v,i)=>v==null?null:[X(i),h-2-(v/max)*(h-16)]).filter(Boolean);return '<polyline fill="none" stroke="'+color+'" stroke-width="1.6"'+(dash?' stroke-dasharray="4 3"':"")+' points="'+xy.map((p)=>p[0].toFixed(1)+","+p[1].toFixed(1)).join(" ")+'"/>'+xy.map((p)=>'<circle cx="'+p[0].toFixed(1)+'" cy="'+p[1].toFixed(1)+'" r="2.2" fill="'+color+'"/>').join("");}
function render(d){
  $("kpi-requests").textContent=d.totals.requests;$("kpi-errors").textContent=d.totals.errors;
  $("kpi-p50").textContent=ms(d.totals.p50_ms);$("kpi-p99").textContent=ms(d.totals.p99_ms);
  $("kpi-cost").textContent=money(d.cost.total_month_to_date);
  $("updated").textContent="updated "+new Date(d.generated_at_ms).toLocaleTimeString();
  rows("pools",["pool","requests","errors","p50","p99"],d.pools.map((p)=>['<span data-pool="'+esc(p.key)+'" class="pool-requests">'+esc(p.key)+"</span>",p.requests,p.errors,ms(p.p50_ms),ms(p.p99_ms)]));
  rows("executors",["executor","pool","region","state","device","util","queue","in flight","anomaly"],d.executors.map((e)=>[esc(e.executor_id),esc(e.pool),esc(e.region),'<span class="tag '+e.state+'">'+e.state+"</span>",e.cpu_fallback?'<span class="tag fb">CPU fallback</span>':esc(e.execution_provider||"-"),(e.utilization*100).toFixed(0)+" %",e.queue_depth,e.in_flight,(e.anomaly_flag?"⚠ ":"")+e.anomaly_score.toFixed(2)]));
  const W=600,H=150;
  const r=d.routing;const rmax=Math.max(1,...r.map((p)=>p.gpu+p.cpu));const nb=Math.max(r.length,SLOTS);const bw=W/nb;const off=nb-r.length;
  $("routing").innerHTML=axis(rmax,W,H)+r.map((p,i)=>{const g=(p.gpu/rmax)*(H-16),c=(p.cpu/rmax)*(H-16),x=((off+i)*bw).toFixed(1),bwd=Math.max(bw-1,1).toFixed(1);return '<rect x="'+x+'" y="'+(H-2-g-c).toFixed(1)+'" width="'+bwd+'" height="'+c.toFixed(1)+'" fill="var(--cpu)"><title>cpu '+p.cpu+'</title></rect><rect x="'+x+'" y="'+(H-2-g).toFixed(1)+'" width="'+bwd+'" height="'+g.toFixed(1)+'" fill="var(--gpu)"><title>gpu '+p.gpu+'</title></rect>';}).join("");
  const L=d.latency;const lmax=Math.max(1,...L.flatMap((s)=>s.points.map((p)=>p.p99_ms)));
  const models=[...new Set(L.map((s)=>s.model))];
  const lcol=(s)=>{const k=models.indexOf(s.model);const pal=s.pool==="gpu"?["#4fa3ff","#9fd0ff","#2c6fb8"]:s.pool==="cpu"?["#ffb347","#ffd59a","#c77d1f"]:COLORS;return pal[k%pal.length];};
  $("latency").innerHTML=axis(lmax,W,H)+L.map((s)=>line(s.points.map((p)=>p.arrivals?p.p99_ms:null),W,H,lmax,lcol(s),models.indexOf(s.model)%2===1)).join("");
  $("lat-legend").innerHTML=L.map((s)=>'<span><i class="sw" style="background:'+lcol(s)+'"></i>'+esc(s.model)+" / "+esc(s.pool)+"</span>").join("");
  rows("models",["model","requests","errors","p50","p99"],d.models.map((m)=>[esc(m.key),m.requests,m.errors,ms(m.p50_ms),ms(m.p99_ms)]));
  const F=d.forecast;const fmax=Math.max(1,...F.map((p)=>Math.max(p.actual??0,p.upper??0)));
  const band=F.filter((p)=>p.upper!=null);const FX=xs(F.length,W);
  const bandPts=band.length?band.map((p)=>FX(F.indexOf(p)).toFixed(1)+","+(H-2-(p.upper/fmax)*(H-16)).toFixed(1)).concat(band.slice().reverse().map((p)=>FX(F.indexOf(p)).toFixed(1)+","+(H-2-(p.lower/fmax)*(H-16)).toFixed(1))).join(" "):"";
  $("forecast").innerHTML=axis(fmax,W,H)+(bandPts?'<polygon points="'+bandPts+'" fill="#c58cff" fill-opacity="0.15"/>':"")+line(F.map((p)=>p.forecast),W,H,fmax,"var(--fc)",true)+line(F.map((p)=>p.actual),W,H,fmax,"var(--fg)");
  rows("slo",["model","objective","attainment","burn 1h / 5m","burn 6h / 30m"],d.slo.map((s)=>{const f=s.burn_rates[0],sl=s.burn_rates[1];return[esc(s.model),"p"+Math.round(s.target*100)+" ≤ "+s.latency_objective_ms+" ms",(s.attainment*100).toFixed(2)+" %",'<span class="'+(f.firing?"tag stale":"")+'">'+f.long_burn.toFixed(2)+" / "+f.short_burn.toFixed(2)+"</span>",'<span class="'+(sl.firing?"tag stale":"")+'">'+sl.long_burn.toFixed(2)+" / "+sl.short_burn.toFixed(2)+"</span>"];}));
  $("cost-head").innerHTML=esc(d.cost.month)+": month to date <b id=\\"cost-mtd\\">"+money(d.cost.total_month_to_date)+"</b>, forecast month end <b>"+money(d.cost.total_forecast_month_end)+"</b> ("+esc(d.cost.forecast_method)+")";
  rows("cost",["tenant","model","pool","MTD","forecast"],d.cost.lines.slice(0,10).map((l)=>[esc(l.tenant),esc(l.model),esc(l.pool),money(l.month_to_date),money(l.forecast_month_end)]));
  rows("anomalies",["executor","slot","mean","score"],d.anomalies.length?d.anomalies.slice(-8).reverse().map((a)=>[esc(a.executor_id),new Date(a.start_ms).toLocaleTimeString(),ms(a.mean_ms),a.score.toFixed(2)]):[['<span class="mut">none flagged</span>',"","",""]]);
  rows("ejections",["executor","pool","action","reason","at","until"],d.ejections.length?d.ejections.slice(0,8).map((e)=>[esc(e.executor_id),esc(e.pool),'<span class="tag '+(e.action==="EJECT"?(e.active?"stale":"draining"):"up")+'">'+(e.action==="EJECT"?(e.active?"ejected":"ejected (over)"):"restored")+"</span>",'<span class="ej-reason">'+esc(e.reason||"-")+"</span>",new Date(e.at_ms).toLocaleTimeString(),e.until_ms?new Date(e.until_ms).toLocaleTimeString():""]):[['<span class="mut">none — no ejection events since this service started</span>',"","","","",""]]);
  $("ejections-note").textContent=d.ejections_note;
  document.body.dataset.loaded="1";
}
async function tick(){try{const r=await fetch("/api/dashboard",{cache:"no-store"});if(r.ok)render(await r.json());else $("updated").textContent="error "+r.status;}catch(e){$("updated").textContent="telemetry unreachable";}}
tick();setInterval(tick,2000);
</script></body></html>
`;
