package io.deadbolt.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random lines: the parser and the decoder must never throw, and the decoder must turn every
 * non-blank line into exactly the request the parser makes of it. A failure names its iteration, and
 * the fixed seed replays it.
 */
class RandomizedInputTest {
    private static final long SEED = 0x5EED_DEAD_B017L;
    /** Room for a 250-byte name, so that most random lines fit and a few do not. */
    private static final int MAX_LINE = 300;
    private static final ProtocolLimits LIMITS = new ProtocolLimits(MAX_LINE, 10_000, 60_000);

    private static final String[] TOKENS = {
            "lock", "unlock", "unlock_all", "conn_id", "set_timeout", "stats", "quit", "echo", "LOCK", "Lock",
            "a", "name", "é", "🔒", "\uFFFD", "\u00A0", "\u2003", "\u0000", "\u007F", "\r", "\u000B", "STATS",
            "0", "5", "0.25", ".5", "5.", ".", "0.0001", "-1", "+5", "1e3", "10", "10.001", "60000", "60001",
            "99999999999999999999", "1234567890123456789", "n".repeat(250), "n".repeat(251), "é".repeat(126)};
    private static final String[] SEPARATORS = {" ", "  ", "\t", " \t ", ""};

    private final CommandParser parser = new CommandParser(LIMITS);

    @Test
    void parserNeverThrowsAndWhatItAcceptsRoundTrips() {
        Random random = new Random(SEED);
        int commands = 0;
        for (int i = 0; i < 20_000; i++) {
            String line = i % 4 == 0 ? randomChars(random) : new String(randomLine(random), UTF_8);
            Request request = parse(i, line);
            assertThat(request).as("iteration %d: %s", i, line).isNotNull();
            if (request instanceof Command) {
                commands++;
                Command command = (Command) request;
                assertThat(parse(i, command.toLine())).as("iteration %d: %s", i, line).isEqualTo(command);
            }
        }
        // Guards against a generator that only ever produces garbage.
        assertThat(commands).isGreaterThan(1_000);
    }

    @Test
    void decoderGivesOneRequestPerNonBlankLineWhateverTheChunking() {
        Random random = new Random(SEED + 1);
        int commands = 0;
        int streamsCutShort = 0;
        for (int i = 0; i < 2_000; i++) {
            List<byte[]> lines = new ArrayList<>();
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            int count = 1 + random.nextInt(12);
            for (int l = 0; l < count; l++) {
                byte[] line = randomLine(random);
                stream.writeBytes(line);
                if (random.nextInt(3) == 0) {
                    stream.write('\r');
                } else if (line.length > 0 && line[line.length - 1] == '\r') {
                    // The decoder drops this CR as the one before LF; the line it sees is shorter.
                    line = Arrays.copyOf(line, line.length - 1);
                }
                lines.add(line);
                stream.write('\n');
            }
            List<Object> expected = new ArrayList<>();
            for (byte[] line : lines) {
                if (line.length > MAX_LINE) {
                    expected.add(new Request.LineTooLong(MAX_LINE));
                    streamsCutShort++;
                    break;
                }
                if (!isBlank(line)) {
                    Request request = parser.parse(new String(line, UTF_8));
                    expected.add(request);
                    commands += request instanceof Command ? 1 : 0;
                }
            }
            assertThat(decodeInRandomChunks(random, stream.toByteArray()))
                    .as("iteration %d: %s", i, lines.stream().map(Arrays::toString).toList())
                    .containsExactlyElementsOf(expected);
        }
        // Guards against a generator that drifts into all garbage or all over-long lines.
        assertThat(commands).isGreaterThan(1_000);
        assertThat(streamsCutShort).isBetween(20, 1_000);
    }

    private Request parse(int iteration, String line) {
        try {
            return parser.parse(line);
        } catch (RuntimeException e) {
            throw new AssertionError("iteration " + iteration + " threw on " + line, e);
        }
    }

    private List<Object> decodeInRandomChunks(Random random, byte[] bytes) {
        EmbeddedChannel channel = new EmbeddedChannel(new RequestDecoder(LIMITS));
        List<ByteBuf> written = new ArrayList<>();
        int offset = 0;
        while (offset < bytes.length) {
            int length = Math.min(bytes.length - offset, 1 + random.nextInt(random.nextBoolean() ? 4 : 80));
            ByteBuf chunk = Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, offset, offset + length));
            written.add(chunk);
            channel.writeInbound(chunk);
            offset += length;
        }
        List<Object> decoded = new ArrayList<>();
        for (Object msg = channel.readInbound(); msg != null; msg = channel.readInbound()) {
            decoded.add(msg);
        }
        channel.checkException();
        assertThat(channel.finish()).isFalse();
        assertThat(written).allSatisfy(chunk -> assertThat(chunk.refCnt()).isZero());
        return decoded;
    }

    /** A line without its ending: tricky tokens, separators and now and then raw bytes, never LF. */
    private static byte[] randomLine(Random random) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        if (random.nextInt(10) == 0) {
            line.writeBytes(SEPARATORS[random.nextInt(SEPARATORS.length)].getBytes(UTF_8));
        }
        int tokens = random.nextInt(5);
        for (int t = 0; t < tokens; t++) {
            if (t > 0) {
                line.writeBytes(SEPARATORS[random.nextInt(SEPARATORS.length - 1)].getBytes(UTF_8));
            }
            if (t == 0 && random.nextBoolean()) {
                line.writeBytes(CommandType.values()[random.nextInt(CommandType.values().length)].word().getBytes(UTF_8));
            } else if (random.nextInt(6) == 0) {
                int n = 1 + random.nextInt(6);
                for (int b = 0; b < n; b++) {
                    int value = random.nextInt(256);
                    line.write(value == '\n' ? '\r' : value);
                }
            } else {
                line.writeBytes(TOKENS[random.nextInt(TOKENS.length)].getBytes(UTF_8));
            }
        }
        if (random.nextInt(10) == 0) {
            line.writeBytes(SEPARATORS[random.nextInt(SEPARATORS.length)].getBytes(UTF_8));
        }
        return line.toByteArray();
    }

    /** Any UTF-16 units at all, lone surrogates included, as a caller of the parser could pass. */
    private static String randomChars(Random random) {
        char[] chars = new char[random.nextInt(40)];
        for (int c = 0; c < chars.length; c++) {
            chars[c] = random.nextInt(3) == 0 ? ' ' : (char) random.nextInt(Character.MAX_VALUE + 1);
        }
        return (random.nextBoolean() ? TOKENS[random.nextInt(8)] + " " : "") + new String(chars);
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
