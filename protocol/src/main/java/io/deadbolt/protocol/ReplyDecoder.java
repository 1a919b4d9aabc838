package io.deadbolt.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Client side: turns reply lines into {@link Reply} values. {@code 200 STATS} cannot be told from
 * {@code echo STATS} by its first line (nor {@code 200 LOCKS} from {@code echo LOCKS}), so the caller
 * says, through {@code nextReplyTo}, which request the next reply answers: the type of the oldest
 * unanswered request, or null if there is none. Only after the header of a {@code stats} or
 * {@code locks} request are lines gathered up to {@code END}. A line that is not a reply at all means
 * the peer does not speak this protocol, and is raised as a {@link CorruptedFrameException}.
 */
public final class ReplyDecoder extends LineBasedFrameDecoder {
    private final Supplier<CommandType> nextReplyTo;
    private List<Reply.Stat> stats;
    private List<Reply.LockLine> locks;
    private boolean truncated;

    public ReplyDecoder(int maxLineBytes, Supplier<CommandType> nextReplyTo) {
        super(maxLineBytes, true, false);
        this.nextReplyTo = nextReplyTo;
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
            if (locks != null) {
                if (line.equals(Reply.Locks.END)) {
                    Reply.Locks reply = new Reply.Locks(locks, truncated);
                    locks = null;
                    truncated = false;
                    return reply;
                }
                if (line.equals(Reply.Locks.TRUNCATED) && !truncated) {
                    truncated = true;
                } else if (truncated) {
                    throw new CorruptedFrameException("a locks reply goes on after TRUNCATED: " + abbreviate(line));
                } else {
                    locks.add(parseLockLine(line));
                }
                continue;
            }
            Reply.Status status = parseStatus(line);
            if (status.isOk() && status.text().equals(Reply.Stats.HEADER)
                    && nextReplyTo.get() == CommandType.STATS) {
                stats = new ArrayList<>();
                continue;
            }
            if (status.isOk() && status.text().equals(Reply.Locks.HEADER)
                    && nextReplyTo.get() == CommandType.LOCKS) {
                locks = new ArrayList<>();
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

    /** {@code LOCK name token=T holder=LABEL peer=ADDR:PORT held_ms=N waiters=W}, exactly. */
    private static Reply.LockLine parseLockLine(String line) {
        String[] parts = line.split(" ", -1);
        if (parts.length != 7 || !parts[0].equals(Reply.Locks.LINE) || parts[1].isEmpty()) {
            throw new CorruptedFrameException("not a LOCK line: " + abbreviate(line));
        }
        try {
            return new Reply.LockLine(parts[1], Long.parseLong(attribute(parts[2], "token", line)),
                    attribute(parts[3], "holder", line), attribute(parts[4], "peer", line),
                    Long.parseLong(attribute(parts[5], "held_ms", line)),
                    Integer.parseInt(attribute(parts[6], "waiters", line)));
        } catch (NumberFormatException e) {
            throw new CorruptedFrameException("not a LOCK line: " + abbreviate(line));
        }
    }

    private static String attribute(String part, String key, String line) {
        if (!part.startsWith(key) || part.length() <= key.length() + 1 || part.charAt(key.length()) != '=') {
            throw new CorruptedFrameException("not a LOCK line: " + abbreviate(line));
        }
        return part.substring(key.length() + 1);
    }

    private static String abbreviate(String line) {
        return line.length() <= 80 ? line : line.substring(0, 80) + "...";
    }
}
