package io.deadbolt.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Property-based tests of the server's request decoder: whatever bytes a client sends, cut into
 * whatever pieces the network makes of them, the decoder gives exactly one request per non-blank line
 * (each the one the parser makes of that line), or stops with one line-too-long at the first line over
 * the limit, and nothing ever escapes the pipeline as an exception.
 */
class RequestDecoderPropertyTest {
    private static final int MAX_LINE = 64;
    private static final ProtocolLimits LIMITS = new ProtocolLimits(MAX_LINE, 10_000, 60_000);
    private static final CommandParser PARSER = new CommandParser(LIMITS);

    private static final String[] COMMAND_WORDS = {
            "lock", "unlock", "unlock_all", "conn_id", "set_timeout", "stats", "quit", "echo", "auth", "LOCK",
            "frobnicate", "lock\u0000", "é"};
    private static final String[] ARGUMENTS = {
            "a", "name", "é", "🔒", "\u00A0", "\uFFFD", "\u007F", "0", "5", "0.25", ".5", "-1", "1e3", "10.001",
            "60001", "99999999999999999999", "n".repeat(40), "secret"};

    @Property(tries = 500)
    void anyBytesCutAnywhereGiveOneRequestPerNonBlankLine(@ForAll("streams") byte[] stream,
                                                         @ForAll("cuts") List<Integer> cuts) {
        List<Request> expected = assertDecodedAsModelSays(stream, cuts);
        // Guards the generator: valid commands, refusals and over-long lines must all be common.
        Statistics.label("command").collect(expected.stream().anyMatch(r -> r instanceof Command));
        Statistics.label("invalid").collect(expected.stream().anyMatch(r -> r instanceof Request.Invalid));
        Statistics.label("too long").collect(expected.stream().anyMatch(r -> r instanceof Request.LineTooLong));
        Statistics.label("command").coverage(c -> c.check(true).percentage(p -> p > 25));
        Statistics.label("invalid").coverage(c -> c.check(true).percentage(p -> p > 40));
        Statistics.label("too long").coverage(c -> c.check(true).percentage(p -> p > 5));
    }

    @Property(tries = 300)
    void arbitraryBytesNeverBreakThePipeline(@ForAll byte[] stream, @ForAll("cuts") List<Integer> cuts) {
        assertDecodedAsModelSays(stream, cuts);
    }

    private static List<Request> assertDecodedAsModelSays(byte[] stream, List<Integer> cuts) {
        EmbeddedChannel channel = new EmbeddedChannel(new RequestDecoder(LIMITS));
        int from = 0;
        for (int cut : pieces(stream.length, cuts)) {
            channel.writeInbound(Unpooled.copiedBuffer(stream, from, cut - from));
            from = cut;
        }
        // Rethrows anything a handler raised instead of passing it on.
        channel.checkException();
        List<Object> decoded = new ArrayList<>();
        Object message;
        while ((message = channel.readInbound()) != null) {
            decoded.add(message);
        }
        List<Request> expected = expectedRequests(stream);
        assertThat(decoded).isEqualTo(expected);
        channel.finishAndReleaseAll();
        return expected;
    }

    /** Where the stream is cut: sorted distinct positions inside it, then its end. */
    private static List<Integer> pieces(int length, List<Integer> cuts) {
        TreeSet<Integer> positions = new TreeSet<>();
        if (length > 0) {
            for (int cut : cuts) {
                positions.add(1 + cut % length);
            }
            positions.add(length);
        }
        return new ArrayList<>(positions);
    }

    /** The model: what the protocol document says the stream is, line by line. */
    private static List<Request> expectedRequests(byte[] stream) {
        List<Request> expected = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < stream.length; i++) {
            if (stream[i] != '\n') {
                continue;
            }
            int length = i - start;
            if (length > 0 && stream[i - 1] == '\r') {
                length--;
            }
            if (length > MAX_LINE) {
                expected.add(new Request.LineTooLong(MAX_LINE));
                return expected;
            }
            String line = new String(stream, start, length, UTF_8);
            if (!CommandParser.isBlankLine(line)) {
                expected.add(PARSER.parse(line));
            }
            start = i + 1;
        }
        // An unfinished line is refused as soon as it cannot fit any more (its last byte may be a CR).
        if (stream.length - start > MAX_LINE + 1) {
            expected.add(new Request.LineTooLong(MAX_LINE));
        }
        return expected;
    }

    /**
     * Streams of lines that are mostly near-misses of real requests: a command word and arguments from a
     * vocabulary of good and bad values, with odd spacing, noise bytes, lines around the length limit,
     * blank lines, and line ends that are sometimes missing or only a CR.
     */
    @Provide
    Arbitrary<byte[]> streams() {
        Arbitrary<String> separator = Arbitraries.of(" ", "\t", "  ", " \t");
        Arbitrary<String> request = Combinators.combine(
                Arbitraries.of("", " ", "\t"),
                Arbitraries.of(COMMAND_WORDS),
                Combinators.combine(separator, Arbitraries.of(ARGUMENTS)).as(String::concat).list().ofMaxSize(3)
                        .map(args -> String.join("", args)),
                Arbitraries.of("", "", "", " ", "\t"))
                .as((lead, word, args, trail) -> lead + word + args + trail);
        Arbitrary<byte[]> line = Arbitraries.frequencyOf(
                Tuple.of(12, request.map(r -> r.getBytes(UTF_8))),
                Tuple.of(2, Arbitraries.bytes().array(byte[].class).ofMaxSize(12)),
                Tuple.of(1, Arbitraries.integers().between(MAX_LINE - 8, MAX_LINE + 3)
                        .map(n -> ("echo " + "x".repeat(n - 5)).getBytes(UTF_8))),
                Tuple.of(1, separator.map(blank -> blank.getBytes(UTF_8))));
        Arbitrary<byte[]> end = Arbitraries.frequency(
                Tuple.of(10, "\r\n"), Tuple.of(10, "\n"), Tuple.of(1, "\r"), Tuple.of(1, ""))
                .map(e -> e.getBytes(UTF_8));
        return Combinators.combine(line, end).as(RequestDecoderPropertyTest::concat2)
                .list().ofMaxSize(12).map(RequestDecoderPropertyTest::concat);
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(0, 1 << 16).list().ofMaxSize(12);
    }

    private static byte[] concat2(byte[] first, byte[] second) {
        return concat(List.of(first, second));
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

}
