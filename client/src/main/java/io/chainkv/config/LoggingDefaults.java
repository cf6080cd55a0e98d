package io.chainkv.config;

/**
 * Points Logback at ChainKV's logging configuration ({@code chainkv-logback.xml} in the client jar) for the
 * ChainKV processes' main classes, unless the operator chose another with {@code -Dlogback.configurationFile}.
 * <p>
 * The configuration ships under its own name rather than as {@code logback.xml}, so a library user's own
 * {@code logback.xml} always wins and no jar on a shared classpath competes for the default name.
 */
public final class LoggingDefaults
{
    /** Logback's system property naming its configuration file or class path resource. */
    public static final String LOGBACK_CONFIGURATION_PROP = "logback.configurationFile";

    /** The configuration ChainKV processes use by default. */
    public static final String CHAINKV_LOGBACK_RESOURCE = "chainkv-logback.xml";

    private LoggingDefaults()
    {
    }

    /**
     * Call first thing in {@code main}, before any logger exists.
     */
    public static void apply()
    {
        if (null == System.getProperty(LOGBACK_CONFIGURATION_PROP))
        {
            System.setProperty(LOGBACK_CONFIGURATION_PROP, CHAINKV_LOGBACK_RESOURCE);
        }
    }
}
