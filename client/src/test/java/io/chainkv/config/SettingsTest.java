package io.chainkv.config;

import io.chainkv.transport.TransportSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest
{
    private static final Setting PORT = Setting.of("metrics-port", Setting.Kind.INT, "-1", "A port.");
    private static final Setting NAME = Setting.of("node-id", Setting.Kind.TEXT, null, "An id.");
    private static final List<Setting> DECLARED = List.of(PORT, NAME);

    @TempDir
    Path dir;

    private Path file(final String text) throws Exception
    {
        return Files.writeString(dir.resolve("node.properties"), text);
    }

    private static Properties properties(final String key, final String value)
    {
        final Properties properties = new Properties();
        properties.setProperty(key, value);
        return properties;
    }

    @Test
    void commandLineWinsOverSystemPropertyWhichWinsOverFileWhichWinsOverDefault() throws Exception
    {
        final Path file = file("metrics-port=3\nnode-id=from-file\n");

        assertEquals("1", Settings.resolve(DECLARED, Map.of("metrics-port", "1"), file,
            properties("chainkv.metrics.port", "2")).get(PORT));
        assertEquals("2", Settings.resolve(DECLARED, Map.of(), file, properties("chainkv.metrics.port", "2")).get(PORT));
        assertEquals("3", Settings.resolve(DECLARED, Map.of(), file, new Properties()).get(PORT));
        final Settings defaults = Settings.resolve(DECLARED, Map.of(), null, new Properties());
        assertEquals("-1", defaults.get(PORT));
        assertEquals(Settings.Source.DEFAULT, defaults.source(PORT));
        assertNull(defaults.get(NAME));
    }

    @Test
    void theMetricsEndpointListensOnLoopbackUnlessToldOtherwise() throws Exception
    {
        final List<Setting> declared = List.of(ProcessSettings.METRICS_HOST);

        assertEquals("127.0.0.1", Settings.resolve(declared, Map.of(), null, new Properties())
            .get(ProcessSettings.METRICS_HOST));
        assertEquals("0.0.0.0", Settings.resolve(declared, Map.of("metrics-host", "0.0.0.0"), null, new Properties())
            .get(ProcessSettings.METRICS_HOST));
    }

    @Test
    void aMisspeltSettingInTheFileIsRefusedNamingTheKnownOnes() throws Exception
    {
        final Path file = file("metric-port=3\n");

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> Settings.resolve(DECLARED, Map.of(), file, new Properties()));
        assertTrue(ex.getMessage().contains("unknown setting 'metric-port' (known: metrics-port, node-id)"), ex::getMessage);
    }

    @Test
    void aValueOfTheWrongKindIsRefusedNamingTheSetting()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> Settings.resolve(DECLARED, Map.of("metrics-port", "ninety"), null, new Properties()));
        assertEquals("metrics-port takes a whole number, not 'ninety'", ex.getMessage());
    }

    @Test
    void aMissingRequiredSettingSaysEveryWayToGiveIt() throws Exception
    {
        final Settings settings = Settings.resolve(DECLARED, Map.of(), null, new Properties());

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> settings.require(NAME));
        assertEquals("--node-id is required (or -Dchainkv.node.id, or node-id= in a --settings file)", ex.getMessage());
    }

    @Test
    void describeListsEveryValueWithItsSource() throws Exception
    {
        final Settings settings = Settings.resolve(DECLARED, Map.of("node-id", "n1"), null, new Properties());

        final String text = settings.describe("effective configuration");

        assertTrue(text.contains("metrics-port = -1  (default)"), text);
        assertTrue(text.contains("node-id      = n1  (command line)"), text);
    }

    @Test
    void commandLineFlagsAreTheSettingsNames() throws Exception
    {
        final Settings settings = SettingsCommandLine.parse("test", "A test.", DECLARED,
            new String[]{ "--node-id", "n7", "--metrics-port=9" }, System.out);

        assertEquals("n7", settings.get(NAME));
        assertEquals(9, settings.getInt(PORT));
    }

    @Test
    void transportSettingsKeepTheSystemPropertiesTheyAlwaysHad()
    {
        assertEquals(TransportSettings.IDLE_STRATEGY_PROP, TransportSettings.IDLE_STRATEGY.systemProperty());
        assertEquals(TransportSettings.IDLE_MAX_PARK_NS_PROP, TransportSettings.IDLE_MAX_PARK_NS.systemProperty());
        assertEquals(TransportSettings.TERM_LENGTH_PROP, TransportSettings.TERM_LENGTH.systemProperty());
        assertEquals(TransportSettings.MTU_PROP, TransportSettings.MTU.systemProperty());
    }
}
