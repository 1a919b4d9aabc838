package io.deadbolt.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.charset.StandardCharsets;

/** Server side: writes a {@link Reply} as CRLF-terminated lines. Stateless, so one instance serves all. */
@ChannelHandler.Sharable
public final class ReplyEncoder extends MessageToByteEncoder<Reply> {
    public static final ReplyEncoder INSTANCE = new ReplyEncoder();

    private static final short CRLF = ('\r' << 8) | '\n';
    private static final byte[] STAT = "STAT ".getBytes(StandardCharsets.US_ASCII);

    private ReplyEncoder() {
        super(Reply.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Reply reply, ByteBuf out) {
        if (reply instanceof Reply.Status status) {
            writeStatus(status.code(), status.text(), out);
        } else if (reply instanceof Reply.Stats stats) {
            writeStatus(Reply.OK_CODE, Reply.Stats.HEADER, out);
            for (Reply.Stat stat : stats.stats()) {
                out.writeBytes(STAT);
                ByteBufUtil.writeUtf8(out, stat.name());
                out.writeByte(' ');
                ByteBufUtil.writeUtf8(out, stat.value());
                out.writeShort(CRLF);
            }
            ByteBufUtil.writeAscii(out, Reply.Stats.END);
            out.writeShort(CRLF);
        } else if (reply instanceof Reply.Locks locks) {
            writeStatus(Reply.OK_CODE, Reply.Locks.HEADER, out);
            for (Reply.LockLine lock : locks.locks()) {
                ByteBufUtil.writeAscii(out, Reply.Locks.LINE);
                out.writeByte(' ');
                ByteBufUtil.writeUtf8(out, lock.name());
                out.writeByte(' ');
                ByteBufUtil.writeUtf8(out, lock.attributes());
                out.writeShort(CRLF);
            }
            if (locks.truncated()) {
                ByteBufUtil.writeAscii(out, Reply.Locks.TRUNCATED);
                out.writeShort(CRLF);
            }
            ByteBufUtil.writeAscii(out, Reply.Locks.END);
            out.writeShort(CRLF);
        }
    }

    private static void writeStatus(int code, String text, ByteBuf out) {
        out.writeByte('0' + code / 100);
        out.writeByte('0' + code / 10 % 10);
        out.writeByte('0' + code % 10);
        out.writeByte(' ');
        ByteBufUtil.writeUtf8(out, text);
        out.writeShort(CRLF);
    }
}
