#!/usr/bin/env bash
#
# Load and run a YCSB 0.17 workload against a ChainKV chain with ChainKV's binding (ycsb-binding/).
#
#   scripts/ycsb.sh [--zk HOST:PORT --cluster NAME | --config FILE | --dir DIR] [--workload NAME|FILE] [--threads N]
#                   [--no-load] [-p key=value ...]
#
#   --zk, --cluster   a cluster in ZooKeeper
#   --config FILE     a static chain configuration file
#   --dir DIR         a cluster started by scripts/local-cluster.sh (default: run/local)
#   --workload W      write-only, read-only, workloada, workloadb (in ycsb-binding/workloads/) or a file
#                     (default write-only). ChainKV stores one value per key: fieldcount is always 1.
#   --threads N       YCSB client threads (default 1)
#   --no-load         skip the load phase (the records already exist)
#   -p key=value      any YCSB property, e.g. -p operationcount=50000 -p recordcount=10000
#
# Output: YCSB's own report (throughput, latency per operation) for the load and the run phase, also kept
# in ycsb-results/<date-time>/{load,run}.txt.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
readonly PROG="scripts/ycsb.sh"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

die()
{
    echo "$PROG: $*" >&2
    exit 2
}

config=""
cluster_dir="$ROOT/run/local"
zk=""
cluster_name=""
workload="write-only"
threads=1
do_load=1
props=()
while (( $# > 0 ))
do
    case "$1" in
        --config) config="${2:?--config needs a file}"; shift 2 ;;
        --dir) cluster_dir="${2:?--dir needs a directory}"; shift 2 ;;
        --zk) zk="${2:?--zk needs host:port,...}"; shift 2 ;;
        --cluster) cluster_name="${2:?--cluster needs a name}"; shift 2 ;;
        --workload) workload="${2:?--workload needs a name or file}"; shift 2 ;;
        --threads) threads="${2:?--threads needs a number}"; shift 2 ;;
        --no-load) do_load=0; shift ;;
        -p) props+=(-p "${2:?-p needs key=value}"); shift 2 ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
done
# Where the cluster is: --zk/--cluster, --config, or a local-cluster.sh directory (ZooKeeper or static mode).
if [[ -z "$zk" && -z "$config" ]]
then
    if [[ -f "$cluster_dir/chain.properties" ]]
    then
        config="$cluster_dir/chain.properties"
    elif [[ -f "$cluster_dir/cluster.env" ]]
    then
        zk="$(sed -n 's/^zk=//p' "$cluster_dir/cluster.env")"
        cluster_name="$(sed -n 's/^cluster=//p' "$cluster_dir/cluster.env")"
    else
        die "no cluster in $cluster_dir: start one (scripts/local-cluster.sh start), or pass --zk/--cluster or --config"
    fi
fi
if [[ -n "$zk" ]]
then
    where=(-p chainkv.zk="$zk" -p chainkv.cluster="${cluster_name:-chainkv}")
else
    [[ -f "$config" ]] || die "no chain configuration at $config"
    where=(-p chainkv.config="$config")
fi
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || die "--threads must be a number >= 1"
if [[ -f "$workload" ]]
then
    workload_file="$workload"
elif [[ -f "$ROOT/ycsb-binding/workloads/$workload" ]]
then
    workload_file="$ROOT/ycsb-binding/workloads/$workload"
else
    die "no workload '$workload' (try write-only, read-only, workloada, workloadb, or a file)"
fi

binding_jar()
{
    find "$ROOT/ycsb-binding/target" -maxdepth 1 -name 'chainkv-ycsb-binding-*.jar' ! -name '*-tests.jar' 2>/dev/null | head -n 1
}
if [[ -z "$(binding_jar)" || ! -d "$ROOT/ycsb-binding/target/lib" ]]
then
    command -v mvn >/dev/null || die "mvn not found: install Maven 3.8+"
    echo "Building: (cd $ROOT && mvn -q -pl ycsb-binding -am package -DskipTests)"
    (cd "$ROOT" && mvn -B -q -Dstyle.color=never -pl ycsb-binding -am package -DskipTests) || die "the build failed"
fi

out="$ROOT/ycsb-results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
keys=()
# The cluster's client key signs the requests (docs/security.md); CHAINKV_JAVA_OPTS can name another.
[[ ! -f "$cluster_dir/keys/client.keys" ]] || keys=("-Dchainkv.key.file=$cluster_dir/keys/client.keys")
read -r -a extra_jvm <<< "${CHAINKV_JAVA_OPTS:-}"
ycsb()
{
    "$JAVA" @"$ROOT/scripts/jvm.options" "${keys[@]}" "${extra_jvm[@]}" -cp "$(binding_jar):$ROOT/ycsb-binding/target/lib/*" \
        site.ycsb.Client "$@" -db io.chainkv.ycsb.ChainKvDB -P "$workload_file" \
        "${where[@]}" -p fieldcount=1 "${props[@]}"
}
if [[ "$do_load" == 1 ]]
then
    echo "== load ($workload_file) =="
    ycsb -load -threads "$(( threads > 4 ? threads : 4 ))" -s | tee "$out/load.txt"
fi
echo "== run ($workload_file, $threads threads) =="
ycsb -t -threads "$threads" -s | tee "$out/run.txt"
echo "results: $out"
