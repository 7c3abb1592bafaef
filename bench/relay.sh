#!/usr/bin/env bash
# The relay against a direct connection: C-STORE throughput (storescu -> router A -> cloud -> router B
# -> storescp, until the last instance is stored) and C-FIND latency (to dcmqrscp), with a Bridge and
# both routers in one JVM; prints a table.
# Usage: bench/relay.sh [images=200] [multiframes=2] [queries=200]   (needs dcmtk; ~210 MB in bench/target)
# Environment: RELAY_STATE=DIR puts the routers' state (spool) there (default bench/target/work/relay-state);
#              RELAY_CLOUD=bridge stores the blobs at the Bridge (the default provider) instead of a filesystem cloud;
#              RELAY_WARMUP=N untimed passes before measuring (default 1); RELAY_THREADS=1 prints the JVM's CPU per
#              thread for each relayed run; JAVA_OPTS, e.g. -XX:StartFlightRecording=filename=relay.jfr,settings=profile
#              (then: jfr print --events jdk.ExecutionSample relay.jfr); MVN_FLAGS, e.g. -o.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log=$(mktemp)
if ! mvn -B -q -ntp ${MVN_FLAGS:-} -pl bench -am package -Dmaven.test.skip=true >"$log" 2>&1; then cat "$log"; rm -f "$log"; exit 1; fi
rm -f "$log"
mkdir -p bench/target/work
gcc -shared -fPIC -O2 -o bench/target/loopback-bind.so scripts/loopback-bind.c -ldl
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.dicomrelay.bench.RelayBench \
  bench/target/work bench/target/loopback-bind.so "${1:-200}" "${2:-2}" "${3:-200}"
