package io.chainkv.config;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of a process whose options are its declared {@link Setting}s: one flag per setting, with its
 * description, default and system property in {@code --help}, plus {@code --settings FILE}. So a setting is
 * declared once and its flag, property, file key and help can never disagree.
 */
public final class SettingsCommandLine
{
    /** The flag naming a settings file (Java properties; keys are setting names). */
    public static final String SETTINGS_FILE_FLAG = "--settings";

    private SettingsCommandLine()
    {
    }

    /**
     * @param command     the program's name, for help.
     * @param description what the program does, for help.
     * @param declared    its settings.
     * @param args        the command line.
     * @param out         where help goes.
     * @return the effective settings, or null if help or the version was asked for (and printed).
     * @throws IllegalArgumentException for a bad command line or value, with a sentence saying what to fix.
     * @throws IOException if the settings file cannot be read.
     */
    public static Settings parse(
        final String command,
        final String description,
        final List<Setting> declared,
        final String[] args,
        final PrintStream out) throws IOException
    {
        final CommandSpec spec = CommandSpec.create().name(command).mixinStandardHelpOptions(true);
        spec.usageMessage().description(description);
        for (final Setting setting : declared)
        {
            final OptionSpec.Builder option = OptionSpec.builder(setting.flag())
                .type(String.class)
                .paramLabel("<" + setting.kind().name().toLowerCase() + ">")
                .description(help(setting));
            if (Setting.Kind.BOOLEAN == setting.kind())
            {
                option.arity("0..1").fallbackValue("true").paramLabel("<true|false>");
                spec.addOption(OptionSpec.builder(negated(setting)).arity("0").type(boolean.class)
                    .description("Same as " + setting.flag() + "=false.").build());
            }
            spec.addOption(option.build());
        }
        spec.addOption(OptionSpec.builder(SETTINGS_FILE_FLAG)
            .type(Path.class)
            .paramLabel("<file>")
            .description("Settings file: one name=value per line, names as the flags above without '--'. " +
                "Flags win over system properties, which win over the file, which wins over defaults.")
            .build());

        final CommandLine commandLine = new CommandLine(spec);
        final ParseResult result;
        try
        {
            result = commandLine.parseArgs(args);
        }
        catch (final CommandLine.ParameterException ex)
        {
            throw new IllegalArgumentException(ex.getMessage() + " (see " + command + " --help)");
        }
        if (result.isUsageHelpRequested())
        {
            commandLine.usage(new PrintWriter(out, true));
            return null;
        }
        if (result.isVersionHelpRequested())
        {
            out.println(command);
            return null;
        }

        final Map<String, String> given = new LinkedHashMap<>();
        for (final Setting setting : declared)
        {
            if (result.hasMatchedOption(setting.flag()))
            {
                given.put(setting.name(), result.matchedOptionValue(setting.flag(), ""));
            }
            else if (Setting.Kind.BOOLEAN == setting.kind() && result.hasMatchedOption(negated(setting)))
            {
                given.put(setting.name(), "false");
            }
        }
        final Path file = result.matchedOptionValue(SETTINGS_FILE_FLAG, null);
        return Settings.resolve(declared, given, file, System.getProperties());
    }

    private static String negated(final Setting setting)
    {
        return "--no-" + setting.name();
    }

        private static String help(final Setting setting)
    {
        return setting.description() +
            (null == setting.defaultValue() ? "" : " Default: " + setting.defaultValue() + ".") +
            " Property: " + setting.systemProperty() + ".";
    }
}
