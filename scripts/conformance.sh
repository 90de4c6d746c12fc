#!/usr/bin/env bash
# Runs the HTTP cache conformance suite against a running cache (builds the suite's jar if needed).
# usage: scripts/conformance.sh --cache http://127.0.0.1:PORT [--origin-port N] [--capabilities a,b]
#        [--only REGEX] [--report-dir DIR] [--name LABEL] [--known-deviations FILE] [--restart-cmd CMD]
#        scripts/conformance.sh compare --out FILE.html RESULT.json...
# The cache must forward to the suite's origin on 127.0.0.1:<origin port> (default 18080).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAR="$ROOT/conformance-tests/target/cachalot-conformance.jar"
if [ "$#" -eq 0 ]; then
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
newest_source=$(find "$ROOT/conformance-tests/src/main" -type f -newer "$JAR" 2>/dev/null | head -1 || true)
if [ ! -f "$JAR" ] || [ -n "$newest_source" ]; then
  echo "building $JAR" >&2
  (cd "$ROOT" && mvn -B -q -ntp package -pl conformance-tests -am -DskipTests) >&2
fi
exec java -jar "$JAR" "$@"
