package io.chainkv.ycsb;

import io.chainkv.node.harness.JvmCommand;
import io.chainkv.node.harness.LocalChain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.StringByteIterator;
import site.ycsb.Status;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The binding against a real 3-node chain: its operations one by one, and a short YCSB load and run in a
 * child JVM (YCSB's Client exits the JVM when done).
 */
class ChainKvDBTest
{
    private static LocalChain chain;

    @BeforeAll
    static void startChain()
    {
        chain = LocalChain.builder().nodes(3).maxEntries(10_000).name("ChainKvDBTest")
            .startTimeout(java.time.Duration.ofSeconds(120)).start();
    }

    @AfterAll
    static void stopChain()
    {
        if (null != chain)
        {
            chain.close();
        }
    }

    @Test
    void insertReadUpdateDeleteOneRecord() throws Exception
    {
        final DB db = db(chain.configFile().toString(), "1");
        try
        {
            final Map<String, ByteIterator> result = new HashMap<>();
            assertEquals(Status.NOT_FOUND, db.read("usertable", "user1", null, result));
            assertEquals(Status.OK, db.insert("usertable", "user1", StringByteIterator.getByteIteratorMap(Map.of("field0", "v1"))));
            assertEquals(Status.OK, db.read("usertable", "user1", Set.of("field0"), result));
            assertEquals("v1", result.get("field0").toString());
            assertEquals(Status.OK, db.update("usertable", "user1", StringByteIterator.getByteIteratorMap(Map.of("field0", "v2"))));
            result.clear();
            assertEquals(Status.OK, db.read("usertable", "user1", null, result));
            assertEquals("v2", result.get("field0").toString());
            assertEquals(Status.OK, db.delete("usertable", "user1"));
            assertEquals(Status.NOT_FOUND, db.read("usertable", "user1", null, result));
        }
        finally
        {
            db.cleanup();
        }
    }

    @Test
    void scanIsNotImplemented() throws Exception
    {
        final DB db = db(chain.configFile().toString(), "1");
        try
        {
            assertEquals(Status.NOT_IMPLEMENTED, db.scan("usertable", "user1", 10, null, new java.util.Vector<>()));
        }
        finally
        {
            db.cleanup();
        }
    }

    @Test
    void moreThanOneFieldIsRefused()
    {
        assertThrows(DBException.class, () -> db(chain.configFile().toString(), "10"));
    }

    @Test
    void shortYcsbLoadAndRunCompleteWithoutErrors() throws Exception
    {
        final Path workload = Path.of("workloads", "workloada").toAbsolutePath();
        final String load = ycsb("-load", workload, "-threads", "2");
        assertTrue(load.contains("[INSERT], Return=OK, 500"), load);
        final String run = ycsb("-t", workload, "-threads", "4");
        assertTrue(run.contains("[OVERALL], Throughput(ops/sec)"), run);
        assertTrue(run.contains("[READ], Return=OK") && run.contains("[UPDATE], Return=OK"), run);
        assertFalse(run.contains("Return=ERROR"), run);
    }

    private static String ycsb(final String phase, final Path workload, final String... more) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // The suite's JVM options and its keys: YCSB's client signs its requests like any other.
        command.addAll(JvmCommand.childJvmOptions());
        command.addAll(List.of(
            "-cp", JvmCommand.classpath(),
            "site.ycsb.Client", phase,
            "-db", ChainKvDB.class.getName(),
            "-P", workload.toString(),
            "-p", "chainkv.config=" + chain.configFile(),
            "-p", "recordcount=500",
            "-p", "operationcount=2000"));
        command.addAll(List.of(more));
        final Path log = chain.dir().resolve("logs").resolve("ycsb" + phase + ".log");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try
        {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "YCSB did not finish in 120 s");
        }
        finally
        {
            process.destroyForcibly();
        }
        final String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    private static DB db(final String configFile, final String fieldCount) throws DBException
    {
        final ChainKvDB db = new ChainKvDB();
        final Properties properties = new Properties();
        properties.setProperty(ChainKvDB.CONFIG_PROP, configFile);
        properties.setProperty("fieldcount", fieldCount);
        db.setProperties(properties);
        db.init();
        return db;
    }
}
