package io.chainkv.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The effective values of a process's {@link Setting}s and where each came from. For each setting the first
 * of these that gives a value wins:
 * <ol>
 *     <li>the command-line flag {@code --<name>};</li>
 *     <li>the system property {@code chainkv.<name.with.dots>};</li>
 *     <li>the settings file ({@code --settings FILE}: Java properties, keys are the names);</li>
 *     <li>the declared default.</li>
 * </ol>
 * Unknown keys in a settings file are refused, so a misspelt setting is not silently ignored.
 */
public final class Settings
{
    /** Where a value came from. */
    public enum Source
    {
        DEFAULT("default"), FILE("settings file"), SYSTEM_PROPERTY("system property"), COMMAND_LINE("command line");

        private final String text;

        Source(final String text)
        {
            this.text = text;
        }

        public String toString()
        {
            return text;
        }
    }

    private final List<Setting> declared;
    private final Map<String, String> values;
    private final Map<String, Source> sources;

    private Settings(final List<Setting> declared, final Map<String, String> values, final Map<String, Source> sources)
    {
        this.declared = declared;
        this.values = values;
        this.sources = sources;
    }

    /**
     * @param declared      every setting of the process.
     * @param commandLine   values given as flags, by setting name.
     * @param settingsFile  a settings file, or null.
     * @param properties    system properties (usually {@link System#getProperties()}).
     * @return the effective settings.
     * @throws IllegalArgumentException if a value is not valid for its setting, or the file names an unknown one.
     * @throws IOException if the file cannot be read.
     */
    public static Settings resolve(
        final List<Setting> declared,
        final Map<String, String> commandLine,
        final Path settingsFile,
        final Properties properties) throws IOException
    {
        final Map<String, String> fromFile = null == settingsFile ? Map.of() : load(settingsFile, declared);
        final Map<String, String> values = new LinkedHashMap<>();
        final Map<String, Source> sources = new LinkedHashMap<>();
        for (final Setting setting : declared)
        {
            String value = commandLine.get(setting.name());
            Source source = Source.COMMAND_LINE;
            if (null == value)
            {
                value = properties.getProperty(setting.systemProperty());
                source = Source.SYSTEM_PROPERTY;
            }
            if (null == value)
            {
                value = fromFile.get(setting.name());
                source = Source.FILE;
            }
            if (null == value)
            {
                value = setting.defaultValue();
                source = Source.DEFAULT;
            }
            if (null != value)
            {
                values.put(setting.name(), setting.check(value));
            }
            sources.put(setting.name(), source);
        }
        return new Settings(List.copyOf(declared), values, sources);
    }

    private static Map<String, String> load(final Path file, final List<Setting> declared) throws IOException
    {
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        final Map<String, String> values = new LinkedHashMap<>();
        final List<String> known = new ArrayList<>();
        for (final Setting setting : declared)
        {
            known.add(setting.name());
        }
        for (final String key : properties.stringPropertyNames())
        {
            if (!known.contains(key))
            {
                throw new IllegalArgumentException(file + ": unknown setting '" + key + "' (known: " +
                    String.join(", ", known) + ")");
            }
            values.put(key, properties.getProperty(key));
        }
        return values;
    }

    /**
     * @param setting a declared setting.
     * @return its value, or null if it has none.
     */
    public String get(final Setting setting)
    {
        requireDeclared(setting);
        return values.get(setting.name());
    }

    /**
     * @param setting a declared setting.
     * @return its value.
     * @throws IllegalArgumentException saying how to give it, if it has none.
     */
    public String require(final Setting setting)
    {
        final String value = get(setting);
        if (null == value)
        {
            throw new IllegalArgumentException(setting.flag() + " is required (or -D" + setting.systemProperty() +
                ", or " + setting.name() + "= in a --settings file)");
        }
        return value;
    }

    public int getInt(final Setting setting)
    {
        return Integer.parseInt(require(setting));
    }

    public long getLong(final Setting setting)
    {
        return Long.parseLong(require(setting));
    }

    public boolean getBoolean(final Setting setting)
    {
        return Boolean.parseBoolean(require(setting));
    }

    /**
     * @param setting a declared setting.
     * @return where its value came from.
     */
    public Source source(final Setting setting)
    {
        requireDeclared(setting);
        return sources.get(setting.name());
    }

    /**
     * @return every setting in declaration order.
     */
    public List<Setting> declared()
    {
        return Collections.unmodifiableList(declared);
    }

    /**
     * @param title first line, e.g. "chainkv-node n1 effective configuration".
     * @return one line per setting, {@code name = value (source)}, for the log at start.
     */
    public String describe(final String title)
    {
        int width = 0;
        for (final Setting setting : declared)
        {
            width = Math.max(width, setting.name().length());
        }
        final StringBuilder sb = new StringBuilder(64 * (declared.size() + 1)).append(title).append(':');
        for (final Setting setting : declared)
        {
            final String value = values.get(setting.name());
            sb.append(System.lineSeparator()).append("  ")
                .append(String.format("%-" + width + "s", setting.name())).append(" = ")
                .append(null == value ? "(unset)" : value)
                .append("  (").append(sources.get(setting.name())).append(')');
        }
        return sb.toString();
    }

    private void requireDeclared(final Setting setting)
    {
        if (!sources.containsKey(setting.name()))
        {
            throw new IllegalArgumentException("setting " + setting.name() + " is not declared for this process");
        }
    }
}
