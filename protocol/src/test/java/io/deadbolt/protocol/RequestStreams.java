package io.deadbolt.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Random byte streams a client might send, for property tests of whatever reads requests off a
 * connection (the decoder alone, or the decoder with the server's handler behind it): the streams
 * themselves, where the network cuts them, and the model of the requests a stream holds.
 *
 * <p>Kept in the protocol module's tests and shared with the server's through its test-jar, so that
 * both properties check against one reading of the protocol document.
 */
public final class RequestStreams {
    private RequestStreams() {
    }

    /** Starts describing streams whose lines are measured against {@code maxLine} bytes. */
    public static Builder withLineLimit(int maxLine) {
        return new Builder(maxLine);
    }

    /** Positions to cut a stream at: any number up to {@code maxCuts}, reduced into the stream later. */
    public static Arbitrary<List<Integer>> cuts(int maxCuts) {
        return Arbitraries.integers().between(0, 1 << 16).list().ofMaxSize(maxCuts);
    }

    /**
     * Where each piece of a stream of {@code length} bytes ends once cut at {@code cuts}: sorted
     * distinct positions inside it, then its end.
     */
    public static List<Integer> pieceEnds(int length, List<Integer> cuts) {
        TreeSet<Integer> positions = new TreeSet<>();
        if (length > 0) {
            for (int cut : cuts) {
                positions.add(1 + cut % length);
            }
            positions.add(length);
        }
        return new ArrayList<>(positions);
    }

    /**
     * The model: what the protocol document says the stream is, line by line: one request per non-blank
     * line, each the one the parser makes of it, up to and including a line-too-long at the first line
     * over the limit.
     */
    public static List<Request> requestsIn(byte[] stream, ProtocolLimits limits) {
        int maxLine = limits.maxLineBytes();
        CommandParser parser = new CommandParser(limits);
        List<Request> requests = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < stream.length; i++) {
            if (stream[i] != '\n') {
                continue;
            }
            int length = i - start;
            if (length > 0 && stream[i - 1] == '\r') {
                length--;
            }
            if (length > maxLine) {
                requests.add(new Request.LineTooLong(maxLine));
                return requests;
            }
            String line = new String(stream, start, length, UTF_8);
            if (!CommandParser.isBlankLine(line)) {
                requests.add(parser.parse(line));
            }
            start = i + 1;
        }
        // An unfinished line is refused as soon as it cannot fit any more (its last byte may be a CR).
        if (stream.length - start > maxLine + 1) {
            requests.add(new Request.LineTooLong(maxLine));
        }
        return requests;
    }

    /**
     * Streams of lines that are mostly near-misses of real requests: a command word and arguments from
     * a test's vocabulary of good and bad values, with odd spacing, noise bytes, lines around the length
     * limit, blank lines, and line ends that are sometimes missing. Each test gives its own vocabulary,
     * spacing and sizes (all but the blanks around a request and the lone CRs are required; those are
     * off unless asked for).
     */
    public static final class Builder {
        private final int maxLine;
        private String[] words;
        private String[] arguments;
        private String[] separators;
        private String[] leadingBlanks = {""};
        private String[] trailingBlanks = {""};
        private int maxNoiseBytes = -1;
        private int shortestLongLine = -1;
        private boolean bareCarriageReturns;

        private Builder(int maxLine) {
            this.maxLine = maxLine;
        }

        /** The command words a request starts with; repeat one to make it more common. */
        public Builder words(String... words) {
            this.words = words.clone();
            return this;
        }

        /** Up to three of these follow the word. */
        public Builder arguments(String... arguments) {
            this.arguments = arguments.clone();
            return this;
        }

        /** What stands before each argument; the same choices make up the blank lines. */
        public Builder separators(String... separators) {
            this.separators = separators.clone();
            return this;
        }

        /** What may stand before the word (none unless given). */
        public Builder leadingBlanks(String... blanks) {
            this.leadingBlanks = blanks.clone();
            return this;
        }

        /** What may stand after the last argument (none unless given). */
        public Builder trailingBlanks(String... blanks) {
            this.trailingBlanks = blanks.clone();
            return this;
        }

        /** Some lines are random bytes, up to this many. */
        public Builder noiseOfUpTo(int bytes) {
            this.maxNoiseBytes = bytes;
            return this;
        }

        /** Some lines are an {@code echo} from this long to three bytes over the limit. */
        public Builder longLinesFrom(int length) {
            this.shortestLongLine = length;
            return this;
        }

        /** Some lines are followed by a CR alone, which ends nothing: that line runs on into the next. */
        public Builder bareCarriageReturns() {
            this.bareCarriageReturns = true;
            return this;
        }

        /** Streams of up to {@code maxLines} lines. */
        public Arbitrary<byte[]> ofUpTo(int maxLines) {
            if (words == null || arguments == null || separators == null || maxNoiseBytes < 0
                    || shortestLongLine < 0) {
                throw new IllegalStateException("words, arguments, separators, noise and long lines must be given");
            }
            Arbitrary<String> separator = Arbitraries.of(separators);
            Arbitrary<String> request = Combinators.combine(
                    Arbitraries.of(leadingBlanks),
                    Arbitraries.of(words),
                    Combinators.combine(separator, Arbitraries.of(arguments)).as(String::concat).list().ofMaxSize(3)
                            .map(args -> String.join("", args)),
                    Arbitraries.of(trailingBlanks))
                    .as((lead, word, args, trail) -> lead + word + args + trail);
            Arbitrary<byte[]> line = Arbitraries.frequencyOf(
                    Tuple.of(12, request.map(r -> r.getBytes(UTF_8))),
                    Tuple.of(2, Arbitraries.bytes().array(byte[].class).ofMaxSize(maxNoiseBytes)),
                    Tuple.of(1, Arbitraries.integers().between(shortestLongLine, maxLine + 3)
                            .map(n -> ("echo " + "x".repeat(n - 5)).getBytes(UTF_8))),
                    Tuple.of(1, separator.map(blank -> blank.getBytes(UTF_8))));
            List<Tuple.Tuple2<Integer, String>> ends = new ArrayList<>();
            ends.add(Tuple.of(10, "\r\n"));
            ends.add(Tuple.of(10, "\n"));
            if (bareCarriageReturns) {
                ends.add(Tuple.of(1, "\r"));
            }
            ends.add(Tuple.of(1, ""));
            Arbitrary<byte[]> end = Arbitraries.frequency(ends).map(e -> e.getBytes(UTF_8));
            return Combinators.combine(line, end).as((l, e) -> concat(List.of(l, e)))
                    .list().ofMaxSize(maxLines).map(RequestStreams::concat);
        }
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
