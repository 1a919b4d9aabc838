package io.deadbolt.protocol;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The wire table: every request word the server understands, as the client types it. */
public enum CommandType {
    LOCK("lock"),
    UNLOCK("unlock"),
    UNLOCK_ALL("unlock_all"),
    CONN_ID("conn_id"),
    SET_TIMEOUT("set_timeout"),
    STATS("stats"),
    QUIT("quit"),
    ECHO("echo"),
    AUTH("auth"),
    SET_NAME("set_name"),
    INFO("info"),
    LOCKS("locks");

    private static final Map<String, CommandType> BY_WORD = new HashMap<>();

    static {
        for (CommandType type : values()) {
            BY_WORD.put(type.word, type);
        }
    }

    private final String word;

    CommandType(String word) {
        this.word = word;
    }

    /** The command word on the wire; lower-case and case-sensitive, as in elock. */
    public String word() {
        return word;
    }

    public static Optional<CommandType> fromWord(String word) {
        return Optional.ofNullable(BY_WORD.get(word));
    }
}
