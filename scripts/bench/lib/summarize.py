#!/usr/bin/env python3
"""Summarizes a scripts/bench.sh result directory.

Usage: summarize.py RESULT_DIR
Reads raw.jsonl (one line per measurement), mem.jsonl, meta.json, facts.json, command; writes
summary.md (printed too), results.csv, summary.json and plot.svg (no third-party libraries).

Per test and peer: medians over the rounds. "best peer" = the peer other than Cachalot with the
highest median requests/s in that test; "vs best" = this peer's req/s / the best peer's req/s.
"""
import csv, json, os, statistics, sys
from html import escape

d = sys.argv[1]


def jl(name):
    p = os.path.join(d, name)
    if not os.path.exists(p):
        return []
    with open(p) as f:
        return [json.loads(l) for l in f if l.strip()]


def jload(name, default):
    p = os.path.join(d, name)
    try:
        with open(p) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


raw, mem = jl('raw.jsonl'), jl('mem.jsonl')
meta, facts = jload('meta.json', {}), jload('facts.json', {})
command = open(os.path.join(d, 'command')).read().strip() if os.path.exists(os.path.join(d, 'command')) else ''
peers = meta.get('peers') or sorted({r['peer'] for r in raw})
tests = meta.get('tests') or sorted({r['test'] for r in raw})
SELF = 'cachalot'

agg, na = {}, {}
for t in tests:
    for p in peers:
        rows = [r for r in raw if r['test'] == t and r['peer'] == p]
        nas = [r['na'] for r in rows if 'na' in r]
        ok = [r for r in rows if 'rps' in r and 'p99_us' in r]
        if nas and not ok:
            na[(t, p)] = nas[0]
            continue
        if not ok:
            if rows:
                na[(t, p)] = 'no result: ' + '; '.join(sorted({r.get('error', '?') for r in rows}))
            continue

        def med(k, rs=ok):
            v = [r[k] for r in rs if r.get(k) is not None]
            return statistics.median(v) if v else None

        rps = [r['rps'] for r in ok]
        m = statistics.median(rps)
        agg[(t, p)] = {
            'test': t, 'peer': p, 'runs': len(ok), 'rps': m, 'rps_min': min(rps), 'rps_max': max(rps),
            'spread_pct': (max(rps) - min(rps)) / m * 100 if m else 0,
            'p50_ms': med('p50_us') / 1e3, 'p99_ms': med('p99_us') / 1e3, 'p999_ms': med('p999_us') / 1e3,
            'mbps': med('mbps'), 'cpu_cores': med('cpu_cores'), 'cpu_us_per_req': med('cpu_us_per_req'),
            'rss_mib': (max(r['rss_kb'] for r in ok if 'rss_kb' in r) / 1024) if any('rss_kb' in r for r in ok) else None,
            'tmpfs_mib': (max(r.get('tmpfs_kb', 0) for r in ok) / 1024),
            'hit_ratio': min((r['hit_ratio'] for r in ok if 'hit_ratio' in r), default=None),
            'origin_per_key': med('origin_per_key'),
            'errors': sum(r.get('errors', 0) for r in ok),
            'lat_kind': ','.join(sorted({r.get('lat_kind', '?') for r in ok})),
            'sys_steal': med('sys_steal'),
        }

best = {}
for t in tests:
    cands = [(agg[(t, p)]['rps'], p) for p in peers if p != SELF and (t, p) in agg]
    if cands:
        best[t] = max(cands)[1]
for (t, p), a in agg.items():
    b = best.get(t)
    a['best_peer'] = b
    a['vs_best'] = a['rps'] / agg[(t, b)]['rps'] if b and agg[(t, b)]['rps'] else None
    a['p99_vs_best'] = a['p99_ms'] / agg[(t, b)]['p99_ms'] if b and agg[(t, b)]['p99_ms'] else None


def f(v, nd=0):
    if v is None:
        return '-'
    return f'{v:,.0f}' if nd == 0 else f'{v:,.{nd}f}'


def kind(t):
    return t.split('_c')[0] if '_c' in t else t


out = []
w = out.append
v = facts.get('versions', {})
w(f"# Cachalot cache benchmark ({facts.get('date_utc', '')})")
w('')
if meta.get('quick'):
    w('**SMOKE RUN (--quick): short durations, numbers are only a check that the harness works.**')
    w('')
w(f'Command: `{command}`')
w('')
w(f"Machine: {facts.get('nproc')} CPUs ({facts.get('cpu_model')}; {(facts.get('hypervisor') or '').split(':')[-1].strip() or 'no hypervisor reported'}), "
  f"{facts.get('memory')} RAM, kernel {facts.get('kernel')}, {facts.get('os')}; load average at start "
  f"{' '.join(facts.get('loadavg_at_start', []))}. Everything (load tool, origin, peers) shares these CPUs on 127.0.0.1.")
w('')
w('Versions: ' + '; '.join(f'{k} `{x}`' for k, x in v.items() if x))
w('')
w(f"Method: {meta.get('runs')} round(s) x {meta.get('duration')} s per test and peer, peers interleaved (order rotated each round), "
  f"{meta.get('warm')} s warm-up load per object kind and peer. Values are medians over the rounds. "
  'Latencies are per-request and uncorrected (wrk: its coordinated-omission correction undone by report.lua; '
  'h2load: its per-request log). MB/s counts response bytes including headers. CPU = cores the peer kept busy '
  '(all its processes and threads, from /proc) and CPU time per request; RSS = sum of the peer processes\' '
  'resident memory at the end of the measurement (nginx and ATS keep memory-mode cache files on tmpfs, '
  'listed separately under the working set). "vs best" = req/s / req/s of the best peer other than Cachalot '
  '(named in the best column).')
w('')
w('| test | peer | req/s | vs best | best | p50 ms | p99 ms | p99.9 ms | MB/s | CPU cores | CPU us/req | RSS MiB | hit % | spread % |')
w('|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
for t in tests:
    for p in peers:
        a = agg.get((t, p))
        if a is None:
            if (t, p) in na:
                w(f'| {t} | {p} | {na[(t, p)]} |  |  |  |  |  |  |  |  |  |  |  |')
            continue
        hit = '-' if a['hit_ratio'] is None else f"{a['hit_ratio'] * 100:.2f}"
        if kind(t) == 'collapse' and a['origin_per_key'] is not None:
            hit += f" ({a['origin_per_key']:.1f} origin/key)"
        name = f'**{p}**' if p == SELF else p
        w(f"| {t} | {name} | {f(a['rps'])} | {f(a['vs_best'], 2)} | {a['best_peer'] or '-'} | {f(a['p50_ms'], 3)} | "
          f"{f(a['p99_ms'], 3)} | {f(a['p999_ms'], 3)} | {f(a['mbps'], 1)} | {f(a['cpu_cores'], 2)} | "
          f"{f(a['cpu_us_per_req'], 1)} | {f(a['rss_mib'], 0)} | {hit} | {f(a['spread_pct'], 0)} |")
w('')
refs = [p for p in peers if p != SELF]
if SELF in peers and refs:
    w('## Cachalot ratios (req/s of Cachalot / req/s of the peer; p99 of Cachalot / p99 of the peer)')
    w('')
    w('| test | ' + ' | '.join(f'vs {p} req/s | vs {p} p99' for p in refs) + ' |')
    w('|---|' + '---:|---:|' * len(refs))
    for t in tests:
        a = agg.get((t, SELF))
        cells = []
        for p in refs:
            b = agg.get((t, p))
            if a and b and b['rps'] and b['p99_ms']:
                cells += [f"{a['rps'] / b['rps']:.2f}", f"{a['p99_ms'] / b['p99_ms']:.2f}"]
            else:
                cells += ['-', '-']
        w(f'| {t} | ' + ' | '.join(cells) + ' |')
    w('')
if mem:
    n = mem[0].get('objects')
    w(f'## Working set: {n} distinct 16 KiB objects ({n * 16 / 1024:.0f} MiB of bodies) loaded twice over 8 connections')
    w('')
    w('| peer | RSS before MiB | RSS after MiB | of it anon / file MiB | RSS settled MiB (anon / file) | PSS after MiB | tmpfs after MiB | pass 1 origin fetches | pass 2 hit % | pass 1 s | pass 2 s | non-200 |')
    w('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for m in mem:
        settled = '-'
        if m.get('rss_settled_kb') is not None:
            settled = (f"{m['rss_settled_kb'] / 1024:.0f} ({(m.get('rss_anon_settled_kb') or 0) / 1024:.0f} / "
                       f"{(m.get('rss_file_settled_kb') or 0) / 1024:.0f})")
        w(f"| {m['peer']} | {m['rss_before_kb'] / 1024:.0f} | {m['rss_after_kb'] / 1024:.0f} | "
          f"{m.get('rss_anon_after_kb', 0) / 1024:.0f} / {m.get('rss_file_after_kb', 0) / 1024:.0f} | {settled} | {m['pss_after_kb'] / 1024:.0f} | "
          f"{m['tmpfs_after_kb'] / 1024:.0f} | {m['pass1_origin']} | {m['pass2_hit_ratio'] * 100:.2f} | "
          f"{m['pass1_ms'] / 1000:.2f} | {m['pass2_ms'] / 1000:.2f} | {m['pass1_non200'] + m['pass2_non200']} |")
    w('')
warn = []
for (t, p), a in agg.items():
    if a['errors']:
        warn.append(f"{t}/{p}: {a['errors']} socket/status errors")
    if 'wrk-co' in a['lat_kind']:
        warn.append(f"{t}/{p}: raw latencies not recovered, wrk's corrected percentiles shown")
    if a['hit_ratio'] is not None and a['hit_ratio'] < 0.999 and kind(t) not in ('slow', 'collapse'):
        warn.append(f"{t}/{p}: hit ratio {a['hit_ratio'] * 100:.2f} % (not all hits)")
for r in raw:
    if r.get('inflight') and r.get('conns') and r['inflight'] > 1.05 * r['conns']:
        warn.append(f"r{r['round']} {r['test']}/{r['peer']}: req/s x mean latency = {r['inflight']:.1f} > {r['conns']} connections (latency suspect)")
if warn:
    w('## Warnings')
    w('')
    for x in warn:
        w('- ' + x)
    w('')
text = '\n'.join(out) + '\n'
open(os.path.join(d, 'summary.md'), 'w').write(text)

cols = ['test', 'peer', 'runs', 'rps', 'rps_min', 'rps_max', 'spread_pct', 'vs_best', 'best_peer', 'p50_ms', 'p99_ms',
        'p999_ms', 'p99_vs_best', 'mbps', 'cpu_cores', 'cpu_us_per_req', 'rss_mib', 'tmpfs_mib', 'hit_ratio',
        'origin_per_key', 'errors', 'lat_kind', 'sys_steal', 'na']
with open(os.path.join(d, 'results.csv'), 'w', newline='') as fh:
    cw = csv.writer(fh)
    cw.writerow(cols)
    for t in tests:
        for p in peers:
            a = dict(agg.get((t, p), {'test': t, 'peer': p}))
            if (t, p) in na:
                a['na'] = na[(t, p)]
            if len(a) > 2:
                cw.writerow([('%.4g' % a[c]) if isinstance(a.get(c), float) else a.get(c, '') for c in cols])
json.dump({'meta': meta, 'facts': facts, 'command': command,
           'results': [agg[(t, p)] for t in tests for p in peers if (t, p) in agg],
           'not_applicable': [{'test': t, 'peer': p, 'reason': r} for (t, p), r in na.items()],
           'working_set': mem}, open(os.path.join(d, 'summary.json'), 'w'), indent=1)

# ---- plot.svg: req/s relative to the best peer, one group of bars per test
COLORS = {'cachalot': '#1f6fb4', 'nginx': '#2ca02c', 'varnish': '#d62728', 'squid': '#9467bd', 'ats': '#ff7f0e'}
ptests = [t for t in tests if any((t, p) in agg for p in peers) and best.get(t)]
if ptests:
    bar, gap, left, top, width = 11, 10, 150, 58, 520
    vmax = max(1.25, max(agg[(t, p)]['vs_best'] for t in ptests for p in peers if (t, p) in agg and agg[(t, p)]['vs_best']))
    vmax = min(vmax, 4.0)
    scale = width / vmax
    gh = lambda t: sum(1 for p in peers if (t, p) in agg) * bar + gap
    height = top + sum(gh(t) for t in ptests) + 40
    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 110}" height="{height}" font-family="sans-serif" font-size="11">',
         '<rect width="100%" height="100%" fill="white"/>',
         f'<text x="10" y="18" font-size="14" font-weight="bold">Requests/s relative to the best of the other peers (1.0 = best peer)</text>',
         f'<text x="10" y="34" fill="#555">{escape(facts.get("date_utc", ""))}, {facts.get("nproc")} CPUs, {escape(str(meta.get("runs")))} x {escape(str(meta.get("duration")))} s, medians'
         + (' - SMOKE RUN, not a measurement' if meta.get('quick') else '') + '</text>']
    lx = left
    for p in peers:
        s.append(f'<rect x="{lx}" y="42" width="10" height="10" fill="{COLORS.get(p, "#777")}"/><text x="{lx + 14}" y="51">{escape(p)}</text>')
        lx += 20 + 7 * len(p) + 20
    yend = top + sum(gh(t) for t in ptests)
    for tick in [x / 4 for x in range(0, int(vmax * 4) + 1)]:   # grid first, bars over it
        x = left + tick * scale
        s.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{yend - gap + 2}" stroke="{"#000" if tick == 1 else "#ddd"}" stroke-width="{1.2 if tick == 1 else 0.6}"/>')
        if tick == int(tick) or vmax <= 2:
            s.append(f'<text x="{x:.1f}" y="{yend + 10}" text-anchor="middle" fill="#555">{tick:g}</text>')
    y = top
    for t in ptests:
        g0 = y
        for p in peers:
            a = agg.get((t, p))
            if not a:
                continue
            r = a['vs_best'] or 0
            bw = max(1, min(r, vmax) * scale)
            s.append(f'<rect x="{left}" y="{y}" width="{bw:.1f}" height="{bar - 2}" fill="{COLORS.get(p, "#777")}">'
                     f'<title>{escape(t)} {escape(p)}: {a["rps"]:,.0f} req/s, p99 {a["p99_ms"]:.3f} ms</title></rect>')
            s.append(f'<text x="{left + bw + 4:.1f}" y="{y + bar - 3}" fill="#333">{r:.2f} ({a["rps"]:,.0f}/s)</text>')
            y += bar
        s.append(f'<text x="{left - 8}" y="{(g0 + y) / 2 + 4:.1f}" text-anchor="end">{escape(t)}</text>')
        y += gap
    s.append('</svg>')
    open(os.path.join(d, 'plot.svg'), 'w').write('\n'.join(s) + '\n')
print(text)
