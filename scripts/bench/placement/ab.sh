#!/bin/bash
# Connection-placement A/B (docs/benchmarks.md, "Connection placement by incoming CPU"). Needs the
# bench origin on 19501 and nginx on 19510 (scripts/bench.sh); state and logs go to $DIR (/tmp/placement).
# ab.sh ROUNDS PATH : nginx (19510) vs Cachalot random (19640) vs incoming-cpu (19644), interleaved wrk -t2 -c64
# runs; needs the two Cachalot instances started by start.sh. Prints req/s, raw p50/p99 and the
# connection split per I/O thread (epoll instance) sampled mid-run; for incoming-cpu also the
# incoming CPUs and chosen threads of the run's 64 accepts (from the acceptor's debug log).
R=$1; P=$2; DUR=${DUR:-6}
declare -A PORT=([nginx]=19510 [random]=19640 [cpu]=19644 [cpu64]=19648)
pids() { case $1 in nginx) m=$(pgrep -f "nginx: master.*run/nginx/" | head -1); echo $m $(pgrep -P $m);; *) cat ${DIR:-/tmp/placement}/$1.pid;; esac; }
for r in $(seq 1 $R); do
  for n in ${VARIANTS:-nginx random cpu}; do
    sleep 1
    p=${PORT[$n]}
    [ -f ${DIR:-/tmp/placement}/$n/out.log ] && n0=$(grep -c 'incoming cpu' ${DIR:-/tmp/placement}/$n/out.log)
    WRK_CONNS=64 wrk -t2 -c64 -d${DUR}s -s $(dirname "$0")/../lib/report.lua http://127.0.0.1:$p$P > ${DIR:-/tmp/placement}/wrk.out &
    w=$!; sleep 3; split=$(python3 $(dirname "$0")/split.py $p $(pids $n)); wait $w
    extra=""
    if [ $n = cpu ] || [ $n = cpu64 ]; then
      extra=$(grep 'incoming cpu' ${DIR:-/tmp/placement}/$n/out.log | tail -n +$((n0+1)) | sed -E 's/.*incoming cpu (-?[0-9]+) -> I\/O thread ([0-9]+).*/cpu\1->t\2/' | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}')
    fi
    grep BENCHJSON ${DIR:-/tmp/placement}/wrk.out | sed 's/BENCHJSON //' | python3 -c "
import json,sys; d=json.load(sys.stdin)
print('%-6s r%-2d %8.0f req/s p50 %.3f p99 %.3f ms split %s %s load %s' % ('$n', $r, d['requests']/d['duration_us']*1e6, d['raw_p50_us']/1e3, d['raw_p99_us']/1e3, '$split', '$extra', open('/proc/loadavg').read().split()[0]))"
  done
done
