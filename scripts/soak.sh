#!/usr/bin/env bash
# Soak test: Cachalot under a steady mixed load for a long time, on loopback only, with a sample of
# its memory, threads, file descriptors and origin connections every ~10 s and a pass/fail verdict
# at the end (scripts/soak/verdict.py). See docs/resilience.md.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/soak.sh [--minutes N] [--interval S] [--connections C] [--delay-ms D] [--out DIR]
                       [--jar PATH] [--java-opts "..."] [-h|--help]

  --minutes N       length of the load phase (default 10)
  --interval S      seconds between samples (default 10)
  --connections C   wrk connections (default 16, 2 threads)
  --delay-ms D      pause before each request on each connection (default 4; paces the load so the
                    run does not starve a shared machine)
  --out DIR         run directory (default /tmp/cachalot-soak-YYYYmmdd-HHMMSS)
  --jar PATH        Cachalot jar (default src/target/cachalot.jar; build it with
                    mvn -B -q -DskipTests package -pl src -am)
  --java-opts "..." JVM flags (default "-Xms256m -Xmx256m -XX:+AlwaysPreTouch")

Starts, on 127.0.0.1 and free ports: the soak origin (scripts/soak/origin.py), Cachalot, wrk with
scripts/soak/mix.lua, and a side client (every 3 s an admin POST /purge and a HEAD with curl).
Samples RSS, heap after a full GC (jcmd), direct buffer memory, threads, open fds, established
origin connections, client connections, requests and store entries into DIR/samples.csv. RSS is
shown whole and anonymous only (RssAnon: heap, direct buffers, metaspace, stacks, malloc); the
file-backed rest is mostly the disk tier's memory-mapped files, which grow until it is full.
After the load: waits for the idle timeouts, takes the "after" figures, stops Cachalot with
SIGTERM, and prints the table and the verdict (scripts/soak/verdict.py; docs/resilience.md).
Exit status: 0 pass, 1 fail, 2 usage or setup error. Needs: java, jcmd, python3, wrk, curl, ss.
EOF
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MINUTES=10
INTERVAL=10
CONNS=16
DELAY_MS=4
OUT=""
JAR="$ROOT/src/target/cachalot.jar"
JAVA_OPTS_SOAK="-Xms256m -Xmx256m -XX:+AlwaysPreTouch"
TOKEN="soak-token"
ORIGIN_IDLE=5

while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2 ;;
    --interval) INTERVAL="$2"; shift 2 ;;
    --connections) CONNS="$2"; shift 2 ;;
    --delay-ms) DELAY_MS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --jar) JAR="$2"; shift 2 ;;
    --java-opts) JAVA_OPTS_SOAK="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "soak.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$MINUTES" =~ ^[0-9]+$ && "$MINUTES" -ge 1 ]] || { echo "soak.sh: --minutes must be a whole number >= 1" >&2; exit 2; }
[[ "$INTERVAL" =~ ^[0-9]+$ && "$INTERVAL" -ge 2 ]] || { echo "soak.sh: --interval must be a whole number >= 2" >&2; exit 2; }
for tool in java jcmd python3 wrk curl ss; do
  command -v "$tool" >/dev/null || { echo "soak.sh: '$tool' is not installed (wrk: apt-get install -y wrk)" >&2; exit 2; }
done
[ -f "$JAR" ] || { echo "soak.sh: $JAR missing; build it: mvn -B -q -DskipTests package -pl src -am" >&2; exit 2; }

OUT="${OUT:-/tmp/cachalot-soak-$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
echo "soak: run directory $OUT"

read -r OPORT CPORT APORT < <(python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(('127.0.0.1', 0))
print(' '.join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
)

PIDS=()
cleanup() {
  # Only the processes this script started, by their ids.
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT INT TERM

python3 "$ROOT/scripts/soak/origin.py" "$OPORT" 127.0.0.1 >"$OUT/origin.log" 2>&1 &
ORIGIN_PID=$!
PIDS+=("$ORIGIN_PID")

cat >"$OUT/cachalot.yaml" <<EOF
server:
  listen: 127.0.0.1:$CPORT
  shutdownTimeout: 10s
  limits:
    idleTimeout: 30s
    readTimeout: 30s
admin:
  listen: 127.0.0.1:$APORT
  token: $TOKEN
origin:
  connectTimeout: 2s
  responseTimeout: 10s
  idleTimeout: ${ORIGIN_IDLE}s
  maxConnections: 64
  maxConnectionsPerRoute: 64
store:
  dir: $OUT/cache
  memorySize: 16MiB
  memoryMaxObjectSize: 1MiB
  maxObjectSize: 8MiB
  diskSize: 512MiB
  diskMaxEntries: 100000
routes:
  - name: default
    origin: http://127.0.0.1:$OPORT
accessLog:
  enabled: false
EOF

# shellcheck disable=SC2086
java $JAVA_OPTS_SOAK -jar "$JAR" --config "$OUT/cachalot.yaml" >"$OUT/cachalot.log" 2>&1 &
CPID=$!
PIDS+=("$CPID")

wait_http() {
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}
wait_http "http://127.0.0.1:$OPORT/__count" "$ORIGIN_PID" || { echo "soak.sh: origin did not start ($OUT/origin.log)" >&2; exit 2; }
wait_http "http://127.0.0.1:$APORT/ready" "$CPID" || { echo "soak.sh: Cachalot did not start ($OUT/cachalot.log)" >&2; exit 2; }
echo "soak: origin :$OPORT, cachalot :$CPORT (admin :$APORT, pid $CPID), ${MINUTES} min, $CONNS connections"

metric_sum() { # metric_sum NAME [LABEL-FILTER]: sum of the samples of a Prometheus metric
  awk -v n="$1" -v f="${2:-}" '$1 ~ "^"n"([{]|$)" && (f == "" || index($1, f)) { s += $2 } END { printf "%.0f", s }' "$OUT/metrics.tmp"
}
fds() { ls "/proc/$CPID/fd" 2>/dev/null | wc -l; }
# Open fds that are not NIO selectors (an epoll fd + an eventfd each). XNIO caches one selector per
# thread that did a blocking wait, so those follow the thread count; everything else must return
# to its level before the load.
plain_fds() { ls -l "/proc/$CPID/fd" 2>/dev/null | grep -cv -e 'anon_inode:\[eventpoll\]' -e 'anon_inode:\[eventfd\]' -e '^total'; }
selectors() { ls -l "/proc/$CPID/fd" 2>/dev/null | grep -c 'anon_inode:\[eventpoll\]'; }
origin_conns() { ss -Htn state established "( dport = :$OPORT )" 2>/dev/null | wc -l; }

sample() { # one CSV line: t_s rss rss_anon heap_after_gc direct threads fds origin_conns client_conns requests mem disk
  local t rss anon heap
  t=$(( $(date +%s) - START ))
  rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$CPID/status")
  anon=$(awk '/^RssAnon:/ { printf "%.1f", $2 / 1024 }' "/proc/$CPID/status")
  heap=$(heap_after_gc)
  curl -fsS "http://127.0.0.1:$APORT/metrics" >"$OUT/metrics.tmp" 2>/dev/null || : >"$OUT/metrics.tmp"
  echo "$t,$rss,$anon,${heap:-NA},$(awk "BEGIN { printf \"%.1f\", $(metric_sum jvm_buffer_pool_used_bytes 'pool="direct"') / 1048576 }"),$(awk '/^Threads:/ { print $2 }' "/proc/$CPID/status"),$(fds),$(origin_conns),$(metric_sum cachalot_open_connections),$(metric_sum cachalot_requests_total),$(metric_sum cachalot_store_entries 'tier="memory"'),$(metric_sum cachalot_store_entries 'tier="disk"')"
}

# Warm the JVM a little, then take the "before" figures.
for i in $(seq 1 20); do curl -fsS -o /dev/null "http://127.0.0.1:$CPORT/c/warm$i" || true; done
sleep 3
FDS_BEFORE=$(plain_fds)
heap_after_gc() { # MiB used after a full GC
  jcmd "$CPID" GC.run >/dev/null 2>&1 || true
  jcmd "$CPID" GC.heap_info 2>/dev/null | awk 'match($0, /used [0-9]+K/) { v = substr($0, RSTART + 5, RLENGTH - 6); printf "%.1f", v / 1024; exit }'
}
HEAP_BEFORE=$(heap_after_gc)
ls -l "/proc/$CPID/fd" >"$OUT/fds-before.txt" 2>/dev/null || true

START=$(date +%s)
echo "t_s,rss_mib,rss_anon_mib,heap_after_gc_mib,direct_mib,threads,fds,origin_conns,client_conns,requests,mem_entries,disk_entries" >"$OUT/samples.csv"

SOAK_DELAY_MS="$DELAY_MS" SOAK_NONCE="$START" wrk -t2 -c"$CONNS" -d"${MINUTES}m" --timeout 30s \
  -s "$ROOT/scripts/soak/mix.lua" "http://127.0.0.1:$CPORT" >"$OUT/wrk.out" 2>&1 &
WRK_PID=$!
PIDS+=("$WRK_PID")
: >"$OUT/side.log"

( # side client: every 3 s a hard purge of a hot key and a HEAD of another; logs "purge|head STATUS BODY"
  sizes=(512 4096 16384 65536)
  while kill -0 "$WRK_PID" 2>/dev/null; do
    k=$((RANDOM % 500))
    url="http://127.0.0.1:$CPORT/c/h$k?size=${sizes[$((k % 4))]}"
    r=$(curl -sS -o "$OUT/purge.body" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
          -H 'Content-Type: application/json' -d "{\"url\": \"$url\"}" "http://127.0.0.1:$APORT/purge" 2>/dev/null || echo 000)
    echo "purge $r $(tr -d '\n' <"$OUT/purge.body" 2>/dev/null)" >>"$OUT/side.log"
    k=$((RANDOM % 500))
    r=$(curl -sS -I -o /dev/null -w '%{http_code}' --max-time 15 \
          "http://127.0.0.1:$CPORT/c/h$k?size=${sizes[$((k % 4))]}" 2>/dev/null || echo 000)
    echo "head $r" >>"$OUT/side.log"
    sleep 3
  done
) &
PURGER_PID=$!
PIDS+=("$PURGER_PID")

next=$START
while kill -0 "$WRK_PID" 2>/dev/null; do
  line=$(sample)
  echo "$line" >>"$OUT/samples.csv"
  echo "soak: $line"
  next=$((next + INTERVAL))
  while [ "$(date +%s)" -lt "$next" ] && kill -0 "$WRK_PID" 2>/dev/null; do sleep 1; done
done
wait "$WRK_PID" || true
wait "$PURGER_PID" 2>/dev/null || true
sample >>"$OUT/samples.csv"

# After the load: idle origin connections are closed after origin.idleTimeout (the evictor runs
# at the same period), so wait three of them, then take the "after" figures.
sleep $((3 * ORIGIN_IDLE + 2))
curl -fsS "http://127.0.0.1:$APORT/metrics" >"$OUT/metrics.tmp" 2>/dev/null || : >"$OUT/metrics.tmp"
{
  echo "fds_before=$FDS_BEFORE"
  echo "heap_before=$HEAP_BEFORE"
  echo "heap_after=$(heap_after_gc)"
  echo "fds_after=$(plain_fds)"
  echo "selectors_after=$(selectors)"
  echo "origin_conns_after=$(origin_conns)"
  echo "client_conns_after=$(metric_sum cachalot_open_connections)"
  echo "threads_after=$(awk '/^Threads:/ { print $2 }' "/proc/$CPID/status")"
  echo "origin_requests=$(curl -fsS "http://127.0.0.1:$OPORT/__count" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')"
} >"$OUT/after.env"
cp "$OUT/metrics.tmp" "$OUT/metrics-final.txt"
ls -l "/proc/$CPID/fd" >"$OUT/fds-after.txt" 2>/dev/null || true
ss -Htnp 2>/dev/null | grep "pid=$CPID," >"$OUT/sockets-after.txt" || true

t0=$(date +%s)
kill -TERM "$CPID"
status=0
wait "$CPID" || status=$?
echo "exit_status=$status" >>"$OUT/after.env"
echo "exit_seconds=$(( $(date +%s) - t0 ))" >>"$OUT/after.env"
echo "drained=$(grep -c 'stopped (drained)' "$OUT/cachalot.log" || true)" >>"$OUT/after.env"
echo "clean_shutdown=$([ -f "$OUT/cache/clean-shutdown" ] && echo 1 || echo 0)" >>"$OUT/after.env"

cat "$OUT/wrk.out"
echo
python3 "$ROOT/scripts/soak/verdict.py" "$OUT" | tee "$OUT/verdict.txt"
exit "${PIPESTATUS[0]}"
