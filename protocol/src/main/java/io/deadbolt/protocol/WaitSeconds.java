package io.deadbolt.protocol;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** The WAIT argument of {@code lock}: decimal seconds on the wire, milliseconds inside. */
final class WaitSeconds {
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    /** Longer tokens cannot be a sane wait and would only cost time to parse. */
    private static final int MAX_TOKEN_LENGTH = 32;

    private WaitSeconds() {
    }

    /**
     * Parses {@code 5}, {@code 0.25}, {@code .5} or {@code 5.} into milliseconds, rounding a fraction of
     * a millisecond up so that a positive wait never becomes "do not wait". Returns -1 when the token
     * is not a non-negative decimal.
     */
    static long parseMillis(String token) {
        if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            return -1;
        }
        boolean digits = false;
        boolean dot = false;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c >= '0' && c <= '9') {
                digits = true;
            } else if (c == '.' && !dot) {
                dot = true;
            } else {
                return -1;
            }
        }
        if (!digits) {
            return -1;
        }
        BigDecimal millis = new BigDecimal(token).multiply(THOUSAND).setScale(0, RoundingMode.CEILING);
        if (millis.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            return Long.MAX_VALUE;
        }
        return millis.longValueExact();
    }

    /** Milliseconds as the shortest decimal seconds: 5000 is {@code 5}, 250 is {@code 0.25}. */
    static String format(long millis) {
        return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
    }
}
