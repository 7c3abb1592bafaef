#!/usr/bin/env bash
# The relay against a direct connection: C-STORE throughput (storescu -> router A -> cloud -> router B
# -> storescp, until the last instance is stored) and C-FIND latency (to dcmqrscp), with a Bridge and
# both routers in one JVM; prints a table.
# Usage: bench/relay.sh [--hosts] [images=200] [multiframes=2] [queries=200]   (needs dcmtk; ~210 MB in bench/target)
#   --hosts: two hospitals on different hosts. Router A (with this JVM, storescu and the C-FIND SCU) on host A, router B
#            and the PACS on host B, the Bridge on host C, each a network namespace (needs root and iproute2) linked to
#            C by a veth pair with private addresses (10.[200-250].x.y, random per run); the Bridge and the routers run
#            as processes of the shaded jar (cli/target/dicom-relay.jar). The Bridge serves HTTPS with the certificate
#            it creates (enrollment and the admin calls pin the fingerprint it prints); the routers use the default
#            store, the Bridge's, so the payloads cross both links (no shared folder). Direct DICOM crosses the same
#            two links (C routes between A and B for it; the relay's own traffic goes to the Bridge only). Removed at exit.
# Environment: RELAY_STATE=DIR puts the routers' state (spool) there (default bench/target/work/relay-state);
#              RELAY_CLOUD=bridge stores the blobs at the Bridge (the default provider, always so with --hosts) instead
#              of a filesystem cloud;
#              RELAY_WARMUP=N untimed passes before measuring (default 1; with --hosts as many
#              as make 800 objects: the routers' JVMs warm up only by relaying); RELAY_THREADS=1 prints the JVM's CPU per
#              thread for each relayed run (--hosts: each JVM's, the Bridge's and the routers'); JAVA_OPTS, e.g. -XX:StartFlightRecording=filename=relay.jfr,settings=profile
#              (then: jfr print --events jdk.ExecutionSample relay.jfr); MVN_FLAGS, e.g. -o.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
hosts=0
if [ "${1:-}" = "--hosts" ]; then hosts=1; shift; fi
modules=bench
[ $hosts -eq 0 ] || modules=bench,cli
log=$(mktemp)
if ! mvn -B -q -ntp ${MVN_FLAGS:-} -pl "$modules" -am package -Dmaven.test.skip=true >"$log" 2>&1; then cat "$log"; rm -f "$log"; exit 1; fi
rm -f "$log"
mkdir -p bench/target/work
gcc -shared -fPIC -O2 -o bench/target/loopback-bind.so scripts/loopback-bind.c -ldl
bench=(org.dicomrelay.bench.RelayBench bench/target/work bench/target/loopback-bind.so "${1:-200}" "${2:-2}" "${3:-200}")
if [ $hosts -eq 0 ]; then
  # shellcheck disable=SC2086
  exec java ${JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" "${bench[@]}"
fi

# ---- --hosts: three network namespaces, A - C - B
[ "$(id -u)" -eq 0 ] || { echo "bench/relay.sh --hosts needs root (network namespaces)" >&2; exit 1; }
run=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
net=$((200 + RANDOM % 51))
A=dr-$run-a B=dr-$run-b C=dr-$run-c
hosts_down() {
  for ns in $A $B $C; do
    # only this run's processes can be in this run's namespaces
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
}
trap hosts_down EXIT
for ns in $A $B $C; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n "$A" link add c0 type veth peer name a0 netns "$C"
ip -n "$B" link add c0 type veth peer name b0 netns "$C"
ip -n "$A" addr add "10.$net.1.2/30" dev c0; ip -n "$A" link set c0 up
ip -n "$B" addr add "10.$net.2.2/30" dev c0; ip -n "$B" link set c0 up
ip -n "$C" addr add "10.$net.1.1/30" dev a0; ip -n "$C" link set a0 up
ip -n "$C" addr add "10.$net.2.1/30" dev b0; ip -n "$C" link set b0 up
ip -n "$C" addr add "10.$net.0.1/32" dev lo          # the Bridge's address
ip netns exec "$C" sysctl -qw net.ipv4.ip_forward=1  # for direct DICOM, the baseline
ip -n "$A" route add "10.$net.0.0/16" via "10.$net.1.1"
ip -n "$B" route add "10.$net.0.0/16" via "10.$net.2.1"
export RELAY_HOSTS="$A $B $C 10.$net.2.2 10.$net.0.1" RELAY_JAR="$PWD/cli/target/dicom-relay.jar"
# shellcheck disable=SC2086
ip netns exec "$A" java ${JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" "${bench[@]}"
