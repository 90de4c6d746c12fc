#!/usr/bin/env python3
"""Judges a soak run of scripts/soak.sh: reads RUN/samples.csv, RUN/wrk.out, RUN/side.log and
RUN/after.env, prints a table and the verdict, and exits 0 (pass) or 1 (fail).

Rules (each printed with its figures):
  errors       no response outside 2xx/3xx, no connect/read/write error, every purge and HEAD
               answered 200
  slow         responses slower than wrk's --timeout (30 s) <= SLOW_SHARE of the requests
  heap         heap after a full GC with no load, after the run <= the same before the run + HEAP_SLACK
               MiB (under load the live heap includes the requests in progress and swings by
               +-10 MiB between samples, so its slope is shown, not judged)
  rss          slope of anonymous RSS (RssAnon: heap, direct, metaspace, stacks, malloc) over the
               last third < RSS_SLOPE MiB/min; file-backed RSS (the disk tier's mapped files) is
               shown but not judged: it follows the disk tier's fill level
  direct       slope of direct buffer memory over the last third < DIRECT_SLOPE MiB/min
  threads      max threads in the last third <= max of the middle third + THREAD_SLACK
  fds          open fds other than NIO selectors after the load and the idle timeouts <= the same
               count before the load + FD_SLACK; selectors (one per thread that did a blocking
               wait, cached by XNIO) <= threads
  origin       established origin connections after the idle timeouts == 0
  clients      open client connections after the load == 0
  shutdown     SIGTERM: the JVM exited (143 = 128 + SIGTERM) after logging "stopped (drained)", and the
               store wrote its clean-shutdown marker
Usage: verdict.py RUN_DIR
"""
import csv, os, re, sys

HEAP_SLACK = float(os.environ.get('SOAK_HEAP_SLACK', '16'))
RSS_SLOPE = float(os.environ.get('SOAK_RSS_SLOPE', '4.0'))
DIRECT_SLOPE = float(os.environ.get('SOAK_DIRECT_SLOPE', '1.0'))
THREAD_SLACK = int(os.environ.get('SOAK_THREAD_SLACK', '4'))
FD_SLACK = int(os.environ.get('SOAK_FD_SLACK', '8'))
SLOW_SHARE = float(os.environ.get('SOAK_SLOW_SHARE', '0.001'))


def slope_per_min(ts, ys):
    """Least-squares slope of ys over ts (seconds), per minute."""
    n = len(ts)
    if n < 3:
        return 0.0
    mt, my = sum(ts) / n, sum(ys) / n
    den = sum((t - mt) ** 2 for t in ts)
    return 0.0 if den == 0 else 60.0 * sum((t - mt) * (y - my) for t, y in zip(ts, ys)) / den


def main(run):
    rows = list(csv.DictReader(open(os.path.join(run, 'samples.csv'))))
    if len(rows) < 6:
        print('verdict: FAIL (too few samples: %d)' % len(rows))
        return 1
    num = lambda r, k: float(r[k]) if r[k] not in ('', 'NA') else float('nan')
    cols = ['t_s', 'rss_mib', 'rss_anon_mib', 'heap_after_gc_mib', 'direct_mib', 'threads', 'fds', 'origin_conns',
            'client_conns', 'requests', 'mem_entries', 'disk_entries']
    print('| ' + ' | '.join(cols) + ' |')
    print('|' + '---:|' * len(cols))
    for r in rows:
        print('| ' + ' | '.join(r[c] for c in cols) + ' |')

    # Slopes and thread counts are judged on the samples taken under load (the samples after the
    # load, with no client connection left, would pull every slope down).
    loaded = [r for r in rows if num(r, 'client_conns') > 0]
    if len(loaded) < 6:
        print('verdict: FAIL (too few samples under load: %d)' % len(loaded))
        return 1
    third = len(loaded) // 3
    last, middle = loaded[-third:], loaded[third:2 * third]
    ts = [num(r, 't_s') for r in last]
    checks = []

    def check(name, ok, detail):
        checks.append((name, ok, detail))

    env = {}
    for line in open(os.path.join(run, 'after.env')):
        if '=' in line:
            k, v = line.strip().split('=', 1)
            env[k] = v
    out = open(os.path.join(run, 'wrk.out')).read()
    m = re.search(r'SOAK_RESULT (.*)', out)
    if not m:
        check('errors', False, 'wrk printed no SOAK_RESULT line')
    else:
        f = dict(kv.split('=', 1) for kv in m.group(1).split())
        bad = sum(int(f[k]) for k in ('other', 'connect', 'read', 'write'))
        # A wrk "timeout" is a response slower than wrk's --timeout (still waited for, not an error
        # answer); on a starved machine a few happen. More than SLOW_SHARE of the requests fails.
        slow = int(f['timeout'])
        check('slow', slow <= SLOW_SHARE * int(f['requests']),
              '%d responses slower than wrk --timeout (limit %.2f%% of %s requests)'
              % (slow, 100 * SLOW_SHARE, f['requests']))
        side = [l.split() for l in open(os.path.join(run, 'side.log')) if l.strip()]
        purges = [p for p in side if p[0] == 'purge']
        heads = [p for p in side if p[0] == 'head']
        purge_bad = sum(1 for p in side if p[1] != '200')
        check('errors', bad == 0 and purge_bad == 0 and int(f['requests']) > 0,
              'requests=%s statuses=%s socket connect/read/write/timeout=%s/%s/%s/%s purges=%d heads=%d (non-200: %d)'
              % (f['requests'], f['statuses'], f['connect'], f['read'], f['write'], f['timeout'], len(purges),
                 len(heads), purge_bad))
    hb, ha = float(env['heap_before']), float(env['heap_after'])
    hs = slope_per_min(ts, [num(r, 'heap_after_gc_mib') for r in last])
    check('heap', ha <= hb + HEAP_SLACK,
          'idle heap after GC %.1f MiB before the run, %.1f MiB after it (slack %.0f); under load: max %.1f MiB, '
          'last-third slope %+.2f MiB/min (not judged)'
          % (hb, ha, HEAP_SLACK, max(num(r, 'heap_after_gc_mib') for r in loaded), hs))
    for key, name, limit in (('rss_anon_mib', 'rss', RSS_SLOPE), ('direct_mib', 'direct', DIRECT_SLOPE)):
        s = slope_per_min(ts, [num(r, key) for r in last])
        check(name, s < limit, 'last-third slope %+.2f MiB/min (limit %.1f); first %.1f, max %.1f, last %.1f MiB'
              % (s, limit, num(rows[0], key), max(num(r, key) for r in rows), num(rows[-1], key)))
    tmax_last = max(num(r, 'threads') for r in last)
    tmax_mid = max(num(r, 'threads') for r in middle)
    check('threads', tmax_last <= tmax_mid + THREAD_SLACK,
          'max %d in the last third vs %d in the middle third (slack %d)' % (tmax_last, tmax_mid, THREAD_SLACK))
    fd_before, fd_after = int(env['fds_before']), int(env['fds_after'])
    sel, thr = int(env['selectors_after']), int(env['threads_after'])
    check('fds', fd_after <= fd_before + FD_SLACK and sel <= thr,
          'non-selector fds: %d before the load, %d after it (slack %d); %d selectors for %d threads; '
          'all fds max %d during the run' % (fd_before, fd_after, FD_SLACK, sel, thr,
                                             max(num(r, 'fds') for r in rows)))
    check('origin', int(env['origin_conns_after']) == 0,
          '%s established origin connections after the idle timeouts (max during the run %d)'
          % (env['origin_conns_after'], max(num(r, 'origin_conns') for r in rows)))
    check('clients', int(env['client_conns_after']) == 0,
          '%s open client connections after the load' % env['client_conns_after'])
    check('shutdown', env.get('exit_status') == '143' and env.get('drained') == '1'
          and env.get('clean_shutdown') == '1',
          'exit status %s after SIGTERM, %s s to exit, drained=%s, clean-shutdown marker=%s'
          % (env.get('exit_status'), env.get('exit_seconds'), env.get('drained'), env.get('clean_shutdown')))
    print()
    for name, ok, detail in checks:
        print('%-9s %s  %s' % (name, 'ok  ' if ok else 'FAIL', detail))
    passed = all(ok for _, ok, _ in checks)
    print('\nverdict: %s' % ('PASS' if passed else 'FAIL'))
    return 0 if passed else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
