package io.deadbolt.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing a line from its bytes must give exactly what parsing its text gives, hot path or not. */
class CommandParserBytesTest {
    private final CommandParser parser = new CommandParser(ProtocolLimits.DEFAULTS);

    private static List<byte[]> lines() {
        List<String> texts = new ArrayList<>(List.of(
                "lock a", "unlock a", "  lock\tname  ", "\tunlock  x-1/y:z ", "lock", "unlock", "lock a b",
                "unlock a b", "lock a 5", "lock a 0.25", "lock a -1", "Lock a", "locks a", "unlock_all", "conn_id",
                "conn_id abc", "set_timeout 10", "stats", "quit", "echo hi  there", "bogus", "", " ", "\t \t",
                "lock é", "unlock naïve", "lock a\u0001b", "lock a\rb", "lock a\u0000", "lock ~!@#$%^&*()",
                "lock a\u00a0b", "lock \u3000", "lock \ufffd", "lock 🔒"));
        texts.add("lock " + "x".repeat(Names.MAX_BYTES));
        texts.add("lock " + "x".repeat(Names.MAX_BYTES + 1));
        texts.add("unlock " + "y".repeat(Names.MAX_BYTES));
        texts.add("unlock " + "y".repeat(Names.MAX_BYTES + 1));
        List<byte[]> lines = new ArrayList<>();
        for (String text : texts) {
            lines.add(text.getBytes(StandardCharsets.UTF_8));
        }
        lines.add(new byte[] {'l', 'o', 'c', 'k', ' ', (byte) 0xff, 'a'});
        lines.add(new byte[] {'u', 'n', 'l', 'o', 'c', 'k', ' ', 'a', (byte) 0x80});
        lines.add(new byte[] {'l', 'o', 'c', 'k', ' ', 'a', 0x7f});
        return lines;
    }

    @Test
    void bytesParseLikeTheDecodedText() {
        for (byte[] line : lines()) {
            String text = new String(line, StandardCharsets.UTF_8);
            Request expected = CommandParser.isBlankLine(text) ? null : parser.parse(text);
            // Surrounded by other bytes, as a line sits in the decoder's cumulation buffer.
            ByteBuf buf = Unpooled.buffer().writeBytes("lock before\n".getBytes(StandardCharsets.US_ASCII))
                    .writeBytes(line).writeBytes("\r\nunlock after".getBytes(StandardCharsets.US_ASCII));
            try {
                assertThat(parser.parse(buf, 12, line.length)).as("line \"%s\"", text).isEqualTo(expected);
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void hotRequestsComeOutAsCommands() {
        ByteBuf buf = Unpooled.copiedBuffer("lock jobs/42", StandardCharsets.US_ASCII);
        try {
            assertThat(parser.parse(buf, 0, buf.readableBytes())).isEqualTo(new Command.Lock("jobs/42", 0));
            assertThat(parser.parse(buf, 2, 10)).isEqualTo(new Request.Invalid("Unknown command: \"ck\""));
        } finally {
            buf.release();
        }
    }
}
