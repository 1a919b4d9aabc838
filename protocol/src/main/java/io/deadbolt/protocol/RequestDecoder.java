package io.deadbolt.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Server side: splits the byte stream into lines (LF, with an optional CR before it) and parses each
 * non-blank line into a {@link Request}. Blank lines produce nothing. A line over the limit produces
 * one {@link Request.LineTooLong} and everything after it is discarded, since the caller closes the
 * connection. Not sharable: it keeps the scan position of the line being received.
 */
public final class RequestDecoder extends ByteToMessageDecoder {
    private final int maxLineBytes;
    private final CommandParser parser;
    /** How far the current partial line has already been searched for LF. */
    private int scanned;
    private boolean discarding;

    public RequestDecoder(ProtocolLimits limits) {
        this.maxLineBytes = limits.maxLineBytes();
        this.parser = new CommandParser(limits);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (discarding) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.isReadable()) {
            int start = in.readerIndex();
            int end = in.writerIndex();
            int lf = in.indexOf(start + scanned, end, (byte) '\n');
            if (lf < 0) {
                scanned = end - start;
                // One byte of slack: the last byte may be the CR of a line of exactly the limit.
                if (scanned > maxLineBytes + 1) {
                    tooLong(in, out);
                }
                return;
            }
            scanned = 0;
            int length = lf - start;
            if (length > 0 && in.getByte(lf - 1) == '\r') {
                length--;
            }
            if (length > maxLineBytes) {
                tooLong(in, out);
                return;
            }
            Request request = parser.parse(in, start, length);
            in.readerIndex(lf + 1);
            if (request != null) {
                out.add(request);
            }
        }
    }

    private void tooLong(ByteBuf in, List<Object> out) {
        discarding = true;
        in.skipBytes(in.readableBytes());
        out.add(new Request.LineTooLong(maxLineBytes));
    }
}
