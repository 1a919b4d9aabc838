package io.deadbolt.protocol;

/**
 * The limits a request is checked against while it is parsed.
 *
 * @param maxLineBytes     longest request line, not counting CR LF
 * @param maxWaitMillis    longest WAIT a {@code lock} may ask for
 * @param maxTimeoutMillis longest grace period a {@code set_timeout} may ask for
 */
public record ProtocolLimits(int maxLineBytes, long maxWaitMillis, long maxTimeoutMillis) {
    public static final int DEFAULT_MAX_LINE_BYTES = 8192;
    public static final long DEFAULT_MAX_WAIT_MILLIS = 3_600_000;
    public static final long DEFAULT_MAX_TIMEOUT_MILLIS = 600_000;

    public static final ProtocolLimits DEFAULTS =
            new ProtocolLimits(DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_WAIT_MILLIS, DEFAULT_MAX_TIMEOUT_MILLIS);

    public ProtocolLimits {
        if (maxLineBytes < 16) {
            throw new IllegalArgumentException("maxLineBytes must be at least 16: " + maxLineBytes);
        }
        if (maxWaitMillis < 0 || maxTimeoutMillis < 0) {
            throw new IllegalArgumentException("limits must not be negative");
        }
    }
}
