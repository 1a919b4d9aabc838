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
 * order); they are kept in {@link #backlog}. Reading goes on during the wait: the NIO transport notices
 * that a client has gone only by reading, and a closed connection's wait must end at once. It pauses
 * only when the backlog is full, so that a client cannot make the backlog grow without bound.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter implements SessionChannel {
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);
    /** Requests held back behind a waiting lock before reading pauses. */
    static final int MAX_BACKLOG = 32;

    private final LockService locks;
    private final ServerStats serverStats;
    private final StatsReport statsReport;
    private final int maxList;
    private final ArrayDeque<Request> backlog = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private String sessionId;
    /** Whether this connection did anything that ties it to its session (see {@code conn_id ID}). */
    private boolean sessionUsed;
    private boolean waiting;
    private boolean closing;
    /** Read by the lock service from other threads; set before the session exists. */
    private volatile String peer;

    ConnectionHandler(LockService locks, ServerStats serverStats, StatsReport statsReport, int maxList) {
        this.locks = locks;
        this.serverStats = serverStats;
        this.statsReport = statsReport;
        this.maxList = maxList;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        peer = PeerAddress.format(ctx.channel().remoteAddress());
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
            if (backlog.size() >= MAX_BACKLOG) {
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
        ctx.write(reply);
        Request next;
        while (!waiting && !closing && (next = backlog.poll()) != null) {
            handle(next);
        }
        ctx.flush();
        if (!waiting && !closing) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void handle(Request request) {
        if (request instanceof Command command) {
            execute(command);
        } else if (request instanceof Request.Invalid invalid) {
            ctx.write(invalid.reply());
        } else if (request instanceof Request.LineTooLong tooLong) {
            log.debug("closing connection from {}: request line over {} bytes",
                    ctx.channel().remoteAddress(), tooLong.limit());
            closeAfter(tooLong.reply());
        }
    }

    private void execute(Command command) {
        serverStats.commandReceived(command.type());
        if (command instanceof Command.SetName || command instanceof Command.Info
                || command instanceof Command.Locks) {
            introspect(command);
            return;
        }
        if (command instanceof Command.Lock lock) {
            sessionUsed = true;
            LockResult result = locks.lock(sessionId, lock.name(), lock.waitMillis());
            switch (result.outcome()) {
                case ACQUIRED -> ctx.write(Reply.acquired(result.token()));
                case UNAVAILABLE -> ctx.write(Reply.UNAVAILABLE);
                case QUEUED -> waiting = true;
            }
        } else if (command instanceof Command.Unlock unlock) {
            sessionUsed = true;
            ctx.write(switch (locks.unlock(sessionId, unlock.name())) {
                case UNLOCKED -> Reply.UNLOCKED;
                case NOT_YOURS -> Reply.NOT_YOURS;
                case NOT_LOCKED -> Reply.NOT_LOCKED;
            });
        } else if (command instanceof Command.UnlockAll) {
            sessionUsed = true;
            locks.unlockAll(sessionId);
            ctx.write(Reply.ALL_UNLOCKED);
        } else if (command instanceof Command.GetConnId) {
            sessionUsed = true;
            ctx.write(Reply.ok(sessionId));
        } else if (command instanceof Command.SetConnId setConnId) {
            ctx.write(attach(setConnId.id()));
        } else if (command instanceof Command.SetTimeout setTimeout) {
            sessionUsed = true;
            locks.setTimeout(sessionId, setTimeout.millis());
            ctx.write(Reply.TIMEOUT_SET);
        } else if (command instanceof Command.Stats) {
            ctx.write(statsReport.build());
        } else if (command instanceof Command.Quit) {
            closeAfter(Reply.BYE);
        } else if (command instanceof Command.Echo echo) {
            ctx.write(Reply.ok(echo.text()));
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

    private void closeAfter(Reply reply) {
        closing = true;
        backlog.clear();
        ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public String peer() {
        return peer;
    }

    /** The operator's commands: {@code set_name} names the session, the others only look. */
    private void introspect(Command command) {
        if (command instanceof Command.SetName setName) {
            sessionUsed = true;
            locks.setName(sessionId, setName.label());
            ctx.write(Reply.NAME_SET);
        } else if (command instanceof Command.Info info) {
            ctx.write(locks.describe(info.name()).map(Reply::held).orElse(Reply.FREE));
        } else if (command instanceof Command.Locks list) {
            ctx.write(locks.list(list.prefix(), maxList));
        }
    }
}
