#!/usr/bin/env bash
# Issue 10's benchmark: the relay against direct DICOM, one run, one table of goals and measured values side by side
# (RelayBench): LAN throughput (1,000 MR-like 128 KB, 200 CT 512 KB, 2 x 50 MB multi-frame; until the last instance is
# stored at B), first instance at B, C-FIND added latency, CPU per relayed object at each router, an emulated WAN (every
# router <-> Bridge connection through a delaying proxy, 25 ms each way, 200 Mbit/s per direction, against storescu ->
# storescp through the same proxy, 300 x 128 KB), per-destination isolation (route 2's throughput with route 1's PACS
# dead and objects queued for it, against route 2 alone; 300 x 128 KB), the LAN rows on each Cloud IO provider (bridge, s3,
# azure, nats, nats-objects; emulators on loopback; one table, a row per provider), the WAN run on S3 (S3Proxy and ElasticMQ
# behind the same delaying proxy), a 2 GB object through -Xmx256m routers, and the toolkit's rows of bench/store-throughput.sh.
# Usage: bench/relay.sh [--hosts] [--only PARTS] [mr=1000] [images=200] [multiframes=2] [queries=200] [wan=300]
#   (needs dcmtk; ~0.5 GB in bench/target, 2.1 GB more while the heap part runs; /dev/shm for received files and the Bridge's store)
#   --only PARTS: a comma-separated subset of lan,find,wan,iso,providers,wan-s3,heap,store (default all), e.g. --only wan
#            (providers and wan-s3 run on loopback only: their emulators run on this host; Azurite needs node and
#            target/azurite, installed by scripts/test, nats needs nats-server; a provider without its emulator is "skipped")
#   --hosts: two hospitals on different hosts. Router A (with this JVM, storescu and the C-FIND SCU) on host A, router B
#            and the PACS on host B, the Bridge and the WAN proxy on host C, each a network namespace (needs root and
#            iproute2) linked to C by a veth pair with private addresses (10.[200-250].x.y, random per run); the Bridge and
#            the routers run as processes of the shaded jar (cli/target/dicom-relay.jar). The Bridge serves HTTPS with the
#            certificate it creates (enrollment and the admin calls pin the fingerprint it prints); the routers use the
#            default store, the Bridge's, so the payloads cross both links. Direct DICOM crosses the same two links (C
#            routes between A and B for it). Removed at exit. Without --hosts everything runs on loopback, the Bridge and
#            routers in one JVM (no per-router CPU, no heap part).
# Environment: RELAY_RUNS=N timed runs per case, the median counts (default 3); RELAY_WARMUP=N untimed passes of the MR
#              set first (default: 8,000 objects' worth before the LAN rows, 800 after a restart of the routers; the JVMs
#              warm up only by relaying, and the Bridge's request paths were still being compiled after 800);
#              RELAY_SET_WARMUP=N untimed passes of each LAN set before its timed runs (default 2); RELAY_BIG_FRAMES=N
#              frames of 512 KB in the heap part's object (default 4000: 2.1 GB); RELAY_STATE=DIR the routers' state
#              (default bench/target/work/relay-state); RELAY_CLOUD=bridge the Bridge's store on loopback too (always so
#              with --hosts); RELAY_THREADS=1 CPU per thread (per JVM with --hosts) after each relayed run; JAVA_OPTS,
#              e.g. -XX:StartFlightRecording=filename=relay.jfr,settings=profile (this JVM); RELAY_JVM_OPTS the same for the Bridge
#              and routers of --hosts, {name} in it becomes bridge-C, router-A or router-B; MVN_FLAGS, e.g. -o; RELAY_WAN_DELAY_MS
#              (25) and RELAY_WAN_MBIT (200, 0: unlimited) another emulated WAN; RELAY_COMPRESSION=zstd|deflate router A
#              compresses the objects it sends (uncompressed transfer syntaxes only; default none); RELAY_LAN_ROWS=mf
#              times only those LAN rows (mr,ct,mf; default all; the MR set still warms the routers up); RELAY_PROVIDERS the
#              providers part's rows (default bridge,s3,azure,nats,nats-objects); RELAY_PROVIDER_ROWS its data sets (ct,mr).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
hosts=0
export RELAY_ONLY=lan,find,wan,iso,providers,wan-s3,heap,store
while [ $# -gt 0 ]; do
  case "$1" in
    --hosts) hosts=1; shift ;;
    --only) RELAY_ONLY="$2"; shift 2 ;;
    --only=*) RELAY_ONLY="${1#--only=}"; shift ;;
    *) break ;;
  esac
done
log=$(mktemp)
# cli: the shaded jar runs the Bridge and routers on the hosts, and the toolkit's rows
if ! mvn -B -q -ntp ${MVN_FLAGS:-} -pl bench,cli -am package -Dmaven.test.skip=true >"$log" 2>&1; then cat "$log"; rm -f "$log"; exit 1; fi
rm -f "$log"
mkdir -p bench/target/work
gcc -shared -fPIC -O2 -o bench/target/loopback-bind.so scripts/loopback-bind.c -ldl
export RELAY_JAR="$PWD/cli/target/dicom-relay.jar"
bench=(org.dicomrelay.bench.RelayBench bench/target/work bench/target/loopback-bind.so "${1:-1000}" "${2:-200}" "${3:-2}" "${4:-200}" "${5:-300}")
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
export RELAY_HOSTS="$A $B $C 10.$net.2.2 10.$net.0.1"
# shellcheck disable=SC2086
ip netns exec "$A" java ${JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" "${bench[@]}"
