# Key files for a cluster the scripts start (docs/security.md): sourced by local-cluster.sh and fault-run.sh.
# The same format chainctl generate-keys writes; made here in bash so a cluster can start before anything is built.

# Prints 32 random bytes as 64 hex digits.
random_secret()
{
    head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n'
}

# Prints the ZooKeeper login lines of a new key file: a password per principal (ZooKeeperCredentials).
zookeeper_lines()
{
    echo "# ZooKeeper logins (docs/security.md, \"ZooKeeper\"): zookeeper <principal> <password>"
    echo "zookeeper master $(random_secret)"
    echo "zookeeper node $(random_secret)"
    echo "zookeeper operator $(random_secret)"
}

# ensure_cluster_keys DIR: makes DIR/cluster.keys (member and client keys and the ZooKeeper passwords of the master,
# node and operator principals: nodes, masters, chainctl) and DIR/client.keys (the client key only: applications,
# kv.sh, the benchmark), mode 600, unless they exist. A cluster.keys made before ZooKeeper logins (no 'zookeeper'
# lines) gets them added, so an existing cluster directory starts secure too (docs/security.md, "ZooKeeper").
ensure_cluster_keys()
{
    local dir="$1"
    mkdir -p "$dir"
    chmod 700 "$dir"
    if [[ ! -s "$dir/cluster.keys" ]]
    then
        (
            umask 077
            {
                echo "# ChainKV keys (docs/security.md): keep this file secret (mode 600)."
                echo "# role  id  secret; every key listed is accepted, the first of each role signs."
                echo "member 1 $(random_secret)"
                echo "client 1001 $(random_secret)"
                zookeeper_lines
            } > "$dir/cluster.keys.tmp"
            mv "$dir/cluster.keys.tmp" "$dir/cluster.keys"
            rm -f "$dir/client.keys"
        )
    fi
    if ! grep -q '^zookeeper ' "$dir/cluster.keys"
    then
        (
            umask 077
            zookeeper_lines >> "$dir/cluster.keys"
        )
    fi
    if [[ ! -s "$dir/client.keys" ]]
    then
        (
            umask 077
            {
                echo "# ChainKV client keys of cluster.keys (docs/security.md): for applications; keep it secret."
                grep '^client ' "$dir/cluster.keys"
            } > "$dir/client.keys"
        )
    fi
}
