package io.deadbolt.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplyCodecTest {
    private static final Reply.Stats SOME_STATS = new Reply.Stats(List.of(
            new Reply.Stat("clients", "2"),
            new Reply.Stat("locks", "5"),
            new Reply.Stat("rusage_user", "0.123456"),
            new Reply.Stat("version", "0.1.0-SNAPSHOT")));
    private static final Reply.LockLine HELD_BY_WORKER =
            new Reply.LockLine("orders/1", 17, "worker-1", "10.0.0.5:41000", 1500, 2);
    private static final Reply.Locks SOME_LOCKS = new Reply.Locks(List.of(
            HELD_BY_WORKER, new Reply.LockLine("鍵", 9, "-", "-", 0, 0)), false);

    @Test
    void statusIsCodeSpaceTextCrLf() {
        assertThat(encode(Reply.acquired(42))).isEqualTo("200 Acquired token=42\r\n");
        assertThat(encode(Reply.UNAVAILABLE)).isEqualTo("409 Unavailable\r\n");
        assertThat(encode(Reply.NOT_YOURS)).isEqualTo("403 not_yours\r\n");
        assertThat(encode(Reply.BYE)).isEqualTo("200 Hey, it was nice seeing you.\r\n");
        assertThat(encode(Reply.LINE_TOO_LONG)).isEqualTo("400 line too long\r\n");
        assertThat(encode(Reply.resumed(3))).isEqualTo("200 conn id set resumed locks=3\r\n");
        assertThat(encode(new Reply.Status(503, "shutting down"))).isEqualTo("503 shutting down\r\n");
        assertThat(encode(new Reply.Status(100, ""))).isEqualTo("100 \r\n");
    }

    @Test
    void statusTextIsWrittenInUtf8() {
        assertThat(encodeBytes(Reply.ok("clé 🔒"))).isEqualTo("200 clé 🔒\r\n".getBytes(UTF_8));
    }

    @Test
    void statsIsHeaderStatLinesThenEnd() {
        assertThat(encode(SOME_STATS)).isEqualTo("200 STATS\r\n"
                + "STAT clients 2\r\n"
                + "STAT locks 5\r\n"
                + "STAT rusage_user 0.123456\r\n"
                + "STAT version 0.1.0-SNAPSHOT\r\n"
                + "END\r\n");
        assertThat(encode(new Reply.Stats(List.of()))).isEqualTo("200 STATS\r\nEND\r\n");
    }

    @Test
    void decoderReadsStatusLinesWithCrLfOrLf() {
        EmbeddedChannel channel = replyDecoder(() -> null);
        channel.writeInbound(utf8("200 Acquired token=7\r\n409 Unavailable\n403 not_locked\r\n200\r\n"));
        assertThat(readAll(channel)).containsExactly(
                Reply.acquired(7), Reply.UNAVAILABLE, Reply.NOT_LOCKED, new Reply.Status(200, ""));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void decoderReadsBackEveryStatusTheEncoderWrote() {
        List<Reply> replies = List.of(Reply.acquired(Long.MAX_VALUE), Reply.UNAVAILABLE, Reply.UNLOCKED,
                Reply.NOT_YOURS, Reply.NOT_LOCKED, Reply.ALL_UNLOCKED, Reply.CONN_ID_NEW, Reply.resumed(0),
                Reply.CONN_ID_REFUSED, Reply.TIMEOUT_SET, Reply.BYE, Reply.LINE_TOO_LONG,
                Reply.badRequest("Unknown command: \"LOCK\""), Reply.ok("héllo  two spaces"),
                new Reply.Status(100, ""), new Reply.Status(999, "x"));
        EmbeddedChannel channel = replyDecoder(() -> null);
        for (Reply reply : replies) {
            channel.writeInbound(Unpooled.wrappedBuffer(encodeBytes(reply)));
        }
        assertThat(readAll(channel)).containsExactlyElementsOf(replies);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void statsReplyIsGatheredUpToEndWhenAStatsReplyIsNext() {
        EmbeddedChannel channel = replyDecoder(() -> CommandType.STATS);
        byte[] bytes = encodeBytes(SOME_STATS);
        // Byte by byte, so the decoder has to keep the partial stats between reads.
        for (int i = 0; i < bytes.length - 1; i++) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {bytes[i]}));
            assertThat(readAll(channel)).as("after byte %d", i).isEmpty();
        }
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {bytes[bytes.length - 1]}));
        assertThat(readAll(channel)).containsExactly(SOME_STATS);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void statsHeaderIsAPlainStatusWhenNoStatsReplyIsNext() {
        EmbeddedChannel channel = replyDecoder(() -> null);
        channel.writeInbound(utf8("200 STATS\r\n200 Unlocked\r\n"));
        assertThat(readAll(channel)).containsExactly(Reply.ok("STATS"), Reply.UNLOCKED);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void echoStatsFollowedByStatsInOneReadIsToldApartByThePendingRequests() {
        Deque<Command> pending = new ArrayDeque<>(List.of(
                new Command.Echo("STATS"), new Command.Stats(), new Command.Echo("STATS")));
        EmbeddedChannel channel = replyDecoder(() -> pending.isEmpty() ? null : pending.peek().type());
        // Answers are matched to requests as they come out of the decoder, as a client would.
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                pending.remove();
                ctx.fireChannelRead(msg);
            }
        });
        ByteBuf all = Unpooled.wrappedBuffer(
                encodeBytes(Reply.ok("STATS")), encodeBytes(SOME_STATS), encodeBytes(Reply.ok("STATS")));
        channel.writeInbound(all);
        assertThat(readAll(channel)).containsExactly(Reply.ok("STATS"), SOME_STATS, Reply.ok("STATS"));
        assertThat(pending).isEmpty();
        assertThat(all.refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "20 OK", "2000 OK", "200OK", "OK 200", "", "END", "STAT pid 1",
            "-20 x", "099 x", "000 x", "٢٠٠ OK", "２００ OK"})
    void lineThatIsNotAReplyIsACorruptedFrame(String line) {
        EmbeddedChannel channel = replyDecoder(() -> CommandType.STATS);
        ByteBuf input = Unpooled.wrappedBuffer((line + "\r\n").getBytes(UTF_8));
        assertThatThrownBy(() -> channel.writeInbound(input)).isInstanceOf(CorruptedFrameException.class);
        assertThat(input.refCnt()).isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void malformedStatLineInsideAStatsReplyIsACorruptedFrame() {
        EmbeddedChannel channel = replyDecoder(() -> CommandType.STATS);
        assertThatThrownBy(() -> channel.writeInbound(utf8("200 STATS\r\nSTAT onlyname\r\nEND\r\n")))
                .isInstanceOf(CorruptedFrameException.class);
        channel.finishAndReleaseAll();
    }

    @Test
    void infoRepliesAreStatusLines() {
        assertThat(encode(Reply.held(HELD_BY_WORKER)))
                .isEqualTo("200 held token=17 holder=worker-1 peer=10.0.0.5:41000 held_ms=1500 waiters=2\r\n");
        assertThat(encode(Reply.FREE)).isEqualTo("200 free waiters=0\r\n");
        assertThat(encode(Reply.NAME_SET)).isEqualTo("200 name set\r\n");
    }

    @Test
    void locksIsHeaderLockLinesThenEnd() {
        assertThat(encode(SOME_LOCKS)).isEqualTo("200 LOCKS\r\n"
                + "LOCK orders/1 token=17 holder=worker-1 peer=10.0.0.5:41000 held_ms=1500 waiters=2\r\n"
                + "LOCK 鍵 token=9 holder=- peer=- held_ms=0 waiters=0\r\n"
                + "END\r\n");
        assertThat(encode(new Reply.Locks(List.of(HELD_BY_WORKER), true))).isEqualTo("200 LOCKS\r\n"
                + "LOCK orders/1 token=17 holder=worker-1 peer=10.0.0.5:41000 held_ms=1500 waiters=2\r\n"
                + "TRUNCATED\r\n"
                + "END\r\n");
        assertThat(encode(new Reply.Locks(List.of(), false))).isEqualTo("200 LOCKS\r\nEND\r\n");
    }

    @Test
    void locksReplyIsGatheredUpToEndWhenALocksReplyIsNext() {
        EmbeddedChannel channel = replyDecoder(() -> CommandType.LOCKS);
        Reply.Locks truncated = new Reply.Locks(List.of(HELD_BY_WORKER), true);
        byte[] bytes = encodeBytes(SOME_LOCKS);
        for (int i = 0; i < bytes.length - 1; i++) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {bytes[i]}));
            assertThat(readAll(channel)).as("after byte %d", i).isEmpty();
        }
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {bytes[bytes.length - 1]}));
        channel.writeInbound(Unpooled.wrappedBuffer(encodeBytes(truncated)));
        channel.writeInbound(Unpooled.wrappedBuffer(encodeBytes(new Reply.Locks(List.of(), false))));
        assertThat(readAll(channel)).containsExactly(SOME_LOCKS, truncated, new Reply.Locks(List.of(), false));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void locksHeaderIsAPlainStatusUnlessALocksReplyIsNext() {
        EmbeddedChannel channel = replyDecoder(() -> CommandType.STATS);
        channel.writeInbound(utf8("200 LOCKS\r\n"));
        assertThat(readAll(channel)).containsExactly(Reply.ok("LOCKS"));
        EmbeddedChannel echo = replyDecoder(() -> CommandType.ECHO);
        echo.writeInbound(utf8("200 LOCKS\r\n200 STATS\r\n"));
        assertThat(readAll(echo)).containsExactly(Reply.ok("LOCKS"), Reply.ok("STATS"));
        assertThat(channel.finish()).isFalse();
        assertThat(echo.finish()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"LOCK", "LOCK a", "LOCK a token=1 holder=- peer=- held_ms=0",
            "LOCK a token=1 holder=- peer=- held_ms=0 waiters=0 extra=1", "LOCK a token=x holder=- peer=- held_ms=0 waiters=0",
            "LOCK a tokens=1 holder=- peer=- held_ms=0 waiters=0", "LOCK a token=1 peer=- holder=- held_ms=0 waiters=0",
            "LOCK a token=1 holder= peer=- held_ms=0 waiters=0", "LOCKS a token=1 holder=- peer=- held_ms=0 waiters=0",
            "STAT pid 1", "TRUNCATED\r\nLOCK a token=1 holder=- peer=- held_ms=0 waiters=0"})
    void malformedLineInsideALocksReplyIsACorruptedFrame(String line) {
        EmbeddedChannel channel = replyDecoder(() -> CommandType.LOCKS);
        ByteBuf input = utf8("200 LOCKS\r\n" + line + "\r\nEND\r\n");
        assertThatThrownBy(() -> channel.writeInbound(input)).isInstanceOf(CorruptedFrameException.class);
        channel.finishAndReleaseAll();
    }

    private static EmbeddedChannel replyDecoder(Supplier<CommandType> nextReplyTo) {
        return new EmbeddedChannel(new ReplyDecoder(1024, nextReplyTo));
    }

    private static ByteBuf utf8(String text) {
        return Unpooled.copiedBuffer(text, UTF_8);
    }

    private static String encode(Reply reply) {
        return new String(encodeBytes(reply), UTF_8);
    }

    private static byte[] encodeBytes(Reply reply) {
        EmbeddedChannel channel = new EmbeddedChannel(ReplyEncoder.INSTANCE);
        assertThat(channel.writeOutbound(reply)).isTrue();
        ByteBuf out = channel.readOutbound();
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
            assertThat(channel.finish()).isFalse();
        }
    }

    private static List<Object> readAll(EmbeddedChannel channel) {
        List<Object> out = new ArrayList<>();
        for (Object msg = channel.readInbound(); msg != null; msg = channel.readInbound()) {
            out.add(msg);
        }
        return out;
    }
}
