#!/usr/bin/env bash
#
# Put, get, delete or compare-and-set one key from the shell, through the Java client (KvTool).
#
#   scripts/kv.sh [--dir DIR | --config FILE] put <key> <value>
#   scripts/kv.sh [--dir DIR | --config FILE] get <key>
#   scripts/kv.sh [--dir DIR | --config FILE] delete <key>
#   scripts/kv.sh [--dir DIR | --config FILE] cas <key> <expectedVersion> <value>
#
# Without --dir or --config it talks to the cluster scripts/local-cluster.sh started in run/local.
# Exit status is KvTool's: 0 ok, 1 not found, 3 version mismatch, 2 error.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
readonly PROG="scripts/kv.sh"
readonly KV_MAIN="io.chainkv.client.tools.KvTool"

usage()
{
    cat <<EOF
Usage: $PROG [--dir DIR | --config FILE] <command>

Commands:
  put <key> <value>                     write; prints OK version=N
  get <key>                             read from the tail; prints the value, or NOT_FOUND (exit 1)
  delete <key>                          prints OK version=N, or NOT_FOUND (exit 1)
  cas <key> <expectedVersion> <value>   write only if the key has that version (0 = absent);
                                        exit 3 when it does not
Options:
  --dir DIR       a cluster started by scripts/local-cluster.sh (default: run/local in the repository)
  --config FILE   any chain configuration file (cluster.name, chain.id, epoch, members)
Environment:
  JAVA_HOME, CHAINKV_JAVA_OPTS (extra JVM options), CHAINKV_CLASSPATH (run KvTool from this classpath)
EOF
}

die()
{
    echo "$PROG: $*" >&2
    exit 2
}

dir="$ROOT/run/local"
dir_given=0
config=""
while (( $# > 0 ))
do
    case "$1" in
        --dir) dir="${2:?--dir needs a directory}"; dir_given=1; shift 2 ;;
        --config) config="${2:?--config needs a file}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) break ;;
    esac
done
(( $# > 0 )) || { usage >&2; exit 2; }
case "$1" in
    put) (( $# == 3 )) || die "usage: $PROG put <key> <value>" ;;
    get|delete) (( $# == 2 )) || die "usage: $PROG $1 <key>" ;;
    cas) (( $# == 4 )) || die "usage: $PROG cas <key> <expectedVersion> <value>" ;;
    *) die "unknown command '$1' (put, get, delete or cas; --help for more)" ;;
esac
[[ -z "$config" || "$dir_given" == 0 ]] || die "give --dir or --config, not both"

extra_props=()
if [[ -z "$config" ]]
then
    dir_hint=""
    [[ "$dir_given" == 0 ]] || dir_hint=" --dir $dir"
    [[ -f "$dir/chain.properties" ]] ||
        die "no cluster running in $dir; start one with scripts/local-cluster.sh start$dir_hint"
    config="$dir/chain.properties"
    # The client's Aeron directory goes beside the nodes', so stopping the cluster cleans up after a
    # client that was killed.
    if [[ -f "$dir/aeron-parent" && -d "$(cat "$dir/aeron-parent")" ]]
    then
        extra_props+=("-Dchainkv.aeron.dir.parent=$(cat "$dir/aeron-parent")")
    fi
fi
[[ -f "$config" ]] || die "no such configuration file: $config"

if [[ -n "${CHAINKV_CLASSPATH:-}" ]]
then
    cp="$CHAINKV_CLASSPATH"
elif [[ "$config" == "$dir/chain.properties" && -d "$dir/lib" ]]
then
    # The jars the running cluster was started from.
    cp="$dir/lib/*"
else
    [[ -d "$ROOT/chain-node/target/lib" ]] || die "no build found; run: (cd $ROOT && mvn -q package -DskipTests)"
    cp="$ROOT/chain-node/target/lib/*"
fi

read -r -a extra_jvm <<< "${CHAINKV_JAVA_OPTS:-}"
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" @"$ROOT/scripts/jvm.options" "${extra_jvm[@]}" "${extra_props[@]}" \
    -cp "$cp" "$KV_MAIN" --config "$config" "$@" < /dev/null
