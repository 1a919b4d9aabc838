package io.deadbolt.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One generator connection: splits the reply stream into lines, matches each line with the oldest request
 * in flight (both protocols answer in request order), and records that request's round trip. Subclasses
 * decide what to send next. Requests written while handling one read go out in a single buffer and
 * flush, as a client library with pipelining would send them.
 */
abstract class Driver extends ByteToMessageDecoder {
    static final byte LOCK = 1;
    static final byte UNLOCK = 2;

    final RunContext run;
    final DriverGroup group;
    ChannelHandlerContext ctx;
    SingleWriterRecorder recorder;
    private ByteBuf outgoing;
    private boolean finished;
    private boolean failed;

    // Requests in flight, oldest first, in a ring: when each was sent, what it was, which slot it used.
    private final long[] sentAt;
    private final byte[] kinds;
    private final int[] slots;
    private final int mask;
    private int head;
    int inFlight;

    Driver(RunContext run, DriverGroup group, int maxInFlight) {
        this.run = run;
        this.group = group;
        int capacity = Integer.highestOneBit(Math.max(2, maxInFlight) * 2 - 1);
        sentAt = new long[capacity];
        kinds = new byte[capacity];
        slots = new int[capacity];
        mask = capacity - 1;
    }

    /** Sends the first requests; called on the channel's event loop. */
    abstract void start();

    /** Handles the reply to the oldest request in flight, already taken off the ring. */
    abstract void onReply(byte kind, int slot, long sentNanos, long nowNanos, ByteBuf in, int start, int length);

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        recorder = group.records ? run.recorderFor(ctx.channel().eventLoop()) : null;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx);
        if (group.startOnConnect) {
            start();
            flush();
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int lf;
        while (!finished && (lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n')) >= 0) {
            int start = in.readerIndex();
            int length = lf - start;
            if (length > 0 && in.getByte(lf - 1) == '\r') {
                length--;
            }
            in.readerIndex(lf + 1);
            if (inFlight == 0) {
                fail("reply with no request in flight: " + line(in, start, length));
                break;
            }
            byte kind = kinds[head];
            int slot = slots[head];
            long sent = sentAt[head];
            head = (head + 1) & mask;
            inFlight--;
            long now = System.nanoTime();
            onReply(kind, slot, sent, now, in, start, length);
        }
        if (finished) {
            in.skipBytes(in.readableBytes());
        }
        flush();
    }

    /** Buffers a request and remembers it as in flight; the caller writes its bytes into the returned buffer. */
    final ByteBuf request(byte kind, int slot, long nowNanos) {
        if (inFlight == sentAt.length) {
            throw new IllegalStateException("more requests in flight than the ring holds");
        }
        int tail = (head + inFlight) & mask;
        sentAt[tail] = nowNanos;
        kinds[tail] = kind;
        slots[tail] = slot;
        inFlight++;
        if (outgoing == null) {
            outgoing = ctx.alloc().ioBuffer(512);
        }
        return outgoing;
    }

    final void flush() {
        if (outgoing != null) {
            ByteBuf buf = outgoing;
            outgoing = null;
            if (finished) {
                buf.release();
            } else {
                ctx.writeAndFlush(buf, ctx.voidPromise());
            }
        }
    }

    final void record(long latencyNanos) {
        if (recorder != null) {
            recorder.recordValue(Math.max(1, latencyNanos));
        }
    }

    /** This connection has nothing more in flight and sends nothing more. */
    final void finish() {
        if (!finished) {
            finished = true;
            group.finished();
        }
    }

    final boolean isFinished() {
        return finished;
    }

    final void fail(String message) {
        if (failed) {
            return;
        }
        failed = true;
        run.errors().add(message);
        finish();
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!failed && !run.isClosing()) {
            run.errors().add("connection closed by the server with " + inFlight + " request(s) in flight");
        }
        finish();
        if (outgoing != null) {
            outgoing.release();
            outgoing = null;
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException) || !run.isClosing()) {
            fail("connection error: " + cause);
        }
    }

    static String line(ByteBuf in, int start, int length) {
        String text = in.toString(start, Math.min(length, 200), StandardCharsets.UTF_8);
        return "\"" + text + "\"";
    }
}
