package io.deadbolt.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Client side: turns reply lines into {@link Reply} values. {@code 200 STATS} cannot be told from
 * {@code echo STATS} by its first line, so the caller says, through {@code statsReplyNext}, whether
 * the oldest unanswered request is a {@code stats}; only then are lines gathered up to {@code END}.
 * A line that is not a reply at all means the peer does not speak this protocol, and is raised as a
 * {@link CorruptedFrameException}.
 */
public final class ReplyDecoder extends LineBasedFrameDecoder {
    private final BooleanSupplier statsReplyNext;
    private List<Reply.Stat> stats;

    public ReplyDecoder(int maxLineBytes, BooleanSupplier statsReplyNext) {
        super(maxLineBytes, true, false);
        this.statsReplyNext = statsReplyNext;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf buffer) throws Exception {
        while (true) {
            ByteBuf frame = (ByteBuf) super.decode(ctx, buffer);
            if (frame == null) {
                return null;
            }
            String line;
            try {
                line = frame.toString(StandardCharsets.UTF_8);
            } finally {
                frame.release();
            }
            if (stats != null) {
                if (line.equals(Reply.Stats.END)) {
                    Reply.Stats reply = new Reply.Stats(stats);
                    stats = null;
                    return reply;
                }
                stats.add(parseStat(line));
                continue;
            }
            Reply.Status status = parseStatus(line);
            if (status.isOk() && status.text().equals(Reply.Stats.HEADER) && statsReplyNext.getAsBoolean()) {
                stats = new ArrayList<>();
                continue;
            }
            return status;
        }
    }

    static Reply.Status parseStatus(String line) {
        // ASCII digits only (Character.isDigit would take other scripts' digits), and no leading 0: a
        // code below 100 is not a reply, and must not reach Status's constructor and its IAE.
        if (line.length() < 3 || !isAsciiDigit(line.charAt(0)) || line.charAt(0) == '0'
                || !isAsciiDigit(line.charAt(1)) || !isAsciiDigit(line.charAt(2))
                || (line.length() > 3 && line.charAt(3) != ' ')) {
            throw new CorruptedFrameException("not a deadbolt reply: " + abbreviate(line));
        }
        int code = Integer.parseInt(line, 0, 3, 10);
        return new Reply.Status(code, line.length() > 4 ? line.substring(4) : "");
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static Reply.Stat parseStat(String line) {
        String[] parts = line.split(" ", 3);
        if (parts.length != 3 || !parts[0].equals("STAT")) {
            throw new CorruptedFrameException("not a STAT line: " + abbreviate(line));
        }
        return new Reply.Stat(parts[1], parts[2]);
    }

    private static String abbreviate(String line) {
        return line.length() <= 80 ? line : line.substring(0, 80) + "...";
    }
}
