# fmt.py FILE VARIANTS... (docs/benchmarks.md, "Connection placement by incoming CPU"): ab.sh output as a markdown table
import re, sys, collections, statistics
f = sys.argv[1]; variants = sys.argv[2:]
rows = collections.defaultdict(dict)
for l in open(f):
    m = re.match(r'(\S+)\s+r(\d+)\s+(\d+) req/s p50 ([\d.]+) p99 ([\d.]+) ms split (\S+)\s*(.*?)\s*load', l)
    if m:
        extra = m.group(7).replace('->t', '→t').strip()
        rows[int(m.group(2))][m.group(1)] = (int(m.group(3)), float(m.group(5)), m.group(6), extra)
hdr = '| round | ' + ' | '.join('%s req/s, p99 ms, split' % v for v in variants) + ' |'
print(hdr); print('|---|' + '---|' * len(variants))
for r in sorted(rows):
    cells = []
    for v in variants:
        x = rows[r].get(v)
        if not x: cells.append(''); continue
        c = '%.0fk, %.2f, %s' % (x[0] / 1000, x[1], x[2])
        if x[3]: c += ' (' + x[3].replace(' ', ', ') + ')'
        cells.append(c)
    print('| %d | %s |' % (r, ' | '.join(cells)))
cells = []
for v in variants:
    xs = [rows[r][v] for r in rows if v in rows[r]]
    cells.append('**%.0fk, %.2f**' % (statistics.median(x[0] for x in xs) / 1000, statistics.median(x[1] for x in xs)))
print('| median | %s |' % ' | '.join(cells))
