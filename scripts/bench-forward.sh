#!/usr/bin/env bash
# Forward-proxy large-download benchmark: N clients (default 8) download the same large file (default
# 1 GiB) at once through Cachalot's forward listener and through Squid (forward proxy, collapsed
# forwarding, a ufs cache_dir), from a loopback nginx origin that counts its requests. Per proxy:
# a cold round (empty cache: the clients share one fill) and a warm round (all from the cache);
# prints aggregate MB/s (total bytes / wall time of the round) and the origin request count.
# Loopback only. Not part of CI. Results: docs/forward-proxy.md ("Benchmark").
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: scripts/bench-forward.sh [--clients N] [--size-mib M] [--follower-lag SIZE] [--skip-squid]
                                [--keep] [-h|--help]

  --clients N     concurrent downloads per round (default 8)
  --size-mib M    size of the file in MiB (default 1024)
  --follower-lag SIZE  Cachalot's pipeline.maxFollowerLag (default: the built-in 1MiB), e.g. 256MiB
  --skip-squid    run Cachalot only
  --keep          keep the run directory (default: removed at the end)
Environment: JAVA_HOME (java), JAVA_OPTS (Cachalot JVM flags, default -Xmx1g), MVN (default mvn),
CACHALOT_JAR (default src/target/cachalot.jar, built when missing),
RUN_DIR (default: a new directory under /tmp). Needs nginx, curl, python3; squid unless --skip-squid
(installed with apt-get when missing).
USAGE
}

CLIENTS=8
SIZE_MIB=1024
SKIP_SQUID=false
KEEP=false
FOLLOWER_LAG=""
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) CLIENTS="$2"; shift 2 ;;
    --size-mib) SIZE_MIB="$2"; shift 2 ;;
    --follower-lag) FOLLOWER_LAG="$2"; shift 2 ;;
    --skip-squid) SKIP_SQUID=true; shift ;;
    --keep) KEEP=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
MVN="${MVN:-mvn}"
RUN="${RUN_DIR:-$(mktemp -d /tmp/cachalot-bench-forward.XXXXXX)}"
# mktemp makes the directory 0700: the origin's nginx workers (and Squid) run as other users and
# must be able to read the file, or every download is a 403 (which the proxies then cache).
chmod o+rx "$RUN"
mkdir -p "$RUN"
PIDS=()

cleanup() {
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
  if [ -f "$RUN/squid/squid.pid" ]; then
    kill "$(cat "$RUN/squid/squid.pid")" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  if [ "$KEEP" = false ]; then rm -rf "$RUN"; else echo "run directory kept: $RUN"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_port() { # wait_port PORT NAME
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "$2 did not open 127.0.0.1:$1" >&2; exit 1
}

# ---- the file and the origin (nginx, access log = request count) ----
mkdir -p "$RUN/www" "$RUN/origin/tmp"
FILE="$RUN/www/big.bin"
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom > "$FILE"
SUM="$(sha256sum "$FILE" | cut -d' ' -f1)"
ORIGIN_PORT="$(free_port)"
cat > "$RUN/origin/nginx.conf" <<NGINX
worker_processes 2;
daemon off;
pid $RUN/origin/nginx.pid;
error_log $RUN/origin/error.log warn;
events { worker_connections 1024; }
http {
    access_log $RUN/origin/access.log;
    sendfile on; tcp_nopush on; tcp_nodelay on;
    client_body_temp_path $RUN/origin/tmp/body; proxy_temp_path $RUN/origin/tmp/proxy;
    fastcgi_temp_path $RUN/origin/tmp/fastcgi; uwsgi_temp_path $RUN/origin/tmp/uwsgi;
    scgi_temp_path $RUN/origin/tmp/scgi;
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$ORIGIN_PORT;
        root $RUN/www;
        location / { add_header Cache-Control "public, max-age=86400" always; }
    }
}
NGINX
nginx -c "$RUN/origin/nginx.conf" -p "$RUN/origin" &
PIDS+=($!)
wait_port "$ORIGIN_PORT" nginx
URL="http://127.0.0.1:$ORIGIN_PORT/big.bin"
origin_requests() { local n; n="$(grep -c "GET /big.bin" "$RUN/origin/access.log" 2>/dev/null || true)"; echo "${n:-0}"; }

# ---- one round: N curls at once through a proxy; prints wall time and aggregate MB/s ----
round() { # round NAME PROXY_PORT
  local name="$1" port="$2" start end i bad=0 pids=()
  rm -f "$RUN"/dl-*.txt
  start="$(date +%s.%N)"
  for i in $(seq 1 "$CLIENTS"); do
    ( curl -q -sS -f --max-time 1800 -x "http://127.0.0.1:$port" "$URL" \
        | sha256sum | cut -d' ' -f1 > "$RUN/dl-$i.txt" ) &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || true; done
  end="$(date +%s.%N)"
  for i in $(seq 1 "$CLIENTS"); do
    [ "$(cat "$RUN/dl-$i.txt" 2>/dev/null)" = "$SUM" ] || bad=$((bad + 1))
  done
  python3 -c 'import sys
n, mib, a, b = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
print("%s: clients=%d wall=%.2fs aggregate=%.0f MB/s" % (sys.argv[1], n, b - a, n * mib * 1048576 / (b - a) / 1e6))' \
    "$name" "$CLIENTS" "$SIZE_MIB" "$start" "$end"
  if [ "$bad" -ne 0 ]; then echo "  $bad of $CLIENTS downloads have a wrong checksum"; fi
}

report() { # report NAME PROXY_PORT
  local before after
  before="$(origin_requests)"
  round "$1 cold" "$2"
  after="$(origin_requests)"
  echo "  origin requests for the cold round: $((after - before))"
  round "$1 warm" "$2"
  echo "  origin requests for the warm round: $(( $(origin_requests) - after ))"
}

echo "file: ${SIZE_MIB} MiB, clients: $CLIENTS, run dir: $RUN, cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- Cachalot ----
JAR="${CACHALOT_JAR:-$ROOT/src/target/cachalot.jar}"
if [ ! -f "$JAR" ]; then
  (cd "$ROOT" && "$MVN" -B -q -o package -pl cache-store,src -am -DskipTests)
fi
C_PORT="$(free_port)"; C_FWD="$(free_port)"; C_ADMIN="$(free_port)"
mkdir -p "$RUN/cachalot"
cat > "$RUN/cachalot/cachalot.yaml" <<YAML
server:
  listen: 127.0.0.1:$C_PORT
admin:
  listen: 127.0.0.1:$C_ADMIN
routes:
  - name: default
    hosts: [localhost]
    origin: http://127.0.0.1:$ORIGIN_PORT
store:
  dir: $RUN/cachalot/cache
  maxObjectSize: $((SIZE_MIB * 2))MiB
  diskSize: $((SIZE_MIB * 3))MiB
accessLog:
  enabled: false
${FOLLOWER_LAG:+pipeline:
  maxFollowerLag: $FOLLOWER_LAG}
forward:
  listen: 127.0.0.1:$C_FWD
  allowDestinations: [127.0.0.1/32]
YAML
"$JAVA" ${JAVA_OPTS:--Xmx1g} -jar "$JAR" --config "$RUN/cachalot/cachalot.yaml" > "$RUN/cachalot/out.log" 2>&1 &
PIDS+=($!)
wait_port "$C_FWD" cachalot
echo "== Cachalot $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') (forward listener 127.0.0.1:$C_FWD${FOLLOWER_LAG:+, maxFollowerLag $FOLLOWER_LAG})"
report cachalot "$C_FWD"
kill "${PIDS[-1]}" 2>/dev/null || true
wait "${PIDS[-1]}" 2>/dev/null || true
rm -rf "$RUN/cachalot/cache"

# ---- Squid ----
if [ "$SKIP_SQUID" = false ]; then
  if ! command -v squid > /dev/null; then
    apt-get install -y squid > "$RUN/apt.log" 2>&1
  fi
  S_PORT="$(free_port)"
  mkdir -p "$RUN/squid/cache"
  chown -R proxy:proxy "$RUN/squid" 2>/dev/null || true
  cat > "$RUN/squid/squid.conf" <<SQUID
http_port 127.0.0.1:$S_PORT
http_access allow localhost
http_access deny all
cache_mem 256 MB
maximum_object_size_in_memory 1 MB
maximum_object_size $((SIZE_MIB * 2)) MB
cache_dir ufs $RUN/squid/cache $((SIZE_MIB * 3)) 16 256
collapsed_forwarding on
range_offset_limit 0
quick_abort_min -1 KB
workers 1
access_log none
cache_store_log none
cache_log $RUN/squid/cache.log
pid_filename $RUN/squid/squid.pid
coredump_dir $RUN/squid
netdb_filename none
pinger_enable off
icp_port 0
htcp_port 0
logfile_rotate 0
shutdown_lifetime 1 seconds
visible_hostname bench-squid
cache_effective_user proxy
SQUID
  chmod o+rx "$RUN" "$RUN/squid"
  squid -N -z -f "$RUN/squid/squid.conf" > "$RUN/squid/init.log" 2>&1
  squid -N -f "$RUN/squid/squid.conf" > "$RUN/squid/out.log" 2>&1 &
  PIDS+=($!)
  wait_port "$S_PORT" squid
  echo "== $(squid -v | head -1)"
  report squid "$S_PORT"
fi
