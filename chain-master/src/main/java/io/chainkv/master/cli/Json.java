package io.chainkv.master.cli;

/**
 * The little JSON chainctl writes: quoted strings and numbers that may be absent.
 */
final class Json
{
    private Json()
    {
    }

    static String quote(final String text)
    {
        if (null == text)
        {
            return "null";
        }
        final StringBuilder sb = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if ('"' == c || '\\' == c)
            {
                sb.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                sb.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    static String number(final Long value)
    {
        return null == value ? "null" : Long.toString(value);
    }
}
