#!/usr/bin/env bash
# Compares HTTP caches on the conformance suite: installs (Debian packages) and starts nginx, Varnish,
# Squid, Apache Traffic Server and Apache httpd on loopback with the near-default configurations in
# conformance-tests/peers/, plus a NON-caching nginx as a control, and Cachalot when its jar can start;
# runs the suite against each, stops only the processes it started, and writes one comparison page.
# usage: scripts/compare-caches.sh [--out DIR] [--origin-port N] [--no-install] [--only REGEX]
#                                  [--peers "nginx varnish squid trafficserver apache nginx-passthrough cachalot"]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PEERS_DIR="$ROOT/conformance-tests/peers"
OUT="$ROOT/conformance-tests/target/compare"
ORIGIN_PORT=18080
INSTALL=1
ONLY=()
PEERS="nginx varnish squid trafficserver apache nginx-passthrough cachalot"
while [ "$#" -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --origin-port) ORIGIN_PORT="$2"; shift 2 ;;
    --no-install) INSTALL=0; shift ;;
    --only) ONLY=(--only "$2"); shift 2 ;;
    --peers) PEERS="$2"; shift 2 ;;
    *) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done

if [ "$INSTALL" = 1 ]; then
  missing=""
  for bin in nginx varnishd squid traffic_server apache2; do command -v "$bin" >/dev/null || missing=1; done
  if [ -n "$missing" ]; then
    echo "== installing peers (Debian packages)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx varnish squid trafficserver apache2 >/dev/null
  fi
fi

mkdir -p "$OUT"
WORK="$(mktemp -d /tmp/cache-peers.XXXXXX)"
chmod 755 "$WORK"
STARTED_PIDS=()
cleanup() {
  for pid in "${STARTED_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${STARTED_PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  STARTED_PIDS=()
}
trap cleanup EXIT

# Builds the suite jar once.
"$ROOT/scripts/conformance.sh" list >/dev/null

render() { # render TEMPLATE PORT DIR > file (the forward-proxy port, where used, is PORT + 50)
  sed -e "s#@PORT@#$2#g; s#@FORWARD_PORT@#$(($2 + 50))#g; s#@ORIGIN_PORT@#$ORIGIN_PORT#g; s#@DIR@#$3#g" "$1"
}

wait_port() { # wait_port PORT PID
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

start_peer() { # start_peer NAME PORT DIR -> sets PID, LABEL and EXTRA (suite arguments)
  local name="$1" port="$2" dir="$3"
  EXTRA=()
  case "$name" in
    nginx|nginx-passthrough)
      local conf="$PEERS_DIR/nginx.conf"
      [ "$name" = nginx-passthrough ] && conf="$PEERS_DIR/nginx-passthrough.conf"
      chmod 777 "$dir"; render "$conf" "$port" "$dir" > "$dir/nginx.conf"
      nginx -c "$dir/nginx.conf" -p "$dir" -g 'daemon off;' > "$dir/out.log" 2>&1 &
      PID=$!
      LABEL="$( [ "$name" = nginx ] && echo "nginx" || echo "nginx (no cache)") $(nginx -v 2>&1 | sed 's#.*/##')" ;;
    varnish)
      render "$PEERS_DIR/varnish.vcl" "$port" "$dir" > "$dir/default.vcl"
      varnishd -F -j none -a "127.0.0.1:$port" -f "$dir/default.vcl" -n "$dir/work" -s malloc,256m > "$dir/out.log" 2>&1 &
      PID=$!
      LABEL="Varnish $(varnishd -V 2>&1 | sed -n 's/.*varnish-\([0-9.]*\).*/\1/p' | head -1)" ;;
    squid)
      chmod 777 "$dir"; render "$PEERS_DIR/squid.conf" "$port" "$dir" > "$dir/squid.conf"
      squid -N -f "$dir/squid.conf" > "$dir/out.log" 2>&1 &
      PID=$!
      EXTRA=(--proxy "http://127.0.0.1:$((port + 50))" --capabilities forward-proxy,purge)
      LABEL="Squid $(squid -v | sed -n 's/.*Version \([0-9.]*\).*/\1/p')" ;;
    apache)
      mkdir -p "$dir/cache"; chmod 777 "$dir" "$dir/cache"
      render "$PEERS_DIR/apache2.conf" "$port" "$dir" > "$dir/httpd.conf"
      apache2 -f "$dir/httpd.conf" -DFOREGROUND > "$dir/out.log" 2>&1 &
      PID=$!
      LABEL="Apache httpd $(apache2 -v | sed -n 's#.*Apache/\([0-9.]*\).*#\1#p')" ;;
    trafficserver)
      mkdir -p "$dir/etc" "$dir/var" "$dir/run" "$dir/log" "$dir/cache" "$dir/data"
      cp -r /etc/trafficserver/. "$dir/etc/"
      render "$PEERS_DIR/trafficserver-records.config" "$port" "$dir" >> "$dir/etc/records.config"
      render "$PEERS_DIR/trafficserver-remap.config" "$port" "$dir" > "$dir/etc/remap.config"
      echo "$dir/cache 256M" > "$dir/etc/storage.config"
      cat > "$dir/runroot.yaml" <<YAML
prefix: /usr
exec_prefix: /usr
bindir: /usr/bin
sbindir: /usr/sbin
sysconfdir: $dir/etc
datadir: $dir/data
includedir: /usr/include
libdir: /usr/lib/trafficserver
libexecdir: /usr/lib/trafficserver/modules
localstatedir: $dir/var
runtimedir: $dir/run
logdir: $dir/log
cachedir: $dir/cache
YAML
      chmod -R 777 "$dir"
      traffic_server --run-root="$dir/runroot.yaml" > "$dir/out.log" 2>&1 &
      PID=$!
      LABEL="Traffic Server $(traffic_server -V 2>&1 | sed -n 's/Traffic Server \([0-9.]*\).*/\1/p' | head -1)" ;;
    cachalot)
      local jar="$ROOT/src/target/cachalot.jar"
      if [ ! -f "$jar" ]; then (cd "$ROOT" && mvn -B -q -ntp package -pl src -am -DskipTests) >/dev/null 2>&1 || true; fi
      [ -f "$jar" ] || return 1
      java -jar "$jar" --listen "127.0.0.1:$port" --origin "http://127.0.0.1:$ORIGIN_PORT" \
        --admin-listen "127.0.0.1:$((port + 60))" --cache-dir "$dir/cache" > "$dir/out.log" 2>&1 &
      PID=$!
      LABEL="Cachalot $(sed -n 's#.*<version>\(.*\)</version>.*#\1#p' "$ROOT/pom.xml" | head -1)" ;;
    *) echo "unknown peer $name" >&2; return 1 ;;
  esac
}

port=18100
RESULTS=()
for peer in $PEERS; do
  port=$((port + 1))
  dir="$WORK/$peer"; mkdir -p "$dir"
  if ! start_peer "$peer" "$port" "$dir"; then echo "== $peer: cannot start, skipped"; continue; fi
  STARTED_PIDS+=("$PID")
  if ! wait_port "$port" "$PID"; then
    echo "== $peer: not listening on 127.0.0.1:$port, skipped (log: $dir/out.log)"; tail -3 "$dir/out.log" || true
    cleanup; continue
  fi
  echo "== $LABEL on 127.0.0.1:$port"
  "$ROOT/scripts/conformance.sh" --cache "http://127.0.0.1:$port" --origin-port "$ORIGIN_PORT" \
    --name "$LABEL" --report-dir "$OUT" "${EXTRA[@]}" "${ONLY[@]}" | tail -6
  RESULTS+=("$OUT/$(echo "$LABEL" | sed 's/[^A-Za-z0-9._-][^A-Za-z0-9._-]*/-/g').json")
  cleanup
done

if [ "${#RESULTS[@]}" -gt 0 ]; then
  "$ROOT/scripts/conformance.sh" compare --out "$OUT/comparison.html" --markdown "$OUT/comparison.md" \
    "${RESULTS[@]}" | tail -1
fi
rm -rf "$WORK"
