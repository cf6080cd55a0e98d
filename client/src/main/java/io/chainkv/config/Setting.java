package io.chainkv.config;

import java.util.Locale;
import java.util.Objects;

/**
 * One setting of a ChainKV process, declared once with its name, default and documentation (as Aeron's
 * {@code Configuration} classes declare theirs). Everything else derives from the declaration: the command-line
 * flag {@code --<name>}, the system property {@code chainkv.<name with dots>}, the key in a settings file, the
 * help text and the effective configuration a process prints at start ({@link Settings}).
 */
public final class Setting
{
    /** What kind of value a setting takes; checked when the settings are resolved. */
    public enum Kind
    {
        TEXT, INT, LONG, BOOLEAN, PATH
    }

    private final String name;
    private final Kind kind;
    private final String defaultValue;
    private final String description;

    private Setting(final String name, final Kind kind, final String defaultValue, final String description)
    {
        if (!name.matches("[a-z][a-z0-9-]*"))
        {
            throw new IllegalArgumentException("setting names are lower-case words joined by '-', was '" + name + "'");
        }
        this.name = name;
        this.kind = Objects.requireNonNull(kind, "kind");
        this.defaultValue = defaultValue;
        this.description = Objects.requireNonNull(description, "description");
    }

    /**
     * @param name         lower-case words joined by '-', e.g. {@code session-timeout-ms}.
     * @param kind         what kind of value it takes.
     * @param defaultValue the default as text, or null for "unset" (required settings, or optional ones).
     * @param description  one or two sentences for an operator: what it does and when to change it.
     * @return the setting.
     */
    public static Setting of(final String name, final Kind kind, final String defaultValue, final String description)
    {
        return new Setting(name, kind, defaultValue, description);
    }

    public String name()
    {
        return name;
    }

    public Kind kind()
    {
        return kind;
    }

    /**
     * @return the default as text, or null if it has none.
     */
    public String defaultValue()
    {
        return defaultValue;
    }

    public String description()
    {
        return description;
    }

    /**
     * @return the command-line flag, {@code --<name>}.
     */
    public String flag()
    {
        return "--" + name;
    }

    /**
     * @return the system property, {@code chainkv.<name>} with '-' turned into '.', e.g.
     * {@code chainkv.idle.strategy} for {@code idle-strategy}.
     */
    public String systemProperty()
    {
        return "chainkv." + name.replace('-', '.');
    }

    /**
     * @param text a value as text.
     * @return the same text if it is a valid value of this setting.
     * @throws IllegalArgumentException naming the setting and what it takes.
     */
    public String check(final String text)
    {
        try
        {
            switch (kind)
            {
                case INT:
                    Integer.parseInt(text.trim());
                    break;
                case LONG:
                    Long.parseLong(text.trim());
                    break;
                case BOOLEAN:
                    final String lower = text.trim().toLowerCase(Locale.ROOT);
                    if (!"true".equals(lower) && !"false".equals(lower))
                    {
                        throw new IllegalArgumentException();
                    }
                    break;
                default:
                    break;
            }
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(name + " takes " + kindText() + ", not '" + text + "'");
        }
        return text.trim();
    }

    private String kindText()
    {
        switch (kind)
        {
            case INT:
            case LONG:
                return "a whole number";
            case BOOLEAN:
                return "true or false";
            default:
                return "text";
        }
    }

    public String toString()
    {
        return name;
    }
}
