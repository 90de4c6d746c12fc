#!/usr/bin/env bash
# bench.sh - Cachalot against nginx proxy_cache, Varnish, Squid and Traffic Server on loopback.
#
# Starts an origin (nginx serving static objects, a delay server behind it at /slow/), Cachalot
# (src/target/cachalot.jar) and the chosen peers from their Debian packages, all on 127.0.0.1 with
# equivalent settings (files in scripts/bench/peers/). It warms every peer, checks that the test
# objects are cache hits, then runs the load tool in interleaved rounds (round r: for each test,
# every peer, peer order rotated each round) and prints one table: requests/s, raw p50/p99/p99.9
# latency, MB/s, the peer's CPU (cores busy, microseconds per request) and RSS, with ratios against
# the best peer. Everything it starts runs in its own session (setsid) and is stopped at the end.
#
# Usage:
#   scripts/bench.sh [--peers LIST] [--tests LIST] [--runs N] [--duration S] [--warm S]
#                    [--out DIR] [--java JAVA] [--quick] [--keep]
#   scripts/bench.sh --stop        stop what an interrupted or --keep run left behind
#
#   --peers    comma list of cachalot,nginx,varnish,squid,ats   (default cachalot,nginx,varnish)
#   --tests    comma list (default: all below). A test is KIND or KIND_cN (N connections, default 64):
#                1k 16k 256k 4m   hits on one object of that size (wrk; -t1 for c1, -t2 otherwise)
#                many10k          random hits over a 10,000 object working set of 16 KiB each
#                slow             misses: a new key per request, origin answers after 50 ms
#                                 (origin connection pool behaviour; ideal = N / 50 ms)
#                collapse         one new key every 250 ms asked by all connections at once, origin
#                                 takes 50 ms: "origin/key" shows request collapsing (ideal 1.0)
#                disk1k disk16k disk256k  hits with the memory tier off (peers restarted in disk mode)
#                h2_1k h2_16k h2_256k     HTTP/2 over TLS hits (h2load; peers that terminate TLS)
#   --runs     rounds (default 3)      --duration  seconds per measurement (default 8)
#   --warm     seconds of load per object kind and peer before measuring (default 15: a JVM's JIT
#              is still compiling 20-30 s into a load; every peer gets the same warm-up)
#   --settle   seconds every peer then stays idle before its working-set RSS is read a second
#              time ("settled"; default 65: a cache's periodic housekeeping, e.g. Cachalot's
#              60 s expiry sweep, has run once; 0 = no second reading)
#   --out      result directory (default $BENCH_DIR/results/DATE)
#   --java     java command for Cachalot (default: $JAVA_HOME/bin/java or java)
#   --quick    smoke run: --runs 1 --duration 2 --warm 1 unless given
#   --keep     leave everything running at the end (stop it with --stop)
#
# Output in --out: summary.md (the table), results.csv, summary.json, raw.jsonl (one line per
# measurement), facts.json (machine and versions), plot.svg, load.log (load tool output),
# logs/PEER-MODE.log (each peer's console). Run files (configs, caches) stay in $BENCH_DIR/run.
#
# Ports (fixed, 127.0.0.1 only): origin 19501, delay server 19502, nginx 19510 (TLS 19511),
# varnish 19520 (admin 19521), squid 19530, ats 19540 (TLS 19541), cachalot 19550 (admin 19551, TLS 19552).
# Needs: nginx, wrk, python3, curl, ss, openssl; h2load (nghttp2-client) for h2_*; the peers'
# packages for the peers (apt-get install nginx varnish squid trafficserver wrk nghttp2-client).
# Environment: BENCH_DIR (default /tmp/cachalot-bench: run files, disk-mode caches; must be on a
# real disk), BENCH_SHM (default /dev/shm/cachalot-bench: memory-mode cache files of nginx/ats),
# CACHALOT_JAVA_OPTS (default: $CACHALOT_JAVA_DEFAULTS below), CACHALOT_MEMORY (memory tier size,
# default 1GiB; raise -XX:MaxDirectMemorySize with it).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIB=$ROOT/scripts/bench/lib
CONF=$ROOT/scripts/bench/peers
JAR=$ROOT/src/target/cachalot.jar
BENCH=${BENCH_DIR:-/tmp/cachalot-bench}
RUN=$BENCH/run
SHM=${BENCH_SHM:-/dev/shm/cachalot-bench}
WWW=$BENCH/www

ORIGIN_PORT=19501 SLOW_PORT=19502 VARNISH_ADMIN_PORT=19521 CACHALOT_ADMIN_PORT=19551
declare -A PORT=([nginx]=19510 [varnish]=19520 [squid]=19530 [ats]=19540 [cachalot]=19550)
declare -A TLS_PORT=([nginx]=19511 [ats]=19541 [cachalot]=19552)
ALL_TESTS=1k_c1,1k_c8,1k_c64,16k_c1,16k_c8,16k_c64,256k_c1,256k_c8,256k_c64,4m_c1,4m_c8,4m_c64,many10k_c64,slow_c64,collapse_c64,disk16k_c64,h2_16k_c64
MANY=10000 DELAY_MS=50 WINDOW_MS=250

PEERS=cachalot,nginx,varnish TESTS=$ALL_TESTS RUNS="" DURATION="" WARM="" SETTLE="" OUT="" KEEP=0 STOP_ONLY=0 QUICK=0
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

usage() { sed -n '2,/^set -euo/p' "$0" | sed 's/^# \{0,1\}//' | head -n -1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --peers|--tests|--runs|--duration|--warm|--settle|--out|--java)
      [ $# -ge 2 ] && [ -n "$2" ] || { echo "bench.sh: $1 needs a value" >&2; exit 2; }
      case "$1" in
        --peers) PEERS=$2 ;; --tests) TESTS=$2 ;; --runs) RUNS=$2 ;; --duration) DURATION=$2 ;;
        --warm) WARM=$2 ;; --settle) SETTLE=$2 ;; --out) OUT=$2 ;; --java) JAVA=$2 ;;
      esac
      shift 2 ;;
    --quick) QUICK=1; shift ;;
    --keep) KEEP=1; shift ;;
    --stop) STOP_ONLY=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench.sh: unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$QUICK" = 1 ]; then RUNS=${RUNS:-1} DURATION=${DURATION:-2} WARM=${WARM:-1} SETTLE=${SETTLE:-0}; fi
RUNS=${RUNS:-3} DURATION=${DURATION:-8} WARM=${WARM:-15} SETTLE=${SETTLE:-65}
for v in RUNS DURATION WARM SETTLE; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "bench.sh: --${v,,} must be a whole number, got '${!v}'" >&2; exit 2; }
done
[ "$RUNS" -ge 1 ] && [ "$DURATION" -ge 1 ] || { echo "bench.sh: --runs and --duration must be at least 1" >&2; exit 2; }

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------------------------ processes (own sessions only)
declare -A SESSION=()   # name -> session id (= the PID we started with setsid)
STARTED=()              # names in start order

session_pids() { ps -e -o pid=,sid= | awk -v s="$1" '$2==s {print $1}'; }

stop_session() {   # name sid
  local name=$1 sid=$2 pids i
  pids=$(session_pids "$sid")
  [ -z "$pids" ] && return 0
  log "stopping $name (session $sid)"
  kill -TERM $pids 2>/dev/null || true
  for i in $(seq 1 75); do
    pids=$(session_pids "$sid"); [ -z "$pids" ] && return 0
    sleep 0.2
  done
  log "  $name still alive after 15 s: SIGKILL $(echo $pids)"
  kill -CONT $pids 2>/dev/null || true; kill -KILL $pids 2>/dev/null || true
}

stop_one() {   # name
  local name=$1 i keep=()
  [ -n "${SESSION[$name]:-}" ] && stop_session "$name" "${SESSION[$name]}"
  rm -f "$RUN/$name/session.pid"
  unset "SESSION[$name]"
  for i in "${STARTED[@]}"; do [ "$i" = "$name" ] || keep+=("$i"); done
  STARTED=("${keep[@]+"${keep[@]}"}")
}

stop_all() {
  local i
  for (( i=${#STARTED[@]}-1; i>=0; i-- )); do stop_one "${STARTED[$i]}"; done
  rm -rf "$SHM"
}

on_exit() {
  if [ "$KEEP" = 1 ]; then
    log "--keep: left running: $(for n in "${STARTED[@]+"${STARTED[@]}"}"; do printf '%s=%s ' "$n" "${SESSION[$n]}"; done)"
  else
    stop_all
  fi
}

launch() {   # name logfile cmd...   (cmd becomes a session leader; must stay in the foreground)
  local name=$1 logf=$2; shift 2
  mkdir -p "$RUN/$name"
  setsid "$@" >"$logf" 2>&1 </dev/null &
  local pid=$!
  SESSION[$name]=$pid
  STARTED+=("$name")
  echo "$pid" >"$RUN/$name/session.pid"
}

port_busy() { ss -Hltn "sport = :$1" | grep -q .; }

wait_port() {   # port name timeout_s [scheme]
  local port=$1 name=$2 t=$3 scheme=${4:-http} i
  for i in $(seq 1 $((t * 5))); do
    if curl -sk -o /dev/null --max-time 1 "$scheme://127.0.0.1:$port/__bench_probe" 2>/dev/null; then return 0; fi
    if [ -n "${SESSION[$name]:-}" ] && [ -z "$(session_pids "${SESSION[$name]}")" ]; then
      tail -n 20 "$RUN/$name/stdout.log" >&2 2>/dev/null || true
      die "$name exited during startup; see $RUN/$name/"
    fi
    sleep 0.2
  done
  die "$name did not answer on port $port within ${t}s; see $RUN/$name/"
}

render() {   # template port [extra sed expressions...] > out
  local tpl=$1 port=$2; shift 2
  sed -e "s#__RUN__#$RUN#g" -e "s#__WWW__#$WWW#g" -e "s#__SHM__#$SHM#g" \
      -e "s#__ORIGIN_PORT__#$ORIGIN_PORT#g" -e "s#__SLOW_PORT__#$SLOW_PORT#g" -e "s#__PORT__#$port#g" "$@" "$tpl"
}

# ------------------------------------------------------------------ origin and peers
start_origin() {
  mkdir -p "$RUN/origin/tmp" "$RUN/slow"
  render "$CONF/origin-nginx.conf" "$ORIGIN_PORT" >"$RUN/origin/nginx.conf"
  launch slow "$RUN/slow/stdout.log" python3 "$LIB/slow_origin.py" "$SLOW_PORT"
  launch origin "$RUN/origin/stdout.log" nginx -p "$RUN/origin/" -c "$RUN/origin/nginx.conf"
  wait_port "$SLOW_PORT" slow 20; wait_port "$ORIGIN_PORT" origin 20
}

# Each start_PEER MODE starts the peer in memory or disk mode; disk mode = bodies served from a
# file-system cache with the memory tier off or minimal (the page cache still holds the files).
start_nginx() {
  local dir=$SHM/nginx-cache
  [ "$1" = disk ] && dir=$RUN/nginx/cache
  rm -rf "$RUN/nginx" "$SHM/nginx-cache"; mkdir -p "$RUN/nginx/tmp" "$dir"
  render "$CONF/nginx-cache.conf" "${PORT[nginx]}" -e "s#__TLS_PORT__#${TLS_PORT[nginx]}#g" \
    -e "s#__CACHE_DIR__#$dir#g" >"$RUN/nginx/nginx.conf"
  launch nginx "$RUN/nginx/stdout.log" nginx -p "$RUN/nginx/" -c "$RUN/nginx/nginx.conf"
}

start_varnish() {
  local storage="malloc,1G"
  rm -rf "$RUN/varnish"; mkdir -p "$RUN/varnish"
  if [ "$1" = disk ]; then
    mkdir -p "$RUN/varnish/storage"; chmod 777 "$RUN/varnish/storage"
    storage="file,$RUN/varnish/storage/varnish.bin,2G"
  fi
  render "$CONF/varnish.vcl" "${PORT[varnish]}" >"$RUN/varnish/default.vcl"
  # -F: foreground (manager and cache child share our session); as root the child runs as vcache
  launch varnish "$RUN/varnish/stdout.log" varnishd -F -n "$RUN/varnish/n" \
    -a "127.0.0.1:${PORT[varnish]}" -T "127.0.0.1:$VARNISH_ADMIN_PORT" \
    -f "$RUN/varnish/default.vcl" -s "$storage"
}

start_squid() {
  local storage='cache_mem 2048 MB\nmemory_cache_mode always'
  rm -rf "$RUN/squid"; mkdir -p "$RUN/squid"
  [ "$1" = disk ] && storage="cache_mem 0 MB\ncache_dir ufs $RUN/squid/cache 2048 16 256"
  render "$CONF/squid.conf" "${PORT[squid]}" -e "s#__SQUID_STORAGE__#$storage#" >"$RUN/squid/squid.conf"
  chown -R proxy:proxy "$RUN/squid" 2>/dev/null || true   # cache_effective_user writes here
  if [ "$1" = disk ]; then
    timeout 60 squid -N -z -f "$RUN/squid/squid.conf" >"$RUN/squid/mkdirs.log" 2>&1 || die "squid -z failed; see $RUN/squid/mkdirs.log"
  fi
  # -N: no daemon, one process; -d1: errors to stderr
  launch squid "$RUN/squid/stdout.log" squid -N -d1 -f "$RUN/squid/squid.conf"
}

start_ats() {
  local d=$RUN/ats f span=$SHM/ats ram=2147483648
  [ "$1" = disk ] && span=$d/span ram=0
  rm -rf "$d" "$SHM/ats"; mkdir -p "$d/etc" "$d/var" "$d/run" "$d/log" "$span"
  cp -r /etc/trafficserver/. "$d/etc/"
  for f in records.config remap.config storage.config ssl_multicert.config; do
    render "$CONF/ats/$f" "${PORT[ats]}" -e "s#__ATS_SPAN__#$span#g" -e "s#__ATS_RAM__#$ram#g" \
      -e "s#__TLS_PORT__#${TLS_PORT[ats]}#g" >"$d/etc/$f"
  done
  render "$CONF/ats/runroot.yaml" "${PORT[ats]}" >"$d/runroot.yaml"
  : >"$d/etc/plugin.config"
  launch ats "$d/stdout.log" traffic_server --run-root="$d/runroot.yaml"
}

java_major() { "$JAVA" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == 1 ? v[2] : v[1]); exit}'; }

has_config_key() {   # section key -> true when config/cachalot.yaml (this checkout) documents it
  awk -v sec="$1:" -v key="$2:" '/^[a-zA-Z]/ {in_sec = ($1 == sec)} in_sec && $1 == key {found = 1} END {exit !found}' \
    "$ROOT/config/cachalot.yaml" 2>/dev/null
}

# Cachalot's configuration for the run: same role as the peers (reverse proxy cache for the origin),
# memory tier CACHALOT_MEMORY (objects up to 8 MiB kept in memory, like squid/ats) or, in disk
# mode, none; access log off (as for every peer); TLS + HTTP/2 listener for the h2 tests.
write_cachalot_config() {   # mode file
  local mem=${CACHALOT_MEMORY:-1GiB} memobj=8MiB d=$RUN/cachalot
  [ "$1" = disk ] && mem=0 memobj=0
  {
    echo "# generated by scripts/bench.sh ($1 mode); see config/cachalot.yaml for every key"
    echo "server:"
    echo "  listen: 127.0.0.1:${PORT[cachalot]}"
    echo "  tls: {enabled: true, listen: '127.0.0.1:${TLS_PORT[cachalot]}', certificate: '$RUN/tls/cert.pem', privateKey: '$RUN/tls/key.pem', http2: true}"
    echo "routes:"
    echo "  - {name: default, origin: 'http://127.0.0.1:$ORIGIN_PORT'}"
    echo "admin:"
    echo "  listen: 127.0.0.1:$CACHALOT_ADMIN_PORT"
    echo "store:"
    echo "  dir: '$d/cache'"
    echo "  memorySize: $mem"
    has_config_key store memoryMaxObjectSize && echo "  memoryMaxObjectSize: $memobj"
    echo "  diskSize: 4GiB"
    echo "  maxObjectSize: 64MiB"
    has_config_key accessLog enabled && printf 'accessLog:\n  enabled: false\n'
    true
  } >"$2"
}

# JVM flags for Cachalot when CACHALOT_JAVA_OPTS is not set, sized for the run's working set
# rather than "as much as the machine has" (docs/benchmarks.md, "JVM flags"): the memory tier lives
# in direct buffers (MaxDirectMemorySize above CACHALOT_MEMORY plus the I/O buffer pool); the heap
# holds only indexes, heads and per-request garbage (about 60 MiB live with the 10,000 object
# working set); the serial collector has the smallest footprint and, with a young generation of
# a few tens of MiB and almost nothing surviving, pauses of a millisecond or two;
# -Xmn32m fixes that young generation from the start (the default starts at ~8 MiB: a collection
# every ~60 ms at 1 KiB hits, which showed in the p99), at no cost in working-set RSS;
# AutoBoxCacheMax covers Undertow's per-read boxing of the 60 s read/write timeouts;
# TrimNativeHeapInterval gives glibc's freed native memory back every 10 s (JDK 17.0.9+, 21.0.1+).
CACHALOT_JAVA_DEFAULTS="-Xms64m -Xmx512m -Xmn32m -XX:+UseSerialGC -XX:MaxDirectMemorySize=1280m -XX:ReservedCodeCacheSize=64m -Xss512k -XX:TrimNativeHeapInterval=10000 -XX:AutoBoxCacheMax=65536"

start_cachalot() {
  local d=$RUN/cachalot flags=()
  rm -rf "$d"; mkdir -p "$d/cache"
  write_cachalot_config "$1" "$d/cachalot.yaml"
  [ "$(java_major)" -ge 24 ] && flags+=(--sun-misc-unsafe-memory-access=allow)
  # shellcheck disable=SC2206
  local opts=(${CACHALOT_JAVA_OPTS:-$CACHALOT_JAVA_DEFAULTS})
  # MALLOC_ARENA_MAX: glibc's per-thread malloc arenas only add resident memory to a JVM whose
  # own allocations are on the Java heap or in direct buffers.
  launch cachalot "$d/stdout.log" env MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" "$JAVA" "${opts[@]}" "${flags[@]+"${flags[@]}"}" \
    -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true \
    -jar "$JAR" --config "$d/cachalot.yaml"
}

start_peer() {   # peer mode
  log "starting $1 ($2 mode) on ${PORT[$1]}"
  "start_$1" "$2"
}

tmpfs_kb() {   # peer -> KiB of tmpfs cache files (memory not in the peer's RSS)
  case "$1" in
    nginx) [ -d "$SHM/nginx-cache" ] && du -sk "$SHM/nginx-cache" | cut -f1 || echo 0 ;;
    ats)   [ -d "$SHM/ats" ] && du -sk "$SHM/ats" | cut -f1 || echo 0 ;;
    *)     echo 0 ;;
  esac
}

origin_count() { curl -s --max-time 5 "http://127.0.0.1:$ORIGIN_PORT/__status" | awk 'NR==3 {print $3}'; }

# ------------------------------------------------------------------ tests
test_kind() { echo "${1%%_c*}"; }
test_conns() { case "$1" in *_c[0-9]*) echo "${1##*_c}" ;; *) echo 64 ;; esac; }
test_threads() { [ "$(test_conns "$1")" -ge 2 ] && echo 2 || echo 1; }
test_mode() { case "$(test_kind "$1")" in disk*) echo disk ;; *) echo mem ;; esac; }
size_of() {   # 1k|16k|256k|4m -> object path
  case "$1" in 1k|16k|256k|4m) echo "/obj-$1.bin" ;; *) return 1 ;; esac
}
test_path() {   # the URL path wrk is given (the workload script may replace it per request)
  local k; k=$(test_kind "$1")
  case "$k" in
    many10k) echo /many/00000.bin ;;
    slow|collapse) echo "/slow/probe?ms=$DELAY_MS" ;;
    disk*) size_of "${k#disk}" ;;
    h2_*) size_of "${k#h2_}" ;;
    *) size_of "$k" ;;
  esac
}
test_valid() {
  local k; k=$(test_kind "$1")
  [[ "$(test_conns "$1")" =~ ^[0-9]+$ ]] && [ "$(test_conns "$1")" -ge 1 ] || return 1
  case "$k" in many10k|slow|collapse) return 0 ;; esac
  test_path "$1" >/dev/null 2>&1
}
wrk_mode() { case "$(test_kind "$1")" in many10k) echo many ;; slow) echo unique ;; collapse) echo collapse ;; *) echo static ;; esac; }

# why a peer cannot run a test ("" = it can)
not_applicable() {   # peer test
  local p=$1 k; k=$(test_kind "$2")
  case "$k" in
    h2_*)
      if [ -z "${TLS_PORT[$p]:-}" ]; then
        case "$p" in
          varnish) echo "n/a (Varnish has no TLS; it needs a TLS proxy such as hitch in front)" ;;
          squid) echo "n/a (Squid has no HTTP/2)" ;;
          *) echo "n/a (no TLS listener configured for $p in this harness)" ;;
        esac
        return
      fi
      command -v h2load >/dev/null || { echo "h2load missing (apt-get install nghttp2-client)"; return; } ;;
    disk*)
      if [ "$p" = cachalot ] && [ -n "$CACHALOT_NO_DISK_MODE" ]; then echo "$CACHALOT_NO_DISK_MODE"; return; fi ;;
  esac
  echo ""
}

run_load() {   # peer test duration outfile-prefix   (writes PREFIX.out, and PREFIX.h2log for h2)
  local p=$1 t=$2 dur=$3 of=$4 c; c=$(test_conns "$t")
  case "$(test_kind "$t")" in
    h2_*)
      rm -f "$of.h2log"
      timeout $((dur + 30)) h2load -c "$c" -m 1 -t "$(test_threads "$t")" -D "$dur" --log-file="$of.h2log" \
        "https://127.0.0.1:${TLS_PORT[$p]}$(test_path "$t")" >"$of.out" 2>&1 || true ;;
    *)
      # WRK_CONNS lets report.lua undo wrk's coordinated-omission latency correction (raw_* fields)
      WRK_CONNS=$c WRK_MODE=$(wrk_mode "$t") WRK_MANY=$MANY WRK_DELAY_MS=$DELAY_MS WRK_WINDOW_MS=$WINDOW_MS \
      WRK_NONCE="$NONCE-$p-$MEASURE_SEQ" timeout $((dur + 30)) \
        wrk -t"$(test_threads "$t")" -c"$c" -d"${dur}s" --timeout 10s -s "$LIB/workload.lua" \
        "http://127.0.0.1:${PORT[$p]}$(test_path "$t")" >"$of.out" 2>&1 || true ;;
  esac
}

MEASURE_SEQ=0
record_na() {   # round test peer reason
  python3 -c 'import json,sys; print(json.dumps({"round": int(sys.argv[1]), "test": sys.argv[2], "peer": sys.argv[3], "na": sys.argv[4]}))' \
    "$@" >>"$OUT/raw.jsonl"
}

measure() {   # round test peer
  local r=$1 t=$2 p=$3 tmp=$OUT/tmp c0 c1 t0 t1 keys=0 src
  MEASURE_SEQ=$((MEASURE_SEQ + 1))
  python3 "$LIB/proc_stats.py" "${SESSION[$p]}" >"$tmp.pre"
  python3 "$LIB/proc_stats.py" --sys >"$tmp.syspre"
  c0=$(origin_count); t0=$(date +%s%3N)
  run_load "$p" "$t" "$DURATION" "$tmp.load"
  t1=$(date +%s%3N); c1=$(origin_count)
  python3 "$LIB/proc_stats.py" --sys >"$tmp.syspost"
  python3 "$LIB/proc_stats.py" "${SESSION[$p]}" >"$tmp.post"
  { echo "=== r$r $t $p"; cat "$tmp.load.out"; } >>"$OUT/load.log"
  # collapse: keys = time windows the run touched (each one new key)
  [ "$(test_kind "$t")" = collapse ] && keys=$(( t1 / WINDOW_MS - t0 / WINDOW_MS + 1 ))
  if [ -f "$tmp.load.h2log" ]; then src=(--h2load "$tmp.load.out" --h2log "$tmp.load.h2log"); else src=(--wrk "$tmp.load.out"); fi
  python3 "$LIB/record.py" round="$r" test="$t" peer="$p" mode="$(test_mode "$t")" conns="$(test_conns "$t")" \
      threads="$(test_threads "$t")" duration_s="$DURATION" origin_delta=$((c1 - c0 - 1)) keys="$keys" \
      tmpfs_kb="$(tmpfs_kb "$p")" "${src[@]}" \
      --pre "$tmp.pre" --post "$tmp.post" --syspre "$tmp.syspre" --syspost "$tmp.syspost" \
    | tee -a "$OUT/raw.jsonl" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
if "rps" in r and "p99_us" in r:
    print("  r%s %-13s %-9s %9.0f req/s %8.1f MB/s p50 %7.3f p99 %7.3f p99.9 %7.3f ms  cpu %.2f  hit %s  err %d" % (
        r["round"], r["test"], r["peer"], r["rps"], r["mbps"], r["p50_us"] / 1e3, r["p99_us"] / 1e3,
        r["p999_us"] / 1e3, r.get("cpu_cores", 0), ("%.3f" % r["hit_ratio"]) if "hit_ratio" in r else "-",
        r.get("errors", 0)), file=sys.stderr)
else:
    print("  r%s %s %s: %s" % (r["round"], r["test"], r["peer"], r.get("error", "no result")), file=sys.stderr)'
  rm -f "$tmp".*
}

# Fetch every test object twice; the second pass must not reach the origin.
warm_and_verify() {   # peer mode
  local p=$1 mode=$2 paths path c0 c1 i t f
  paths=$(for t in "${TEST_LIST[@]}"; do
            [ "$(test_mode "$t")" = "$mode" ] || continue
            case "$(test_kind "$t")" in many10k|slow|collapse|h2_*) ;; *) test_path "$t" ;; esac
          done | sort -u)
  [ -z "$paths" ] && return 0
  for i in 1 2 3 4 5; do
    for path in $paths; do curl -s -o /dev/null --max-time 10 "http://127.0.0.1:${PORT[$p]}$path" || true; done
    c0=$(origin_count)
    for path in $paths; do curl -s -o /dev/null --max-time 10 "http://127.0.0.1:${PORT[$p]}$path" || true; done
    c1=$(origin_count)
    if [ $((c1 - c0 - 1)) -eq 0 ]; then log "$p: all $(echo $paths | wc -w) test objects are cache hits"; return 0; fi
    sleep 1
  done
  log "WARNING: $p still sends $((c1 - c0 - 1)) of $(echo $paths | wc -w) test requests to the origin after warming (not caching?)"
}

# Load the 10,000 object working set twice and record RSS/tmpfs growth and the second pass hit ratio.
fill_working_set() {   # peer
  local p=$1 tmp=$OUT/tmp c0 c1 c2 tb ta
  python3 "$LIB/proc_stats.py" "${SESSION[$p]}" >"$tmp.mpre"; tb=$(tmpfs_kb "$p")
  c0=$(origin_count)
  python3 "$LIB/fill.py" "${PORT[$p]}" "$MANY" 8 >"$tmp.pass1"
  c1=$(origin_count)
  python3 "$LIB/fill.py" "${PORT[$p]}" "$MANY" 8 >"$tmp.pass2"
  c2=$(origin_count)
  python3 "$LIB/proc_stats.py" "${SESSION[$p]}" >"$tmp.mpost"; ta=$(tmpfs_kb "$p")
  echo '{}' >"$tmp.msettled"
  if [ "$SETTLE" -gt 0 ]; then
    log "$p: idle ${SETTLE}s before the settled RSS reading"
    sleep "$SETTLE"
    python3 "$LIB/proc_stats.py" "${SESSION[$p]}" >"$tmp.msettled"
  fi
  python3 - "$p" "$MANY" $((c1 - c0 - 1)) $((c2 - c1 - 1)) "$tb" "$ta" "$tmp" <<'EOF' | tee -a "$OUT/mem.jsonl" | python3 -c '
import json, sys
m = json.loads(sys.stdin.read())
print("  %s: working set of %d: RSS %.0f -> %.0f MiB (anon %.0f, file %.0f), tmpfs %.0f -> %.0f MiB, pass 2 hit %.2f %%, non-200 %d" % (m["peer"], m["objects"],
  m["rss_before_kb"] / 1024, m["rss_after_kb"] / 1024, m["rss_anon_after_kb"] / 1024, m["rss_file_after_kb"] / 1024,
  m["tmpfs_before_kb"] / 1024, m["tmpfs_after_kb"] / 1024,
  m["pass2_hit_ratio"] * 100, m["pass1_non200"] + m["pass2_non200"]), file=sys.stderr)'
import json, sys
p, n, o1, o2, tb, ta, tmp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
L = lambda s: json.load(open(tmp + s))
pre, post, p1, p2, st = L('.mpre'), L('.mpost'), L('.pass1'), L('.pass2'), L('.msettled')
print(json.dumps({"peer": p, "objects": n, "rss_before_kb": pre["rss_kb"], "pss_before_kb": pre["pss_kb"],
  "rss_after_kb": post["rss_kb"], "pss_after_kb": post["pss_kb"],
  "rss_anon_after_kb": post.get("rss_anon_kb", 0), "rss_file_after_kb": post.get("rss_file_kb", 0), "tmpfs_before_kb": tb, "tmpfs_after_kb": ta,
  "rss_settled_kb": st.get("rss_kb"), "rss_anon_settled_kb": st.get("rss_anon_kb"), "rss_file_settled_kb": st.get("rss_file_kb"),
  "pass1_origin": o1, "pass2_origin": o2, "pass2_hit_ratio": max(0.0, 1 - o2 / n),
  "pass1_ms": p1["ms"], "pass2_ms": p2["ms"], "pass1_non200": p1["non200"] + p1["errors"], "pass2_non200": p2["non200"] + p2["errors"]}))
EOF
  rm -f "$tmp".*
}

# Start the peers in MODE, warm them, run RUNS interleaved rounds of the MODE's tests, stop them.
run_phase() {   # mode last(1 = no phase follows: --keep leaves the peers running)
  local mode=$1 last=$2 tests=() t p r k n warm_tests=() live=()
  for t in "${TEST_LIST[@]}"; do [ "$(test_mode "$t")" = "$mode" ] && tests+=("$t"); done
  [ ${#tests[@]} -eq 0 ] && return 0
  log "=== $mode phase: ${tests[*]}"
  for p in "${PEER_LIST[@]}"; do
    n=0; for t in "${tests[@]}"; do [ -z "$(not_applicable "$p" "$t")" ] && n=1; done
    [ "$n" = 1 ] && { start_peer "$p" "$mode"; live+=("$p"); }
  done
  for p in "${live[@]+"${live[@]}"}"; do wait_port "${PORT[$p]}" "$p" 90; done
  for p in "${live[@]+"${live[@]}"}"; do
    [ -n "${TLS_PORT[$p]:-}" ] && [ "$mode" = mem ] && wait_port "${TLS_PORT[$p]}" "$p" 30 https
    warm_and_verify "$p" "$mode"
    for t in "${tests[@]}"; do [ "$(test_kind "$t")" = many10k ] && { fill_working_set "$p"; break; }; done
  done
  # warm-up load: every object kind once per peer (JIT compilation, connection pools, page cache).
  # slow is warmed too: its misses run code no hit runs (origin client, store writes), which a JIT
  # would otherwise compile during the measurement; each warm-up request is a new key, like the test.
  for t in "${tests[@]}"; do
    case "$(test_kind "$t")" in collapse) continue ;; esac
    k="$(test_kind "$t")"; [[ " ${warm_tests[*]-} " == *" $k "* ]] || warm_tests+=("$k")
  done
  if [ "$WARM" -gt 0 ] && [ ${#warm_tests[@]} -gt 0 ]; then
    log "warm-up: ${WARM}s x (${warm_tests[*]}) per peer"
    for p in "${live[@]+"${live[@]}"}"; do
      for k in "${warm_tests[@]}"; do
        [ -z "$(not_applicable "$p" "$k")" ] && run_load "$p" "${k}_c16" "$WARM" "$OUT/tmp.warm"
      done
    done
    rm -f "$OUT"/tmp.warm.*
  fi
  n=${#PEER_LIST[@]}
  for r in $(seq 1 "$RUNS"); do
    log "$mode round $r/$RUNS"
    for t in "${tests[@]}"; do
      for k in $(seq 0 $((n - 1))); do
        p=${PEER_LIST[$(( (k + r - 1) % n ))]}
        reason=$(not_applicable "$p" "$t")
        if [ -n "$reason" ]; then record_na "$r" "$t" "$p" "$reason"; else measure "$r" "$t" "$p"; fi
      done
    done
  done
  mkdir -p "$OUT/logs"
  [ "$KEEP" = 1 ] && [ "$last" = 1 ] && return 0
  for p in "${live[@]+"${live[@]}"}"; do
    stop_one "$p"
    cp "$RUN/$p/stdout.log" "$OUT/logs/$p-$mode.log" 2>/dev/null || cp "$RUN/$p/"*.log "$OUT/logs/" 2>/dev/null || true
  done
}

# ------------------------------------------------------------------ main
if [ "$STOP_ONLY" = 1 ]; then
  for f in "$RUN"/*/session.pid; do
    [ -f "$f" ] || continue
    n=$(basename "$(dirname "$f")"); SESSION[$n]=$(cat "$f"); STARTED+=("$n")
  done
  log "stopping: ${STARTED[*]-nothing}"; stop_all; exit 0
fi

IFS=, read -r -a PEER_LIST <<<"$PEERS"
IFS=, read -r -a TEST_LIST <<<"$TESTS"
declare -A PEER_BIN=([nginx]=nginx [varnish]=varnishd [squid]=squid [ats]=traffic_server [cachalot]="$JAVA")
for p in "${PEER_LIST[@]}"; do
  [ -n "${PORT[$p]:-}" ] || die "unknown peer '$p' (choose from cachalot,nginx,varnish,squid,ats)"
  command -v "${PEER_BIN[$p]}" >/dev/null || die "missing ${PEER_BIN[$p]} (needed for peer $p)"
done
for t in "${TEST_LIST[@]}"; do test_valid "$t" || die "unknown test '$t' (see --help)"; done
for tool in nginx wrk python3 curl ss openssl setsid timeout; do command -v "$tool" >/dev/null || die "missing $tool"; done
if [[ " ${PEER_LIST[*]} " == *" cachalot "* ]]; then
  [ -f "$JAR" ] || die "missing $JAR: build it with  mvn -B -q -DskipTests package -pl src -am"
fi
# Cachalot's memory tier is off when store.memorySize and store.memoryMaxObjectSize are 0 (nothing
# fits, nothing is promoted); without the second key this checkout cannot say so.
CACHALOT_NO_DISK_MODE=""
if ! has_config_key store memoryMaxObjectSize; then
  CACHALOT_NO_DISK_MODE="n/a (needs config key store.memoryMaxObjectSize: 0 to switch the memory tier off)"
fi

for port in $ORIGIN_PORT $SLOW_PORT $VARNISH_ADMIN_PORT $CACHALOT_ADMIN_PORT \
            $(for p in "${PEER_LIST[@]}"; do echo "${PORT[$p]} ${TLS_PORT[$p]:-}"; done); do
  port_busy "$port" && die "port $port already in use (left over from --keep? try: scripts/bench.sh --stop)"
done

OUT=${OUT:-$BENCH/results/$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" "$RUN" "$SHM"
OUT=$(cd "$OUT" && pwd)
: >"$OUT/raw.jsonl"; : >"$OUT/load.log"; rm -f "$OUT/mem.jsonl"
NONCE=$(date +%s)
trap on_exit EXIT
trap 'exit 130' INT TERM

log "results go to $OUT"
python3 "$LIB/facts.py" "$JAVA" "$JAR" "$ROOT" >"$OUT/facts.json"
python3 - "$OUT/meta.json" "${PEER_LIST[*]}" "${TEST_LIST[*]}" "$RUNS" "$DURATION" "$WARM" "$MANY" "$DELAY_MS" "$WINDOW_MS" "$QUICK" "$*" <<'EOF'
import json, sys
a = sys.argv
json.dump({"peers": a[2].split(), "tests": a[3].split(), "runs": int(a[4]), "duration": int(a[5]), "warm": int(a[6]),
           "many": int(a[7]), "delay_ms": int(a[8]), "window_ms": int(a[9]), "quick": a[10] == "1"}, open(a[1], "w"), indent=1)
EOF
echo "scripts/bench.sh --peers $PEERS --tests $TESTS --runs $RUNS --duration $DURATION --warm $WARM" >"$OUT/command"

# a throw-away certificate for the TLS listeners (h2_* tests)
mkdir -p "$RUN/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 7 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$RUN/tls/key.pem" -out "$RUN/tls/cert.pem" >/dev/null 2>&1 \
  || die "openssl could not make the test certificate"

python3 "$LIB/gen_objects.py" "$WWW" "$MANY" >&2
log "starting origin on $ORIGIN_PORT (delay server $SLOW_PORT, ${DELAY_MS} ms)"
start_origin
has_disk=0; for t in "${TEST_LIST[@]}"; do [ "$(test_mode "$t")" = disk ] && has_disk=1; done
run_phase mem $((1 - has_disk))
run_phase disk 1
python3 "$LIB/summarize.py" "$OUT"
log "results in $OUT (summary.md, results.csv, summary.json, raw.jsonl, plot.svg, facts.json, load.log)"
