#!/usr/bin/env bash
# The relay against a direct connection: C-STORE throughput (storescu -> router A -> cloud -> router B
# -> storescp, until the last instance is stored) and C-FIND latency (to dcmqrscp), with a Bridge and
# both routers in one JVM; prints a table.
# Usage: bench/relay.sh [images=200] [multiframes=2] [queries=200]   (needs dcmtk; ~210 MB in bench/target)
# Environment: RELAY_STATE=DIR puts the routers' state (spool) there (default bench/target/work/relay-state);
#              JAVA_OPTS, e.g. -XX:StartFlightRecording=filename=relay.jfr,settings=profile; MVN_FLAGS, e.g. -o.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -B -q -ntp ${MVN_FLAGS:-} -pl bench -am package -Dmaven.test.skip=true
mkdir -p bench/target/work
gcc -shared -fPIC -O2 -o bench/target/loopback-bind.so scripts/loopback-bind.c -ldl
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.dicomrelay.bench.RelayBench \
  bench/target/work bench/target/loopback-bind.so "${1:-200}" "${2:-2}" "${3:-200}"
