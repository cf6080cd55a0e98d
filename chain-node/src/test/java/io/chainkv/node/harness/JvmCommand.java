package io.chainkv.node.harness;

import io.chainkv.transport.TransportSettings;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * What a test needs to start another JVM like itself: the java executable, the JVM options file and the
 * full classpath.
 */
public final class JvmCommand
{
    /** System property Surefire sets to the path of scripts/jvm.options. */
    public static final String JVM_OPTIONS_PROP = "chainkv.jvm.options";
    /**
     * System property with JVM options for the processes tests start, after those of scripts/jvm.options
     * (whitespace-separated). The build sets it to a C1-only JIT and the serial collector: a test cluster is half a
     * dozen short-lived JVMs on two cores, whose start-up compilation, not their steady state, is what costs.
     */
    public static final String CHILD_JVM_OPTIONS_PROP = "chainkv.test.child.jvm.options";

    private JvmCommand()
    {
    }

    /**
     * @return the java launcher of the running JVM, so children run the same JDK as the test.
     */
    public static String javaExecutable()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The JVM options file, from {@value #JVM_OPTIONS_PROP} (set by Surefire), else scripts/jvm.options
     * found by walking up from the working directory (a test run from an IDE).
     *
     * @return path of the options file, for use as {@code @path}.
     */
    public static Path jvmOptionsFile()
    {
        final String property = System.getProperty(JVM_OPTIONS_PROP);
        if (null != property && !property.isBlank())
        {
            final Path path = Path.of(property);
            if (!Files.isRegularFile(path))
            {
                throw new IllegalStateException(JVM_OPTIONS_PROP + " names " + path + ", which does not exist");
            }
            return path;
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent())
        {
            final Path candidate = dir.resolve("scripts").resolve("jvm.options");
            if (Files.isRegularFile(candidate))
            {
                return candidate;
            }
        }
        throw new IllegalStateException("no JVM options file: set -D" + JVM_OPTIONS_PROP +
            "=<repository>/scripts/jvm.options (Surefire sets it)");
    }

    /**
     * The options a process a test starts is given before its own: {@code @}{@link #jvmOptionsFile()}, then those of
     * {@value #CHILD_JVM_OPTIONS_PROP}, then this JVM's key file and authentication setting, so that the processes of
     * a test share its keys (the suite's are the test key ring the build names, docs/testing.md).
     *
     * @return the options, in order.
     */
    public static List<String> childJvmOptions()
    {
        final List<String> options = new ArrayList<>();
        options.add("@" + jvmOptionsFile());
        final String more = System.getProperty(CHILD_JVM_OPTIONS_PROP, "").trim();
        if (!more.isEmpty())
        {
            options.addAll(List.of(more.split("\\s+")));
        }
        for (final String property : List.of(TransportSettings.KEY_FILE_PROP, TransportSettings.AUTHENTICATION_PROP))
        {
            final String value = System.getProperty(property);
            if (null != value && !value.isBlank())
            {
                options.add("-D" + property + "=" + value);
            }
        }
        return options;
    }

    /**
     * The classpath of this JVM, expanded when it is a manifest-only jar (Surefire's booter jar when
     * {@code useManifestOnlyJar} is on and {@code java.class.path} was not reset to the test classpath).
     *
     * @return the full classpath, entries separated by {@link File#pathSeparator}.
     */
    public static String classpath()
    {
        return expandManifestOnlyJar(System.getProperty("java.class.path"));
    }

    static String expandManifestOnlyJar(final String classpath)
    {
        final String[] entries = classpath.split(File.pathSeparator);
        if (entries.length != 1 || !entries[0].endsWith(".jar"))
        {
            return classpath;
        }
        final Path jar = Path.of(entries[0]);
        try (JarFile jarFile = new JarFile(jar.toFile()))
        {
            final Manifest manifest = jarFile.getManifest();
            final String manifestClasspath = null == manifest ? null :
                manifest.getMainAttributes().getValue("Class-Path");
            if (null == manifestClasspath || manifestClasspath.isBlank())
            {
                return classpath;
            }
            final List<String> expanded = new ArrayList<>();
            expanded.add(jar.toString());
            final URI base = jar.toAbsolutePath().getParent().toUri();
            for (final String entry : manifestClasspath.trim().split("\\s+"))
            {
                expanded.add(Path.of(base.resolve(entry)).toString());
            }
            return String.join(File.pathSeparator, expanded);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the manifest of " + jar, ex);
        }
    }
}
