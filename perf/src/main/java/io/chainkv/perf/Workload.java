package io.chainkv.perf;

import java.util.Locale;

/**
 * What fraction of operations are reads, writes and read-modify-write CAS; named workloads follow YCSB's
 * core workloads (A: 50/50 read/update, B: 95/5).
 * <p>
 * {@link #choose(double)} maps one uniform random number to an op, so the mix costs no allocation and is
 * exact in expectation.
 */
public final class Workload
{
    private final String name;
    private final double readFraction;
    private final double writeFraction;
    private final double casFraction;
    private final double readBelow;
    private final double writeBelow;

    private Workload(final String name, final double read, final double write, final double cas)
    {
        if (read < 0 || write < 0 || cas < 0)
        {
            throw new IllegalArgumentException("fractions must be >= 0: read=" + read + " write=" + write + " cas=" + cas);
        }
        final double sum = read + write + cas;
        if (sum <= 0)
        {
            throw new IllegalArgumentException("at least one of read, write, cas must be above 0");
        }
        this.name = name;
        // Normalised so "--mix read=95,write=5" means the same as 0.95/0.05.
        this.readFraction = read / sum;
        this.writeFraction = write / sum;
        this.casFraction = cas / sum;
        this.readBelow = readFraction;
        this.writeBelow = readFraction + writeFraction;
    }

    /**
     * @param name write-only, read-only, a (50/50), b (95/5 read/write), or custom:read=R,write=W,cas=C.
     * @return the workload.
     */
    public static Workload named(final String name)
    {
        final String key = name.trim().toLowerCase(Locale.ROOT);
        switch (key)
        {
            case "write-only":
                return new Workload("write-only", 0, 1, 0);
            case "read-only":
                return new Workload("read-only", 1, 0, 0);
            case "a":
            case "ycsb-a":
                return new Workload("ycsb-a", 0.5, 0.5, 0);
            case "b":
            case "ycsb-b":
                return new Workload("ycsb-b", 0.95, 0.05, 0);
            default:
                if (key.startsWith("custom:"))
                {
                    return parseMix(key.substring("custom:".length()));
                }
                throw new IllegalArgumentException("unknown workload '" + name +
                    "': use write-only, read-only, a, b or custom:read=R,write=W,cas=C");
        }
    }

    /**
     * @param mix e.g. {@code read=0.5,write=0.3,cas=0.2}; missing parts are 0; weights are normalised.
     * @return a custom workload.
     */
    public static Workload parseMix(final String mix)
    {
        double read = 0;
        double write = 0;
        double cas = 0;
        for (final String part : mix.split(","))
        {
            if (part.isBlank())
            {
                continue;
            }
            final int eq = part.indexOf('=');
            if (eq < 0)
            {
                throw new IllegalArgumentException("mix part '" + part + "' is not name=weight");
            }
            final String opName = part.substring(0, eq).trim();
            final double weight = Double.parseDouble(part.substring(eq + 1).trim());
            switch (opName)
            {
                case "read":
                    read = weight;
                    break;
                case "write":
                    write = weight;
                    break;
                case "cas":
                    cas = weight;
                    break;
                default:
                    throw new IllegalArgumentException("mix part '" + part + "': op must be read, write or cas");
            }
        }
        return new Workload("custom", read, write, cas);
    }

    /**
     * @param uniform a number in [0, 1).
     * @return the op it selects.
     */
    public Op choose(final double uniform)
    {
        if (uniform < readBelow)
        {
            return Op.READ;
        }
        return uniform < writeBelow ? Op.WRITE : (casFraction > 0 ? Op.CAS : Op.WRITE);
    }

    /**
     * @return true if keys must exist before the run (any reads or CAS).
     */
    public boolean readsExistingKeys()
    {
        return readFraction > 0 || casFraction > 0;
    }

    public String name()
    {
        return name;
    }

    public double readFraction()
    {
        return readFraction;
    }

    public double writeFraction()
    {
        return writeFraction;
    }

    public double casFraction()
    {
        return casFraction;
    }

    public String toString()
    {
        return String.format(Locale.ROOT, "%s (read %.2f, write %.2f, cas %.2f)", name, readFraction, writeFraction,
            casFraction);
    }
}
