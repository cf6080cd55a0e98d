package io.chainkv.security;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class HmacSha256Test
{
    @Test
    void matchesTheJdksHmacSha256ForManyKeysAndLengths() throws Exception
    {
        final Random random = new Random(42);
        for (int round = 0; round < 200; round++)
        {
            final byte[] key = new byte[1 + random.nextInt(64)];
            random.nextBytes(key);
            final byte[] message = new byte[random.nextInt(3000)];
            random.nextBytes(message);

            final HmacSha256 hmac = new HmacSha256(key);
            final byte[] tag = new byte[HmacSha256.LENGTH];
            final int split = message.length / 3;
            hmac.update(message, 0, split);
            hmac.update(message, split, message.length - split);
            hmac.doFinal(tag, 0);

            final Mac jdk = Mac.getInstance("HmacSHA256");
            jdk.init(new SecretKeySpec(key, "HmacSHA256"));
            assertArrayEquals(jdk.doFinal(message), tag, "round " + round);
        }
    }

    @Test
    void startsAfreshAfterEachTag() throws Exception
    {
        final byte[] key = "key".getBytes(StandardCharsets.US_ASCII);
        final byte[] message = "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII);
        final HmacSha256 hmac = new HmacSha256(key);
        final byte[] first = new byte[HmacSha256.LENGTH];
        final byte[] second = new byte[HmacSha256.LENGTH];
        hmac.update(message, 0, message.length);
        hmac.doFinal(first, 0);
        hmac.update(message, 0, message.length);
        hmac.doFinal(second, 0);

        // RFC 4231-style known answer (the common example for HMAC-SHA256 with key "key").
        final byte[] expected = hex("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
        assertArrayEquals(expected, first);
        assertArrayEquals(expected, second);
        assertArrayEquals(Arrays.copyOf(first, 32), second);
    }

    private static byte[] hex(final String text)
    {
        final byte[] bytes = new byte[text.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)Integer.parseInt(text.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }
}
