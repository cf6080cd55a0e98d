package io.chainkv.cluster;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The text form of znode contents: UTF-8 lines of {@code key=value}, '#' comments and blank lines ignored.
 * <p>
 * Chosen over JSON so the data is readable with {@code zkCli.sh get} and needs no library, and over
 * {@link java.util.Properties} so the output order is fixed and a duplicated key is an error, not a silent
 * overwrite.
 */
final class KeyValueText
{
    private KeyValueText()
    {
    }

    static Map<String, String> parse(final byte[] data, final String what)
    {
        if (null == data)
        {
            throw new IllegalArgumentException(what + ": no data");
        }
        final Map<String, String> values = new LinkedHashMap<>();
        final String text = new String(data, StandardCharsets.UTF_8);
        int lineNumber = 0;
        for (final String rawLine : text.split("\n", -1))
        {
            lineNumber++;
            final String line = rawLine.strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final int eq = line.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException(what + ": line " + lineNumber + " is not key=value: '" + line + "'");
            }
            final String key = line.substring(0, eq).strip();
            if (null != values.put(key, line.substring(eq + 1).strip()))
            {
                throw new IllegalArgumentException(what + ": key '" + key + "' appears twice");
            }
        }
        return values;
    }

    static String require(final Map<String, String> values, final String key, final String what)
    {
        final String value = values.get(key);
        if (null == value || value.isEmpty())
        {
            throw new IllegalArgumentException(what + ": '" + key + "' is missing");
        }
        return value;
    }

    static long requireLong(final Map<String, String> values, final String key, final String what)
    {
        final String value = require(values, key, what);
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(what + ": '" + key + "' must be a number, was '" + value + "'");
        }
    }

    static void append(final StringBuilder sb, final String key, final Object value)
    {
        sb.append(key).append('=').append(value).append('\n');
    }
}
