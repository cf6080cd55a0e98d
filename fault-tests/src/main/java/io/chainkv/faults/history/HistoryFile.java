package io.chainkv.faults.history;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A history kept on disk as JSON lines: one object per operation ({@code "op"} lines) and per fault
 * ({@code "fault"} lines), in that order, so a failing run can be read by eye, by {@code jq}, or checked again with
 * {@code FaultRunner --check FILE}.
 * <pre>
 * {"op":17,"p":3,"key":"k2-5","type":"CAS","value":"c0-3-41","expect":12,"invoke":81234,"complete":90112,"outcome":"OK","version":14,"mismatch":false,"existed":false,"error":null}
 * {"fault":"kill-node","time":5123456789,"description":"kill -9 n3 (TAIL)"}
 * </pre>
 * Times are nanoseconds since the history began; {@code "complete"} is null when the outcome is unknown and the
 * operation may take effect at any later time.
 */
public final class HistoryFile
{
    private HistoryFile()
    {
    }

    /**
     * @param file       where to write; replaced if it exists.
     * @param operations the operations.
     * @param faults     the faults injected.
     * @throws IOException if it cannot be written.
     */
    public static void write(final Path file, final List<Operation> operations, final List<FaultEvent> faults)
        throws IOException
    {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8))
        {
            for (final Operation op : operations)
            {
                out.write("{\"op\":" + op.id() + ",\"p\":" + op.process() + ",\"key\":" + quote(op.key()) +
                    ",\"type\":\"" + op.type() + "\",\"value\":" + quote(op.value()) + ",\"expect\":" +
                    op.expectedVersion() + ",\"invoke\":" + op.invokeNs() + ",\"complete\":" +
                    (op.completeNs() == Operation.NEVER ? "null" : Long.toString(op.completeNs())) +
                    ",\"outcome\":\"" + op.outcome() + "\",\"version\":" + op.version() + ",\"mismatch\":" +
                    op.mismatch() + ",\"existed\":" + op.existed() + ",\"error\":" + quote(op.error()) + "}");
                out.newLine();
            }
            for (final FaultEvent fault : faults)
            {
                out.write("{\"fault\":" + quote(fault.nemesis()) + ",\"time\":" + fault.timeNs() +
                    ",\"description\":" + quote(fault.description()) + "}");
                out.newLine();
            }
        }
    }

    /**
     * @param file a file written by {@link #write}.
     * @return its operations, in file order.
     * @throws IOException if it cannot be read or a line is not what {@link #write} writes.
     */
    public static List<Operation> readOperations(final Path file) throws IOException
    {
        final List<Operation> operations = new ArrayList<>();
        for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8))
        {
            if (line.isBlank() || !line.startsWith("{\"op\":"))
            {
                continue;
            }
            final Map<String, String> fields = parseFlatObject(line);
            final String complete = fields.get("complete");
            operations.add(Operation.of(
                Long.parseLong(fields.get("op")),
                Integer.parseInt(fields.get("p")),
                fields.get("key"),
                OpType.valueOf(fields.get("type")),
                fields.get("value"),
                Long.parseLong(fields.get("expect")),
                Long.parseLong(fields.get("invoke")),
                null == complete ? Operation.NEVER : Long.parseLong(complete),
                Outcome.valueOf(fields.get("outcome")),
                Long.parseLong(fields.get("version")),
                Boolean.parseBoolean(fields.get("mismatch")),
                Boolean.parseBoolean(fields.get("existed")),
                fields.get("error")));
        }
        return operations;
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
            switch (c)
            {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        sb.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * Parses one flat JSON object (string, number, boolean and null values only), as written by this class.
     */
    static Map<String, String> parseFlatObject(final String line)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        int i = skipSpace(line, 0);
        expect(line, i++, '{');
        while (true)
        {
            i = skipSpace(line, i);
            if (line.charAt(i) == '}')
            {
                return fields;
            }
            final StringBuilder name = new StringBuilder();
            i = readString(line, i, name);
            i = skipSpace(line, i);
            expect(line, i++, ':');
            i = skipSpace(line, i);
            final String value;
            if (line.charAt(i) == '"')
            {
                final StringBuilder sb = new StringBuilder();
                i = readString(line, i, sb);
                value = sb.toString();
            }
            else
            {
                final int start = i;
                while (i < line.length() && line.charAt(i) != ',' && line.charAt(i) != '}')
                {
                    i++;
                }
                final String raw = line.substring(start, i).trim();
                value = "null".equals(raw) ? null : raw;
            }
            fields.put(name.toString(), value);
            i = skipSpace(line, i);
            if (line.charAt(i) == ',')
            {
                i++;
            }
        }
    }

    private static int readString(final String line, final int from, final StringBuilder out)
    {
        expect(line, from, '"');
        int i = from + 1;
        while (line.charAt(i) != '"')
        {
            char c = line.charAt(i++);
            if (c == '\\')
            {
                c = line.charAt(i++);
                switch (c)
                {
                    case 'n' -> c = '\n';
                    case 'r' -> c = '\r';
                    case 't' -> c = '\t';
                    case 'u' ->
                    {
                        c = (char)Integer.parseInt(line.substring(i, i + 4), 16);
                        i += 4;
                    }
                    default ->
                    {
                    }
                }
            }
            out.append(c);
        }
        return i + 1;
    }

    private static int skipSpace(final String line, final int from)
    {
        int i = from;
        while (i < line.length() && Character.isWhitespace(line.charAt(i)))
        {
            i++;
        }
        return i;
    }

    private static void expect(final String line, final int at, final char c)
    {
        if (at >= line.length() || line.charAt(at) != c)
        {
            throw new IllegalArgumentException("expected '" + c + "' at " + at + " in: " + line);
        }
    }
}
