#!/usr/bin/env bash
#
# Put, get, delete or compare-and-set one key from the shell, through the Java client (KvTool).
#
#   scripts/kv.sh [--dir DIR | --config FILE | --zk HOST:PORT,... [--cluster NAME]] put <key> <value>
#   scripts/kv.sh [...] get <key>
#   scripts/kv.sh [...] delete <key>
#   scripts/kv.sh [...] cas <key> <expectedVersion> <value>
#
# Without --dir, --config or --zk it talks to the cluster scripts/local-cluster.sh started in
# run/local: through its ZooKeeper (following the chain as the masters change it), or through its
# chain.properties for a --static cluster.
# Exit status is KvTool's: 0 ok, 1 not found, 3 version mismatch, 2 error.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
readonly PROG="scripts/kv.sh"
readonly KV_MAIN="io.chainkv.client.tools.KvTool"

usage()
{
    cat <<EOF
Usage: $PROG [--dir DIR | --config FILE | --zk HOST:PORT,... [--cluster NAME]] <command>

Commands:
  put <key> <value>                     write; prints OK version=N
  get <key> [--read-mode M]             read (any member answers; --read-mode TAIL for the tail only);
                                        prints the value, or NOT_FOUND (exit 1)
  delete <key>                          prints OK version=N, or NOT_FOUND (exit 1)
  cas <key> <expectedVersion> <value>   write only if the key has that version (0 = absent);
                                        exit 3 when it does not
Options:
  --dir DIR       a cluster started by scripts/local-cluster.sh (default: run/local in the repository)
  --zk CONNECT    any cluster in ZooKeeper; with --cluster NAME (default chainkv)
  --config FILE   any fixed chain configuration file (cluster.name, chain.id, epoch, members)
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
zk=""
cluster=""
while (( $# > 0 ))
do
    case "$1" in
        --dir) dir="${2:?--dir needs a directory}"; dir_given=1; shift 2 ;;
        --config) config="${2:?--config needs a file}"; shift 2 ;;
        --zk) zk="${2:?--zk needs host:port,...}"; shift 2 ;;
        --cluster) cluster="${2:?--cluster needs a name}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) break ;;
    esac
done
(( $# > 0 )) || { usage >&2; exit 2; }
case "$1" in
    put) (( $# == 3 )) || die "usage: $PROG put <key> <value>" ;;
    get) (( $# == 2 )) || { (( $# == 4 )) && [[ "$3" == --read-mode ]]; } ||
        die "usage: $PROG get <key> [--read-mode LINEARIZABLE|TAIL|READ_YOUR_WRITES|MONOTONIC|EVENTUAL]" ;;
    delete) (( $# == 2 )) || die "usage: $PROG $1 <key>" ;;
    cas) (( $# == 4 )) || die "usage: $PROG cas <key> <expectedVersion> <value>" ;;
    *) die "unknown command '$1' (put, get, delete or cas; --help for more)" ;;
esac
given=0
[[ -z "$config" ]] || given=$((given + 1))
[[ -z "$zk" ]] || given=$((given + 1))
[[ "$dir_given" == 0 ]] || given=$((given + 1))
(( given <= 1 )) || die "give one of --dir, --config or --zk"
[[ -z "$cluster" || -n "$zk" ]] || die "--cluster goes with --zk"

extra_props=()
target=()
local_cluster=0
if [[ -z "$config" && -z "$zk" ]]
then
    dir_hint=""
    [[ "$dir_given" == 0 ]] || dir_hint=" --dir $dir"
    [[ -f "$dir/cluster.env" ]] ||
        die "no cluster running in $dir; start one with scripts/local-cluster.sh start$dir_hint"
    local_cluster=1
    if [[ "$(sed -n 's/^mode=//p' "$dir/cluster.env")" == zk ]]
    then
        zk="$(sed -n 's/^zk=//p' "$dir/cluster.env")"
        cluster="$(sed -n 's/^cluster=//p' "$dir/cluster.env")"
    else
        config="$dir/chain.properties"
    fi
    # The cluster's client key signs the requests (docs/security.md); CHAINKV_JAVA_OPTS can name another.
    [[ ! -f "$dir/keys/client.keys" ]] || extra_props+=("-Dchainkv.key.file=$dir/keys/client.keys")
    # The client's Aeron directory goes beside the nodes', so stopping the cluster cleans up after a
    # client that was killed.
    if [[ -f "$dir/aeron-parent" && -d "$(cat "$dir/aeron-parent")" ]]
    then
        extra_props+=("-Dchainkv.aeron.dir.parent=$(cat "$dir/aeron-parent")")
    fi
fi
if [[ -n "$zk" ]]
then
    target=(--zk "$zk" --cluster "${cluster:-chainkv}")
else
    [[ -f "$config" ]] || die "no such configuration file: $config"
    target=(--config "$config")
fi

if [[ -n "${CHAINKV_CLASSPATH:-}" ]]
then
    cp="$CHAINKV_CLASSPATH"
elif [[ "$local_cluster" == 1 && -d "$dir/lib" ]]
then
    # The jars the running cluster was started from.
    cp="$dir/lib/*"
else
    [[ -d "$ROOT/chain-node/target/lib" ]] || die "no build found; run: (cd $ROOT && mvn -q package -DskipTests)"
    cp="$ROOT/chain-node/target/lib/*"
fi

read -r -a extra_jvm <<< "${CHAINKV_JAVA_OPTS:-}"
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" @"$ROOT/scripts/jvm.options" "${extra_props[@]}" "${extra_jvm[@]}" \
    -Dlogback.configurationFile="$ROOT/scripts/cli-logback.xml" \
    -cp "$cp" "$KV_MAIN" "${target[@]}" "$@" < /dev/null
