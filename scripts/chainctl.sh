#!/usr/bin/env bash
#
# chainctl against the cluster scripts/local-cluster.sh started (run/local by default), or any cluster:
#
#   scripts/chainctl.sh status [--json]          epoch, chains, roles, states, progress, store use
#   scripts/chainctl.sh watch                    the same, refreshed every second (Ctrl-C to stop)
#   scripts/chainctl.sh masters | get <key> | put <key> <value> | delete <key>
#   scripts/chainctl.sh --dir DIR status         another local cluster
#   scripts/chainctl.sh status --zk HOST:PORT,... --cluster NAME     any cluster in ZooKeeper
#
# Exit status is chainctl's (docs/operations.md): 0 ok, 1 usage, 2 ZooKeeper unreachable, 3 no configuration,
# 4 not found, 5 cluster unavailable, 6 refused.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
readonly PROG="scripts/chainctl.sh"
readonly CHAINCTL_MAIN="io.chainkv.master.cli.ChainCtl"

dir="$ROOT/run/local"
if [[ "${1:-}" == --dir ]]
then
    dir="${2:?--dir needs a directory}"
    shift 2
fi

target=()
cp=""
if [[ " $* " != *" --zk "* && " $* " != *" --zk="* && -f "$dir/cluster.env" ]]
then
    [[ "$(sed -n 's/^mode=//p' "$dir/cluster.env")" == zk ]] ||
        { echo "$PROG: the cluster in $dir is static (no ZooKeeper); chainctl needs a ZooKeeper-mode cluster" >&2; exit 1; }
    if (( $# > 0 )) && [[ "$1" != -* ]]
    then
        target=(--zk "$(sed -n 's/^zk=//p' "$dir/cluster.env")" --cluster "$(sed -n 's/^cluster=//p' "$dir/cluster.env")")
    fi
    [[ ! -d "$dir/lib" ]] || cp="$dir/lib/*"
fi
if [[ -z "$cp" ]]
then
    [[ -d "$ROOT/chain-master/target/lib" ]] ||
        { echo "$PROG: no build found; run: (cd $ROOT && mvn -q package -DskipTests)" >&2; exit 1; }
    jar="$(find "$ROOT/chain-master/target" -maxdepth 1 -name 'chainkv-master-*.jar' ! -name '*-tests.jar' | head -n 1)"
    cp="${jar:+$jar:}$ROOT/chain-master/target/lib/*"
fi

keys=()
# get/put/delete and backup talk to the nodes with the cluster's keys (docs/security.md).
[[ ! -f "$dir/keys/cluster.keys" ]] || keys=("-Dchainkv.key.file=$dir/keys/cluster.keys")
read -r -a extra_jvm <<< "${CHAINKV_JAVA_OPTS:-}"
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" @"$ROOT/scripts/jvm.options" "${keys[@]}" "${extra_jvm[@]}" \
    -Dlogback.configurationFile="$ROOT/scripts/cli-logback.xml" -cp "$cp" "$CHAINCTL_MAIN" "$@" "${target[@]}"
