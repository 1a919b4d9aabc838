package io.deadbolt.server;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Generated session ids: 128 bits from a CSPRNG as 32 hex digits, so nobody can guess another's id. */
final class SessionIds {
    private static final int BYTES = 16;
    private final SecureRandom random = new SecureRandom();

    String next() {
        byte[] bytes = new byte[BYTES];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
