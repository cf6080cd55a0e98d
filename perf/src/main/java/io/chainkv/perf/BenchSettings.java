package io.chainkv.perf;

import io.chainkv.client.ReadMode;

import java.time.Duration;
import java.util.Objects;

/**
 * What one benchmark run does: workload, keys, load model, phases. Fluent setters with the defaults of the
 * issue's target runs (100,000 keys, 100-byte values, uniform keys); {@link BenchMain} fills it from the
 * command line, tests fill it directly.
 */
public final class BenchSettings
{
    private Workload workload = Workload.named("write-only");
    private long keys = 100_000;
    private int keySize = 16;
    private int valueSize = 100;
    private String distribution = "uniform";
    private double zipfConstant = 0.99;
    private Boolean load;
    private Duration warmup = Duration.ofSeconds(5);
    private Duration duration = Duration.ofSeconds(30);
    private int threads = 1;
    private int outstanding = 1;
    private double rate;
    private int clients = 1;
    private Duration requestTimeout = Duration.ofSeconds(5);
    private FaultPlan faults = new FaultPlan();
    private boolean floor;
    private Duration floorDuration = Duration.ofSeconds(5);
    private long seed = 42;
    private ReadMode readMode = ReadMode.LINEARIZABLE;

    /**
     * @param readMode what the run's reads may answer: LINEARIZABLE spreads them over every member (CRAQ), TAIL sends
     *                 them all to the tail.
     * @return this.
     */
    public BenchSettings readMode(final ReadMode readMode)
    {
        this.readMode = Objects.requireNonNull(readMode, "readMode");
        return this;
    }

    public ReadMode readMode()
    {
        return readMode;
    }

    public BenchSettings workload(final Workload workload)
    {
        this.workload = workload;
        return this;
    }

    public Workload workload()
    {
        return workload;
    }

    public BenchSettings keys(final long keys)
    {
        if (keys < 1)
        {
            throw new IllegalArgumentException("keys must be >= 1, was " + keys);
        }
        this.keys = keys;
        return this;
    }

    public long keys()
    {
        return keys;
    }

    public BenchSettings keySize(final int keySize)
    {
        this.keySize = keySize;
        return this;
    }

    public int keySize()
    {
        return keySize;
    }

    public BenchSettings valueSize(final int valueSize)
    {
        if (valueSize < 0)
        {
            throw new IllegalArgumentException("value size must be >= 0, was " + valueSize);
        }
        this.valueSize = valueSize;
        return this;
    }

    public int valueSize()
    {
        return valueSize;
    }

    /**
     * @param distribution uniform or zipfian.
     * @return this.
     */
    public BenchSettings distribution(final String distribution)
    {
        this.distribution = distribution;
        return this;
    }

    public String distribution()
    {
        return distribution;
    }

    public BenchSettings zipfConstant(final double zipfConstant)
    {
        this.zipfConstant = zipfConstant;
        return this;
    }

    public double zipfConstant()
    {
        return zipfConstant;
    }

    /**
     * @param load write every key before the run; null (default) = only when the workload reads.
     * @return this.
     */
    public BenchSettings load(final Boolean load)
    {
        this.load = load;
        return this;
    }

    public boolean load()
    {
        return null != load ? load : workload.readsExistingKeys();
    }

    public BenchSettings warmup(final Duration warmup)
    {
        this.warmup = warmup;
        return this;
    }

    public Duration warmup()
    {
        return warmup;
    }

    public BenchSettings duration(final Duration duration)
    {
        if (duration.isNegative() || duration.isZero())
        {
            throw new IllegalArgumentException("duration must be positive, was " + duration);
        }
        this.duration = duration;
        return this;
    }

    public Duration duration()
    {
        return duration;
    }

    public BenchSettings threads(final int threads)
    {
        if (threads < 1)
        {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        this.threads = threads;
        return this;
    }

    public int threads()
    {
        return threads;
    }

    /**
     * @param outstanding async requests each thread keeps in flight (closed loop), or may have in flight at
     *                    most (open loop).
     * @return this.
     */
    public BenchSettings outstanding(final int outstanding)
    {
        if (outstanding < 1)
        {
            throw new IllegalArgumentException("outstanding must be >= 1, was " + outstanding);
        }
        this.outstanding = outstanding;
        return this;
    }

    public int outstanding()
    {
        return outstanding;
    }

    /**
     * @param rate target ops/s of all threads together for an open loop; 0 (default) = closed loop.
     * @return this.
     */
    public BenchSettings rate(final double rate)
    {
        if (rate < 0)
        {
            throw new IllegalArgumentException("rate must be >= 0, was " + rate);
        }
        this.rate = rate;
        return this;
    }

    public double rate()
    {
        return rate;
    }

    public boolean openLoop()
    {
        return rate > 0;
    }

    /**
     * @param clients client instances (each with its own driver and 512-request window) the threads share.
     * @return this.
     */
    public BenchSettings clients(final int clients)
    {
        if (clients < 1)
        {
            throw new IllegalArgumentException("clients must be >= 1, was " + clients);
        }
        this.clients = clients;
        return this;
    }

    public int clients()
    {
        return clients;
    }

    public BenchSettings requestTimeout(final Duration requestTimeout)
    {
        this.requestTimeout = requestTimeout;
        return this;
    }

    public Duration requestTimeout()
    {
        return requestTimeout;
    }

    public BenchSettings faults(final FaultPlan faults)
    {
        this.faults = faults;
        return this;
    }

    public FaultPlan faults()
    {
        return faults;
    }

    /**
     * @param floor also measure the transport floor after the run.
     * @return this.
     */
    public BenchSettings floor(final boolean floor)
    {
        this.floor = floor;
        return this;
    }

    public boolean floor()
    {
        return floor;
    }

    public BenchSettings floorDuration(final Duration floorDuration)
    {
        this.floorDuration = floorDuration;
        return this;
    }

    public Duration floorDuration()
    {
        return floorDuration;
    }

    public BenchSettings seed(final long seed)
    {
        this.seed = seed;
        return this;
    }

    public long seed()
    {
        return seed;
    }

    /**
     * @return e.g. "closed loop, 4 threads x 16 outstanding" or "open loop at 5000 ops/s, 4 threads".
     */
    public String loadModel()
    {
        return openLoop() ?
            String.format(java.util.Locale.ROOT, "open loop at %.0f ops/s, %d threads (at most %d outstanding each)",
                rate, threads, outstanding) :
            "closed loop, " + threads + " threads x " + outstanding + " outstanding";
    }
}
