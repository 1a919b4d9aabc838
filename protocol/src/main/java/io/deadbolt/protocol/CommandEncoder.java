package io.deadbolt.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Client side: writes a {@link Command} as one CRLF-terminated line. Stateless and sharable. */
@ChannelHandler.Sharable
public final class CommandEncoder extends MessageToByteEncoder<Command> {
    public static final CommandEncoder INSTANCE = new CommandEncoder();

    private CommandEncoder() {
        super(Command.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Command command, ByteBuf out) {
        ByteBufUtil.writeUtf8(out, command.toLine());
        out.writeByte('\r');
        out.writeByte('\n');
    }
}
