#!/usr/bin/env bash
#
# Benchmark a ChainKV chain with the runner in perf/ (io.chainkv.perf.BenchMain).
#
#   scripts/bench.sh --config run/local/chain.properties [runner options]   # a running cluster
#   scripts/bench.sh --local 3 [runner options]                             # start a local chain, measure, stop it
#
# Builds the runner if needed, writes results.json, <op>.hgrm, summary.txt and report.html into a results
# directory (perf-results/<date-time> unless --out DIR) and prints its path. Runner options: --help.
#
# Idle-strategy profiles (the runner reports which one is in use):
#   default      backoff to short parks; kind to a shared 2-core machine
#   low-latency  CHAINKV_JAVA_OPTS="-Dchainkv.idle.strategy=yield" (or busy) for dedicated cores; applies to
#                the nodes --local starts and to the runner itself
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
readonly PROG="scripts/bench.sh"
readonly MAIN="io.chainkv.perf.BenchMain"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

die()
{
    echo "$PROG: $*" >&2
    exit 2
}

local_nodes=""
out=""
build=0
local_store_args=()
args=()
while (( $# > 0 ))
do
    case "$1" in
        --local) local_nodes="${2:?--local needs a node count}"; shift 2 ;;
        --out) out="${2:?--out needs a directory}"; shift 2 ;;
        --build) build=1; shift ;;
        --max-entries) local_store_args+=("$1" "${2:?}"); shift 2 ;;
        -h|--help)
            sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
            echo "Options of this script: --local N, --out DIR, --build (rebuild first), --max-entries N (with --local)"
            args+=("--help"); shift ;;
        *) args+=("$1"); shift ;;
    esac
done

perf_jar()
{
    find "$ROOT/perf/target" -maxdepth 1 -name 'chainkv-perf-*.jar' ! -name '*-tests.jar' ! -name '*-sources.jar' \
        2>/dev/null | head -n 1
}

if [[ "$build" == 1 || -z "$(perf_jar)" || ! -d "$ROOT/perf/target/lib" || ! -d "$ROOT/chain-node/target/lib" ]]
then
    command -v mvn >/dev/null || die "mvn not found: install Maven 3.8+"
    echo "Building: (cd $ROOT && mvn -q -pl perf,chain-node -am package -DskipTests)"
    (cd "$ROOT" && mvn -B -q -Dstyle.color=never -pl perf,chain-node -am package -DskipTests) || die "the build failed"
fi

if [[ -z "$out" ]]
then
    out="$ROOT/perf-results/$(date +%Y%m%d-%H%M%S)"
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"

cluster_dir=""
cleanup()
{
    if [[ -n "$cluster_dir" ]]
    then
        "$ROOT/scripts/local-cluster.sh" stop --dir "$cluster_dir" --stop-timeout 20 >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

if [[ -n "$local_nodes" ]]
then
    [[ "$local_nodes" =~ ^[1-9][0-9]*$ ]] || die "--local needs a node count >= 1"
    cluster_dir="$out/cluster"
    # The store must hold the keys; 1M entries is the node's default.
    "$ROOT/scripts/local-cluster.sh" start --nodes "$local_nodes" --dir "$cluster_dir" --fresh \
        "${local_store_args[@]}" || die "could not start the local cluster"
    args=(--cluster-dir "$cluster_dir" "${args[@]}")
fi

read -r -a extra_jvm <<< "${CHAINKV_JAVA_OPTS:-}"
set +e
"$JAVA" @"$ROOT/scripts/jvm.options" "${extra_jvm[@]}" -Dchainkv.jvm.options="$ROOT/scripts/jvm.options" \
    -cp "$(perf_jar):$ROOT/perf/target/lib/*" "$MAIN" --out "$out" "${args[@]}"
status=$?
set -e
echo "results directory: $out"
exit "$status"
