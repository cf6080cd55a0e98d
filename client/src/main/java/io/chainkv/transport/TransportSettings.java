package io.chainkv.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import io.chainkv.config.Setting;
import io.chainkv.config.Settings;
import io.chainkv.security.FrameSigner;
import io.chainkv.security.FrameVerifier;
import io.chainkv.security.ClientReplySigners;
import io.chainkv.security.KeyFile;
import io.chainkv.security.KeyRing;
import io.chainkv.security.KeyRole;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Transport settings shared by nodes and clients: idle strategy, term length, MTU.
 * <p>
 * Each setting is a system property with a default chosen for a shared 2-core machine; see
 * docs/operations.md. The default idle strategy backs off to short parks rather than spinning, because
 * several spinning JVMs on two cores starve each other.
 */
public final class TransportSettings
{
    /** Idle strategy: {@code backoff} (default), {@code sleeping}, {@code yield} or {@code busy}. */
    public static final String IDLE_STRATEGY_PROP = "chainkv.idle.strategy";
    public static final String IDLE_STRATEGY_DEFAULT = "backoff";

    /** Longest park of the backoff strategy, and the sleep of the sleeping strategy, in nanoseconds. */
    public static final String IDLE_MAX_PARK_NS_PROP = "chainkv.idle.max.park.ns";
    public static final long IDLE_MAX_PARK_NS_DEFAULT = TimeUnit.MICROSECONDS.toNanos(100);

    /**
     * Term length of every publication ChainKV creates. A transport message can be at most 1/8 of it;
     * larger messages are sent in chunks (see {@link MessageSender}).
     */
    public static final String TERM_LENGTH_PROP = "chainkv.term.length";
    public static final int TERM_LENGTH_DEFAULT = 1024 * 1024;

    /** MTU of UDP publications. */
    public static final String MTU_PROP = "chainkv.mtu";
    public static final int MTU_DEFAULT = 1408;

    /**
     * How a node runs its embedded media driver: {@code invoker} (default) runs the driver's and the Aeron client
     * conductor's duty cycles on the node's own agent thread (Aeron's INVOKER threading mode), so a node needs one
     * busy thread instead of three; {@code shared} gives the driver a thread of its own (SHARED threading mode).
     * Invoker mode requires every blocking Aeron call of the process (adding publications, subscriptions, counters)
     * to come from that agent thread. Clients always use {@code shared}: their callers' threads add publications.
     */
    public static final String NODE_DRIVER_THREADING_PROP = "chainkv.node.driver.threading";
    public static final String NODE_DRIVER_THREADING_DEFAULT = "invoker";

    /**
     * How a client runs its embedded media driver: {@code invoker} (default) runs it on the client's receiver thread,
     * which then also creates every publication (callers that need one to a new member leave the send to it);
     * {@code shared} gives the driver a thread of its own. On a shared 2-core machine the driver's own thread cost a
     * quarter to a third of a core under load (docs/performance.md). A client attached to an external driver
     * ({@code ClientConfig.aeronDirectoryName}) has no driver of its own and ignores this.
     */
    public static final String CLIENT_DRIVER_THREADING_PROP = "chainkv.client.driver.threading";
    public static final String CLIENT_DRIVER_THREADING_DEFAULT = "invoker";

    /** Whether frames are authenticated: {@code required} (default) or {@code off}. See docs/security.md. */
    public static final String AUTHENTICATION_PROP = "chainkv.authentication";
    public static final String AUTHENTICATION_DEFAULT = "required";

    /** The key file ({@link KeyRing}) whose keys sign and check every frame. */
    public static final String KEY_FILE_PROP = "chainkv.key.file";

    /** The settings above as declared {@link Setting}s: their flags, properties and help derive from these. */
    public static final Setting IDLE_STRATEGY = Setting.of("idle-strategy", Setting.Kind.TEXT, IDLE_STRATEGY_DEFAULT,
        "How idle threads wait: backoff (spin, yield, then park up to idle-max-park-ns), sleeping, yield or busy. " +
        "yield and busy keep a core busy each; use them only on dedicated cores.");
    public static final Setting IDLE_MAX_PARK_NS = Setting.of("idle-max-park-ns", Setting.Kind.LONG,
        Long.toString(IDLE_MAX_PARK_NS_DEFAULT), "Longest park of the backoff strategy (sleep of sleeping), in ns.");
    public static final Setting TERM_LENGTH = Setting.of("term-length", Setting.Kind.INT,
        Integer.toString(TERM_LENGTH_DEFAULT),
        "Term length of every Aeron publication (power of two, >= 65536); a message over 1/8 of it is chunked.");
    public static final Setting MTU = Setting.of("mtu", Setting.Kind.INT, Integer.toString(MTU_DEFAULT),
        "MTU of UDP publications.");

    public static final Setting NODE_DRIVER_THREADING = Setting.of("node-driver-threading", Setting.Kind.TEXT,
        NODE_DRIVER_THREADING_DEFAULT, "How a node runs its media driver: invoker (on the replication thread, one " +
        "busy thread per node) or shared (a thread of its own).");
    public static final Setting CLIENT_DRIVER_THREADING = Setting.of("client-driver-threading", Setting.Kind.TEXT,
        CLIENT_DRIVER_THREADING_DEFAULT, "How a client runs its media driver: invoker (on its receiver thread) or " +
        "shared (a thread of its own).");

    public static final Setting AUTHENTICATION = Setting.of("authentication", Setting.Kind.TEXT,
        AUTHENTICATION_DEFAULT, "required: every frame carries a MAC under a key of the key file and frames without " +
        "a valid one are dropped; off: no MAC is sent or checked (only on a network where every host is trusted; " +
        "all processes of a cluster must agree).");
    public static final Setting KEY_FILE = Setting.of("key-file", Setting.Kind.TEXT, null,
        "File with the keys that sign and check frames, and the ZooKeeper logins (chainctl generate-keys writes " +
        "one; docs/security.md). Required unless authentication is off. Nodes read it again when it changes.");

    /** Every transport setting, in the order a process lists them. */
    public static final List<Setting> SETTINGS = List.of(IDLE_STRATEGY, IDLE_MAX_PARK_NS, TERM_LENGTH, MTU,
        NODE_DRIVER_THREADING, CLIENT_DRIVER_THREADING, AUTHENTICATION, KEY_FILE);

    private final String idleStrategyName;
    private final long idleMaxParkNs;
    private final int termLength;
    private final int mtu;
    private final boolean nodeDriverInvoked;
    private final boolean clientDriverInvoked;
    private final EmbeddedAeron invokedTransport;
    private final boolean authenticated;
    private final String keyFile;
    // Shared with copies that keep the key file (withIdleStrategy, drivingWhileIdle), whenever it is first read, so a
    // key file watch on one reaches them all.
    private AtomicReference<KeyFile> keys = new AtomicReference<>();

    private TransportSettings(
        final String idleStrategyName,
        final long idleMaxParkNs,
        final int termLength,
        final int mtu,
        final String nodeDriverThreading,
        final String clientDriverThreading,
        final String authentication,
        final String keyFile,
        final EmbeddedAeron invokedTransport)
    {
        this.invokedTransport = invokedTransport;
        this.authenticated = isAuthenticated(authentication);
        this.keyFile = null == keyFile || keyFile.isBlank() ? null : keyFile.trim();
        this.idleStrategyName = idleStrategyName.toLowerCase(Locale.ROOT);
        this.idleMaxParkNs = idleMaxParkNs;
        this.termLength = termLength;
        this.mtu = mtu;
        this.nodeDriverInvoked = isInvoker(NODE_DRIVER_THREADING_PROP, nodeDriverThreading);
        this.clientDriverInvoked = isInvoker(CLIENT_DRIVER_THREADING_PROP, clientDriverThreading);
        newIdleStrategy();
        if (Integer.bitCount(termLength) != 1 || termLength < 64 * 1024)
        {
            throw new IllegalArgumentException(
                TERM_LENGTH_PROP + " must be a power of two of at least 65536, was " + termLength);
        }
    }

    /**
     * @return settings read from system properties, defaults where unset.
     */
    public static TransportSettings fromSystemProperties()
    {
        return new TransportSettings(
            System.getProperty(IDLE_STRATEGY_PROP, IDLE_STRATEGY_DEFAULT),
            Long.getLong(IDLE_MAX_PARK_NS_PROP, IDLE_MAX_PARK_NS_DEFAULT),
            Integer.getInteger(TERM_LENGTH_PROP, TERM_LENGTH_DEFAULT),
            Integer.getInteger(MTU_PROP, MTU_DEFAULT),
            System.getProperty(NODE_DRIVER_THREADING_PROP, NODE_DRIVER_THREADING_DEFAULT),
            System.getProperty(CLIENT_DRIVER_THREADING_PROP, CLIENT_DRIVER_THREADING_DEFAULT),
            System.getProperty(AUTHENTICATION_PROP, AUTHENTICATION_DEFAULT),
            System.getProperty(KEY_FILE_PROP),
            null);
    }

    /**
     * @param settings resolved settings that include {@link #SETTINGS}.
     * @return transport settings from them.
     */
    public static TransportSettings from(final Settings settings)
    {
        return new TransportSettings(
            settings.require(IDLE_STRATEGY),
            settings.getLong(IDLE_MAX_PARK_NS),
            settings.getInt(TERM_LENGTH),
            settings.getInt(MTU),
            settings.require(NODE_DRIVER_THREADING),
            settings.require(CLIENT_DRIVER_THREADING),
            settings.require(AUTHENTICATION),
            settings.get(KEY_FILE),
            null);
    }

    /**
     * @param idleStrategyName one of backoff, sleeping, yield, busy.
     * @return a copy with another idle strategy.
     */
    public TransportSettings withIdleStrategy(final String idleStrategyName)
    {
        return sharingKeys(new TransportSettings(
            idleStrategyName, idleMaxParkNs, termLength, mtu, threading(nodeDriverInvoked), threading(clientDriverInvoked),
            authentication(), keyFile, invokedTransport));
    }

    /**
     * @param transport an {@link EmbeddedAeron#launchInvoked invoked} transport driven by the thread that will use
     *                  these settings' idle strategies.
     * @return a copy whose {@link #newIdleStrategy()} also drives that transport while it waits, so a wait inside
     * a duty cycle (back pressure while chunking) cannot starve the driver it waits for.
     */
    public TransportSettings drivingWhileIdle(final EmbeddedAeron transport)
    {
        return sharingKeys(new TransportSettings(idleStrategyName, idleMaxParkNs, termLength, mtu,
            threading(nodeDriverInvoked), threading(clientDriverInvoked), authentication(), keyFile, transport));
    }

    private TransportSettings sharingKeys(final TransportSettings copy)
    {
        copy.keys = keys;
        return copy;
    }

    /**
     * @return a fresh idle strategy of the configured kind (idle strategies hold per-thread state).
     */
    public IdleStrategy newIdleStrategy()
    {
        final IdleStrategy idleStrategy = newPlainIdleStrategy();
        return null == invokedTransport ? idleStrategy : new InvokingIdleStrategy(invokedTransport, idleStrategy);
    }

    private IdleStrategy newPlainIdleStrategy()
    {
        switch (idleStrategyName)
        {
            case "backoff":
                return new BackoffIdleStrategy(10, 20, 1_000, idleMaxParkNs);
            case "sleeping":
                return new SleepingIdleStrategy(idleMaxParkNs);
            case "yield":
                return new YieldingIdleStrategy();
            case "busy":
                return new BusySpinIdleStrategy();
            default:
                throw new IllegalArgumentException(IDLE_STRATEGY_PROP + " must be backoff, sleeping, yield or busy, was '" +
                    idleStrategyName + "'");
        }
    }

    public String idleStrategyName()
    {
        return idleStrategyName;
    }

    public long idleMaxParkNs()
    {
        return idleMaxParkNs;
    }

    /**
     * @return true if nodes run their media driver on their agent thread (see {@link #NODE_DRIVER_THREADING_PROP}).
     */
    public boolean nodeDriverInvoked()
    {
        return nodeDriverInvoked;
    }

    /**
     * @return true if a client runs its own media driver on its receiver thread (see
     * {@link #CLIENT_DRIVER_THREADING_PROP}).
     */
    public boolean clientDriverInvoked()
    {
        return clientDriverInvoked;
    }

    private static boolean isInvoker(final String property, final String threading)
    {
        switch (threading.toLowerCase(Locale.ROOT))
        {
            case "invoker":
                return true;
            case "shared":
                return false;
            default:
                throw new IllegalArgumentException(property + " must be invoker or shared, was '" + threading + "'");
        }
    }

    private static boolean isAuthenticated(final String authentication)
    {
        switch (authentication.toLowerCase(Locale.ROOT))
        {
            case "required":
                return true;
            case "off":
                return false;
            default:
                throw new IllegalArgumentException(AUTHENTICATION_PROP + " must be required or off, was '" +
                    authentication + "'");
        }
    }

    private String authentication()
    {
        return authenticated ? "required" : "off";
    }

    /**
     * @return true if frames carry and must carry a MAC (docs/security.md).
     */
    public boolean authenticated()
    {
        return authenticated;
    }

    /**
     * @return a copy with authentication off (no key file needed): for tools that measure the transport itself.
     */
    public TransportSettings withoutAuthentication()
    {
        return new TransportSettings(idleStrategyName, idleMaxParkNs, termLength, mtu, threading(nodeDriverInvoked),
            threading(clientDriverInvoked), "off", null, invokedTransport);
    }

    /**
     * @return the keys of the key file as last read; null when authentication is off.
     * @throws IllegalStateException with a sentence when authentication is required and there is no usable key file.
     */
    public KeyRing keyRing()
    {
        final KeyFile file = keyFile();
        return null == file ? null : file.ring();
    }

    /**
     * @return the key file, read at the first call and again by whoever calls {@link KeyFile#reloadIfChanged()} (a
     * node's key file watch); null when authentication is off.
     * @throws IllegalStateException with a sentence when authentication is required and there is no usable key file.
     */
    public KeyFile keyFile()
    {
        if (!authenticated)
        {
            return null;
        }
        synchronized (keys)
        {
            return null != keys.get() ? keys.get() : loadKeyFile();
        }
    }

    private KeyFile loadKeyFile()
    {
        if (null == keyFile)
        {
            throw new IllegalStateException("no key file: ChainKV authenticates every frame, so each process " +
                "needs the cluster's keys. Set --key-file (or -D" + KEY_FILE_PROP + ") to a file made by " +
                "'chainctl generate-keys' (scripts/local-cluster.sh makes one per cluster), or set " +
                "--authentication off (-D" + AUTHENTICATION_PROP + "=off) on a network where every host is " +
                "trusted (docs/security.md)");
        }
        try
        {
            keys.set(KeyFile.load(Path.of(keyFile)));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalStateException(ex.getMessage(), ex);
        }
        return keys.get();
    }

    /**
     * @param keyFile the key file to use.
     * @return a copy that reads its keys from that file.
     */
    public TransportSettings withKeyFile(final Path keyFile)
    {
        return new TransportSettings(idleStrategyName, idleMaxParkNs, termLength, mtu, threading(nodeDriverInvoked),
            threading(clientDriverInvoked), authentication(), keyFile.toString(), invokedTransport);
    }

    /**
     * @param role the role the frames are sent as.
     * @return a signer for one thread's frames, null when authentication is off.
     */
    public FrameSigner newSigner(final KeyRole role)
    {
        final KeyRing keys = keyRing();
        return null == keys ? null : keys.signer(role);
    }

    /**
     * @return signers of answers to clients, each client's under its own key, for one thread; null when
     * authentication is off.
     */
    public ClientReplySigners newClientReplySigners()
    {
        final KeyRing keys = keyRing();
        return null == keys ? null : keys.clientReplySigners();
    }

    /**
     * @param roles the roles whose frames a stream accepts.
     * @return a verifier for one thread's subscription, null when authentication is off.
     */
    public FrameVerifier newVerifier(final KeyRole... roles)
    {
        final KeyRing keys = keyRing();
        return null == keys ? null : keys.verifier(roles);
    }

    /**
     * @param role             the role the frames are sent as.
     * @param maxMessageLength the largest transport message of the publications it serves.
     * @return a sender that signs its frames as {@code role} when authentication is on, for one thread.
     */
    public MessageSender newSender(final KeyRole role, final int maxMessageLength)
    {
        return new MessageSender(maxMessageLength, newIdleStrategy(), newSigner(role));
    }

    private static String threading(final boolean invoked)
    {
        return invoked ? "invoker" : "shared";
    }

    public int termLength()
    {
        return termLength;
    }

    public int mtu()
    {
        return mtu;
    }

    /**
     * @return the largest single transport message a publication with these settings accepts.
     */
    public int maxMessageLength()
    {
        return termLength / 8;
    }

    public String toString()
    {
        return "idle=" + idleStrategyName + "(maxPark=" + idleMaxParkNs + "ns) termLength=" + termLength + " mtu=" + mtu +
            " nodeDriver=" + threading(nodeDriverInvoked) + " clientDriver=" + threading(clientDriverInvoked) +
            " authentication=" + authentication() + (authenticated ? "(keys=" + keyFile + ")" : "");
    }
}
