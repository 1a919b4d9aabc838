package io.deadbolt.bench.load;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * How one target spells "take this lock" and "release it", and which reply lines mean success. Requests
 * are written straight into the outgoing buffer and replies are compared byte by byte, so the generator
 * allocates nothing per request and spends as little of the shared CPU as it can.
 */
abstract class Dialect {
    /** The Lua check-and-delete that Redis' documentation gives for releasing a lock one holds. */
    static final String REDIS_UNLOCK_SCRIPT =
            "if redis.call(\"get\",KEYS[1]) == ARGV[1] then return redis.call(\"del\",KEYS[1]) else return 0 end";

    static final int TOKEN_HEX_DIGITS = 16;

    /** Writes the request that takes {@code key}; {@code token} is the caller's random value (Redis). */
    abstract void writeLock(ByteBuf out, byte[] key, long token);

    abstract void writeUnlock(ByteBuf out, byte[] key, long token);

    /** Whether the reply line {@code [start, start + length)} says the lock was taken. */
    abstract boolean isLocked(ByteBuf in, int start, int length);

    /** Whether the reply line says the lock was released. */
    abstract boolean isUnlocked(ByteBuf in, int start, int length);

    static Dialect of(Target target, String scriptSha) {
        return switch (target) {
            case DEADBOLT -> new Deadbolt();
            case REDIS_LUA -> new RedisLua(scriptSha);
            case REDIS_DEL -> new RedisDel();
        };
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static boolean equals(ByteBuf in, int start, int length, byte[] expected) {
        return length == expected.length && startsWith(in, start, length, expected);
    }

    static boolean startsWith(ByteBuf in, int start, int length, byte[] prefix) {
        if (length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (in.getByte(start + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** The positive decimal after {@code offset} bytes of the line, or -1. */
    static long parseDecimal(ByteBuf in, int start, int length, int offset) {
        if (length <= offset || length - offset > 18) {
            return -1;
        }
        long value = 0;
        for (int i = start + offset; i < start + length; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                return -1;
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }

    static final class Deadbolt extends Dialect {
        static final byte[] LOCK = ascii("lock ");
        static final byte[] UNLOCK = ascii("unlock ");
        static final byte[] ACQUIRED = ascii("200 Acquired token=");
        static final byte[] UNLOCKED = ascii("200 Unlocked");

        @Override
        void writeLock(ByteBuf out, byte[] key, long token) {
            out.writeBytes(LOCK).writeBytes(key).writeShort(('\r' << 8) | '\n');
        }

        @Override
        void writeUnlock(ByteBuf out, byte[] key, long token) {
            out.writeBytes(UNLOCK).writeBytes(key).writeShort(('\r' << 8) | '\n');
        }

        @Override
        boolean isLocked(ByteBuf in, int start, int length) {
            return parseDecimal(in, start, length, ACQUIRED.length) > 0 && startsWith(in, start, length, ACQUIRED);
        }

        @Override
        boolean isUnlocked(ByteBuf in, int start, int length) {
            return equals(in, start, length, UNLOCKED);
        }
    }

    /** The RESP encoding shared by the two Redis ways: {@code SET key token NX PX 30000} to lock. */
    abstract static class Redis extends Dialect {
        static final byte[] OK = ascii("+OK");
        static final byte[] ONE = ascii(":1");
        private static final byte[] SET_HEAD = ascii("*6\r\n$3\r\nSET\r\n");
        private static final byte[] SET_TOKEN_HEAD = ascii("$" + TOKEN_HEX_DIGITS + "\r\n");
        private static final byte[] SET_TAIL = ascii("$2\r\nNX\r\n$2\r\nPX\r\n$5\r\n30000\r\n");
        private static final byte[] HEX = ascii("0123456789abcdef");

        @Override
        void writeLock(ByteBuf out, byte[] key, long token) {
            out.writeBytes(SET_HEAD);
            writeBulk(out, key);
            out.writeBytes(SET_TOKEN_HEAD);
            writeToken(out, token);
            out.writeBytes(SET_TAIL);
        }

        @Override
        boolean isLocked(ByteBuf in, int start, int length) {
            return equals(in, start, length, OK);
        }

        @Override
        boolean isUnlocked(ByteBuf in, int start, int length) {
            return equals(in, start, length, ONE);
        }

        static void writeBulk(ByteBuf out, byte[] value) {
            out.writeByte('$');
            writeInt(out, value.length);
            out.writeShort(('\r' << 8) | '\n');
            out.writeBytes(value);
            out.writeShort(('\r' << 8) | '\n');
        }

        static void writeToken(ByteBuf out, long token) {
            for (int shift = 60; shift >= 0; shift -= 4) {
                out.writeByte(HEX[(int) (token >>> shift) & 0xf]);
            }
            out.writeShort(('\r' << 8) | '\n');
        }

        private static void writeInt(ByteBuf out, int value) {
            if (value >= 10) {
                writeInt(out, value / 10);
            }
            out.writeByte('0' + value % 10);
        }
    }

    static final class RedisLua extends Redis {
        private final byte[] head;
        private static final byte[] TOKEN_HEAD = ascii("$" + TOKEN_HEX_DIGITS + "\r\n");

        RedisLua(String scriptSha) {
            if (scriptSha == null || scriptSha.length() != 40) {
                throw new IllegalArgumentException("the unlock script's SHA-1 is needed: " + scriptSha);
            }
            head = ascii("*5\r\n$7\r\nEVALSHA\r\n$40\r\n" + scriptSha + "\r\n$1\r\n1\r\n");
        }

        @Override
        void writeUnlock(ByteBuf out, byte[] key, long token) {
            out.writeBytes(head);
            writeBulk(out, key);
            out.writeBytes(TOKEN_HEAD);
            writeToken(out, token);
        }
    }

    static final class RedisDel extends Redis {
        private static final byte[] HEAD = ascii("*2\r\n$3\r\nDEL\r\n");

        @Override
        void writeUnlock(ByteBuf out, byte[] key, long token) {
            out.writeBytes(HEAD);
            writeBulk(out, key);
        }
    }
}
