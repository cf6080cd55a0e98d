package io.chainkv.perf.floor;

import io.chainkv.transport.EmbeddedAeron;
import io.chainkv.transport.TransportSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the runner starts helper JVMs (the transport floor's hops) like the node processes are started:
 * same java, {@code @scripts/jvm.options}, the transport system properties of this JVM, a given classpath.
 */
public final class ChildJvm
{
    /** System property naming scripts/jvm.options (bench.sh and Surefire set it). */
    public static final String JVM_OPTIONS_PROP = "chainkv.jvm.options";

    private static final String[] FORWARDED_PROPERTIES = {
        TransportSettings.IDLE_STRATEGY_PROP,
        TransportSettings.IDLE_MAX_PARK_NS_PROP,
        TransportSettings.TERM_LENGTH_PROP,
        TransportSettings.MTU_PROP,
        EmbeddedAeron.AERON_DIR_PARENT_PROP,
    };

    private final String classpath;
    private final Path jvmOptions;
    private final List<String> extraJvmArgs = new ArrayList<>();

    /**
     * @param classpath  of the child (must hold the perf and client jars).
     * @param jvmOptions scripts/jvm.options, or null to find it from {@value #JVM_OPTIONS_PROP} or the working
     *                   directory upwards.
     */
    public ChildJvm(final String classpath, final Path jvmOptions)
    {
        this.classpath = classpath;
        this.jvmOptions = null != jvmOptions ? jvmOptions : findJvmOptions();
    }

    /**
     * @param arg a JVM option for every child, e.g. "-Xmx128m".
     * @return this.
     */
    public ChildJvm jvmArg(final String arg)
    {
        extraJvmArgs.add(arg);
        return this;
    }

    /**
     * @param mainClass  the class to run.
     * @param args       its arguments.
     * @param properties system properties for this child, after the forwarded ones ("key=value").
     * @return the full command.
     */
    public List<String> command(final String mainClass, final List<String> args, final List<String> properties)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("@" + jvmOptions);
        command.addAll(extraJvmArgs);
        for (final String property : FORWARDED_PROPERTIES)
        {
            final String value = System.getProperty(property);
            if (null != value)
            {
                command.add("-D" + property + "=" + value);
            }
        }
        for (final String property : properties)
        {
            command.add("-D" + property);
        }
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    private static Path findJvmOptions()
    {
        final String property = System.getProperty(JVM_OPTIONS_PROP);
        if (null != property && !property.isBlank() && Files.isRegularFile(Path.of(property)))
        {
            return Path.of(property);
        }
        for (Path dir = Path.of("").toAbsolutePath(); null != dir; dir = dir.getParent())
        {
            final Path candidate = dir.resolve("scripts").resolve("jvm.options");
            if (Files.isRegularFile(candidate))
            {
                return candidate;
            }
        }
        throw new IllegalStateException("no scripts/jvm.options: set -D" + JVM_OPTIONS_PROP + "=<path>");
    }
}
