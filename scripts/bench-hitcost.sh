#!/usr/bin/env bash
# bench-hitcost.sh - what one cache hit costs in two Cachalot builds, measured side by side.
#
# Starts two Cachalot jars (A and B, e.g. main and a branch) on 127.0.0.1 with the same JVM flags
# and configuration, in front of an origin that is already running (scripts/bench.sh --keep starts
# one on 127.0.0.1:19501), warms both, then runs interleaved wrk rounds (A B, B A, ...) of hits on
# one object and reports per build: requests/s, CPU microseconds per request (user and system,
# from /proc/PID/stat: this is the figure least disturbed by other load on the machine) and bytes
# allocated per request on the I/O threads (JFR jdk.ThreadAllocationStatistics over one round).
# Ratios between A and B from the same run are the result; absolute figures depend on the machine.
#
# Usage:
#   scripts/bench-hitcost.sh JAR_A JAR_B [--path /obj-16k.bin] [--rounds 3] [--duration 8]
#                            [--warm 15] [--conns 64] [--disk] [--out DIR]
#   --disk   memory tier off (store.memorySize 0): hits come from the disk tier
# Environment: ORIGIN (default http://127.0.0.1:19501), HITCOST_JAVA_OPTS (default: the
# CACHALOT_JAVA_DEFAULTS of scripts/bench.sh), JAVA (default java). Ports 19560-19563 (loopback).
set -euo pipefail

[ $# -ge 2 ] || { sed -n '2,18p' "$0"; exit 2; }
JAR_A=$1 JAR_B=$2; shift 2
PATH_=/obj-16k.bin ROUNDS=3 DURATION=8 WARM=15 CONNS=64 DISK=0 OUT=/tmp/cachalot-hitcost
while [ $# -gt 0 ]; do
  case "$1" in
    --path) PATH_=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warm) WARM=$2; shift 2 ;;
    --conns) CONNS=$2; shift 2 ;;
    --disk) DISK=1; shift ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
ORIGIN=${ORIGIN:-http://127.0.0.1:19501}
JAVA=${JAVA:-java}
OPTS=${HITCOST_JAVA_OPTS:-"-Xms64m -Xmx512m -Xmn32m -XX:+UseSerialGC -XX:MaxDirectMemorySize=1280m -XX:ReservedCodeCacheSize=64m -Xss512k -XX:TrimNativeHeapInterval=10000 -XX:AutoBoxCacheMax=65536"}
declare -A PORT=([A]=19560 [B]=19562) JAR=([A]=$JAR_A [B]=$JAR_B) PID=()
mkdir -p "$OUT"

curl -s -o /dev/null --max-time 5 "$ORIGIN$PATH_" || { echo "origin $ORIGIN$PATH_ not reachable" >&2; exit 1; }

stop_all() { for k in "${!PID[@]}"; do kill "${PID[$k]}" 2>/dev/null || true; done; }
trap stop_all EXIT

for k in A B; do
  d=$OUT/$k; rm -rf "$d"; mkdir -p "$d/cache"
  mem=1GiB; memobj=8MiB; [ "$DISK" = 1 ] && mem=0 memobj=0
  cat >"$d/cachalot.yaml" <<EOF
server:
  listen: 127.0.0.1:${PORT[$k]}
routes:
  - {name: default, origin: '$ORIGIN'}
admin:
  listen: 127.0.0.1:$((PORT[$k] + 1))
store:
  dir: '$d/cache'
  memorySize: $mem
  memoryMaxObjectSize: $memobj
  diskSize: 1GiB
  maxObjectSize: 64MiB
accessLog:
  enabled: false
EOF
  # shellcheck disable=SC2086
  MALLOC_ARENA_MAX=2 "$JAVA" $OPTS -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true \
    -jar "${JAR[$k]}" --config "$d/cachalot.yaml" >"$d/stdout.log" 2>&1 &
  PID[$k]=$!
done
for k in A B; do
  for _ in $(seq 1 120); do curl -s -o /dev/null "http://127.0.0.1:${PORT[$k]}$PATH_" && break; sleep 0.5; done
done

cpu() { awk '{print $14, $15}' "/proc/$1/stat"; }
io_alloc() {   # jfr file -> bytes allocated by I/O threads between the first and last sample
  jfr print --json --events jdk.ThreadAllocationStatistics "$1" | python3 -c '
import json, sys
r = {}
for e in json.load(sys.stdin)["recording"]["events"]:
    t = e["values"]["thread"] or {}
    n = t.get("javaName") or t.get("osName") or "?"
    r.setdefault(n, []).append(e["values"]["allocated"])
print(sum(max(v) - min(v) for n, v in r.items() if "I/O" in n))'
}
measure() {   # key round alloc?
  local k=$1 p=${PID[$1]} u0 s0 u1 s1 n rps a=""
  [ "$3" = 1 ] && jcmd "$p" JFR.start name=hc settings=default filename="$OUT/$k.jfr" >/dev/null
  read -r u0 s0 < <(cpu "$p")
  wrk -t2 -c"$CONNS" -d"${DURATION}s" "http://127.0.0.1:${PORT[$k]}$PATH_" >"$OUT/$k.wrk"
  read -r u1 s1 < <(cpu "$p")
  n=$(grep -oE '[0-9]+ requests in' "$OUT/$k.wrk" | cut -d' ' -f1)
  rps=$(awk '/Requests\/sec/ {print $2}' "$OUT/$k.wrk")
  if [ "$3" = 1 ]; then
    jcmd "$p" JFR.stop name=hc >/dev/null
    a=$(( $(io_alloc "$OUT/$k.jfr") / n ))
  fi
  local tick_us=$((1000000 / $(getconf CLK_TCK)))
  echo "$k round $2: $rps req/s, user $(( (u1 - u0) * tick_us * 100 / n ))e-2 us/req, sys $(( (s1 - s0) * tick_us * 100 / n ))e-2 us/req${a:+, alloc $a B/req}, load $(cut -d' ' -f1 /proc/loadavg)" \
    | tee -a "$OUT/results.txt"
}

: >"$OUT/results.txt"
echo "A=$JAR_A B=$JAR_B path=$PATH_ conns=$CONNS disk=$DISK opts=$OPTS" | tee -a "$OUT/results.txt"
for k in A B; do wrk -t2 -c"$CONNS" -d"${WARM}s" "http://127.0.0.1:${PORT[$k]}$PATH_" >/dev/null; done
for r in $(seq 1 "$ROUNDS"); do
  order="A B"; [ $((r % 2)) = 0 ] && order="B A"
  for k in $order; do measure "$k" "$r" "$([ "$r" = "$ROUNDS" ] && echo 1 || echo 0)"; done
done
