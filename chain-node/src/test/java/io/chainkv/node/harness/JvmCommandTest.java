package io.chainkv.node.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JvmCommandTest
{
    @Test
    void jvmOptionsFileIsScriptsJvmOptions()
    {
        final Path file = JvmCommand.jvmOptionsFile();

        assertTrue(Files.isRegularFile(file), file.toString());
        assertEquals(Path.of("scripts", "jvm.options"), file.getParent().getFileName().resolve(file.getFileName()));
    }

    @Test
    void classpathHoldsTheModulesMainAndTestClasses()
    {
        final List<String> entries = Arrays.asList(JvmCommand.classpath().split(File.pathSeparator));

        assertTrue(entries.stream().anyMatch(e -> e.endsWith(Path.of("target", "classes").toString())), entries::toString);
        assertTrue(entries.stream().anyMatch(e -> e.endsWith(Path.of("target", "test-classes").toString())),
            entries::toString);
    }

    @Test
    void manifestOnlyJarIsExpandedToItsClassPath(@TempDir final Path dir) throws Exception
    {
        final Path jar = dir.resolve("booter.jar");
        final Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, "lib/a.jar classes/");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest))
        {
            // Manifest only.
        }

        final String expanded = JvmCommand.expandManifestOnlyJar(jar.toString());

        assertEquals(String.join(File.pathSeparator,
            jar.toString(), dir.resolve("lib/a.jar").toString(), dir.resolve("classes").toString()), expanded);
    }

    @Test
    void ordinaryClasspathIsLeftAlone()
    {
        final String classpath = "/a/classes" + File.pathSeparator + "/b/x.jar";

        assertEquals(classpath, JvmCommand.expandManifestOnlyJar(classpath));
    }
}
