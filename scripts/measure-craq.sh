#!/usr/bin/env bash
#
# CRAQ read scaling: how read throughput grows when every member answers reads instead of the tail alone.
#
#   sudo scripts/measure-craq.sh [--cpu 0.4] [--threads 4] [--outstanding 32] [--warmup 5] [--duration 15]
#                                [--keys 100000] [--out DIR]
#
# On one machine every node shares the same cores, so separate machines are simulated by capping each node
# process's CPU with a cgroup CPU quota (--cpu cores each; needs root and the cgroup v1 'cpu' or v2 controller).
# Starts a local 3-node cluster (ZooKeeper, two masters), loads the keys, then runs the benchmark runner with
# reads at the tail only (--read-mode TAIL) and spread over every member (LINEARIZABLE, CRAQ) for a write share of
# 0%, 10% and 30%. Prints one line per run and a table; each run's results directory is under --out.
# The client and ZooKeeper are not capped: give them the rest of the machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
readonly PROG="scripts/measure-craq.sh"
readonly CGROUP_PREFIX="chainkv-craq-$$"

cpu=0.4
threads=4
outstanding=32
warmup=5
duration=15
keys=100000
out="$ROOT/perf-results/craq-$(date +%Y%m%d-%H%M%S)"

die()
{
    echo "$PROG: $*" >&2
    exit 2
}

while (( $# > 0 ))
do
    case "$1" in
        --cpu) cpu="${2:?}"; shift 2 ;;
        --threads) threads="${2:?}"; shift 2 ;;
        --outstanding) outstanding="${2:?}"; shift 2 ;;
        --warmup) warmup="${2:?}"; shift 2 ;;
        --duration) duration="${2:?}"; shift 2 ;;
        --keys) keys="${2:?}"; shift 2 ;;
        --out) out="${2:?}"; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

[[ "$(id -u)" == 0 ]] || die "capping node CPU needs root (cgroups); run with sudo"
# A 10 ms period (not the kernel's 100 ms) spreads each node's share evenly: with 100 ms a capped node runs for a
# burst and then stalls for tens of milliseconds, which measures the stalls, not the node's capacity.
readonly PERIOD_US=10000
quota_us="$(awk -v c="$cpu" -v p="$PERIOD_US" 'BEGIN { q = int(c * p); if (q < 1000) q = 1000; print q }')"

# cgroup v1 'cpu' hierarchy, else cgroup v2 with the cpu controller.
if [[ -w /sys/fs/cgroup/cpu/cgroup.procs ]]
then
    cgroup_root=/sys/fs/cgroup/cpu
    cgroup_version=1
elif [[ -f /sys/fs/cgroup/cgroup.controllers ]] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers
then
    cgroup_root=/sys/fs/cgroup
    cgroup_version=2
    echo "+cpu" > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
else
    die "no writable cgroup cpu controller (looked for /sys/fs/cgroup/cpu and cgroup v2 with 'cpu')"
fi

mkdir -p "$out"
out="$(cd "$out" && pwd)"
cluster_dir="$out/cluster"
cgroups=()

cleanup()
{
    "$ROOT/scripts/local-cluster.sh" stop --dir "$cluster_dir" --stop-timeout 20 >/dev/null 2>&1 || true
    local group
    for group in "${cgroups[@]}"
    do
        # Empty once the cluster has stopped; a group still holding a process is left for the operator to see.
        rmdir "$group" 2>/dev/null || echo "$PROG: could not remove cgroup $group" >&2
    done
}
trap cleanup EXIT

cap_node()
{
    local node="$1" pid group
    pid="$(cat "$cluster_dir/pids/$node.pid")"
    group="$cgroup_root/$CGROUP_PREFIX-$node"
    mkdir -p "$group"
    cgroups+=("$group")
    if [[ "$cgroup_version" == 1 ]]
    then
        echo "$PERIOD_US" > "$group/cpu.cfs_period_us"
        echo "$quota_us" > "$group/cpu.cfs_quota_us"
    else
        echo "$quota_us $PERIOD_US" > "$group/cpu.max"
    fi
    echo "$pid" > "$group/cgroup.procs"
    echo "capped $node (pid $pid) at $cpu core(s): $group"
}

echo "Starting a 3-node cluster in $cluster_dir"
# A capped JVM answers ZooKeeper late now and then: a longer session keeps healthy nodes in the chain.
"$ROOT/scripts/local-cluster.sh" start --nodes 3 --dir "$cluster_dir" --fresh --session-timeout-ms 4000 >/dev/null \
    || die "could not start the local cluster (see $cluster_dir/logs)"
for node in n1 n2 n3
do
    cap_node "$node"
done

bench()
{
    local name="$1"; shift
    "$ROOT/scripts/bench.sh" --cluster-dir "$cluster_dir" --out "$out/$name" --keys "$keys" \
        --threads "$threads" --outstanding "$outstanding" \
        --note "each node capped at $cpu core(s) by a cgroup CPU quota" "$@" > "$out/$name.log" 2>&1 \
        || die "run $name failed; see $out/$name.log"
    # The summary's "all" row: total ops/s.
    awk '$1 == "all" { print $3 }' "$out/$name/summary.txt"
}

echo "Loading $keys keys"
bench load --workload write-only --load --duration 1 --warmup 0 >/dev/null
# Capped JVMs compile slowly: run reads and writes at every member first, so that no measured run pays for the JIT
# (the first run measured would otherwise look slower than it is).
echo "Warming up every node's read and write paths (${warmup}s x 3)"
bench jit-warmup --workload "custom:read=90,write=10" --read-mode LINEARIZABLE --no-load --warmup "$warmup" \
    --duration "$((warmup * 2))" >/dev/null

declare -A result
for share in 0 10 30
do
    if [[ "$share" == 0 ]]
    then
        workload="read-only"
    else
        workload="custom:read=$((100 - share)),write=$share"
    fi
    for mode in TAIL LINEARIZABLE
    do
        name="$(echo "$mode" | tr 'A-Z' 'a-z')-writes-$share"
        ops="$(bench "$name" --workload "$workload" --read-mode "$mode" --no-load --warmup "$warmup" \
            --duration "$duration")"
        result["$mode-$share"]="$ops"
        echo "write share $share%: reads $mode: $ops ops/s (all operations) -> $out/$name"
    done
done

echo
echo "CRAQ read scaling, 3 nodes each capped at $cpu core(s), $threads threads x $outstanding outstanding:"
printf '%-12s %14s %20s %8s\n' "write share" "TAIL ops/s" "LINEARIZABLE ops/s" "ratio"
for share in 0 10 30
do
    tail_ops="${result[TAIL-$share]}"
    craq_ops="${result[LINEARIZABLE-$share]}"
    ratio="$(awk -v a="$craq_ops" -v b="$tail_ops" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')"
    printf '%-12s %14s %20s %8s\n' "$share%" "$tail_ops" "$craq_ops" "$ratio"
done | tee "$out/scaling.txt"
