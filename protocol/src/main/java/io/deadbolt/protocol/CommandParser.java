package io.deadbolt.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one request line (line ending already removed) into a {@link Command}, or into a
 * {@link Request.Invalid} whose reason is the text of the {@code 400} reply. It never throws for bad
 * input.
 */
public final class CommandParser {
    private final ProtocolLimits limits;

    public CommandParser(ProtocolLimits limits) {
        this.limits = limits;
    }

    /** Splits on runs of spaces and tabs; leading and trailing ones are ignored. */
    static List<String> tokens(String line) {
        List<String> tokens = new ArrayList<>(3);
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && isBlank(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isBlank(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                tokens.add(line.substring(start, i));
            }
        }
        return tokens;
    }

    static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    /** True for a line the protocol ignores: empty or only spaces and tabs. */
    public static boolean isBlankLine(CharSequence line) {
        for (int i = 0; i < line.length(); i++) {
            if (!isBlank(line.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static final byte[] LOCK_WORD = CommandType.LOCK.word().getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UNLOCK_WORD = CommandType.UNLOCK.word().getBytes(StandardCharsets.US_ASCII);

    /**
     * The same as {@link #parse(String)} of the line's UTF-8 text, for the line of {@code length} bytes at
     * {@code index} in {@code buf} (line ending removed), or null for a blank line. The requests that carry
     * the load, {@code lock NAME} and {@code unlock NAME} in printable ASCII, are read straight from the
     * bytes, so that only the name becomes a string; every other line is decoded and parsed as text.
     */
    public Request parse(ByteBuf buf, int index, int length) {
        int end = index + length;
        int wordStart = -1;
        int wordEnd = -1;
        int argStart = -1;
        int argEnd = -1;
        int tokens = 0;
        int i = index;
        while (i < end) {
            byte b = buf.getByte(i);
            if (b == ' ' || b == '\t') {
                i++;
                continue;
            }
            int start = i;
            while (i < end && (b = buf.getByte(i)) != ' ' && b != '\t') {
                if (b < 0x21 || b > 0x7e) {
                    return parseText(buf, index, length);
                }
                i++;
            }
            tokens++;
            if (tokens == 1) {
                wordStart = start;
                wordEnd = i;
            } else if (tokens == 2) {
                argStart = start;
                argEnd = i;
            } else {
                return parseText(buf, index, length);
            }
        }
        if (tokens == 0) {
            return null;
        }
        // Printable ASCII without spaces is a valid name whenever it is short enough.
        if (tokens == 2 && argEnd - argStart <= Names.MAX_BYTES) {
            if (isWord(buf, wordStart, wordEnd, LOCK_WORD)) {
                return new Command.Lock(buf.toString(argStart, argEnd - argStart, StandardCharsets.US_ASCII), 0);
            }
            if (isWord(buf, wordStart, wordEnd, UNLOCK_WORD)) {
                return new Command.Unlock(buf.toString(argStart, argEnd - argStart, StandardCharsets.US_ASCII));
            }
        }
        return parseText(buf, index, length);
    }

    private Request parseText(ByteBuf buf, int index, int length) {
        String line = buf.toString(index, length, StandardCharsets.UTF_8);
        return isBlankLine(line) ? null : parse(line);
    }

    private static boolean isWord(ByteBuf buf, int start, int end, byte[] word) {
        if (end - start != word.length) {
            return false;
        }
        for (int i = 0; i < word.length; i++) {
            if (buf.getByte(start + i) != word[i]) {
                return false;
            }
        }
        return true;
    }

    public Request parse(String line) {
        List<String> tokens = tokens(line);
        if (tokens.isEmpty()) {
            return new Request.Invalid("empty request");
        }
        String word = tokens.get(0);
        CommandType type = CommandType.fromWord(word).orElse(null);
        if (type == null) {
            return new Request.Invalid("Unknown command: \"" + word + "\"");
        }
        int args = tokens.size() - 1;
        return switch (type) {
            case LOCK -> {
                if (args < 1 || args > 2) {
                    yield wrongArguments(type);
                }
                String name = tokens.get(1);
                if (!Names.isValid(name)) {
                    yield invalidName();
                }
                long wait = 0;
                if (args == 2) {
                    wait = WaitSeconds.parseMillis(tokens.get(2));
                    if (wait < 0) {
                        yield new Request.Invalid("invalid wait \"" + tokens.get(2)
                                + "\": expected seconds as a non-negative decimal, like 5 or 0.25");
                    }
                    if (wait > limits.maxWaitMillis()) {
                        yield new Request.Invalid("wait too long: at most "
                                + WaitSeconds.format(limits.maxWaitMillis()) + " seconds");
                    }
                }
                yield new Command.Lock(name, wait);
            }
            case UNLOCK -> {
                if (args != 1) {
                    yield wrongArguments(type);
                }
                String name = tokens.get(1);
                yield Names.isValid(name) ? new Command.Unlock(name) : invalidName();
            }
            case UNLOCK_ALL -> args == 0 ? new Command.UnlockAll() : wrongArguments(type);
            case CONN_ID -> {
                if (args == 0) {
                    yield new Command.GetConnId();
                }
                if (args != 1) {
                    yield wrongArguments(type);
                }
                String id = tokens.get(1);
                yield Names.isValid(id) ? new Command.SetConnId(id) : new Request.Invalid("invalid conn id");
            }
            case SET_TIMEOUT -> {
                if (args != 1) {
                    yield wrongArguments(type);
                }
                long millis = parseMillis(tokens.get(1));
                if (millis < 0 || millis > limits.maxTimeoutMillis()) {
                    yield new Request.Invalid("invalid timeout \"" + tokens.get(1)
                            + "\": expected milliseconds from 0 to " + limits.maxTimeoutMillis());
                }
                yield new Command.SetTimeout(millis);
            }
            case STATS -> args == 0 ? new Command.Stats() : wrongArguments(type);
            case QUIT -> args == 0 ? new Command.Quit() : wrongArguments(type);
            case ECHO -> args == 0 ? wrongArguments(type)
                    : new Command.Echo(String.join(" ", tokens.subList(1, tokens.size())));
            case AUTH -> args == 1 ? new Command.Auth(tokens.get(1)) : wrongArguments(type);
            case SET_NAME -> {
                if (args != 1) {
                    yield wrongArguments(type);
                }
                String label = tokens.get(1);
                yield Names.isValidLabel(label) ? new Command.SetName(label) : new Request.Invalid("invalid name");
            }
            case INFO -> {
                if (args != 1) {
                    yield wrongArguments(type);
                }
                String name = tokens.get(1);
                yield Names.isValid(name) ? new Command.Info(name) : invalidName();
            }
            case LOCKS -> {
                if (args > 1) {
                    yield wrongArguments(type);
                }
                if (args == 0) {
                    yield new Command.Locks("");
                }
                String prefix = tokens.get(1);
                yield Names.isValid(prefix) ? new Command.Locks(prefix) : invalidName();
            }
        };
    }

    /** A non-negative decimal integer, or -1; values past 18 digits are refused rather than wrapped. */
    private static long parseMillis(String token) {
        if (token.isEmpty() || token.length() > 18) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static Request.Invalid wrongArguments(CommandType type) {
        return new Request.Invalid("wrong number of arguments for '" + type.word() + "'");
    }

    private static Request.Invalid invalidName() {
        return new Request.Invalid("invalid lock name");
    }
}
