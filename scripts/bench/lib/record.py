#!/usr/bin/env python3
"""Turns one load-tool run (wrk or h2load) plus before/after /proc snapshots into a JSON line.

Usage: record.py KEY=VALUE... (--wrk FILE | --h2load FILE --h2log FILE)
                 --pre FILE --post FILE --syspre FILE --syspost FILE
Numeric-looking VALUEs are stored as numbers. Latencies are in microseconds; with wrk they are the
raw (uncorrected) ones recovered by report.lua (raw_*), with h2load they are computed from its
per-request log. The headline fields are p50_us, p90_us, p99_us, p999_us and lat_kind.
"""
import json, re, sys

args, files = {}, {}
it = iter(sys.argv[1:])
for a in it:
    if a.startswith('--'):
        files[a[2:]] = next(it)
    else:
        k, v = a.split('=', 1)
        for conv in (int, float):
            try:
                v = conv(v)
                break
            except ValueError:
                pass
        args[k] = v


def load(name):
    try:
        with open(files[name]) as f:
            return json.load(f)
    except Exception:
        return None


def pct(sorted_vals, q):
    """Nearest-rank percentile (the same rank rule as wrk: floor(q/100*n + 1))."""
    n = len(sorted_vals)
    return sorted_vals[min(n - 1, int(q / 100 * n + 1.0) - 1)]


rec = dict(args)
secs = 0
if 'wrk' in files:
    w = None
    try:
        with open(files['wrk']) as f:
            for line in f:
                if line.startswith('BENCHJSON '):
                    w = json.loads(line[len('BENCHJSON '):])
    except OSError:
        pass
    if w is None:
        rec['error'] = 'no wrk result'
    else:
        rec.update(w)
        secs = w['duration_us'] / 1e6
        rec['requests'] = w['requests']
        rec['errors'] = w['err_connect'] + w['err_read'] + w['err_write'] + w['err_status'] + w['err_timeout']
        if w.get('raw_ok') == 1:
            rec['lat_kind'] = 'raw'
            for q in ('50', '90', '99', '999'):
                rec['p%s_us' % q] = w['raw_p%s_us' % q]
            rec['inflight'] = w['requests'] / secs * w['raw_mean_us'] / 1e6 if secs else 0
        else:
            rec['lat_kind'] = 'wrk-co'   # wrk's coordinated-omission corrected histogram
            for q in ('50', '90', '99', '999'):
                rec['p%s_us' % q] = w['lat_p%s_us' % q]
elif 'h2load' in files:
    text = open(files['h2load']).read()
    m = re.search(r'finished in ([\d.]+)(m?s), ([\d.]+) req/s', text)
    t = re.search(r'traffic: \S+ \((\d+)\) total', text)
    r = re.search(r'requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, '
                  r'(\d+) errored, (\d+) timeout', text)
    if not (m and t and r):
        rec['error'] = 'no h2load result'
    elif 'Application protocol: h2' not in text:
        rec['error'] = 'HTTP/2 was not negotiated (ALPN)'
    else:
        secs = float(m.group(1)) / (1000 if m.group(2) == 'ms' else 1)
        lat, non2xx = [], 0
        try:
            with open(files['h2log']) as f:
                for line in f:
                    p = line.split('\t')
                    if len(p) >= 3:
                        lat.append(int(p[2]))
                        if not p[1].startswith('2'):
                            non2xx += 1
        except OSError:
            pass
        rec['requests'] = int(r.group(4))
        rec['bytes'] = int(t.group(1))
        rec['duration_us'] = int(secs * 1e6)
        rec['errors'] = int(r.group(5)) + int(r.group(6)) + int(r.group(7)) + non2xx
        if lat:
            lat.sort()
            rec['lat_kind'] = 'h2load-log'
            for q, k in ((50, '50'), (90, '90'), (99, '99'), (99.9, '999')):
                rec['p%s_us' % k] = pct(lat, q)
            rec['inflight'] = rec['requests'] / secs * (sum(lat) / len(lat)) / 1e6 if secs else 0
        else:
            rec['error'] = 'h2load wrote no per-request log'
if secs and 'requests' in rec:
    rec['rps'] = rec['requests'] / secs
    rec['mbps'] = rec['bytes'] / secs / 1e6
pre, post = load('pre'), load('post')
if pre and post and secs and rec.get('requests'):
    ticks = post['cpu_ticks'] - pre['cpu_ticks']
    rec['cpu_us_per_req'] = ticks * 10000.0 / rec['requests']
    rec['cpu_cores'] = ticks / 100.0 / secs
    rec['rss_kb'] = post['rss_kb']
    rec['pss_kb'] = post['pss_kb']
sp, sq = load('syspre'), load('syspost')
if sp and sq:
    tot = sq['total'] - sp['total']
    if tot > 0:
        rec['sys_busy'] = 1 - (sq['idle'] - sp['idle']) / tot
        rec['sys_steal'] = (sq['steal'] - sp['steal']) / tot
if 'origin_delta' in rec and rec.get('requests'):
    rec['hit_ratio'] = max(0.0, 1 - rec['origin_delta'] / rec['requests'])
    if rec.get('keys'):
        rec['origin_per_key'] = rec['origin_delta'] / rec['keys']
print(json.dumps(rec))
