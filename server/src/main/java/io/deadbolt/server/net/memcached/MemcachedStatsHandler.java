package io.deadbolt.server.net.memcached;

import io.deadbolt.protocol.Reply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only memcached-protocol listener, for the scrapers that read memcached's {@code stats}
 * (collectd, memcached_exporter, Telegraf, spymemcached, xmemcached). It knows only {@code stats},
 * {@code stats settings}, {@code version} and {@code quit}, and it has no way to reach a session or a
 * lock: it sees the same numbers as the main port's {@code stats} and nothing else.
 *
 * <p>Each request line comes from a {@link LineBasedFrameDecoder} placed before this handler (see
 * {@link #frameDecoder()}). One per connection.
 */
public final class MemcachedStatsHandler extends SimpleChannelInboundHandler<ByteBuf> {
    private static final Logger log = LoggerFactory.getLogger(MemcachedStatsHandler.class);
    /** memcached's own limit for a command line. */
    static final int MAX_LINE_BYTES = 2048;
    /**
     * Item counters that memcached_exporter requires in {@code stats}. deadbolt stores no items, so they
     * are always 0.
     */
    private static final List<Reply.Stat> ITEM_STATS = List.of(
            new Reply.Stat("cmd_set", "0"),
            new Reply.Stat("cas_misses", "0"),
            new Reply.Stat("cas_hits", "0"),
            new Reply.Stat("cas_badval", "0"));

    private static final Pattern WHITESPACE = Pattern.compile("\\s");

    private final Supplier<List<Reply.Stat>> stats;
    private final Supplier<List<Reply.Stat>> settings;
    private final String version;
    /** After {@code quit}: the lines that came with it are ignored, as memcached does. */
    private boolean closing;

    /**
     * @param stats    the main port's {@code stats} keys and values, read at each request
     * @param settings the server's effective configuration, for {@code stats settings}
     */
    public MemcachedStatsHandler(Supplier<List<Reply.Stat>> stats, Supplier<List<Reply.Stat>> settings,
                                 String version) {
        this.stats = stats;
        this.settings = settings;
        this.version = noSpaces(version);
    }

    /** The line splitter this handler reads from: one per connection. */
    public static LineBasedFrameDecoder frameDecoder() {
        return new LineBasedFrameDecoder(MAX_LINE_BYTES, true, true);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
        if (closing) {
            return;
        }
        String[] words = line.toString(StandardCharsets.UTF_8).trim().split("[ \t]+");
        switch (words[0]) {
            case "stats" -> {
                if (words.length == 1) {
                    List<Reply.Stat> all = new ArrayList<>(stats.get());
                    all.addAll(ITEM_STATS);
                    writeStats(ctx, all);
                } else if (words.length == 2 && words[1].equals("settings")) {
                    writeStats(ctx, settings.get());
                } else {
                    // stats slabs, stats items, ...: memcached's empty answer, since there is nothing to list.
                    writeStats(ctx, List.of());
                }
            }
            case "version" -> write(ctx, "VERSION " + version + "\r\n");
            case "quit" -> {
                // Replies to the requests before it, in the same read, are still on their way out.
                closing = true;
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
            default -> write(ctx, "ERROR\r\n");
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            closing = true;
            ctx.writeAndFlush(ascii(ctx, "CLIENT_ERROR line too long\r\n")).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (cause instanceof IOException) {
            log.debug("memcached stats connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("closing memcached stats connection from {} after an unexpected error",
                    ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    private static void writeStats(ChannelHandlerContext ctx, List<Reply.Stat> stats) {
        StringBuilder reply = new StringBuilder(stats.size() * 32 + 5);
        for (Reply.Stat stat : stats) {
            reply.append("STAT ").append(noSpaces(stat.name())).append(' ').append(noSpaces(stat.value())).append("\r\n");
        }
        reply.append("END\r\n");
        write(ctx, reply.toString());
    }

    private static void write(ChannelHandlerContext ctx, String text) {
        ctx.write(ascii(ctx, text), ctx.voidPromise());
    }

    private static ByteBuf ascii(ChannelHandlerContext ctx, String text) {
        return ByteBufUtil.writeUtf8(ctx.alloc(), text);
    }

    /** Scrapers split STAT lines on spaces: a value with one would shift every field after it. */
    private static String noSpaces(String value) {
        return value.isEmpty() ? "-" : WHITESPACE.matcher(value).replaceAll("_");
    }
}
