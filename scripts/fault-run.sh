#!/usr/bin/env bash
#
# Run ChainKV's fault-injection suite (fault-tests/, io.chainkv.faults.FaultRunner) for a while and print its report.
#
#   scripts/fault-run.sh --minutes 30 --seed 42            # every nemesis; network partitions need root
#   scripts/fault-run.sh --minutes 5 --nemeses kill-node,pause-node --nodes 5
#   scripts/fault-run.sh --check fault-results/<run>/histories/segment-3.jsonl   # check a kept history again
#
# Starts real clusters (ZooKeeper, two masters, nodes as separate processes), runs client threads doing random
# get/put/delete/cas on a few keys while the nemeses break the cluster, then checks the history: linearizability
# per key, survival of every acknowledged write, no write applied twice. Builds what it needs first. Output (cluster
# logs, the histories of failing segments) goes to fault-results/<date-time>-seed<S>/ unless --out DIR.
# Exit status: 0 no anomaly, 1 anomalies or a harness error, 2 bad usage or build failure. Runner options: --help.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
# shellcheck source=lib/keys.sh
source "$ROOT/scripts/lib/keys.sh"
readonly PROG="scripts/fault-run.sh"
readonly MAIN="io.chainkv.faults.FaultRunner"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

die()
{
    echo "$PROG: $*" >&2
    exit 2
}

build=0
args=()
while (( $# > 0 ))
do
    case "$1" in
        --build) build=1; shift ;;
        -h|--help)
            sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
            echo "Option of this script: --build (rebuild first)"
            args+=("--help"); shift ;;
        *) args+=("$1"); shift ;;
    esac
done

faults_jar()
{
    find "$ROOT/fault-tests/target" -maxdepth 1 -name 'chainkv-fault-tests-*.jar' ! -name '*-tests.jar' \
        ! -name '*-sources.jar' 2>/dev/null | head -n 1
}

if [[ "$build" == 1 || -z "$(faults_jar)" || ! -d "$ROOT/fault-tests/target/lib" ]]
then
    command -v mvn >/dev/null || die "mvn not found: install Maven 3.8+"
    echo "Building: (cd $ROOT && mvn -q -pl fault-tests -am package -DskipTests)"
    (cd "$ROOT" && mvn -B -q -Dstyle.color=never -pl fault-tests -am package -DskipTests) || die "the build failed"
fi

# The runs' clusters and clients sign their frames with keys of their own (docs/security.md); the runner passes the
# file on to every process it starts.
keys_dir="$ROOT/fault-results/keys"
ensure_cluster_keys "$keys_dir"
read -r -a extra_jvm <<< "${CHAINKV_JAVA_OPTS:-}"
cd "$ROOT"
exec "$JAVA" @"$ROOT/scripts/jvm.options" -Dchainkv.key.file="$keys_dir/cluster.keys" "${extra_jvm[@]}" \
    -Dchainkv.jvm.options="$ROOT/scripts/jvm.options" \
    -cp "$(faults_jar):$ROOT/fault-tests/target/lib/*" "$MAIN" "${args[@]}"
