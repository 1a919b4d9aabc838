package io.deadbolt.server.net;

import io.deadbolt.protocol.Command;
import io.deadbolt.protocol.Reply;
import io.deadbolt.protocol.Request;
import io.deadbolt.server.LockService;
import io.deadbolt.server.ServerConfig;
import io.deadbolt.server.SessionChannel;
import io.deadbolt.server.lock.AttachResult;
import io.deadbolt.server.lock.LockResult;
import io.deadbolt.server.stats.ServerStats;
import io.deadbolt.server.stats.StatsReport;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.util.ArrayDeque;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per connection: runs its requests against the lock service in order and keeps the connection's
 * state. A {@code lock} that waits holds back the requests pipelined after it (replies stay in request
 * order); they are kept in {@link #backlog}. Reading goes on during the wait: the NIO transport notices
 * that a client has gone only by reading, and a closed connection's wait must end at once; and pausing
 * and resuming reading costs two system calls per wait. It pauses only when the backlog holds
 * {@link #BACKLOG_READ_PAUSE} requests, so that a client cannot make the backlog grow without bound.
 *
 * <p>Back-pressure: while the replies not yet taken by the socket are over the channel's high water mark
 * (the channel is not writable), requests are held in the backlog too and reading stops, so a client
 * that sends without reading its replies costs the server at most the water mark, one reply and one
 * read's worth of requests. Reading goes on only when neither the wait backlog nor the unwritten replies
 * say stop (see {@link #updateReading()}).
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter implements SessionChannel {
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);
    /** Requests held back behind a waiting lock before reading pauses. */
    static final int BACKLOG_READ_PAUSE = 64;

    private final LockService locks;
    private final ServerStats serverStats;
    private final StatsReport statsReport;
    private final Authenticator authenticator;
    private final int maxList;
    private final ArrayDeque<Request> backlog = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private String sessionId;
    /** Whether this connection did anything that ties it to its session (see {@code conn_id ID}). */
    private boolean sessionUsed;
    private boolean waiting;
    private boolean closing;
    /** The client has ended its side: every request it will send has been read. */
    private boolean inputEnded;
    private boolean authenticated;
    /** Read by the lock service from other threads; set before the session exists. */
    private volatile String peer;

    /** A handler with no password and the default {@code locks} listing limit. */
    ConnectionHandler(LockService locks, ServerStats serverStats, StatsReport statsReport,
                      Authenticator authenticator) {
        this(locks, serverStats, statsReport, authenticator, ServerConfig.DEFAULT_MAX_LIST);
    }

    ConnectionHandler(LockService locks, ServerStats serverStats, StatsReport statsReport,
                      Authenticator authenticator, int maxList) {
        this.locks = locks;
        this.serverStats = serverStats;
        this.statsReport = statsReport;
        this.authenticator = authenticator;
        this.authenticated = !authenticator.required();
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
        if (waiting || !backlog.isEmpty() || !ctx.channel().isWritable()) {
            backlog.add(request);
            updateReading();
            return;
        }
        handle(request);
    }

    /** The client has taken enough of its replies: go on with what was held back, and read again. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            drainBacklog();
            ctx.flush();
        }
        updateReading();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == ServerStopping.INSTANCE) {
            stopping();
        } else if (event instanceof ChannelInputShutdownEvent) {
            inputEnded();
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || isTlsFailure(cause)) {
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
        drainBacklog();
        ctx.flush();
        updateReading();
    }

    /** Runs held-back requests while nothing holds them back: no wait, no close, room for replies. */
    private void drainBacklog() {
        Request next;
        while (!waiting && !closing && ctx.channel().isWritable() && (next = backlog.poll()) != null) {
            handle(next);
        }
        closeIfInputEndedAndAnswered();
    }

    /**
     * Reads only while neither reason to stop holds: a full backlog, or replies the client has not taken.
     * A closing connection reads on, throwing the requests away: closing a socket with unread input
     * resets it, and a reset can destroy the last replies before the client has read them.
     * Once the input has ended there is nothing left to read, and asking epoll to read again then
     * fails: Netty 4.2.18 has taken the socket out of its epoll set, and the error closes the connection
     * before its last replies are written.
     */
    private void updateReading() {
        if (inputEnded) {
            return;
        }
        boolean read = closing || (backlog.size() < BACKLOG_READ_PAUSE && ctx.channel().isWritable());
        ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead() != read) {
            config.setAutoRead(read);
        }
    }

    private void handle(Request request) {
        if (request instanceof Command command) {
            if (authenticated || command instanceof Command.Auth || command instanceof Command.Quit) {
                execute(command);
            } else {
                ctx.write(Reply.AUTHENTICATION_REQUIRED);
            }
        } else if (request instanceof Request.Invalid invalid) {
            send(invalid.reply());
        } else if (request instanceof Request.LineTooLong tooLong) {
            log.debug("closing connection from {}: request line over {} bytes",
                    ctx.channel().remoteAddress(), tooLong.limit());
            closeAfter(tooLong.reply());
        } else if (request instanceof Request.LineTimeout timeout) {
            log.debug("closing connection from {}: a request line stayed unfinished for {} ms",
                    ctx.channel().remoteAddress(), timeout.limitMillis());
            closeAfter(timeout.reply());
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
                case ACQUIRED -> send(Reply.acquired(result.token()));
                case UNAVAILABLE -> send(Reply.UNAVAILABLE);
                case QUEUED -> waiting = true;
                case TOO_MANY_LOCKS -> ctx.write(Reply.tooManyLocks(locks.limits().maxLocksPerSession()));
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
        } else if (command instanceof Command.Auth auth) {
            authenticate(auth.password());
        }
    }

    /** A wrong password closes the connection: each guess costs a new connection, and one log line. */
    private void authenticate(String password) {
        if (!authenticator.required()) {
            ctx.write(Reply.NO_PASSWORD_REQUIRED);
        } else if (authenticator.matches(password)) {
            authenticated = true;
            ctx.write(Reply.AUTHENTICATED);
        } else {
            serverStats.authFailed();
            authenticated = false;
            log.warn("wrong password from {}; closing the connection", ctx.channel().remoteAddress());
            closeAfter(Reply.INVALID_PASSWORD);
        }
    }

    /**
     * The client ended its side ({@code nc -N}, a script's half-close): what it sent is answered, then
     * the connection closes. Requests held back because the client is behind on its replies are still
     * run as it takes them (epoll and io_uring report the end even while reading is paused for them).
     * Also the end of a connection already closing (a stopping server has ended its own side and waits
     * for this).
     */
    private void inputEnded() {
        inputEnded = true;
        // Netty 4.2.18's epoll takes a socket out of its epoll set once it waits for no event (the input
        // has ended and no write waits for room), and then fails the next write that has to wait for room
        // (epoll_ctl: ENOENT): the output is shut and the last replies are lost. A flush stops waiting for
        // room with replies left when it has made its spin count of writes; without that limit it stops
        // only when the socket is full (and waits for room) or every reply is written, and by then every
        // request has been run: the connection closes.
        ctx.channel().config().setWriteSpinCount(Integer.MAX_VALUE);
        if (closing) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        drainBacklog();
        ctx.flush();
    }

    /**
     * Once the input has ended and nothing read is left to run, closes after the replies already made are
     * written: closing at once would race those writes on transports that write asynchronously (io_uring).
     * A pending wait and what is held back behind it get no answer, as when the connection closes, and the
     * session goes into its grace period at once, like any other that disconnects: not once the client
     * has taken the replies made before the wait, which a client that has left may never do, while the
     * lock would be handed to it.
     */
    private void closeIfInputEndedAndAnswered() {
        if (!inputEnded || closing || (!waiting && !backlog.isEmpty())) {
            return;
        }
        if (waiting) {
            waiting = false;
            locks.disconnect(sessionId, sessionUsed);
            // No longer this connection's: the close must not disconnect it again, maybe after another
            // connection has resumed it.
            sessionId = null;
        }
        closing = true;
        backlog.clear();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** The server is stopping: a pending wait gets its answer, written replies are flushed, then close. */
    private void stopping() {
        if (closing) {
            return;
        }
        closing = true;
        backlog.clear();
        updateReading();
        if (waiting) {
            waiting = false;
            ctx.write(Reply.SHUTTING_DOWN);
        }
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(flushed -> {
            // A client that has ended its side already has no end of ours to wait for, nor will it close.
            if (flushed.isSuccess() && !inputEnded) {
                endOutput();
            } else {
                ctx.close();
            }
        });
    }

    /**
     * Ends only the server's side: the client reads every reply, then the end of the stream, and the
     * connection closes when the client closes its side (or when the server's stop runs out of time).
     * Closing at once while requests are still unread would reset the connection, and a reset throws
     * away the replies the kernel has not sent yet.
     */
    private void endOutput() {
        if (!(ctx.channel() instanceof DuplexChannel duplex)) {
            ctx.close();
            return;
        }
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        ChannelFuture closeNotify = tls != null ? tls.closeOutbound() : ctx.newSucceededFuture();
        closeNotify.addListener(sent -> duplex.shutdownOutput().addListener(ended -> {
            if (!ended.isSuccess()) {
                ctx.close();
            }
        }));
    }

    /** A client that does not speak TLS to a TLS port, or fails the handshake: its problem, not the server's. */
    private static boolean isTlsFailure(Throwable cause) {
        return cause instanceof NotSslRecordException
                || (cause instanceof DecoderException && cause.getCause() instanceof SSLException);
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
        updateReading();
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
