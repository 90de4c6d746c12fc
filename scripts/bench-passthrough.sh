#!/usr/bin/env bash
# bench-passthrough.sh - pass-through (no cache) requests/s and p99 of Cachalot vs nginx proxy_pass.
#
# Starts an origin (nginx serving static 1 KiB and 1 MiB files), nginx as a plain reverse proxy
# (proxy_pass, keepalive upstream, no cache) and Cachalot (src/target/cachalot.jar, build it with
# `mvn -B -q package -pl src -am -DskipTests`), all on 127.0.0.1. Runs wrk interleaved: for each
# round, each test, both proxies, in alternating order. Prints a table of medians with the ratio
# Cachalot/nginx. Stops only the processes it started.
#
# Usage: scripts/bench-passthrough.sh [--runs N] [--duration S] [--tests 1k_c1,1k_c64,1m_c1,1m_c64]
#                                     [--java JAVA] [--out DIR]
# Ports: origin 19201, nginx 19210, cachalot 19250 (admin 19251). Needs nginx, wrk, java 17+.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=3 DURATION=8 WARM=5 TESTS=1k_c1,1k_c64,1m_c1,1m_c64 JAVA=java OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --tests) TESTS=$2; shift 2 ;;
    --java) JAVA=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed 's/^# \{0,1\}//' | head -n -1; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

ORIGIN_PORT=19201 NGINX_PORT=19210 CACHALOT_PORT=19250 ADMIN_PORT=19251
JAR=$HERE/src/target/cachalot.jar
[ -f "$JAR" ] || { echo "missing $JAR: mvn -B -q package -pl src -am -DskipTests" >&2; exit 1; }
command -v nginx >/dev/null && command -v wrk >/dev/null || { echo "needs nginx and wrk" >&2; exit 1; }
for p in $ORIGIN_PORT $NGINX_PORT $CACHALOT_PORT $ADMIN_PORT; do
  if ss -Hltn "sport = :$p" | grep -q .; then echo "port $p is busy" >&2; exit 1; fi
done

RUN=$(mktemp -d /tmp/bench-passthrough.XXXXXX)
OUT=${OUT:-$RUN}
mkdir -p "$RUN/www" "$RUN/origin/tmp" "$RUN/nginx/tmp" "$OUT"
chmod 755 "$RUN" "$RUN/www"  # nginx workers run as an unprivileged user
head -c 1024 /dev/urandom > "$RUN/www/1k.bin"
head -c 1048576 /dev/urandom > "$RUN/www/1m.bin"
chmod 644 "$RUN/www/"*.bin
PIDS=()

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT

nginx_conf() {  # name port body
  cat <<CONF
worker_processes 2;
worker_rlimit_nofile 20000;
daemon off;
master_process on;
pid $RUN/$1/nginx.pid;
error_log $RUN/$1/error.log warn;
events { worker_connections 8192; multi_accept on; }
http {
    access_log off;
    sendfile on; tcp_nopush on; tcp_nodelay on;
    keepalive_timeout 120s; keepalive_requests 10000000;
    client_body_temp_path $RUN/$1/tmp/body; proxy_temp_path $RUN/$1/tmp/proxy;
    fastcgi_temp_path $RUN/$1/tmp/fastcgi; uwsgi_temp_path $RUN/$1/tmp/uwsgi; scgi_temp_path $RUN/$1/tmp/scgi;
    default_type application/octet-stream;
    $3
    server {
        listen 127.0.0.1:$2 backlog=4096;
        $4
    }
}
CONF
}

nginx_conf origin $ORIGIN_PORT "open_file_cache max=100 inactive=120s;" "root $RUN/www;" > "$RUN/origin/nginx.conf"
nginx_conf nginx $NGINX_PORT "upstream origin { server 127.0.0.1:$ORIGIN_PORT; keepalive 256; }" \
  "location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_buffers 64 16k; }" \
  > "$RUN/nginx/nginx.conf"

start() {  # name cmd...
  local name=$1; shift
  setsid "$@" >"$RUN/$name.log" 2>&1 </dev/null &
  PIDS+=($!)
}
wait_port() {
  for _ in $(seq 1 150); do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/1k.bin" && return 0
    sleep 0.2
  done
  echo "port $1 did not answer; logs in $RUN" >&2; exit 1
}

start origin nginx -p "$RUN/origin/" -c "$RUN/origin/nginx.conf"
start nginx nginx -p "$RUN/nginx/" -c "$RUN/nginx/nginx.conf"
start cachalot "$JAVA" -Xms1g -Xmx1g -XX:+UseParallelGC -jar "$JAR" --listen 127.0.0.1:$CACHALOT_PORT \
  --origin http://127.0.0.1:$ORIGIN_PORT --admin-listen 127.0.0.1:$ADMIN_PORT
wait_port $ORIGIN_PORT; wait_port $NGINX_PORT; wait_port $CACHALOT_PORT

declare -A PORT=([nginx]=$NGINX_PORT [cachalot]=$CACHALOT_PORT)

wrk_run() {  # peer test seconds -> "rps p99_us"
  local peer=$1 test=$2 secs=$3 obj=${2%_c*} conns=${2#*_c} threads=2
  [ "$conns" = 1 ] && threads=1
  wrk -t$threads -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:${PORT[$peer]}/$obj.bin" > "$RUN/last.txt" 2>&1
  python3 - "$RUN/last.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
m = re.search(r"\s99%\s+([\d.]+)(us|ms|s)\b", t)
p99 = float(m.group(1)) * {"us": 1, "ms": 1000, "s": 1000000}[m.group(2)]
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
errs = re.search(r"Socket errors: (.*)", t)
if bad or errs:
    print("WARN", (bad.group(0) if bad else ""), (errs.group(0) if errs else ""), file=sys.stderr)
print(f"{rps:.0f} {p99:.0f}")
PY
}

echo "warming up ${WARM}s each" >&2
for t in ${TESTS//,/ }; do for p in nginx cachalot; do wrk_run $p "$t" "$WARM" > /dev/null; done; done

RESULTS=$OUT/results.txt
: > "$RESULTS"
for r in $(seq 1 "$RUNS"); do
  for t in ${TESTS//,/ }; do
    order="nginx cachalot"; [ $((r % 2)) = 0 ] && order="cachalot nginx"
    for p in $order; do
      res=$(wrk_run $p "$t" "$DURATION")
      echo "$r $t $p $res" | tee -a "$RESULTS" >&2
    done
  done
done

python3 - "$RESULTS" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
tests = []
for r in rows:
    if r[1] not in tests:
        tests.append(r[1])
def med(test, peer, i):
    return statistics.median(float(r[i]) for r in rows if r[1] == test and r[2] == peer)
print(f"{'test':8} {'nginx req/s':>12} {'cachalot req/s':>15} {'ratio':>6} {'nginx p99':>10} {'cachalot p99':>13} {'ratio':>6}")
for t in tests:
    nr, cr = med(t, "nginx", 3), med(t, "cachalot", 3)
    np_, cp = med(t, "nginx", 4), med(t, "cachalot", 4)
    print(f"{t:8} {nr:12.0f} {cr:15.0f} {cr / nr:6.2f} {np_/1000:8.2f}ms {cp/1000:11.2f}ms {cp / np_:6.2f}")
PY
