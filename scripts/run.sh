#!/usr/bin/env bash
# Starts Cachalot from the repository, building the runnable jar first when it is missing or stale.
# With --demo it also starts the demo origin and prints curl lines to try. See docs/operations.md.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/run.sh [--demo] [--config FILE] [--listen HOST:PORT] [--origin URL]
                      [--admin-listen HOST:PORT] [--admin-token TOKEN] [--cache-dir DIR]
                      [--forward-listen HOST:PORT] [--allow-destination CIDR] [-h|--help]

  --demo                      also start the demo origin on 127.0.0.1:8081 and point Cachalot at it
                              (stopped when Cachalot exits); prints curl lines to try
  --config FILE               configuration file (default: config/cachalot.yaml when it exists)
  --listen HOST:PORT          client listener (config default 127.0.0.1:8080)
  --origin URL                origin server for reverse-proxy mode
  --admin-listen HOST:PORT    admin listener: /health /ready /metrics /stats (default 127.0.0.1:9090)
  --admin-token TOKEN         bearer token for state-changing admin endpoints (none: they are refused)
  --cache-dir DIR             directory of the persistent cache tier
  --forward-listen HOST:PORT  forward-proxy listener
  --allow-destination CIDR    forward proxy: allow this destination range (repeatable)
  -h, --help                  this text

Other flags are passed to Cachalot unchanged. Environment: JAVA_HOME (which java), JAVA_OPTS (extra
JVM flags, e.g. -Xmx2g -Dcachalot.access.file=var/access.log), MVN (maven command, default mvn).
EOF
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

JAR="src/target/cachalot.jar"
DEFAULT_CONFIG="config/cachalot.yaml"
DEMO_ORIGIN="127.0.0.1:8081"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
MVN="${MVN:-mvn}"

# ---- arguments: pick out ours, pass the rest through in order ----
demo=false
have_config=false
have_origin=false
listen="127.0.0.1:8080"
admin_listen="127.0.0.1:9090"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --demo) demo=true; shift; continue ;;
  esac
  case "$1" in
    --config|--listen|--origin|--admin-listen|--admin-token|--cache-dir|--forward-listen|--allow-destination)
      if [ $# -lt 2 ] || [ -z "$2" ]; then
        echo "run.sh: $1 needs a value" >&2
        usage >&2
        exit 2
      fi
      case "$1" in
        --config) have_config=true ;;
        --origin) have_origin=true ;;
        --listen) listen="$2" ;;
        --admin-listen) admin_listen="$2" ;;
      esac
      args+=("$1" "$2")
      shift 2
      ;;
    *)
      args+=("$1")
      shift
      ;;
  esac
done

if $demo && $have_origin; then
  echo "run.sh: --demo starts its own origin; do not also pass --origin" >&2
  exit 2
fi
if ! $have_config && [ -f "$DEFAULT_CONFIG" ]; then
  args=(--config "$DEFAULT_CONFIG" "${args[@]+"${args[@]}"}")
fi

# ---- build when the jar is missing or older than any main source, resource or pom ----
stale() {
  [ ! -f "$JAR" ] && return 0
  local newer
  newer="$(find pom.xml src/pom.xml src/main cache-store/pom.xml cache-store/src/main \
             -type f -newer "$JAR" -print -quit 2>/dev/null || true)"
  [ -n "$newer" ]
}
if stale; then
  if ! command -v "$MVN" >/dev/null 2>&1; then
    echo "run.sh: $JAR is missing or stale and '$MVN' is not on the PATH; install Maven 3.8+" >&2
    exit 1
  fi
  echo "run.sh: building $JAR ($MVN -B -q -DskipTests package -pl src -am) ..." >&2
  "$MVN" -B -q -DskipTests package -pl src -am
fi

# ---- JVM flags ----
if ! command -v "$JAVA" >/dev/null 2>&1; then
  echo "run.sh: no java found (set JAVA_HOME or put a JDK 17+ on the PATH)" >&2
  exit 1
fi
java_major="$("$JAVA" -XshowSettings:properties -version 2>&1 \
  | awk -F'= ' '/java.specification.version/ {print $2; exit}')"
java_major="${java_major#1.}"
JAVA_FLAGS=(-Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true)
if [ -n "$java_major" ] && [ "$java_major" -ge 24 ] 2>/dev/null; then
  # JDK 24+ warns about (and will refuse) sun.misc.Unsafe memory access, which Chronicle Map uses.
  JAVA_FLAGS+=(--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED)
fi
# shellcheck disable=SC2206  # JAVA_OPTS is a space-separated list of flags by convention
[ -n "${JAVA_OPTS:-}" ] && JAVA_FLAGS+=(${JAVA_OPTS})

if ! $demo; then
  exec "$JAVA" "${JAVA_FLAGS[@]}" -jar "$JAR" "${args[@]+"${args[@]}"}"
fi

# ---- demo: origin in the background, Cachalot in front of it ----
port_open() { # HOST:PORT -> true when something accepts connections there
  local host="${1%:*}" port="${1##*:}"
  host="${host#[}"; host="${host%]}"
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

origin_pid=""
cachalot_pid=""
cleanup() {
  [ -n "$cachalot_pid" ] && kill "$cachalot_pid" 2>/dev/null || true
  [ -n "$origin_pid" ] && kill "$origin_pid" 2>/dev/null || true
  [ -n "$cachalot_pid" ] && wait "$cachalot_pid" 2>/dev/null || true
  [ -n "$origin_pid" ] && wait "$origin_pid" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

if port_open "$DEMO_ORIGIN"; then
  echo "run.sh: something already listens on $DEMO_ORIGIN; stop it or run without --demo" >&2
  exit 1
fi
"$JAVA" "${JAVA_FLAGS[@]}" -cp "$JAR" dev.cachalot.demo.DemoOrigin --listen "$DEMO_ORIGIN" &
origin_pid=$!
for _ in $(seq 1 200); do
  port_open "$DEMO_ORIGIN" && break
  kill -0 "$origin_pid" 2>/dev/null || { echo "run.sh: the demo origin exited" >&2; exit 1; }
  sleep 0.1
done

"$JAVA" "${JAVA_FLAGS[@]}" -jar "$JAR" "${args[@]+"${args[@]}"}" --origin "http://$DEMO_ORIGIN" &
cachalot_pid=$!
for _ in $(seq 1 300); do
  port_open "$listen" && break
  kill -0 "$cachalot_pid" 2>/dev/null || break
  sleep 0.1
done

if kill -0 "$cachalot_pid" 2>/dev/null; then
  cat <<EOF

  Cachalot listens on http://$listen/ in front of the demo origin http://$DEMO_ORIGIN/
  Try (watch the origin log a request only on a MISS):

    curl -i http://$listen/hello        # first time: MISS, the origin logs the request
    curl -i http://$listen/hello        # again: HIT (see Cache-Status and Age), the origin stays quiet
    curl -i http://$listen/time         # cached for 5 s: the same "generated at" until it expires
    curl -i http://$listen/nocache      # no-store: every request reaches the origin
    curl -s -o /dev/null -w '%{size_download} bytes\n' 'http://$listen/big?size=10485760'

    curl http://$admin_listen/stats     # requests by outcome, bytes, latency
    curl http://$admin_listen/metrics   # Prometheus metrics

  Ctrl-C stops both.

EOF
fi

set +e
wait "$cachalot_pid"
status=$?
set -e
cachalot_pid=""
exit "$status"
