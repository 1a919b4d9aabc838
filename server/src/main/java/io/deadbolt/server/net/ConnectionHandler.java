package io.deadbolt.server.net;

import io.deadbolt.protocol.Command;
import io.deadbolt.protocol.Reply;
import io.deadbolt.protocol.Request;
import io.deadbolt.server.LockService;
import io.deadbolt.server.SessionChannel;
import io.deadbolt.server.lock.AttachResult;
import io.deadbolt.server.lock.LockResult;
import io.deadbolt.server.stats.ServerStats;
import io.deadbolt.server.stats.StatsReport;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per connection: runs its requests against the lock service in order and keeps the connection's
 * state. A {@code lock} that waits holds back the requests pipelined after it (replies stay in request
 * order); they are kept in {@link #backlog}. Reading goes on during the wait, for two reasons: the NIO
 * transport notices that a client has gone only by reading, and a closed connection's wait must end at
 * once; and pausing and resuming reading costs two system calls per wait. Once the backlog holds
 * {@link #BACKLOG_READ_PAUSE} requests reading pauses until the wait is answered, so a client cannot
 * make the backlog grow without bound.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter implements SessionChannel {
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);
    /** Requests held back behind a waiting lock before reading pauses. */
    static final int BACKLOG_READ_PAUSE = 64;

    private final LockService locks;
    private final ServerStats serverStats;
    private final StatsReport statsReport;
    private final ArrayDeque<Request> backlog = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private String sessionId;
    /** Whether this connection did anything that ties it to its session (see {@code conn_id ID}). */
    private boolean sessionUsed;
    private boolean waiting;
    private boolean closing;

    ConnectionHandler(LockService locks, ServerStats serverStats, StatsReport statsReport) {
        this.locks = locks;
        this.serverStats = serverStats;
        this.statsReport = statsReport;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        sessionId = locks.open(this);
        serverStats.connectionOpened();
        log.debug("connection opened from {}", ctx.channel().remoteAddress());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        backlog.clear();
        waiting = false;
        if (sessionId != null) {
            locks.disconnect(sessionId, sessionUsed);
        }
        serverStats.connectionClosed();
        log.debug("connection closed from {}", ctx.channel().remoteAddress());
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Request request = (Request) msg;
        if (closing) {
            return;
        }
        if (waiting) {
            backlog.add(request);
            if (backlog.size() >= BACKLOG_READ_PAUSE) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        handle(request);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("closing connection from {} after an unexpected error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    // Called under the lock service's monitor from any thread: hand over to this channel's loop.
    @Override
    public void lockGranted(String name, long token) {
        ctx.executor().execute(() -> waitAnswered(Reply.acquired(token)));
    }

    @Override
    public void waitExpired(String name) {
        ctx.executor().execute(() -> waitAnswered(Reply.UNAVAILABLE));
    }

    private void waitAnswered(Reply reply) {
        if (!waiting || !ctx.channel().isActive()) {
            return;
        }
        waiting = false;
        send(reply);
        Request next;
        while (!waiting && !closing && (next = backlog.poll()) != null) {
            handle(next);
        }
        ctx.flush();
        if (!waiting && !closing && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void handle(Request request) {
        if (request instanceof Command command) {
            execute(command);
        } else if (request instanceof Request.Invalid invalid) {
            send(invalid.reply());
        } else if (request instanceof Request.LineTooLong tooLong) {
            log.debug("closing connection from {}: request line over {} bytes",
                    ctx.channel().remoteAddress(), tooLong.limit());
            closeAfter(tooLong.reply());
        }
    }

    private void execute(Command command) {
        if (command instanceof Command.Lock lock) {
            sessionUsed = true;
            LockResult result = locks.lock(sessionId, lock.name(), lock.waitMillis());
            switch (result.outcome()) {
                case ACQUIRED -> send(Reply.acquired(result.token()));
                case UNAVAILABLE -> send(Reply.UNAVAILABLE);
                case QUEUED -> waiting = true;
            }
        } else if (command instanceof Command.Unlock unlock) {
            sessionUsed = true;
            send(switch (locks.unlock(sessionId, unlock.name())) {
                case UNLOCKED -> Reply.UNLOCKED;
                case NOT_YOURS -> Reply.NOT_YOURS;
                case NOT_LOCKED -> Reply.NOT_LOCKED;
            });
        } else if (command instanceof Command.UnlockAll) {
            sessionUsed = true;
            locks.unlockAll(sessionId);
            send(Reply.ALL_UNLOCKED);
        } else if (command instanceof Command.GetConnId) {
            sessionUsed = true;
            send(Reply.ok(sessionId));
        } else if (command instanceof Command.SetConnId setConnId) {
            send(attach(setConnId.id()));
        } else if (command instanceof Command.SetTimeout setTimeout) {
            sessionUsed = true;
            locks.setTimeout(sessionId, setTimeout.millis());
            send(Reply.TIMEOUT_SET);
        } else if (command instanceof Command.Stats) {
            send(statsReport.build());
        } else if (command instanceof Command.Quit) {
            closeAfter(Reply.BYE);
        } else if (command instanceof Command.Echo echo) {
            send(Reply.ok(echo.text()));
        }
    }

    /**
     * A refused attempt leaves the connection free to try again: a client that reconnects may be faster
     * than the server's noticing that its old connection is gone.
     */
    private Reply attach(String id) {
        if (sessionUsed) {
            return Reply.CONN_ID_REFUSED;
        }
        AttachResult result = locks.attach(sessionId, id, this);
        return switch (result.outcome()) {
            case REFUSED -> Reply.CONN_ID_REFUSED;
            case CREATED -> {
                sessionId = id;
                sessionUsed = true;
                yield Reply.CONN_ID_NEW;
            }
            case RESUMED -> {
                sessionId = id;
                sessionUsed = true;
                yield Reply.resumed(result.locks());
            }
        };
    }

    /**
     * Queues a reply until the flush at the end of the read. Nobody waits on a reply's write, so it gets
     * no promise of its own: a failed write reaches {@link #exceptionCaught} and closes the connection.
     */
    private void send(Reply reply) {
        ctx.write(reply, ctx.voidPromise());
    }

    private void closeAfter(Reply reply) {
        closing = true;
        backlog.clear();
        ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
    }
}
