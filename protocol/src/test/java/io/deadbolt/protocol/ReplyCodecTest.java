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
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplyCodecTest {
    private static final Reply.Stats SOME_STATS = new Reply.Stats(List.of(
            new Reply.Stat("clients", "2"),
            new Reply.Stat("locks", "5"),
            new Reply.Stat("rusage_user", "0.123456"),
            new Reply.Stat("version", "0.1.0-SNAPSHOT")));

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
        EmbeddedChannel channel = replyDecoder(() -> false);
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
        EmbeddedChannel channel = replyDecoder(() -> false);
        for (Reply reply : replies) {
            channel.writeInbound(Unpooled.wrappedBuffer(encodeBytes(reply)));
        }
        assertThat(readAll(channel)).containsExactlyElementsOf(replies);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void statsReplyIsGatheredUpToEndWhenAStatsReplyIsNext() {
        EmbeddedChannel channel = replyDecoder(() -> true);
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
        EmbeddedChannel channel = replyDecoder(() -> false);
        channel.writeInbound(utf8("200 STATS\r\n200 Unlocked\r\n"));
        assertThat(readAll(channel)).containsExactly(Reply.ok("STATS"), Reply.UNLOCKED);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void echoStatsFollowedByStatsInOneReadIsToldApartByThePendingRequests() {
        Deque<Command> pending = new ArrayDeque<>(List.of(
                new Command.Echo("STATS"), new Command.Stats(), new Command.Echo("STATS")));
        EmbeddedChannel channel = replyDecoder(() -> pending.peek() instanceof Command.Stats);
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
        EmbeddedChannel channel = replyDecoder(() -> true);
        ByteBuf input = Unpooled.wrappedBuffer((line + "\r\n").getBytes(UTF_8));
        assertThatThrownBy(() -> channel.writeInbound(input)).isInstanceOf(CorruptedFrameException.class);
        assertThat(input.refCnt()).isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void malformedStatLineInsideAStatsReplyIsACorruptedFrame() {
        EmbeddedChannel channel = replyDecoder(() -> true);
        assertThatThrownBy(() -> channel.writeInbound(utf8("200 STATS\r\nSTAT onlyname\r\nEND\r\n")))
                .isInstanceOf(CorruptedFrameException.class);
        channel.finishAndReleaseAll();
    }

    private static EmbeddedChannel replyDecoder(BooleanSupplier statsReplyNext) {
        return new EmbeddedChannel(new ReplyDecoder(1024, statsReplyNext));
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
