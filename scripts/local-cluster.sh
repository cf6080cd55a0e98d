#!/usr/bin/env bash
#
# Start, stop and inspect a local ChainKV cluster on this machine: by default a ZooKeeper server, two
# masters and N nodes in ZooKeeper mode (the masters build the chain and splice failed nodes out);
# with --static, N nodes on a fixed chain from a file. One directory holds logs, data and pid files.
#
#   scripts/local-cluster.sh start [--nodes N] [--zk HOST:PORT,... | --static] [--dir DIR] ...
#   scripts/local-cluster.sh stop | status | chain                 [--dir DIR]
#   scripts/local-cluster.sh kill | start-node | pause | resume <node>  [--dir DIR]
#   scripts/local-cluster.sh kill-master | start-master <m1|m2>     [--dir DIR]
#   scripts/local-cluster.sh kill-zk | start-zk                     [--dir DIR]
#
# Run with --help for the details. Every command acts only on the processes this script started in
# DIR (it checks each recorded PID's command line before signalling it), and deletes only
# directories it made.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/keys.sh
source "$ROOT/scripts/lib/keys.sh"
readonly ROOT
readonly PROG="scripts/local-cluster.sh"
readonly NODE_MAIN="io.chainkv.node.NodeMain"
readonly MASTER_MAIN="io.chainkv.master.MasterMain"
readonly ZK_MAIN="io.chainkv.master.zk.StandaloneZooKeeperMain"
readonly CHAINCTL_MAIN="io.chainkv.master.cli.ChainCtl"
readonly JVM_OPTIONS="$ROOT/scripts/jvm.options"
readonly DEFAULT_DIR="$ROOT/run/local"
readonly DEFAULT_BASE_PORT=40101
readonly DEFAULT_ZK_PORT=2181
# Metrics and health endpoints (HTTP): masters and nodes take free TCP ports from here up.
readonly DEFAULT_METRICS_BASE_PORT=9401
# A 100 ms tick lets ZooKeeper grant sessions down to 200 ms; the default session is 600 ms.
readonly ZK_TICK_MS=100
readonly DEFAULT_SESSION_TIMEOUT_MS=600

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
DIR="$DEFAULT_DIR"
DIR_GIVEN=0
LAUNCH_OFFSET=0
TIMEOUT=60

usage()
{
    cat <<EOF
Usage: $PROG <command> [options]

Commands:
  start [options]      build if needed, start the cluster in the background, wait until every process
                       says it is ready and (ZooKeeper mode) the masters have built the chain, print it
  stop                 stop nodes, then masters, then ZooKeeper (SIGTERM, SIGKILL after --stop-timeout)
  status               which processes run, and the chain (epoch, order, roles)
  chain [--wait SEC --min-epoch E]
                       the chain as ZooKeeper holds it (chainctl status): epoch, head -> tail, roles,
                       spares, masters and the leader; --wait waits up to SEC for epoch E or later
  kill <node>          kill -9 one node (its data stays; the masters splice it out of the chain)
  start-node <node>    start one node again on its data directory (it comes back as a spare and, if its
                       chain is short, rejoins at the tail by a state transfer of what it missed)
  add-node             start a new, empty node (n<N+1>): a spare that joins a short chain at the tail
  backup <dir>         online backup of the chain into a new directory (chainctl backup)
  pause <node>         SIGSTOP one node (past its session timeout the masters splice it out)
  resume <node>        SIGCONT a paused node
  kill-master <m>      kill -9 one master (m1, m2, ...); the other takes over within a session timeout
  start-master <m>     start that master again
  kill-zk              kill -9 the ZooKeeper server (not with an external --zk ensemble)
  start-zk             start it again on its data directory and port

Options (all commands):
  --dir DIR            cluster directory (default: run/local in the repository)
Options of start:
  --nodes N            number of nodes n1..nN (default 3)
  --replication-factor R
                       chain length the masters build (default: N)
  --masters M          number of masters (default 2)
  --zk HOST:PORT,...   use this ZooKeeper ensemble instead of starting a server; its tickTime must be
                       at most half the session timeout (50-300 ms for the 600 ms default)
  --zk-port P          port of the ZooKeeper server this script starts (default $DEFAULT_ZK_PORT, or the next
                       free one)
  --session-timeout-ms MS
                       ZooKeeper session of masters and nodes: how soon a dead node is spliced out
                       (default $DEFAULT_SESSION_TIMEOUT_MS)
  --static             no ZooKeeper and no masters: a fixed chain from chain.properties (no failover)
  --base-port P        first UDP port to try (default $DEFAULT_BASE_PORT); nodes get consecutive free ports
  --cluster-name NAME  cluster name (default local)
  --build              run 'mvn -q package -DskipTests' even when the jars exist
  --fresh              delete the data and logs of an earlier cluster in DIR first
  --timeout SEC        how long to wait for each process to be ready and for the chain (default 60)
  --max-entries N, --max-data-bytes N, --max-key-bytes N, --max-value-bytes N
                       store limits, passed to every node (and kept for start-node)
Options of stop:
  --stop-timeout SEC   how long to wait after SIGTERM before SIGKILL (default 30)

Environment:
  JAVA_HOME            the JDK to run (default: java on PATH)
  CHAINKV_JAVA_OPTS    extra JVM options for every process, e.g. "-Xmx512m -Dchainkv.idle.strategy=sleeping"

Layout of DIR: cluster.env (mode, cluster name, ZooKeeper), nodes (id and endpoint of each node),
chain.properties (static mode), logs/<name>.log, data/<name>/ (data/zookeeper for the server),
pids/<name>.pid, lib/ (a copy of the jars the cluster runs, so a rebuild does not change code under
running processes), aeron-parent (the /dev/shm directory holding the nodes' Aeron directories),
metrics-ports (the HTTP port of each master's and node's /metrics, /health/live and /health/ready,
on 127.0.0.1, from $DEFAULT_METRICS_BASE_PORT up; kept across restarts), keys/cluster.keys (the member and
client keys every process signs its frames with, and the ZooKeeper passwords masters, nodes and chainctl log in
with; made at the first start, mode 600; docs/security.md) and keys/client.keys (the client key alone, for
applications). CHAINKV_JAVA_OPTS="-Dchainkv.authentication=off -Dchainkv.zookeeper.auth=off" turns both off for
a trusted network.
EOF
}

die()
{
    echo "$PROG: $*" >&2
    exit 1
}

usage_error()
{
    echo "$PROG: $*" >&2
    echo "Try '$PROG --help'." >&2
    exit 2
}

# Hint suffix so the commands we print work for a non-default DIR too.
dir_flag()
{
    if [[ "$DIR_GIVEN" == 1 ]]
    then
        printf ' --dir %q' "$DIR"
    fi
}

no_cluster()
{
    die "no cluster running in $DIR; start one with $PROG start$(dir_flag)"
}

env_file()
{
    echo "$DIR/cluster.env"
}

# Prints one setting of the cluster (mode, cluster, zk, zk_external, zk_port, masters, ...).
env_get()
{
    sed -n "s/^$1=//p" "$(env_file)" 2>/dev/null | tail -n 1
}

mode()
{
    env_get mode
}

config_file()
{
    echo "$DIR/chain.properties"
}

require_cluster()
{
    [[ -f "$(env_file)" && -f "$DIR/nodes" ]] || no_cluster
}

require_zk_mode()
{
    require_cluster
    [[ "$(mode)" == zk ]] || die "the cluster in $DIR runs in --static mode: no ZooKeeper, no masters"
}

# Prints one "id endpoint" line per node.
members()
{
    cat "$DIR/nodes"
}

node_ids()
{
    members | cut -d' ' -f1
}

endpoint_of()
{
    members | awk -v node="$1" '$1 == node { print $2 }'
}

master_ids()
{
    local count i
    count="$(env_get masters)"
    for (( i = 1; i <= ${count:-0}; i++ ))
    do
        echo "m$i"
    done
}

# HEAD, MIDDLE, TAIL or HEAD_TAIL from the node's place in the static configuration.
static_role_of()
{
    local node="$1"
    local ids
    mapfile -t ids < <(node_ids)
    local last=$((${#ids[@]} - 1))
    if [[ "$last" == 0 ]]
    then
        echo HEAD_TAIL
    elif [[ "${ids[0]}" == "$node" ]]
    then
        echo HEAD
    elif [[ "${ids[$last]}" == "$node" ]]
    then
        echo TAIL
    else
        echo MIDDLE
    fi
}

require_member()
{
    require_cluster
    if ! node_ids | grep -qxF -- "$1"
    then
        die "no node '$1' in $DIR (nodes: $(node_ids | paste -sd' ' -))"
    fi
}

require_master()
{
    require_zk_mode
    if ! master_ids | grep -qxF -- "$1"
    then
        die "no master '$1' in $DIR (masters: $(master_ids | paste -sd' ' -))"
    fi
}

require_own_zk()
{
    require_zk_mode
    [[ "$(env_get zk_external)" == 0 ]] ||
        die "the cluster in $DIR uses the external ZooKeeper $(env_get zk); this script does not run it"
}

pid_file()
{
    echo "$DIR/pids/$1.pid"
}

# Prints the PID of a process we started under this name if it is alive; fails otherwise. The command
# line must carry this directory and this name (system properties every launch adds), so a stale PID
# reused by an unrelated process is never signalled.
running_pid()
{
    local name="$1" pid cmdline
    [[ -f "$(pid_file "$name")" ]] || return 1
    pid="$(cat "$(pid_file "$name")")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    cmdline="$(tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline")" || return 1
    [[ "$cmdline" == *" -Dchainkv.cluster.dir=$DIR "* ]] || return 1
    [[ "$cmdline" == *" -Dchainkv.process=$name "* ]] || return 1
    [[ "$(proc_state "$pid")" != Z ]] || return 1
    echo "$pid"
}

# One-letter process state from /proc (R, S, D, T = stopped, Z = zombie).
proc_state()
{
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo X; return; }
    stat="${stat##*) }"
    echo "${stat%% *}"
}

# Every process name of the cluster: nodes, masters, ZooKeeper.
process_names()
{
    node_ids
    if [[ "$(mode)" == zk ]]
    then
        master_ids
        [[ "$(env_get zk_external)" == 1 ]] || echo zookeeper
    fi
}

any_running()
{
    local name
    [[ -f "$(env_file)" && -f "$DIR/nodes" ]] || return 1
    for name in $(process_names)
    do
        if running_pid "$name" >/dev/null
        then
            return 0
        fi
    done
    return 1
}

aeron_parent()
{
    [[ -f "$DIR/aeron-parent" ]] && cat "$DIR/aeron-parent"
}

# Removes a directory only if it is one this script made for Aeron (never anything else).
remove_aeron_dir()
{
    local dir="$1"
    [[ -n "$dir" && -d "$dir" ]] || return 0
    case "$dir" in
        */chainkv-cluster-*) rm -rf -- "$dir" ;;
        *) echo "$PROG: not removing unexpected Aeron directory $dir" >&2 ;;
    esac
}

new_aeron_parent()
{
    local shm=/dev/shm
    [[ -d "$shm" && -w "$shm" ]] || shm="${TMPDIR:-/tmp}"
    mktemp -d "$shm/chainkv-cluster-$(env_get cluster)-XXXXXX" > "$DIR/aeron-parent"
}

wait_gone()
{
    local pid="$1" tenths="$2"
    while (( tenths > 0 ))
    do
        [[ -d "/proc/$pid" && "$(proc_state "$pid")" != Z ]] || return 0
        sleep 0.1
        tenths=$((tenths - 1))
    done
    return 1
}

# The classpath of the cluster's copy of the jars, with the given module's jar first (its logback.xml wins).
classpath()
{
    local jar
    jar="$(find "$DIR/lib" -maxdepth 1 -name "chainkv-$1-*.jar" ! -name '*-tests.jar' | head -n 1)"
    echo "${jar:+$jar:}$DIR/lib/*"
}

module_jar()
{
    find "$ROOT/$1/target" -maxdepth 1 -name "chainkv-$2-*.jar" \
        ! -name '*-tests.jar' ! -name '*-sources.jar' 2>/dev/null | head -n 1
}

build()
{
    command -v mvn >/dev/null || die "mvn not found: install Maven 3.8+ (e.g. apt-get install maven)"
    echo "Building: (cd $ROOT && mvn -q package -DskipTests)"
    (cd "$ROOT" && mvn -B -q -Dstyle.color=never package -DskipTests) || die "the build failed (see the Maven output above)"
}

built()
{
    [[ -n "$(module_jar chain-node node)" && -d "$ROOT/chain-node/target/lib" &&
        -n "$(module_jar chain-master master)" && -d "$ROOT/chain-master/target/lib" ]]
}

# Copies the node and master jars and their runtime classpaths into DIR/lib so that a later rebuild
# does not change the code under running processes, and restarts run the same code as the rest.
snapshot_jars()
{
    local node_jar master_jar
    node_jar="$(module_jar chain-node node)"
    master_jar="$(module_jar chain-master master)"
    [[ -n "$node_jar" && -d "$ROOT/chain-node/target/lib" && -n "$master_jar" && -d "$ROOT/chain-master/target/lib" ]] ||
        die "no node or master jar in $ROOT/*/target; build with: mvn -q package -DskipTests"
    grep -q "${NODE_MAIN//.//}.class" "$node_jar" ||
        die "$node_jar has no $NODE_MAIN; the build is stale (try --build)"
    grep -q "${ZK_MAIN//.//}.class" "$master_jar" ||
        die "$master_jar has no $ZK_MAIN; the build is stale (try --build)"
    rm -rf "${DIR:?}/lib"
    mkdir -p "$DIR/lib"
    cp "$node_jar" "$master_jar" "$ROOT"/chain-node/target/lib/*.jar "$DIR/lib/"
    # The master's dependencies are mostly the node's too (same versions, one reactor): add the rest.
    local jar
    for jar in "$ROOT"/chain-master/target/lib/*.jar
    do
        [[ -e "$DIR/lib/$(basename "$jar")" ]] || cp "$jar" "$DIR/lib/"
    done
}

# Prints N consecutive UDP ports starting at or above the base that nothing on this machine has bound.
# /proc/net/udp lists bound sockets with the port in hex.
pick_ports()
{
    local count="$1" base="$2" scan="$3" port candidate ok
    local used="" hex
    while read -r hex
    do
        used+="$((16#$hex))"$'\n'
    done < <(awk 'FNR > 1 && $2 ~ /:/ { split($2, a, ":"); print a[2] }' /proc/net/udp /proc/net/udp6 2>/dev/null || true)
    for (( port = base; port + count - 1 <= 65535; port++ ))
    do
        ok=1
        for (( candidate = port; candidate < port + count; candidate++ ))
        do
            if grep -qx "$candidate" <<< "$used"
            then
                ok=0
                break
            fi
        done
        if [[ "$ok" == 1 ]]
        then
            seq "$port" $((port + count - 1))
            return 0
        fi
        [[ "$scan" == 1 ]] || break
        (( port < base + 2000 )) || break
    done
    return 1
}

# True if nothing listens on the TCP port (state 0A in /proc/net/tcp is LISTEN).
tcp_port_free()
{
    local hex
    hex="$(printf '%04X' "$1")"
    ! awk -v port="$hex" 'FNR > 1 && $4 == "0A" { split($2, a, ":"); if (a[2] == port) found = 1 } END { exit !found }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

node_args_file()
{
    echo "$DIR/node-args"
}

metrics_ports_file()
{
    echo "$DIR/metrics-ports"
}

# The metrics port recorded for a process (kept across restarts), empty if none.
metrics_port_of()
{
    awk -v name="$1" '$1 == name { print $2 }' "$(metrics_ports_file)" 2>/dev/null
}

# Records a free TCP port, from DEFAULT_METRICS_BASE_PORT up, for each named process.
assign_metrics_ports()
{
    local port="$DEFAULT_METRICS_BASE_PORT" name
    : > "$(metrics_ports_file).tmp"
    for name in "$@"
    do
        while ! tcp_port_free "$port"
        do
            port=$((port + 1))
            (( port < DEFAULT_METRICS_BASE_PORT + 1000 )) || die "no free TCP port for metrics from $DEFAULT_METRICS_BASE_PORT"
        done
        echo "$name $port" >> "$(metrics_ports_file).tmp"
        port=$((port + 1))
    done
    mv "$(metrics_ports_file).tmp" "$(metrics_ports_file)"
}

# The metrics arguments of a process: its recorded port on the loopback interface, or nothing.
metrics_args()
{
    local port
    port="$(metrics_port_of "$1")"
    [[ -z "$port" ]] || printf '%s\n' --metrics-port "$port" --metrics-host 127.0.0.1
}

# Starts one JVM in the background as the named process of this cluster, output appended to its log.
# Sets LAUNCH_OFFSET to the log size before the start, so the ready check reads only this start.
launch_java()
{
    local name="$1" module="$2" main="$3"
    shift 3
    local log="$DIR/logs/$name.log"
    local -a extra_jvm=()
    read -r -a extra_jvm <<< "${CHAINKV_JAVA_OPTS:-}"
    mkdir -p "$DIR/logs" "$DIR/pids"
    printf '==== %s: %s starting\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$name" >> "$log"
    LAUNCH_OFFSET="$(stat -c %s "$log")"
    # The two -Dchainkv.* properties mark the process as ours (see running_pid).
    nohup "$JAVA" @"$JVM_OPTIONS" -Dchainkv.key.file="$DIR/keys/cluster.keys" "${extra_jvm[@]}" \
        -Dchainkv.cluster.dir="$DIR" -Dchainkv.process="$name" \
        -Dchainkv.aeron.dir.parent="$(aeron_parent)" -cp "$(classpath "$module")" "$main" "$@" \
        >> "$log" 2>&1 < /dev/null &
    echo "$!" > "$(pid_file "$name")"
}

launch_zookeeper()
{
    mkdir -p "$DIR/data/zookeeper"
    launch_java zookeeper master "$ZK_MAIN" --port "$(env_get zk_port)" --data-dir "$DIR/data/zookeeper" \
        --tick-ms "$ZK_TICK_MS"
}

launch_master()
{
    local master="$1" session
    session="$(env_get session_timeout_ms)"
    local -a metrics=()
    mapfile -t metrics < <(metrics_args "$master")
    launch_java "$master" master "$MASTER_MAIN" --zk "$(env_get zk)" --cluster "$(env_get cluster)" \
        --master-id "$master" --replication-factor "$(env_get replication_factor)" \
        --session-timeout-ms "$session" --connection-timeout-ms $(( session < 500 ? session : 500 )) "${metrics[@]}"
}

launch_node()
{
    local node="$1" parent
    local -a node_args=()
    parent="$(aeron_parent)" || die "$DIR/aeron-parent is missing; stop and start the cluster again"
    mkdir -p "$DIR/data/$node" "$parent"
    # A node killed with -9 leaves its Aeron directory behind.
    remove_aeron_dir "$parent/$node"
    if [[ -f "$(node_args_file)" ]]
    then
        mapfile -t node_args < "$(node_args_file)"
    fi
    local -a metrics=()
    mapfile -t metrics < <(metrics_args "$node")
    node_args+=("${metrics[@]}")
    if [[ "$(mode)" == zk ]]
    then
        launch_java "$node" node "$NODE_MAIN" --zk "$(env_get zk)" --cluster "$(env_get cluster)" \
            --node-id "$node" --endpoint "$(endpoint_of "$node")" --data-dir "$DIR/data/$node" \
            --aeron-dir "$parent/$node" --session-timeout-ms "$(env_get session_timeout_ms)" "${node_args[@]}"
    else
        launch_java "$node" node "$NODE_MAIN" --config "$(config_file)" --node-id "$node" \
            --data-dir "$DIR/data/$node" --aeron-dir "$parent/$node" "${node_args[@]}"
    fi
}

ready_prefix()
{
    case "$1" in
        zookeeper) echo "chainkv-zookeeper ready " ;;
        m[0-9]*) echo "chainkv-master ready id=$1 " ;;
        *) echo "chainkv-node ready node=$1 " ;;
    esac
}

# Shows what the process wrote since the given log offset (its last start), at most 30 lines.
show_log_tail()
{
    local log="$DIR/logs/$1.log"
    echo "---- $log (last 30 lines of this start) ----" >&2
    tail -c +$(($2 + 1)) "$log" | tail -n 30 >&2 || true
    echo "----" >&2
}

# Waits until the process prints its ready line after the given log offset. Fails early when the
# process exits, and at the deadline (seconds since epoch).
wait_ready()
{
    local name="$1" offset="$2" deadline="$3" log pid line prefix
    log="$DIR/logs/$name.log"
    pid="$(cat "$(pid_file "$name")")"
    prefix="$(ready_prefix "$name")"
    while true
    do
        line="$(tail -c +$((offset + 1)) "$log" | grep -m 1 "^$prefix" || true)"
        if [[ -n "$line" ]]
        then
            echo "$line"
            return 0
        fi
        # Right after the launch the pid can still be the forked shell, not yet exec'd into java (so not yet
        # marked as ours): only a process that is gone counts as exited; the deadline covers the rest.
        if ! running_pid "$name" >/dev/null && ! { kill -0 "$pid" 2>/dev/null && [[ "$(proc_state "$pid")" != Z ]]; }
        then
            echo "$PROG: $name (pid $pid) exited before it was ready" >&2
            show_log_tail "$name" "$offset"
            return 1
        fi
        if (( $(date +%s) >= deadline ))
        then
            echo "$PROG: $name (pid $pid) was not ready after ${TIMEOUT}s" >&2
            show_log_tail "$name" "$offset"
            return 1
        fi
        sleep 0.2
    done
}

# Runs chainctl against the cluster's ZooKeeper: chainctl status [--json] [--wait-ms MS] ...
chainctl()
{
    local -a extra_jvm=()
    read -r -a extra_jvm <<< "${CHAINKV_JAVA_OPTS:-}"
    "$JAVA" @"$JVM_OPTIONS" -Dchainkv.key.file="$DIR/keys/cluster.keys" "${extra_jvm[@]}" \
        -Dlogback.configurationFile="$ROOT/scripts/cli-logback.xml" -cp "$(classpath master)" "$CHAINCTL_MAIN" "$@" \
        --zk "$(env_get zk)" --cluster "$(env_get cluster)" < /dev/null
}

print_static_chain()
{
    local node first=1 line=""
    for node in $(node_ids)
    do
        if [[ "$first" == 0 ]]
        then
            line+=" -> "
        fi
        first=0
        line+="$node ($(static_role_of "$node") $(endpoint_of "$node"))"
    done
    echo "  chain:  $line"
}

# SIGTERM to the named processes together, then waits; SIGKILL for any still there at the timeout.
stop_processes()
{
    local stop_timeout="$1" name pid
    shift
    local -a stopping=()
    for name in "$@"
    do
        if pid="$(running_pid "$name")"
        then
            kill -TERM "$pid" 2>/dev/null || true
            # A paused process handles SIGTERM only once it runs again.
            kill -CONT "$pid" 2>/dev/null || true
            stopping+=("$name:$pid")
        fi
    done
    local entry deadline
    deadline=$(( $(date +%s) + stop_timeout ))
    for entry in "${stopping[@]}"
    do
        name="${entry%%:*}"
        pid="${entry#*:}"
        local left=$(( (deadline - $(date +%s)) * 10 ))
        if ! wait_gone "$pid" $(( left > 0 ? left : 1 ))
        then
            echo "$PROG: $name (pid $pid) did not stop within ${stop_timeout}s; killing it (kill -9)" >&2
            kill -KILL "$pid" 2>/dev/null || true
            wait_gone "$pid" 50 || echo "$PROG: $name (pid $pid) survived kill -9" >&2
        fi
        rm -f "$(pid_file "$name")"
        echo "stopped $name (pid $pid)"
    done
}

# Nodes first (they stop serving), then masters (nothing left to reconfigure), ZooKeeper last.
stop_all()
{
    local stop_timeout="$1"
    stop_processes "$stop_timeout" $(node_ids)
    if [[ "$(mode)" == zk ]]
    then
        stop_processes "$stop_timeout" $(master_ids)
        [[ "$(env_get zk_external)" == 1 ]] || stop_processes "$stop_timeout" zookeeper
    fi
    remove_aeron_dir "$(aeron_parent || true)"
}

cmd_start()
{
    local nodes=3 base_port="$DEFAULT_BASE_PORT" scan=1 do_build=0 fresh=0 cluster_name=local
    local static=0 masters=2 rf="" zk="" zk_port="" session="$DEFAULT_SESSION_TIMEOUT_MS"
    local -a limits=()
    TIMEOUT=60
    while (( $# > 0 ))
    do
        case "$1" in
            --nodes) nodes="${2:?--nodes needs a number}"; shift 2 ;;
            --masters) masters="${2:?--masters needs a number}"; shift 2 ;;
            --replication-factor) rf="${2:?--replication-factor needs a number}"; shift 2 ;;
            --zk) zk="${2:?--zk needs host:port,...}"; shift 2 ;;
            --zk-port) zk_port="${2:?--zk-port needs a port}"; shift 2 ;;
            --session-timeout-ms) session="${2:?--session-timeout-ms needs milliseconds}"; shift 2 ;;
            --static) static=1; shift ;;
            --base-port) base_port="${2:?--base-port needs a port}"; scan=0; shift 2 ;;
            --cluster-name) cluster_name="${2:?--cluster-name needs a name}"; shift 2 ;;
            --build) do_build=1; shift ;;
            --fresh) fresh=1; shift ;;
            --timeout) TIMEOUT="${2:?--timeout needs seconds}"; shift 2 ;;
            --max-entries|--max-data-bytes|--max-key-bytes|--max-value-bytes)
                [[ "${2:-}" =~ ^[0-9]+$ ]] || usage_error "$1 needs a number"
                limits+=("$1" "$2"); shift 2 ;;
            *) usage_error "start: unknown option '$1'" ;;
        esac
    done
    [[ "$nodes" =~ ^[1-9][0-9]*$ ]] || usage_error "--nodes must be a number >= 1, was '$nodes'"
    [[ "$masters" =~ ^[1-9][0-9]*$ ]] || usage_error "--masters must be a number >= 1, was '$masters'"
    rf="${rf:-$nodes}"
    [[ "$rf" =~ ^[1-9][0-9]*$ ]] || usage_error "--replication-factor must be a number >= 1, was '$rf'"
    (( rf <= nodes )) || usage_error "--replication-factor $rf needs at least $rf nodes (--nodes $nodes)"
    [[ "$session" =~ ^[1-9][0-9]*$ ]] || usage_error "--session-timeout-ms must be a number, was '$session'"
    (( session >= 2 * ZK_TICK_MS )) || [[ -n "$zk" ]] ||
        usage_error "--session-timeout-ms must be at least $((2 * ZK_TICK_MS)) (two ZooKeeper ticks)"
    if ! [[ "$base_port" =~ ^[0-9]+$ ]] || (( base_port < 1024 || base_port > 65535 ))
    then
        usage_error "--base-port must be a port between 1024 and 65535, was '$base_port'"
    fi
    if [[ -n "$zk_port" ]] && { ! [[ "$zk_port" =~ ^[0-9]+$ ]] || (( zk_port < 1024 || zk_port > 65535 )); }
    then
        usage_error "--zk-port must be a port between 1024 and 65535, was '$zk_port'"
    fi
    [[ "$static" == 0 || -z "$zk" ]] || usage_error "--static and --zk exclude each other"
    [[ "$static" == 0 || -z "$zk_port" ]] || usage_error "--static and --zk-port exclude each other"
    [[ -z "$zk" || -z "$zk_port" ]] || usage_error "--zk-port is for the server this script starts; not with --zk"
    [[ "$TIMEOUT" =~ ^[0-9]+$ ]] || usage_error "--timeout must be a number of seconds"
    [[ "$cluster_name" =~ ^[A-Za-z0-9_.-]+$ ]] || usage_error "--cluster-name: letters, digits, '_', '.', '-'"

    if [[ -d "$DIR" ]]
    then
        DIR="$(cd "$DIR" && pwd)"
    fi
    if any_running
    then
        die "a cluster is already running in $DIR; see '$PROG status$(dir_flag)' or stop it with '$PROG stop$(dir_flag)'"
    fi
    command -v "$JAVA" >/dev/null || die "java not found: install a JDK 17 (e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME"

    if [[ "$do_build" == 1 ]] || ! built
    then
        build
    fi

    mkdir -p "$DIR"
    DIR="$(cd "$DIR" && pwd)"
    # Every frame is authenticated (docs/security.md): the cluster's keys, made once and kept across restarts.
    ensure_cluster_keys "$DIR/keys"
    local new_mode=zk
    [[ "$static" == 0 ]] || new_mode=static
    if [[ "$fresh" == 1 ]]
    then
        rm -rf "$DIR/data" "$DIR/logs" "$DIR/pids"
    elif [[ -d "$DIR/data" && -n "$(ls -A "$DIR/data")" && -f "$(env_file)" && -f "$DIR/nodes" ]]
    then
        local old old_mode
        old="$(node_ids | wc -l)"
        old_mode="$(mode)"
        if [[ "$old" != "$nodes" || "$old_mode" != "$new_mode" ]]
        then
            die "$DIR holds the data of a $old-node $old_mode cluster; start with the same settings, or with --fresh to delete it"
        fi
    fi

    local -a ports
    if ! mapfile -t ports < <(pick_ports "$nodes" "$base_port" "$scan") || (( ${#ports[@]} != nodes ))
    then
        if [[ "$scan" == 1 ]]
        then
            die "found no $nodes consecutive free UDP ports from $base_port; pass --base-port"
        fi
        die "UDP ports $base_port-$((base_port + nodes - 1)) are not all free; pick another --base-port"
    fi

    local zk_external=0
    if [[ "$static" == 0 && -z "$zk" ]]
    then
        if [[ -n "$zk_port" ]]
        then
            tcp_port_free "$zk_port" || die "TCP port $zk_port is in use; pick another --zk-port"
        else
            zk_port="$DEFAULT_ZK_PORT"
            while ! tcp_port_free "$zk_port"
            do
                zk_port=$((zk_port + 1))
                (( zk_port < DEFAULT_ZK_PORT + 100 )) || die "no free TCP port from $DEFAULT_ZK_PORT for ZooKeeper; pass --zk-port"
            done
        fi
        zk="127.0.0.1:$zk_port"
    elif [[ -n "$zk" ]]
    then
        zk_external=1
    fi

    {
        echo "# written by $PROG start"
        echo "mode=$new_mode"
        echo "cluster=$cluster_name"
        echo "zk=$zk"
        echo "zk_external=$zk_external"
        echo "zk_port=$zk_port"
        echo "masters=$([[ "$static" == 1 ]] && echo 0 || echo "$masters")"
        echo "replication_factor=$rf"
        echo "session_timeout_ms=$session"
    } > "$(env_file).tmp"
    mv "$(env_file).tmp" "$(env_file)"
    local members="" i
    : > "$DIR/nodes.tmp"
    for (( i = 0; i < nodes; i++ ))
    do
        echo "n$((i + 1)) 127.0.0.1:${ports[$i]}" >> "$DIR/nodes.tmp"
        members+="${members:+,}n$((i + 1))@127.0.0.1:${ports[$i]}"
    done
    mv "$DIR/nodes.tmp" "$DIR/nodes"
    if [[ "$static" == 1 ]]
    then
        printf 'cluster.name=%s\nchain.id=0\nepoch=1\nmembers=%s\n' "$cluster_name" "$members" > "$(config_file).tmp"
        mv "$(config_file).tmp" "$(config_file)"
    else
        rm -f "$(config_file)"
    fi
    printf '%s\n' "${limits[@]}" | grep -v '^$' > "$(node_args_file)" || true
    if [[ "$static" == 0 ]]
    then
        assign_metrics_ports $(master_ids) $(node_ids)
    else
        assign_metrics_ports $(node_ids)
    fi

    snapshot_jars

    # Aeron directories live in shared memory; a fresh parent per cluster, recorded so stop removes it.
    remove_aeron_dir "$(aeron_parent || true)"
    new_aeron_parent

    trap 'echo "$PROG: interrupted; stopping what was started" >&2; stop_all 10 >/dev/null; exit 130' INT TERM
    local name deadline
    local -A offsets=()
    deadline=$(( $(date +%s) + TIMEOUT ))
    if [[ "$static" == 0 && "$zk_external" == 0 ]]
    then
        launch_zookeeper
        if ! wait_ready zookeeper "$LAUNCH_OFFSET" "$deadline" >/dev/null
        then
            echo "$PROG: stopping what was started" >&2
            stop_all 10 >/dev/null
            exit 1
        fi
    fi
    local -a started=()
    if [[ "$static" == 0 ]]
    then
        for name in $(master_ids)
        do
            launch_master "$name"
            offsets[$name]="$LAUNCH_OFFSET"
            started+=("$name")
        done
    fi
    for name in $(node_ids)
    do
        launch_node "$name"
        offsets[$name]="$LAUNCH_OFFSET"
        started+=("$name")
    done
    for name in "${started[@]}"
    do
        if ! wait_ready "$name" "${offsets[$name]}" "$deadline" >/dev/null
        then
            echo "$PROG: stopping what was started" >&2
            stop_all 10 >/dev/null
            exit 1
        fi
    done

    local chain=""
    if [[ "$static" == 0 ]]
    then
        local left=$(( deadline - $(date +%s) ))
        if ! chain="$(chainctl status --wait-ms $(( (left > 5 ? left : 5) * 1000 )))"
        then
            echo "$chain" >&2
            echo "$PROG: the masters did not build a chain within ${TIMEOUT}s (see $DIR/logs/m1.log); stopping" >&2
            stop_all 10 >/dev/null
            exit 1
        fi
        local negotiated
        negotiated="$(grep -ho 'negotiatedSessionTimeoutMs=[0-9]*' "$DIR/logs/m1.log" | tail -n 1 | cut -d= -f2)"
        if [[ -n "$negotiated" && "$negotiated" != "$session" ]]
        then
            echo "$PROG: warning: ZooKeeper granted ${negotiated} ms sessions, not ${session} ms: its tickTime or" \
                "min/maxSessionTimeout do not allow it; failures take that long to detect (see docs/operations.md)" >&2
        fi
    fi
    trap - INT TERM

    if [[ "$static" == 1 ]]
    then
        echo "ChainKV chain '$cluster_name' (static, no ZooKeeper) running in $DIR"
        print_static_chain
        echo "  config: $(config_file)"
    else
        echo "ChainKV cluster '$cluster_name' running in $DIR"
        if [[ "$zk_external" == 1 ]]
        then
            echo "  ZooKeeper: $zk (external)"
        else
            echo "  ZooKeeper: $zk (pid $(cat "$(pid_file zookeeper)"), tick ${ZK_TICK_MS} ms)"
        fi
        echo "  masters:   $(master_ids | paste -sd' ' -); nodes: $(node_ids | paste -sd' ' -); sessions ${session} ms"
        sed 's/^/  /' <<< "$chain"
    fi
    echo "  metrics: $(awk '{ printf "%s%s http://127.0.0.1:%s/metrics", (NR > 1 ? ", " : ""), $1, $2 }' "$(metrics_ports_file)")"
    echo "  logs:   $DIR/logs/"
    echo "  try:    scripts/kv.sh$(dir_flag) put hello world && scripts/kv.sh$(dir_flag) get hello"
    echo "  stop:   $PROG stop$(dir_flag)"
}

cmd_stop()
{
    local stop_timeout=30
    while (( $# > 0 ))
    do
        case "$1" in
            --stop-timeout) stop_timeout="${2:?--stop-timeout needs seconds}"; shift 2 ;;
            *) usage_error "stop: unknown option '$1'" ;;
        esac
    done
    [[ "$stop_timeout" =~ ^[0-9]+$ ]] || usage_error "--stop-timeout must be a number of seconds"
    require_cluster
    if ! any_running
    then
        remove_aeron_dir "$(aeron_parent || true)"
        echo "no cluster running in $DIR"
        return 0
    fi
    stop_all "$stop_timeout"
}

# One line of the process table; sets STATUS_RC to 3 when the process is not running.
status_line()
{
    local name="$1" kind="$2" detail="$3" restart="$4" pid state
    if pid="$(running_pid "$name")"
    then
        if [[ "$(proc_state "$pid")" == T ]]
        then
            state="paused (resume with: $PROG resume $name$(dir_flag))"
        else
            state=running
        fi
    else
        pid="-"
        state="not running (start with: $PROG $restart$(dir_flag))"
        STATUS_RC=3
    fi
    printf '  %-10s %-7s %-22s %-8s %s\n' "$name" "$kind" "$detail" "$pid" "$state"
}

STATUS_RC=0

cmd_status()
{
    (( $# == 0 )) || usage_error "status takes no arguments"
    require_cluster
    any_running || no_cluster
    local name
    STATUS_RC=0
    if [[ "$(mode)" == static ]]
    then
        echo "static chain '$(env_get cluster)' in $DIR (epoch 1, no ZooKeeper)"
    else
        echo "cluster '$(env_get cluster)' in $DIR (ZooKeeper $(env_get zk)$([[ "$(env_get zk_external)" == 1 ]] && echo ", external"))"
    fi
    printf '  %-10s %-7s %-22s %-8s %s\n' PROCESS KIND "ROLE/ENDPOINT" PID STATE
    if [[ "$(mode)" == zk ]]
    then
        if [[ "$(env_get zk_external)" == 0 ]]
        then
            status_line zookeeper zk "$(env_get zk)" start-zk
        fi
        for name in $(master_ids)
        do
            status_line "$name" master "" "start-master $name"
        done
    fi
    for name in $(node_ids)
    do
        local detail
        detail="$(endpoint_of "$name")"
        [[ "$(mode)" == zk ]] || detail="$(static_role_of "$name") $detail"
        status_line "$name" node "$detail" "start-node $name"
    done
    if [[ "$(mode)" == zk ]]
    then
        echo
        chainctl status --timeout-ms 3000 || STATUS_RC=3
    else
        print_static_chain
    fi
    echo "  logs: $DIR/logs/"
    return "$STATUS_RC"
}

cmd_chain()
{
    local min_epoch=1 wait_sec=0
    while (( $# > 0 ))
    do
        case "$1" in
            --min-epoch) min_epoch="${2:?--min-epoch needs an epoch}"; shift 2 ;;
            --wait) wait_sec="${2:?--wait needs seconds}"; shift 2 ;;
            --json) usage_error "chain prints the table; for JSON run chainctl status --json (see docs/operations.md)" ;;
            *) usage_error "chain: unknown option '$1'" ;;
        esac
    done
    [[ "$min_epoch" =~ ^[0-9]+$ && "$wait_sec" =~ ^[0-9]+$ ]] || usage_error "--min-epoch and --wait take numbers"
    require_cluster
    if [[ "$(mode)" == static ]]
    then
        print_static_chain
        return 0
    fi
    chainctl status --timeout-ms 5000 --wait-ms $(( wait_sec * 1000 )) --min-epoch "$min_epoch"
}

cmd_kill()
{
    local name="$1" what="$2" restart="$3" pid
    pid="$(running_pid "$name")" || die "$what $name is not running"
    kill -KILL "$pid"
    wait_gone "$pid" 100 || die "$what $name (pid $pid) is still there after kill -9"
    rm -f "$(pid_file "$name")"
    if [[ "$what" == node ]]
    then
        # kill -9 leaves the node's Aeron directory behind; it is ours to delete.
        remove_aeron_dir "$(aeron_parent || true)/$name"
    fi
    echo "killed $what $name (pid $pid) with kill -9; start it again with: $PROG $restart$(dir_flag)"
}

cmd_relaunch()
{
    local name="$1" what="$2" line
    TIMEOUT=60
    if running_pid "$name" >/dev/null
    then
        die "$what $name is already running"
    fi
    [[ -d "$DIR/lib" ]] || die "$DIR/lib is missing; start the cluster with $PROG start$(dir_flag)"
    [[ -f "$DIR/aeron-parent" && -d "$(aeron_parent)" ]] || new_aeron_parent
    case "$what" in
        node) launch_node "$name" ;;
        master) launch_master "$name" ;;
        zookeeper) launch_zookeeper ;;
    esac
    if ! line="$(wait_ready "$name" "$LAUNCH_OFFSET" $(( $(date +%s) + TIMEOUT )))"
    then
        local pid
        if pid="$(running_pid "$name")"
        then
            kill -KILL "$pid" 2>/dev/null || true
        fi
        rm -f "$(pid_file "$name")"
        exit 1
    fi
    echo "started $what $name (pid $(cat "$(pid_file "$name")")): $line"
}

# Starts a brand-new node with the next free id and a free port; the masters give it a place if a chain is short.
cmd_add_node()
{
    local count node port
    count="$(node_ids | wc -l)"
    node="n$((count + 1))"
    while grep -q "^$node " "$DIR/nodes"
    do
        count=$((count + 1))
        node="n$((count + 1))"
    done
    # Above every port the cluster's nodes have, so a stopped node's port is never given away.
    port="$(members | awk '{ split($2, a, ":"); if (a[2] > max) max = a[2] } END { print max + 1 }')"
    port="$(pick_ports 1 "$port" 1 | head -1)" || die "no free UDP port above $port"
    echo "$node 127.0.0.1:$port" >> "$DIR/nodes"
    cmd_relaunch "$node" node
}

cmd_signal()
{
    local signal="$1" node="$2" pid
    require_member "$node"
    pid="$(running_pid "$node")" || die "node $node is not running"
    kill "-$signal" "$pid"
    if [[ "$signal" == STOP ]]
    then
        echo "paused $node (pid $pid); past its session timeout the masters splice it out. Resume with: $PROG resume $node$(dir_flag)"
    else
        echo "resumed $node (pid $pid)"
    fi
}

main()
{
    (( $# > 0 )) || { usage >&2; exit 2; }
    local command="$1"
    shift
    local -a rest=()
    while (( $# > 0 ))
    do
        case "$1" in
            --dir)
                DIR="${2:?--dir needs a directory}"
                DIR_GIVEN=1
                shift 2 ;;
            --dir=*)
                DIR="${1#--dir=}"
                DIR_GIVEN=1
                shift ;;
            *) rest+=("$1"); shift ;;
        esac
    done
    if [[ "$command" != start && -d "$DIR" ]]
    then
        DIR="$(cd "$DIR" && pwd)"
    fi
    set -- "${rest[@]}"

    case "$command" in
        start) cmd_start "$@" ;;
        stop) cmd_stop "$@" ;;
        status) cmd_status "$@" ;;
        chain) cmd_chain "$@" ;;
        kill|start-node|pause|resume)
            (( $# == 1 )) || usage_error "$command needs exactly one node id, e.g. $PROG $command n2"
            require_member "$1"
            case "$command" in
                kill) cmd_kill "$1" node "start-node $1" ;;
                start-node) cmd_relaunch "$1" node ;;
                pause) cmd_signal STOP "$1" ;;
                resume) cmd_signal CONT "$1" ;;
            esac ;;
        add-node)
            (( $# == 0 )) || usage_error "add-node takes no arguments"
            require_zk_mode
            cmd_add_node ;;
        backup)
            (( $# == 1 )) || usage_error "backup needs a directory, e.g. $PROG backup /tmp/chainkv-backup"
            require_zk_mode
            chainctl backup --dir "$1" ;;
        kill-master|start-master)
            (( $# == 1 )) || usage_error "$command needs exactly one master id, e.g. $PROG $command m1"
            require_master "$1"
            case "$command" in
                kill-master) cmd_kill "$1" master "start-master $1" ;;
                start-master) cmd_relaunch "$1" master ;;
            esac ;;
        kill-zk|start-zk)
            (( $# == 0 )) || usage_error "$command takes no arguments"
            require_own_zk
            case "$command" in
                kill-zk) cmd_kill zookeeper zookeeper start-zk ;;
                start-zk) cmd_relaunch zookeeper zookeeper ;;
            esac ;;
        -h|--help|help) usage ;;
        *) usage_error "unknown command '$command'" ;;
    esac
}

main "$@"
