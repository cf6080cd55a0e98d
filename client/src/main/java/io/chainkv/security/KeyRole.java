package io.chainkv.security;

/**
 * What a key lets its holder do. A frame's key decides which streams accept it (docs/security.md).
 */
public enum KeyRole
{
    /** The cluster's own processes: nodes and masters. Signs replication, feedback, transfer and member queries. */
    MEMBER("member"),
    /** Applications: signs client requests; nodes sign their replies to clients with it. */
    CLIENT("client");

    private final String word;

    KeyRole(final String word)
    {
        this.word = word;
    }

    /**
     * @return the word that names the role in a key file.
     */
    public String word()
    {
        return word;
    }

    /**
     * @param word as written in a key file.
     * @return the role, or null if the word names none.
     */
    public static KeyRole ofWord(final String word)
    {
        for (final KeyRole role : values())
        {
            if (role.word.equals(word))
            {
                return role;
            }
        }
        return null;
    }
}
