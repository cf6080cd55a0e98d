#!/usr/bin/env bash
#
# Start, stop and inspect a local ChainKV chain: N node processes on this machine, one directory
# holding its configuration, logs, data and pid files.
#
#   scripts/local-cluster.sh start [--nodes N] [--dir DIR] [--base-port P] [--build] [--fresh] ...
#   scripts/local-cluster.sh stop | status              [--dir DIR]
#   scripts/local-cluster.sh kill | start-node | pause | resume <node> [--dir DIR]
#
# Run with --help for the details. Every command acts only on the processes this script started in
# DIR (it checks each recorded PID's command line before signalling it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
readonly PROG="scripts/local-cluster.sh"
readonly NODE_MAIN="io.chainkv.node.NodeMain"
readonly JVM_OPTIONS="$ROOT/scripts/jvm.options"
readonly DEFAULT_DIR="$ROOT/run/local"
readonly DEFAULT_BASE_PORT=40101

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
  start [options]      build if needed, start a chain of N nodes in the background, wait until each
                       node says it is ready, print the chain order
  stop                 stop every node (SIGTERM, then SIGKILL after --stop-timeout), remove its /dev/shm dirs
  status               which nodes run, the chain order and each node's role
  kill <node>          kill -9 one node (its data stays; start it again with start-node)
  start-node <node>    start one node again on its data directory
  pause <node>         SIGSTOP one node (its peers will see it go silent)
  resume <node>        SIGCONT a paused node

Options (all commands):
  --dir DIR            cluster directory (default: run/local in the repository)
Options of start:
  --nodes N            number of nodes, head first (default 3)
  --base-port P        first UDP port to try (default $DEFAULT_BASE_PORT); nodes get consecutive free ports
  --cluster-name NAME  cluster name in the configuration (default local)
  --build              run 'mvn -q package -DskipTests' even when the jars exist
  --fresh              delete the data and logs of an earlier cluster in DIR first
  --timeout SEC        how long to wait for each node to be ready (default 60)
  --max-entries N, --max-data-bytes N, --max-key-bytes N, --max-value-bytes N
                       store limits, passed to every node (and kept for start-node)
Options of stop:
  --stop-timeout SEC   how long to wait after SIGTERM before SIGKILL (default 30)

Environment:
  JAVA_HOME            the JDK to run (default: java on PATH)
  CHAINKV_JAVA_OPTS    extra JVM options for the nodes, e.g. "-Xmx512m -Dchainkv.idle.strategy=sleeping"
  CHAINKV_CLASSPATH    run the nodes from this classpath instead of the build in chain-node/target

Layout of DIR: chain.properties, logs/<node>.log, data/<node>/, pids/<node>.pid, lib/ (a copy of the
jars the cluster runs, so a rebuild does not change code under running nodes), aeron-parent (the
/dev/shm directory holding the nodes' Aeron directories).
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

config_file()
{
    echo "$DIR/chain.properties"
}

# Prints one "id endpoint" line per member, head first.
members()
{
    local line
    line="$(sed -n 's/^members=//p' "$(config_file)" | tail -n 1)"
    local IFS=','
    local member
    for member in $line
    do
        printf '%s %s\n' "${member%%@*}" "${member#*@}"
    done
}

node_ids()
{
    members | cut -d' ' -f1
}

endpoint_of()
{
    members | awk -v node="$1" '$1 == node { print $2 }'
}

# HEAD, MIDDLE, TAIL or HEAD_TAIL from the node's place in the static configuration.
role_of()
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
    [[ -f "$(config_file)" ]] || no_cluster
    if ! node_ids | grep -qxF -- "$1"
    then
        die "no node '$1' in $DIR (members: $(node_ids | paste -sd' ' -))"
    fi
}

pid_file()
{
    echo "$DIR/pids/$1.pid"
}

# Prints the PID of the node if a process we started for it is alive; fails otherwise. The command
# line check keeps us from signalling an unrelated process that reused a stale PID.
running_pid()
{
    local node="$1" pid cmdline
    [[ -f "$(pid_file "$node")" ]] || return 1
    pid="$(cat "$(pid_file "$node")")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    cmdline="$(tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline")" || return 1
    [[ "$cmdline" == *" --config $(config_file) --node-id $node "* ]] || return 1
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

any_running()
{
    local node
    [[ -f "$(config_file)" ]] || return 1
    for node in $(node_ids)
    do
        if running_pid "$node" >/dev/null
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

classpath()
{
    if [[ -n "${CHAINKV_CLASSPATH:-}" ]]
    then
        echo "$CHAINKV_CLASSPATH"
    else
        local jar
        jar="$(find "$DIR/lib" -maxdepth 1 -name 'chainkv-node-*.jar' ! -name '*-tests.jar' | head -n 1)"
        echo "$jar:$DIR/lib/*"
    fi
}

node_jar()
{
    find "$ROOT/chain-node/target" -maxdepth 1 -name 'chainkv-node-*.jar' \
        ! -name '*-tests.jar' ! -name '*-sources.jar' 2>/dev/null | head -n 1
}

build()
{
    command -v mvn >/dev/null || die "mvn not found: install Maven 3.8+ (e.g. apt-get install maven)"
    echo "Building: (cd $ROOT && mvn -q package -DskipTests)"
    (cd "$ROOT" && mvn -B -q -Dstyle.color=never package -DskipTests) || die "the build failed (see the Maven output above)"
}

# Copies the node jar and its runtime classpath into DIR/lib so that a later rebuild does not change
# the code under running nodes, and start-node runs the same code as the rest of the chain.
snapshot_jars()
{
    local jar
    jar="$(node_jar)"
    [[ -n "$jar" && -d "$ROOT/chain-node/target/lib" ]] ||
        die "no node jar in $ROOT/chain-node/target; build with: mvn -q package -DskipTests"
    if ! grep -q "${NODE_MAIN//.//}.class" "$jar"
    then
        die "$jar has no $NODE_MAIN; this checkout does not contain the node yet, or the build is stale (try --build)"
    fi
    rm -rf "${DIR:?}/lib"
    mkdir -p "$DIR/lib"
    cp "$jar" "$ROOT"/chain-node/target/lib/*.jar "$DIR/lib/"
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

node_args_file()
{
    echo "$DIR/node-args"
}

# Starts one node in the background on its data directory. Sets LAUNCH_OFFSET to the log size before
# the start, so that the ready check looks only at what this start wrote.
launch_node()
{
    local node="$1" parent log
    local -a extra_jvm=() node_args=()
    parent="$(aeron_parent)" || die "$DIR/aeron-parent is missing; stop and start the cluster again"
    log="$DIR/logs/$node.log"
    mkdir -p "$DIR/data/$node" "$DIR/logs" "$DIR/pids" "$parent"
    # A node killed with -9 leaves its Aeron directory behind.
    remove_aeron_dir "$parent/$node"
    read -r -a extra_jvm <<< "${CHAINKV_JAVA_OPTS:-}"
    if [[ -f "$(node_args_file)" ]]
    then
        mapfile -t node_args < "$(node_args_file)"
    fi
    printf '==== %s: %s starting\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$node" >> "$log"
    LAUNCH_OFFSET="$(stat -c %s "$log")"
    nohup "$JAVA" @"$JVM_OPTIONS" "${extra_jvm[@]}" -Dchainkv.aeron.dir.parent="$parent" \
        -cp "$(classpath)" "$NODE_MAIN" \
        --config "$(config_file)" --node-id "$node" --data-dir "$DIR/data/$node" --aeron-dir "$parent/$node" \
        "${node_args[@]}" >> "$log" 2>&1 < /dev/null &
    echo "$!" > "$(pid_file "$node")"
}

# Shows what the node wrote since the given log offset (its last start), at most 30 lines.
show_log_tail()
{
    local log="$DIR/logs/$1.log"
    echo "---- $log (last 30 lines of this start) ----" >&2
    tail -c +$(($2 + 1)) "$log" | tail -n 30 >&2 || true
    echo "----" >&2
}

# Waits until the node prints its ready line after the given log offset. Fails early when the process
# exits, and at the deadline (seconds since epoch).
wait_ready()
{
    local node="$1" offset="$2" deadline="$3" log pid line
    log="$DIR/logs/$node.log"
    pid="$(cat "$(pid_file "$node")")"
    while true
    do
        line="$(tail -c +$((offset + 1)) "$log" | grep -m 1 "^chainkv-node ready node=$node " || true)"
        if [[ -n "$line" ]]
        then
            echo "$line"
            return 0
        fi
        if ! running_pid "$node" >/dev/null
        then
            echo "$PROG: node $node (pid $pid) exited before it was ready" >&2
            show_log_tail "$node" "$offset"
            return 1
        fi
        if (( $(date +%s) >= deadline ))
        then
            echo "$PROG: node $node (pid $pid) was not ready after ${TIMEOUT}s" >&2
            show_log_tail "$node" "$offset"
            return 1
        fi
        sleep 0.2
    done
}

# Role a node announced in its last ready line, else the one its place in the configuration gives.
announced_role()
{
    local node="$1" role
    role="$(grep "^chainkv-node ready node=$node " "$DIR/logs/$node.log" 2>/dev/null | tail -n 1 |
        sed -n 's/.* role=\([A-Z_]*\).*/\1/p')"
    echo "${role:-$(role_of "$node")}"
}

print_chain()
{
    local node first=1 line=""
    for node in $(node_ids)
    do
        if [[ "$first" == 0 ]]
        then
            line+=" -> "
        fi
        first=0
        line+="$node ($(announced_role "$node") $(endpoint_of "$node"))"
    done
    echo "  chain:  $line"
}

stop_nodes()
{
    local stop_timeout="$1" node pid
    local -a stopping=()
    for node in $(node_ids)
    do
        if pid="$(running_pid "$node")"
        then
            kill -TERM "$pid" 2>/dev/null || true
            # A paused node handles SIGTERM only once it runs again.
            kill -CONT "$pid" 2>/dev/null || true
            stopping+=("$node:$pid")
        fi
    done
    local entry deadline
    deadline=$(( $(date +%s) + stop_timeout ))
    for entry in "${stopping[@]}"
    do
        node="${entry%%:*}"
        pid="${entry#*:}"
        local left=$(( (deadline - $(date +%s)) * 10 ))
        if ! wait_gone "$pid" $(( left > 0 ? left : 1 ))
        then
            echo "$PROG: $node (pid $pid) did not stop within ${stop_timeout}s; killing it (kill -9)" >&2
            kill -KILL "$pid" 2>/dev/null || true
            wait_gone "$pid" 50 || echo "$PROG: $node (pid $pid) survived kill -9" >&2
        fi
        rm -f "$(pid_file "$node")"
        echo "stopped $node (pid $pid)"
    done
    remove_aeron_dir "$(aeron_parent || true)"
}

cmd_start()
{
    local nodes=3 base_port="$DEFAULT_BASE_PORT" scan=1 do_build=0 fresh=0 cluster_name=local
    local -a limits=()
    TIMEOUT=60
    while (( $# > 0 ))
    do
        case "$1" in
            --nodes) nodes="${2:?--nodes needs a number}"; shift 2 ;;
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
    if ! [[ "$base_port" =~ ^[0-9]+$ ]] || (( base_port < 1024 || base_port > 65535 ))
    then
        usage_error "--base-port must be a port between 1024 and 65535, was '$base_port'"
    fi
    [[ "$TIMEOUT" =~ ^[0-9]+$ ]] || usage_error "--timeout must be a number of seconds"
    [[ "$cluster_name" =~ ^[A-Za-z0-9_.-]+$ ]] || usage_error "--cluster-name: letters, digits, '_', '.', '-'"

    if any_running
    then
        die "a cluster is already running in $DIR; see '$PROG status$(dir_flag)' or stop it with '$PROG stop$(dir_flag)'"
    fi
    command -v "$JAVA" >/dev/null || die "java not found: install a JDK 17 (e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME"

    if [[ -z "${CHAINKV_CLASSPATH:-}" ]] && { [[ "$do_build" == 1 ]] || [[ -z "$(node_jar)" ]] ||
        [[ ! -d "$ROOT/chain-node/target/lib" ]]; }
    then
        build
    fi

    mkdir -p "$DIR"
    DIR="$(cd "$DIR" && pwd)"
    if [[ "$fresh" == 1 ]]
    then
        rm -rf "$DIR/data" "$DIR/logs" "$DIR/pids"
    elif [[ -d "$DIR/data" && -f "$(config_file)" ]]
    then
        local old
        old="$(node_ids | wc -l)"
        if [[ "$old" != "$nodes" ]] && [[ -n "$(ls -A "$DIR/data")" ]]
        then
            die "$DIR holds the data of a $old-node chain; start with --nodes $old, or with --fresh to delete it"
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

    local members="" i
    for (( i = 0; i < nodes; i++ ))
    do
        members+="${members:+,}n$((i + 1))@127.0.0.1:${ports[$i]}"
    done
    printf 'cluster.name=%s\nchain.id=0\nepoch=1\nmembers=%s\n' "$cluster_name" "$members" > "$(config_file).tmp"
    mv "$(config_file).tmp" "$(config_file)"
    printf '%s\n' "${limits[@]}" | grep -v '^$' > "$(node_args_file)" || true

    if [[ -z "${CHAINKV_CLASSPATH:-}" ]]
    then
        snapshot_jars
    fi

    # Aeron directories live in shared memory; a fresh parent per cluster, recorded so stop removes it.
    remove_aeron_dir "$(aeron_parent || true)"
    local shm=/dev/shm
    [[ -d "$shm" && -w "$shm" ]] || shm="${TMPDIR:-/tmp}"
    mktemp -d "$shm/chainkv-cluster-$cluster_name-XXXXXX" > "$DIR/aeron-parent"

    local node deadline
    local -A offsets=()
    for node in $(node_ids)
    do
        launch_node "$node"
        offsets[$node]="$LAUNCH_OFFSET"
    done
    trap 'echo "$PROG: interrupted; stopping the nodes started" >&2; stop_nodes 10 >/dev/null; exit 130' INT TERM
    deadline=$(( $(date +%s) + TIMEOUT ))
    for node in $(node_ids)
    do
        if ! wait_ready "$node" "${offsets[$node]}" "$deadline" >/dev/null
        then
            echo "$PROG: stopping the nodes started" >&2
            stop_nodes 10 >/dev/null
            exit 1
        fi
    done
    trap - INT TERM

    echo "ChainKV cluster '$cluster_name' running in $DIR"
    print_chain
    echo "  config: $(config_file)"
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
    [[ -f "$(config_file)" ]] || no_cluster
    if ! any_running
    then
        remove_aeron_dir "$(aeron_parent || true)"
        echo "no cluster running in $DIR"
        return 0
    fi
    stop_nodes "$stop_timeout"
}

cmd_status()
{
    (( $# == 0 )) || usage_error "status takes no arguments"
    [[ -f "$(config_file)" ]] || no_cluster
    any_running || no_cluster
    local node pid state status=0
    echo "cluster in $DIR ($(sed -n 's/^cluster.name=//p' "$(config_file)"), epoch $(sed -n 's/^epoch=//p' "$(config_file)"))"
    printf '  %-6s %-10s %-21s %-8s %s\n' NODE ROLE ENDPOINT PID STATE
    for node in $(node_ids)
    do
        if pid="$(running_pid "$node")"
        then
            if [[ "$(proc_state "$pid")" == T ]]
            then
                state="paused (resume with: $PROG resume $node$(dir_flag))"
            else
                state=running
            fi
        else
            pid="-"
            state="not running (start with: $PROG start-node $node$(dir_flag))"
            status=3
        fi
        printf '  %-6s %-10s %-21s %-8s %s\n' "$node" "$(role_of "$node")" "$(endpoint_of "$node")" "$pid" "$state"
    done
    echo "  logs: $DIR/logs/"
    return "$status"
}

cmd_kill()
{
    local node="$1" pid
    require_member "$node"
    pid="$(running_pid "$node")" || die "node $node is not running"
    kill -KILL "$pid"
    wait_gone "$pid" 100 || die "node $node (pid $pid) is still there after kill -9"
    rm -f "$(pid_file "$node")"
    # kill -9 leaves the node's Aeron directory behind; it is ours to delete.
    remove_aeron_dir "$(aeron_parent || true)/$node"
    echo "killed $node (pid $pid) with kill -9; start it again with: $PROG start-node $node$(dir_flag)"
}

cmd_start_node()
{
    local node="$1" line
    TIMEOUT=60
    require_member "$node"
    if running_pid "$node" >/dev/null
    then
        die "node $node is already running"
    fi
    if [[ -z "${CHAINKV_CLASSPATH:-}" ]] && [[ ! -d "$DIR/lib" ]]
    then
        die "$DIR/lib is missing; start the cluster with $PROG start$(dir_flag)"
    fi
    if [[ ! -f "$DIR/aeron-parent" ]]
    then
        local shm=/dev/shm
        [[ -d "$shm" && -w "$shm" ]] || shm="${TMPDIR:-/tmp}"
        mktemp -d "$shm/chainkv-cluster-$(sed -n 's/^cluster.name=//p' "$(config_file)")-XXXXXX" > "$DIR/aeron-parent"
    fi
    launch_node "$node"
    if ! line="$(wait_ready "$node" "$LAUNCH_OFFSET" $(( $(date +%s) + TIMEOUT )))"
    then
        local pid
        if pid="$(running_pid "$node")"
        then
            kill -KILL "$pid" 2>/dev/null || true
        fi
        rm -f "$(pid_file "$node")"
        exit 1
    fi
    echo "started $node (pid $(cat "$(pid_file "$node")")): $line"
}

cmd_signal()
{
    local signal="$1" node="$2" pid
    require_member "$node"
    pid="$(running_pid "$node")" || die "node $node is not running"
    kill "-$signal" "$pid"
    if [[ "$signal" == STOP ]]
    then
        echo "paused $node (pid $pid); its peers and clients will time out on it. Resume with: $PROG resume $node$(dir_flag)"
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
        kill|start-node|pause|resume)
            (( $# == 1 )) || usage_error "$command needs exactly one node id, e.g. $PROG $command n2"
            case "$command" in
                kill) cmd_kill "$1" ;;
                start-node) cmd_start_node "$1" ;;
                pause) cmd_signal STOP "$1" ;;
                resume) cmd_signal CONT "$1" ;;
            esac ;;
        -h|--help|help) usage ;;
        *) usage_error "unknown command '$command'" ;;
    esac
}

main "$@"
