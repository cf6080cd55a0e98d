package io.chainkv.cluster;

/**
 * Who a ChainKV process is to ZooKeeper (docs/security.md, "ZooKeeper"): each authenticates with the digest scheme as
 * one of these users, and the ACLs of the cluster's znodes ({@link ZooKeeperAcls}) say what each may do.
 */
public enum ZooKeeperPrincipal
{
    /** Masters: write the configuration, hold the election znodes, act on removal requests. */
    MASTER("master"),
    /** Nodes: create and update their own registration, read the configuration. */
    NODE("node"),
    /** Operators ({@code chainctl}): removal requests, status, backups (whose taker registers as a node). */
    OPERATOR("operator");

    private final String word;
    private final String user;

    ZooKeeperPrincipal(final String word)
    {
        this.word = word;
        this.user = "chainkv-" + word;
    }

    /**
     * @return the word that names the principal in a key file ({@code zookeeper <word> <password>}).
     */
    public String word()
    {
        return word;
    }

    /**
     * @return the ZooKeeper digest user name, {@code chainkv-<word>}.
     */
    public String user()
    {
        return user;
    }

    /**
     * @param word as written in a key file.
     * @return the principal, or null if the word names none.
     */
    public static ZooKeeperPrincipal ofWord(final String word)
    {
        for (final ZooKeeperPrincipal principal : values())
        {
            if (principal.word.equals(word))
            {
                return principal;
            }
        }
        return null;
    }
}
