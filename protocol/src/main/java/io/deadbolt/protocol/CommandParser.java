package io.deadbolt.protocol;

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
