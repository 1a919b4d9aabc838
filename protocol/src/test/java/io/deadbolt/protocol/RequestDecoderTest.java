package io.deadbolt.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestDecoderTest {
    private static final int MAX_LINE = 32;
    private static final ProtocolLimits LIMITS = new ProtocolLimits(
            MAX_LINE, ProtocolLimits.DEFAULT_MAX_WAIT_MILLIS, ProtocolLimits.DEFAULT_MAX_TIMEOUT_MILLIS);

    private final EmbeddedChannel channel = new EmbeddedChannel(new RequestDecoder(LIMITS));
    private final List<ByteBuf> written = new ArrayList<>();

    @AfterEach
    void closesCleanlyWithoutLeaks() {
        channel.checkException();
        // A partial line left at close must not be forwarded as a raw ByteBuf or parsed.
        assertThat(channel.finish()).as("messages left in the channel").isFalse();
        assertThat(written).allSatisfy(buf -> assertThat(buf.refCnt()).as("refCnt of an input buffer").isZero());
    }

    @Test
    void requestFedByteByByteIsDecodedOnceTheLfArrives() {
        byte[] line = "lock a 5\r\n".getBytes(UTF_8);
        for (int i = 0; i < line.length - 1; i++) {
            write(new byte[] {line[i]});
            assertThat(readAll()).as("after byte %d", i).isEmpty();
        }
        write(new byte[] {'\n'});
        assertThat(readAll()).containsExactly(new Command.Lock("a", 5000));
    }

    @Test
    void pipelinedLinesWithMixedLineEndingsComeOutInOrder() {
        write("lock a\r\nunlock a\nstats\r\nconn_id\necho hi\r\n");
        assertThat(readAll()).containsExactly(
                new Command.Lock("a", 0),
                new Command.Unlock("a"),
                new Command.Stats(),
                new Command.GetConnId(),
                new Command.Echo("hi"));
    }

    @Test
    void lineSplitAcrossWritesIsJoined() {
        write("lo");
        write("ck na");
        write("me 0.2");
        assertThat(readAll()).isEmpty();
        write("5\nunl");
        assertThat(readAll()).containsExactly(new Command.Lock("name", 250));
        write("ock name\n");
        assertThat(readAll()).containsExactly(new Command.Unlock("name"));
    }

    @Test
    void shortLineRightAfterALineThatArrivedInPiecesIsNotSkipped() {
        write("echo 0123456789");
        write("\nquit\nstats\n");
        assertThat(readAll()).containsExactly(new Command.Echo("0123456789"), new Command.Quit(), new Command.Stats());
    }

    @Test
    void crAndLfInSeparateWritesEndOneLine() {
        write("lock a\r");
        assertThat(readAll()).isEmpty();
        write("\n");
        assertThat(readAll()).containsExactly(new Command.Lock("a", 0));
    }

    @Test
    void crNotFollowedByLfStaysPartOfTheLine() {
        write("lock a\r");
        write("b\n");
        assertThat(readAll()).containsExactly(new Request.Invalid("invalid lock name"));

        write("lock a\rb\r\n");
        assertThat(readAll()).containsExactly(new Request.Invalid("invalid lock name"));
    }

    @Test
    void onlyOneCrBeforeTheLfIsDropped() {
        write("lock a\r\r\n");
        assertThat(readAll()).containsExactly(new Request.Invalid("invalid lock name"));
    }

    @Test
    void tabsAndRunsOfSpacesSeparateTokens() {
        write("lock\t\ta \t 5\n");
        write("echo   one\ttwo \t three\r\n");
        assertThat(readAll()).containsExactly(new Command.Lock("a", 5000), new Command.Echo("one two three"));
    }

    @Test
    void leadingAndTrailingWhitespaceIsIgnored() {
        write("  \tlock a\t  \n");
        write("\t unlock a \t\r\n");
        assertThat(readAll()).containsExactly(new Command.Lock("a", 0), new Command.Unlock("a"));
    }

    @Test
    void blankAndWhitespaceOnlyLinesGiveNothing() {
        write("\n");
        write("\r\n");
        write("   \n");
        write("\t \t\r\n");
        write("\n\n \r\n\t\n");
        assertThat(readAll()).isEmpty();

        write("quit\n");
        assertThat(readAll()).containsExactly(new Command.Quit());
    }

    @Test
    void lineOfExactlyTheLimitIsAccepted() {
        String line = echoLine(MAX_LINE);
        write(line + "\n");
        write(line + "\r\n");
        Command.Echo echo = new Command.Echo(line.substring("echo ".length()));
        assertThat(readAll()).containsExactly(echo, echo);
    }

    @Test
    void lineOfExactlyTheLimitIsAcceptedWhenCrAndLfArriveSeparately() {
        String line = echoLine(MAX_LINE);
        write(line + "\r");
        assertThat(readAll()).isEmpty();
        write("\n");
        assertThat(readAll()).containsExactly(new Command.Echo(line.substring("echo ".length())));
    }

    @Test
    void lineOneByteOverTheLimitIsTooLong() {
        write("quit\n" + echoLine(MAX_LINE + 1) + "\n");
        assertThat(readAll()).containsExactly(new Command.Quit(), new Request.LineTooLong(MAX_LINE));
    }

    @Test
    void lineOneByteOverTheLimitEndingInCrIsTooLong() {
        write(echoLine(MAX_LINE + 1) + "\r\n");
        assertThat(readAll()).containsExactly(new Request.LineTooLong(MAX_LINE));
    }

    @Test
    void longLineWithoutLfIsTooLongAsSoonAsItPassesTheLimitPlusCrSlack() {
        // MAX_LINE + 1 bytes could still be a full line followed by its CR.
        write(echoLine(MAX_LINE) + "x");
        assertThat(readAll()).isEmpty();
        write("y");
        assertThat(readAll()).containsExactly(new Request.LineTooLong(MAX_LINE));
    }

    @Test
    void longLineFedByteByByteIsTooLongAtLimitPlusTwoBytes() {
        byte[] line = echoLine(MAX_LINE + 10).getBytes(UTF_8);
        for (int i = 0; i < MAX_LINE + 1; i++) {
            write(new byte[] {line[i]});
        }
        assertThat(readAll()).isEmpty();
        write(new byte[] {line[MAX_LINE + 1]});
        assertThat(readAll()).containsExactly(new Request.LineTooLong(MAX_LINE));
    }

    @Test
    void nothingIsDecodedAfterLineTooLong() {
        write(echoLine(MAX_LINE + 5));
        assertThat(readAll()).containsExactly(new Request.LineTooLong(MAX_LINE));

        write("\nquit\n");
        write("lock a\r\n");
        write(echoLine(MAX_LINE + 5) + "\n");
        assertThat(readAll()).isEmpty();
    }

    @Test
    void bytesThatAreNotUtf8InALockNameMakeItInvalid() {
        write(bytes("lock ", 0xFF, "\n"));
        write(bytes("lock a", 0xC3, "\n"));
        write(bytes("unlock ", 0xC0, 0xAF, "\n"));
        write(bytes("lock ", 0xED, 0xA0, 0x80, " 5\n"));
        assertThat(readAll()).containsExactly(
                new Request.Invalid("invalid lock name"),
                new Request.Invalid("invalid lock name"),
                new Request.Invalid("invalid lock name"),
                new Request.Invalid("invalid lock name"));
    }

    @Test
    void bytesThatAreNotUtf8InAConnIdMakeItInvalid() {
        write(bytes("conn_id ab", 0xFE, "\n"));
        assertThat(readAll()).containsExactly(new Request.Invalid("invalid conn id"));
    }

    @Test
    void utf8NameSplitInsideACharacterIsDecodedWhole() {
        byte[] line = "lock é€\n".getBytes(UTF_8);
        for (byte b : line) {
            write(new byte[] {b});
        }
        assertThat(readAll()).containsExactly(new Command.Lock("é€", 0));
    }

    @Test
    void invalidLineDoesNotStopTheFollowingOnes() {
        write("LOCK a\nlock\nlock a\n");
        assertThat(readAll()).containsExactly(
                new Request.Invalid("Unknown command: \"LOCK\""),
                new Request.Invalid("wrong number of arguments for 'lock'"),
                new Command.Lock("a", 0));
    }

    @Test
    void partialLineAtCloseIsDroppedAndReleased() {
        write("lock a");
        assertThat(readAll()).isEmpty();
        // closesCleanlyWithoutLeaks checks that finish() produces nothing and the buffer is released.
    }

    /** {@code echo xxx...} of exactly {@code length} bytes. */
    private static String echoLine(int length) {
        return "echo " + "x".repeat(length - "echo ".length());
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.writeBytes(s.getBytes(UTF_8));
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }

    private void write(String text) {
        write(text.getBytes(UTF_8));
    }

    private void write(byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        written.add(buf);
        channel.writeInbound(buf);
    }

    private List<Object> readAll() {
        List<Object> out = new ArrayList<>();
        for (Object msg = channel.readInbound(); msg != null; msg = channel.readInbound()) {
            out.add(msg);
        }
        return out;
    }
}
