package io.deadbolt.server.net;

import io.deadbolt.server.TransportChoice;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

/**
 * The socket implementations, best first. io_uring leads because it hands a whole batch of reads and
 * writes to the kernel in one system call, where epoll makes one per read and one per write; system calls
 * are dear on virtual machines, and io_uring served more requests per second at less CPU each there
 * (docs/performance.md). Kernels or containers that forbid io_uring get epoll.
 */
enum Transport {
    IO_URING(TransportChoice.IO_URING) {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return IoUringIoHandler.newFactory();
        }

        @Override
        Class<? extends ServerChannel> serverChannel() {
            return IoUringServerSocketChannel.class;
        }

        @Override
        Throwable unavailabilityCause() {
            return IoUring.unavailabilityCause();
        }
    },
    EPOLL(TransportChoice.EPOLL) {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return EpollIoHandler.newFactory();
        }

        @Override
        Class<? extends ServerChannel> serverChannel() {
            return EpollServerSocketChannel.class;
        }

        @Override
        Throwable unavailabilityCause() {
            return Epoll.unavailabilityCause();
        }
    },
    NIO(TransportChoice.NIO) {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        Class<? extends ServerChannel> serverChannel() {
            return NioServerSocketChannel.class;
        }

        @Override
        Throwable unavailabilityCause() {
            return null;
        }
    };

    private final TransportChoice choice;

    Transport(TransportChoice choice) {
        this.choice = choice;
    }

    abstract IoHandlerFactory ioHandlerFactory();

    abstract Class<? extends ServerChannel> serverChannel();

    /** Why this machine cannot use it; null when it can. */
    abstract Throwable unavailabilityCause();

    boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    String label() {
        return choice.label();
    }

    /**
     * The transport to serve with: the one asked for, or the best available for {@link TransportChoice#AUTO}.
     *
     * @throws IllegalStateException when the one asked for cannot run here, saying why
     */
    static Transport forChoice(TransportChoice choice) {
        for (Transport transport : values()) {
            if (choice == TransportChoice.AUTO ? transport.isAvailable() : transport.choice == choice) {
                if (!transport.isAvailable()) {
                    throw new IllegalStateException(transport.label() + " is not available on this machine: "
                            + transport.unavailabilityCause());
                }
                return transport;
            }
        }
        throw new AssertionError("NIO is always available");
    }
}
