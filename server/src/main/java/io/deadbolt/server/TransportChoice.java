package io.deadbolt.server;

import java.util.Locale;

/** The socket implementation an operator asks for; {@link #AUTO} takes the best one this machine offers. */
public enum TransportChoice {
    /** io_uring where the kernel allows it, else epoll, else the JDK's NIO. */
    AUTO,
    IO_URING,
    EPOLL,
    NIO;

    /** The name on the command line and in {@code stats settings}: {@code auto}, {@code io_uring}, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the choices, for a word that is none of them */
    public static TransportChoice parse(String word) {
        for (TransportChoice choice : values()) {
            if (choice.label().equalsIgnoreCase(word.trim())) {
                return choice;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + word + "': expected auto, io_uring, epoll or nio");
    }

    @Override
    public String toString() {
        return label();
    }
}
