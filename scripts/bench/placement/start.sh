#!/bin/bash
# Connection-placement A/B (docs/benchmarks.md, "Connection placement by incoming CPU"). Needs the
# bench origin on 19501 and nginx on 19510 (scripts/bench.sh); state and logs go to $DIR (/tmp/placement).
# start.sh : Cachalot (bench JVM flags) with connectionPlacement random on 19640 and incoming-cpu on 19644
JAR=${JAR:-src/target/cachalot.jar}
mkdir -p "${DIR:-/tmp/placement}"
D="-Xms32m -Xmx512m -XX:+UseSerialGC -XX:MaxDirectMemorySize=1280m -XX:ReservedCodeCacheSize=64m -Xss512k -XX:TrimNativeHeapInterval=10000"
for spec in ${SPECS:-random:19640 cpu:19644}; do
  name=${spec%%:*}; port=${spec#*:}; d=${DIR:-/tmp/placement}/$name; rm -rf $d; mkdir -p $d/cache
  placement=$([ $name = random ] && echo random || echo incoming-cpu)
  cat > $d/c.yaml <<Y
server:
  listen: 127.0.0.1:$port
  connectionPlacement: $placement
routes:
  - {name: default, origin: 'http://127.0.0.1:19501'}
admin:
  listen: 127.0.0.1:$((port+1))
store:
  dir: $d/cache
  memorySize: 1GiB
  memoryMaxObjectSize: 8MiB
  diskSize: 4GiB
  maxObjectSize: 64MiB
accessLog:
  enabled: false
Y
  jar=$JAR; [ $name = cpu64 ] && jar=${JAR64:?JAR64: the slack-64 experiment jar}
  setsid env MALLOC_ARENA_MAX=2 java $D -Dlogback.configurationFile=$(dirname "$0")/logback.xml -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true -jar $jar --config $d/c.yaml > $d/out.log 2>&1 &
  echo $! > ${DIR:-/tmp/placement}/$name.pid
done
for port in ${WPORTS:-19640 19644}; do
  for k in $(seq 1 120); do curl -sf -o /dev/null http://127.0.0.1:$port/obj-1k.bin && break; sleep 0.5; done
done
for port in ${WPORTS:-19640 19644}; do for path in /obj-1k.bin /obj-16k.bin; do curl -s -o /dev/null http://127.0.0.1:$port$path; wrk -t2 -c64 -d${WARM:-15}s http://127.0.0.1:$port$path > /dev/null; done; done
echo started
