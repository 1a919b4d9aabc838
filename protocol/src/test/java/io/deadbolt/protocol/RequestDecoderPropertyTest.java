package io.deadbolt.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
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
        for (int cut : RequestStreams.pieceEnds(stream.length, cuts)) {
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
        List<Request> expected = RequestStreams.requestsIn(stream, LIMITS);
        assertThat(decoded).isEqualTo(expected);
        channel.finishAndReleaseAll();
        return expected;
    }

    @Provide
    Arbitrary<byte[]> streams() {
        return RequestStreams.withLineLimit(MAX_LINE)
                .words(COMMAND_WORDS)
                .arguments(ARGUMENTS)
                .separators(" ", "\t", "  ", " \t")
                .leadingBlanks("", " ", "\t")
                .trailingBlanks("", "", "", " ", "\t")
                .noiseOfUpTo(12)
                .longLinesFrom(MAX_LINE - 8)
                .bareCarriageReturns()
                .ofUpTo(12);
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return RequestStreams.cuts(12);
    }
}
