package io.deadbolt.client;

import io.deadbolt.protocol.Command;
import io.deadbolt.protocol.CommandEncoder;
import io.deadbolt.protocol.Names;
import io.deadbolt.protocol.Reply;
import io.deadbolt.protocol.ReplyDecoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind {@link LockClient}: one connection, its session, and this client's locks.
 *
 * <p>Every piece of mutable state is confined to one Netty event loop; public operations hop onto it and
 * return futures, so no lock is needed and nothing blocks there. Futures handed to the application are
 * completed on the callback executor, never on the event loop, so that application code that blocks in a
 * callback cannot stall the connection.
 *
 * <p>Life of the connection: connect (endpoints in order) → TLS handshake (with TLS) → {@code auth} (with a
 * password) → handshake → ready; a break while ready
 * reports {@code connectionLost}, starts the session's expiry clock and reconnects with backoff; the
 * handshake then resumes the session ({@code conn_id ID}) or, once it is known or presumed expired,
 * starts a fresh one.
 */
final class ClientCore {
    private static final Logger log = LoggerFactory.getLogger(ClientCore.class);
    private static final int MAX_REPLY_LINE_BYTES = 64 * 1024;
    private static final Consumer<Reply> IGNORE_REPLY = reply -> { };
    private static final Consumer<DeadboltException> IGNORE_FAILURE = cause -> { };

    private enum State { CONNECTING, HANDSHAKING, READY, CLOSING, CLOSED }

    private final ClientConfig config;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Executor callbacks;
    private final ExecutorService ownedCallbacks;
    private final SerialExecutor events;
    private final long requestTimeoutNanos;
    private final long graceNanos;
    private final long pingNanos;
    private final long tickNanos;

    // Event loop only.
    private State state = State.CONNECTING;
    private ReplyHandler handler;
    private ScheduledFuture<?> tick;
    private int endpointIndex;
    private Throwable attemptFailure;
    private final Backoff reconnectBackoff;
    private final Backoff resumeBackoff;
    private ScheduledFuture<?> reconnectTimer;
    private ScheduledFuture<?> resumeRetryTimer;
    private ScheduledFuture<?> expiryTimer;
    /** The session was declared expired while disconnected: the next handshake starts a fresh one. */
    private boolean sessionLost;
    /** The application was told of an expiry; it hears {@code sessionStarted} once the client is usable again. */
    private boolean announceSessionStart;
    /** The last time the server said anything; a session cannot expire sooner than a grace period after. */
    private long lastHeardNanos = System.nanoTime();
    private boolean flushScheduled;
    /** Where the current connection goes, so that a goodbye can be said on a new one. */
    private InetSocketAddress connectedAddress;
    private Endpoint connectedEndpoint;
    /** Completed once the goodbye is said on a new connection (see {@link #sayGoodbye}); null otherwise. */
    private CompletableFuture<Void> goodbyeOnNewConnection;
    private final Map<String, NameEntry> names = new HashMap<>();
    /**
     * Names the session may hold on the server with no valid handle behind them: a lock whose answer was
     * lost with the connection, or a release that could not be sent. Unlocked after a resume.
     */
    private final Set<String> orphans = new LinkedHashSet<>();

    // Any thread.
    private final CompletableFuture<Void> firstConnect = new CompletableFuture<>();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private volatile String sessionId;
    private volatile boolean ready;

    ClientCore(ClientConfig config) {
        this.config = config;
        if (config.callbackExecutor() != null) {
            callbacks = config.callbackExecutor();
            ownedCallbacks = null;
        } else {
            ownedCallbacks = Executors.newCachedThreadPool(daemonThreads("deadbolt-client-callback-"));
            callbacks = ownedCallbacks;
        }
        events = new SerialExecutor(callbacks);
        requestTimeoutNanos = config.requestTimeout().toNanos();
        graceNanos = config.effectiveSessionTimeout().toNanos();
        pingNanos = config.effectivePingInterval().toNanos();
        long shortest = pingNanos > 0 ? Math.min(pingNanos, requestTimeoutNanos) : requestTimeoutNanos;
        tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(TimeUnit.SECONDS.toNanos(1), shortest / 4));
        reconnectBackoff = new Backoff(config.backoffInitial().toMillis(), config.backoffMax().toMillis());
        resumeBackoff = new Backoff(config.backoffInitial().toMillis(), config.backoffMax().toMillis());
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("deadbolt-client", true),
                NioIoHandler.newFactory());
        loop = group.next();
        bootstrap = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true);
    }

    /** Opens a connection to the endpoint, with TLS in front when the client is configured for it. */
    private ChannelFuture openChannel(Endpoint endpoint, InetSocketAddress address) {
        return bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ReplyHandler replies = new ReplyHandler(ClientCore.this);
                if (config.tlsContext() != null) {
                    ch.pipeline().addLast(newSslHandler(endpoint));
                }
                ch.pipeline().addLast(
                        new ReplyDecoder(MAX_REPLY_LINE_BYTES, replies::nextReplyTo),
                        CommandEncoder.INSTANCE,
                        replies);
            }
        }).connect(address);
    }

    private SslHandler newSslHandler(Endpoint endpoint) {
        // The host name given goes into SNI and is what the certificate is checked against.
        SSLEngine engine = config.tlsContext().createSSLEngine(endpoint.host(), endpoint.port());
        engine.setUseClientMode(true);
        if (config.tlsHostnameVerification()) {
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(parameters);
        }
        SslHandler handler = new SslHandler(engine);
        handler.setHandshakeTimeoutMillis(config.connectTimeout().toMillis());
        return handler;
    }

    ClientConfig config() {
        return config;
    }

    String sessionId() {
        return sessionId;
    }

    boolean isConnected() {
        return ready;
    }

    // ---- opening and closing (any thread) ----------------------------------------------------------

    /** Connects, handshakes, and returns once the client is ready; throws {@link ConnectFailedException}. */
    void connect() {
        onLoop(this::connectRound);
        // TCP and TLS each within the connect timeout; auth, conn_id and set_timeout each within the request timeout.
        long perEndpoint = 2 * config.connectTimeout().toMillis() + 3 * config.requestTimeout().toMillis();
        long bound = perEndpoint * config.endpoints().size() + 1000;
        try {
            firstConnect.get(bound, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            close();
            Throwable cause = e.getCause();
            if (cause instanceof ClientClosedException closed) {
                throw closed;
            }
            if (cause instanceof AuthenticationFailedException) {
                throw new AuthenticationFailedException("cannot connect to " + config.endpoints() + ": "
                        + cause.getMessage(), cause);
            }
            throw new ConnectFailedException("cannot connect to " + config.endpoints() + ": " + describe(cause), cause);
        } catch (TimeoutException e) {
            close();
            throw new ConnectFailedException("no connection to " + config.endpoints() + " within " + bound + " ms", e);
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new ConnectFailedException("interrupted while connecting to " + config.endpoints(), e);
        }
    }

    /**
     * Releases the session's locks ({@code unlock_all}), says goodbye ({@code quit}), and stops the
     * client's threads. Without a connection the locks stay held until the session's grace period ends.
     */
    void close() {
        if (!closeRequested.compareAndSet(false, true)) {
            return;
        }
        if (loop.inEventLoop()) {
            finishClose();
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        } else {
            CompletableFuture<Void> goodbye = new CompletableFuture<>();
            // Uninterruptibly: an interrupted caller (a worker told to stop, leaving its try-with-resources)
            // would otherwise close the connection before the goodbye is even flushed, keeping every lock
            // for the grace period. The wait is bounded all the same.
            boolean interrupted = false;
            try {
                loop.execute(() -> sayGoodbye(goodbye));
                long deadline = System.nanoTime() + config.requestTimeout().toNanos();
                while (true) {
                    try {
                        goodbye.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
                log.debug("closing without the server's goodbye: {}", describe(e));
            }
            onLoop(this::finishClose);
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (ownedCallbacks != null) {
            ownedCallbacks.shutdown();
        }
    }

    // ---- operations (any thread) -------------------------------------------------------------------

    // With blocking = true the future stays inside a blocking call, where no application callback can
    // hang off it, so the event loop completes it directly and saves a thread hand-off per call.

    CompletableFuture<LockHandle> lock(String name, long waitMillis, boolean blocking) {
        CompletableFuture<LockHandle> future = newFuture(blocking);
        LockRequest request = LockRequest.forHandle(name, waitMillis, future);
        submit(future, () -> lockOnLoop(request));
        return future;
    }

    CompletableFuture<Optional<LockHandle>> tryLock(String name, long waitMillis, boolean blocking) {
        CompletableFuture<Optional<LockHandle>> future = newFuture(blocking);
        LockRequest request = LockRequest.forOptional(name, waitMillis, future);
        submit(future, () -> lockOnLoop(request));
        return future;
    }

    CompletableFuture<Void> release(DefaultLockHandle handle, boolean blocking) {
        CompletableFuture<Void> future = newFuture(blocking);
        submit(future, () -> releaseOnLoop(handle, future));
        return future;
    }

    CompletableFuture<Void> unlock(String name, boolean blocking) {
        CompletableFuture<Void> future = newFuture(blocking);
        submit(future, () -> unlockByNameOnLoop(name, future));
        return future;
    }

    CompletableFuture<Void> unlockAll(boolean blocking) {
        CompletableFuture<Void> future = newFuture(blocking);
        submit(future, () -> unlockAllOnLoop(future));
        return future;
    }

    CompletableFuture<Map<String, String>> stats(boolean blocking) {
        CompletableFuture<Map<String, String>> future = newFuture(blocking);
        submit(future, () -> statsOnLoop(future));
        return future;
    }

    private static <T> CompletableFuture<T> newFuture(boolean blocking) {
        return blocking ? new BlockingCallFuture<>() : new CompletableFuture<>();
    }

    /** The future of a blocking call: nobody but the waiting caller ever sees it. */
    private static final class BlockingCallFuture<T> extends CompletableFuture<T> {
    }

    /** {@link LockHandle#close()}: release if still held, wait a bounded time, never throw. */
    void closeHandle(DefaultLockHandle handle) {
        if (handle.state() != LockHandle.State.HELD || closeRequested.get()) {
            return;
        }
        if (loop.inEventLoop()) {
            releaseOnLoop(handle, null);
            return;
        }
        CompletableFuture<Void> released = release(handle, true);
        try {
            released.get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.debug("releasing {} on close: {}", handle, describe(e.getCause()));
        } catch (TimeoutException e) {
            log.warn("no confirmation of the release of {} within {} ms; the unlock is still on its way",
                    handle, config.requestTimeout().toMillis());
        }
    }

    /**
     * The blocking form of an operation: waits up to {@code bound} for the future. On timeout the future
     * is cancelled (a lock granted later is then released) and {@code onTimeout} decides: return a value
     * or throw.
     */
    <T> T await(CompletableFuture<T> future, Duration bound, Supplier<T> onTimeout) {
        if (loop.inEventLoop()) {
            throw new IllegalStateException("blocking deadbolt call on the client's I/O thread; use the async methods there");
        }
        try {
            return future.get(bound.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (TimeoutException e) {
            if (future.cancel(false)) {
                return onTimeout.get();
            }
            return joinDone(future);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (future.cancel(false)) {
                throw new DeadboltException("interrupted while waiting for the lock server", e);
            }
            return joinDone(future);
        }
    }

    void await(CompletableFuture<Void> future, Duration bound, String request) {
        await(future, bound, () -> {
            throw new RequestTimeoutException("no reply to \"" + request + "\" within " + bound.toMillis() + " ms");
        });
    }

    private static <T> T joinDone(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("a completed future cannot block", e);
        }
    }

    private static RuntimeException unwrap(Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new DeadboltException(describe(cause), cause);
    }

    private void submit(CompletableFuture<?> future, Runnable task) {
        if (closeRequested.get()) {
            future.completeExceptionally(new ClientClosedException());
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new ClientClosedException());
        }
    }

    private void onLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("client event loop already stopped");
        }
    }

    // ---- connection life (event loop) --------------------------------------------------------------

    private boolean shutDown() {
        return state == State.CLOSING || state == State.CLOSED;
    }

    private void connectRound() {
        reconnectTimer = null;
        if (shutDown()) {
            return;
        }
        endpointIndex = 0;
        attempt();
    }

    private void attempt() {
        state = State.CONNECTING;
        attemptFailure = null;
        Endpoint endpoint = config.endpoints().get(endpointIndex);
        // Name resolution may block, so it runs off the event loop.
        Runnable resolve = () -> {
            InetSocketAddress address = new InetSocketAddress(endpoint.host(), endpoint.port());
            onLoop(() -> connectTo(endpoint, address));
        };
        try {
            callbacks.execute(resolve);
        } catch (RejectedExecutionException e) {
            log.debug("callback executor stopped; not connecting");
        }
    }

    private void connectTo(Endpoint endpoint, InetSocketAddress address) {
        if (shutDown()) {
            return;
        }
        if (address.isUnresolved()) {
            attemptFailed(new UnknownHostException(endpoint.host()));
            return;
        }
        log.debug("connecting to {}", endpoint);
        openChannel(endpoint, address).addListener((ChannelFuture connected) -> {
            if (connected.isSuccess()) {
                connectedAddress = address;
                connectedEndpoint = endpoint;
            } else {
                attemptFailed(connected.cause());
            }
        });
    }

    private void attemptFailed(Throwable cause) {
        if (shutDown()) {
            return;
        }
        state = State.CONNECTING;
        log.debug("cannot connect to {}: {}", config.endpoints().get(endpointIndex), describe(cause));
        if (endpointIndex + 1 < config.endpoints().size()) {
            endpointIndex++;
            attempt();
            return;
        }
        if (!firstConnect.isDone()) {
            firstConnect.completeExceptionally(cause);
            return;
        }
        reconnectTimer = loop.schedule(this::connectRound, reconnectBackoff.nextDelayMillis(), TimeUnit.MILLISECONDS);
    }

    /** The connection is up (after TLS's own handshake, with TLS): begin the protocol's handshake. */
    void onConnected(ReplyHandler connection) {
        if (state == State.CLOSING && goodbyeOnNewConnection != null) {
            handler = connection;
            authenticateThen(connection, () -> resumeForGoodbye(connection));
            return;
        }
        if (shutDown()) {
            connection.close(new ClientClosedException());
            return;
        }
        handler = connection;
        state = State.HANDSHAKING;
        tick = loop.scheduleAtFixedRate(() -> onTick(connection), tickNanos, tickNanos, TimeUnit.NANOSECONDS);
        // Until the first handshake completes, the client has no session to resume: an id learnt from a
        // handshake that failed was never handed to the application.
        boolean fresh = sessionId == null || sessionLost || !firstConnect.isDone();
        authenticateThen(connection, fresh ? this::startSession : this::resumeSession);
    }

    /**
     * A connection that closed before it was up: TLS's handshake failed. The TCP connection had
     * succeeded, so this is where the attempt fails instead.
     */
    void onConnectionFailedEarly(Throwable cause) {
        if (state == State.CLOSING) {
            goodbyeConnectionClosed();
        } else if (state == State.CONNECTING) {
            attemptFailed(cause);
        }
    }

    /**
     * {@code auth PASSWORD} first when the client has a password; the rest of the handshake waits for
     * its answer, because after a refusal the server closes the connection.
     */
    private void authenticateThen(ReplyHandler connection, Runnable next) {
        String password = config.password();
        if (password == null) {
            next.run();
            return;
        }
        send(new Command.Auth(password), 0, reply -> {
            if (connection != handler) {
                return;
            }
            if (isOk(reply)) {
                next.run();
            } else if (reply.equals(Reply.INVALID_PASSWORD)) {
                handshakeFailed(connection, new AuthenticationFailedException(
                        "the server refused the password (401 invalid password)"));
            } else {
                handshakeFailed(connection, new RequestRejectedException("auth", code(reply), statusText(reply)));
            }
        }, IGNORE_FAILURE);
    }

    /** A handshake request was refused: a missing password gets its own, clearer, exception. */
    private void handshakeRefused(ReplyHandler connection, String request, Reply reply) {
        if (reply.equals(Reply.AUTHENTICATION_REQUIRED)) {
            handshakeFailed(connection, new AuthenticationFailedException("the server requires a password "
                    + "(401 authentication required): set one with LockClient.Builder.password(..)"));
        } else {
            handshakeFailed(connection, new RequestRejectedException(request, code(reply), statusText(reply)));
        }
    }

    /** A fresh session: learn its id, then set its grace period. Both requests go out together. */
    private void startSession() {
        ReplyHandler connection = handler;
        Duration timeout = config.sessionTimeout();
        send(new Command.GetConnId(), 0, reply -> {
            if (reply.equals(Reply.AUTHENTICATION_REQUIRED)) {
                handshakeRefused(connection, "conn_id", reply);
                return;
            }
            if (!isOk(reply) || !Names.isValid(statusText(reply))) {
                handshakeFailed(connection, new DeadboltException("unexpected answer to conn_id: " + reply));
                return;
            }
            if (connection == handler) {
                sessionId = statusText(reply);
            }
            if (timeout == null) {
                sessionStarted(connection);
            }
        }, IGNORE_FAILURE);
        if (timeout != null) {
            sendSetTimeout(connection, timeout);
        }
    }

    private void sendSetTimeout(ReplyHandler connection, Duration timeout) {
        String line = "set_timeout " + timeout.toMillis();
        send(new Command.SetTimeout(timeout.toMillis()), 0, reply -> {
            if (isOk(reply)) {
                sessionStarted(connection);
            } else {
                handshakeRefused(connection, line, reply);
            }
        }, IGNORE_FAILURE);
    }

    private void sessionStarted(ReplyHandler connection) {
        if (connection != handler || state != State.HANDSHAKING || attemptFailure != null) {
            return;
        }
        if (sessionLost) {
            log.info("started a new session with the lock server after the old one expired");
        } else if (!firstConnect.isDone()) {
            log.debug("connected to the lock server");
        }
        sessionLost = false;
        becomeReady();
    }

    private void resumeSession() {
        ReplyHandler connection = handler;
        String id = sessionId;
        send(new Command.SetConnId(id), 0, reply -> onResumeReply(connection, reply), IGNORE_FAILURE);
    }

    private void onResumeReply(ReplyHandler connection, Reply reply) {
        if (connection != handler || state != State.HANDSHAKING) {
            return;
        }
        String text = statusText(reply);
        if (isOk(reply) && text.startsWith(Reply.RESUMED_PREFIX)) {
            resumeBackoff.reset();
            cancel(expiryTimer);
            expiryTimer = null;
            if (sessionLost) {
                // The application was already told these locks are gone; drop what the server still kept.
                log.info("reattached to the session after declaring it expired; releasing what it still held");
                sessionLost = false;
                orphans.clear();
                send(new Command.UnlockAll(), 0, IGNORE_REPLY, IGNORE_FAILURE);
                becomeReady();
                return;
            }
            int locks = parseCount(text.substring(Reply.RESUMED_PREFIX.length()));
            for (String name : orphans) {
                NameEntry entry = names.get(name);
                if (entry == null || entry.handle == null) {
                    send(new Command.Unlock(name), 0, IGNORE_REPLY, IGNORE_FAILURE);
                }
            }
            orphans.clear();
            becomeReady();
            log.info("resumed the session with the lock server; it holds {} lock(s)", locks);
            String id = sessionId;
            emit(listener -> listener.resumed(id, locks));
        } else if (reply.equals(Reply.CONN_ID_NEW)) {
            resumeBackoff.reset();
            cancel(expiryTimer);
            expiryTimer = null;
            if (!sessionLost) {
                sessionExpired("the server no longer knew it");
            }
            // The server has just opened an empty session under the same id; it needs our grace period.
            sessionLost = false;
            if (config.sessionTimeout() != null) {
                sendSetTimeout(connection, config.sessionTimeout());
            } else {
                becomeReady();
            }
        } else if (reply.equals(Reply.CONN_ID_REFUSED)) {
            // Most likely the server has not yet noticed that the old connection closed: try again,
            // until the expiry clock says the session would be gone anyway.
            long delay = resumeBackoff.nextDelayMillis();
            log.debug("the server still sees the session's old connection; asking again in {} ms", delay);
            resumeRetryTimer = loop.schedule(() -> {
                resumeRetryTimer = null;
                if (connection == handler && state == State.HANDSHAKING) {
                    if (sessionLost) {
                        startSession();
                    } else {
                        resumeSession();
                    }
                }
            }, delay, TimeUnit.MILLISECONDS);
        } else {
            handshakeRefused(connection, "conn_id", reply);
        }
    }

    private void handshakeFailed(ReplyHandler connection, Throwable cause) {
        if (connection != handler) {
            return;
        }
        if (attemptFailure != null) {
            // Requests sent together are refused together; the first refusal says why.
            return;
        }
        log.warn("handshake with the lock server failed: {}", describe(cause));
        attemptFailure = cause;
        connection.close(cause);
    }

    private void becomeReady() {
        state = State.READY;
        ready = true;
        reconnectBackoff.reset();
        firstConnect.complete(null);
        if (announceSessionStart) {
            announceSessionStart = false;
            String id = sessionId;
            emit(listener -> listener.sessionStarted(id));
        }
    }

    /**
     * Called by the handler after it has failed the connection's unanswered requests; {@code closeCause}
     * is null when the other side closed the connection.
     */
    void onDisconnected(ReplyHandler connection, Throwable closeCause) {
        if (connection != handler) {
            return;
        }
        Throwable cause = closeCause != null ? closeCause
                : new ConnectionLostException("the connection was closed by the server or the network");
        handler = null;
        ready = false;
        cancel(tick);
        cancel(resumeRetryTimer);
        tick = null;
        resumeRetryTimer = null;
        switch (state) {
            case READY -> {
                log.info("lost the connection to the lock server: {}", describe(cause));
                state = State.CONNECTING;
                startExpiryClock();
                String id = sessionId;
                emit(listener -> listener.connectionLost(id, cause));
                reconnectTimer = loop.schedule(this::connectRound, reconnectBackoff.nextDelayMillis(),
                        TimeUnit.MILLISECONDS);
            }
            case HANDSHAKING -> attemptFailed(attemptFailure != null ? attemptFailure : cause);
            case CLOSING -> goodbyeConnectionClosed();
            case CONNECTING, CLOSED -> {
            }
        }
    }

    /**
     * The server may have noticed the break earlier than we did; the latest it can have started the
     * session's grace period is not knowable, the earliest is about when it last spoke to us. So the
     * client gives up on the session a grace period after that.
     */
    private void startExpiryClock() {
        if (expiryTimer != null || sessionLost) {
            return;
        }
        long delay = Math.max(0, lastHeardNanos + graceNanos - System.nanoTime());
        expiryTimer = loop.schedule(this::onExpiryClock, delay, TimeUnit.NANOSECONDS);
    }

    private void onExpiryClock() {
        expiryTimer = null;
        if (state == State.READY || shutDown() || sessionLost) {
            return;
        }
        sessionExpired("no contact with the server for the session's whole grace period");
        sessionLost = true;
        if (resumeRetryTimer != null && handler != null && state == State.HANDSHAKING) {
            cancel(resumeRetryTimer);
            resumeRetryTimer = null;
            startSession();
        }
    }

    /** Every handle becomes LOST and the application is told. Only while not ready: nothing is in flight. */
    private void sessionExpired(String why) {
        int lost = 0;
        for (Map.Entry<String, NameEntry> e : names.entrySet()) {
            NameEntry entry = e.getValue();
            if (entry.handle != null) {
                entry.handle.state(LockHandle.State.LOST);
                entry.handle = null;
                lost++;
            }
            failWaiters(entry, new ConnectionLostException("the session expired while this request waited for lock '"
                    + e.getKey() + "'"));
        }
        names.clear();
        orphans.clear();
        announceSessionStart = true;
        log.info("the session with the lock server expired ({}); {} lock handle(s) are now invalid", why, lost);
        String id = sessionId;
        emit(listener -> listener.sessionExpired(id));
    }

    private void onTick(ReplyHandler connection) {
        if (connection != handler) {
            return;
        }
        long now = System.nanoTime();
        if (connection.headOverdue(now, requestTimeoutNanos)) {
            log.warn("no reply from the lock server within {} ms; closing the connection",
                    TimeUnit.NANOSECONDS.toMillis(requestTimeoutNanos));
            connection.close(new ConnectionLostException("the server did not answer within the request timeout of "
                    + TimeUnit.NANOSECONDS.toMillis(requestTimeoutNanos) + " ms"));
            return;
        }
        if (state == State.READY && pingNanos > 0 && connection.isIdle() && now - lastHeardNanos >= pingNanos) {
            send(new Command.Echo("ping"), 0, IGNORE_REPLY, IGNORE_FAILURE);
        }
    }

    void onServerHeard(long nowNanos) {
        lastHeardNanos = nowNanos;
    }

    /** What the unanswered requests of a closed connection fail with. */
    DeadboltException connectionFailure(Throwable cause) {
        if (shutDown()) {
            return new ClientClosedException();
        }
        if (cause instanceof ConnectionLostException lost) {
            return lost;
        }
        return new ConnectionLostException("the connection to the lock server closed before the reply came"
                + (cause != null ? " (" + describe(cause) + ")" : ""), cause);
    }

    private DeadboltException notConnected() {
        if (shutDown()) {
            return new ClientClosedException();
        }
        return new ConnectionLostException("not connected to the lock server; reconnecting");
    }

    private void sayGoodbye(CompletableFuture<Void> done) {
        boolean wasReady = state == State.READY;
        state = State.CLOSING;
        ready = false;
        if (!wasReady) {
            done.complete(null);
            return;
        }
        if (handler.mayBeHeldBackByALockWait()) {
            // The server answers nothing sent behind a waiting lock, so a goodbye here would go unheard
            // until the wait ends. Closing the connection ends the wait; a new one then takes the session
            // over to release its locks.
            goodbyeOnNewConnection = done;
            resumeBackoff.reset();
            handler.close(new ClientClosedException());
            return;
        }
        sendGoodbye(done);
    }

    private void sendGoodbye(CompletableFuture<Void> done) {
        boolean sent = send(new Command.UnlockAll(), 0, IGNORE_REPLY, IGNORE_FAILURE)
                && send(new Command.Quit(), 0, reply -> done.complete(null), cause -> done.complete(null));
        if (!sent) {
            done.complete(null);
        }
    }

    private void goodbyeConnectionClosed() {
        CompletableFuture<Void> done = goodbyeOnNewConnection;
        if (done == null) {
            return;
        }
        if (connectedAddress == null || done.isDone()) {
            done.complete(null);
            return;
        }
        InetSocketAddress address = connectedAddress;
        connectedAddress = null;
        openChannel(connectedEndpoint, address).addListener((ChannelFuture connected) -> {
            if (!connected.isSuccess()) {
                done.complete(null);
            }
        });
    }

    /** The goodbye's connection is up: take the session over, then release its locks and leave. */
    private void resumeForGoodbye(ReplyHandler connection) {
        CompletableFuture<Void> done = goodbyeOnNewConnection;
        send(new Command.SetConnId(sessionId), 0, reply -> {
            if (connection != handler || state != State.CLOSING) {
                return;
            }
            if (isOk(reply) && statusText(reply).startsWith(Reply.RESUMED_PREFIX)) {
                sendGoodbye(done);
            } else if (reply.equals(Reply.CONN_ID_REFUSED)) {
                // The server has not noticed yet that the old connection closed.
                resumeRetryTimer = loop.schedule(() -> {
                    resumeRetryTimer = null;
                    if (connection == handler && state == State.CLOSING) {
                        resumeForGoodbye(connection);
                    }
                }, resumeBackoff.nextDelayMillis(), TimeUnit.MILLISECONDS);
            } else {
                // The session is gone already, and with it its locks.
                send(new Command.Quit(), 0, bye -> done.complete(null), cause -> done.complete(null));
            }
        }, IGNORE_FAILURE);
    }

    private void finishClose() {
        state = State.CLOSED;
        ready = false;
        cancel(reconnectTimer);
        cancel(resumeRetryTimer);
        cancel(expiryTimer);
        cancel(tick);
        ClientClosedException closed = new ClientClosedException();
        for (NameEntry entry : names.values()) {
            if (entry.handle != null) {
                entry.handle.state(LockHandle.State.RELEASED);
                entry.handle = null;
            }
            failWaiters(entry, closed);
        }
        names.clear();
        orphans.clear();
        if (handler != null) {
            handler.close(closed);
        }
        firstConnect.completeExceptionally(closed);
    }

    // ---- requests (event loop) ---------------------------------------------------------------------

    /** Writes a request on the current connection; false, with no callback to come, if there is none. */
    private boolean send(Command command, long waitMillis, Consumer<Reply> onReply,
                         Consumer<DeadboltException> onFailure) {
        ReplyHandler connection = handler;
        if (connection == null || !connection.send(new PendingRequest(command, waitMillis, onReply, onFailure))) {
            return false;
        }
        if (!flushScheduled) {
            // Requests submitted from many threads queue up as loop tasks; one flush after them all.
            flushScheduled = true;
            try {
                loop.execute(this::flushNow);
            } catch (RejectedExecutionException e) {
                flushNow();
            }
        }
        return true;
    }

    private void flushNow() {
        flushScheduled = false;
        ReplyHandler current = handler;
        if (current != null) {
            current.flush();
        }
    }

    private void lockOnLoop(LockRequest request) {
        if (request.isDone()) {
            return;
        }
        if (state != State.READY) {
            fail(request, notConnected());
            return;
        }
        String name = request.name;
        NameEntry entry = names.computeIfAbsent(name, n -> new NameEntry());
        if (!entry.busy()) {
            if (!sendLock(name, entry, request, request.waitMillis)) {
                next(name, entry);
            }
            return;
        }
        if (request.waitMillis == 0) {
            unavailable(request);
            return;
        }
        entry.waiters.add(request);
        request.localTimer = loop.schedule(() -> {
            if (entry.waiters.remove(request)) {
                unavailable(request);
            }
        }, Math.max(0, request.deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private boolean sendLock(String name, NameEntry entry, LockRequest request, long waitMillis) {
        entry.inFlight = request;
        Command.Lock command = new Command.Lock(name, waitMillis);
        boolean sent = send(command, waitMillis,
                reply -> onLockReply(name, entry, request, command, reply),
                cause -> onLockFailed(name, entry, request, cause));
        if (!sent) {
            entry.inFlight = null;
            fail(request, notConnected());
        }
        return sent;
    }

    private void onLockReply(String name, NameEntry entry, LockRequest request, Command.Lock command, Reply reply) {
        entry.inFlight = null;
        String text = statusText(reply);
        // Any 200 is a grant (elock answers "200 Acquired", without a token).
        if (isOk(reply)) {
            long token = text.startsWith(Reply.ACQUIRED_PREFIX)
                    ? parseToken(text.substring(Reply.ACQUIRED_PREFIX.length()))
                    : -1;
            if (token > 0) {
                DefaultLockHandle handle = new DefaultLockHandle(this, name, token);
                entry.handle = handle;
                grant(request, handle);
                return;
            }
            // Granted, but with no usable token: give it back rather than hand out a lock without fencing.
            send(new Command.Unlock(name), 0, IGNORE_REPLY, cause -> orphans.add(name));
            fail(request, new RequestRejectedException(command.toLine(), code(reply), text));
        } else if (reply.equals(Reply.UNAVAILABLE)) {
            unavailable(request);
        } else if (reply.equals(Reply.SHUTTING_DOWN)) {
            // The server ends a pending wait this way just before it closes the connection: not granted,
            // and to the application the same as the connection breaking under the wait.
            fail(request, new ConnectionLostException("the server is shutting down"));
        } else {
            fail(request, new RequestRejectedException(command.toLine(), code(reply), text));
        }
        next(name, entry);
    }

    private void onLockFailed(String name, NameEntry entry, LockRequest request, DeadboltException cause) {
        entry.inFlight = null;
        // The server may have granted it just before the connection broke.
        orphans.add(name);
        fail(request, cause);
        next(name, entry);
    }

    /** The name's current request is done with: let the next local waiter through, or forget the name. */
    private void next(String name, NameEntry entry) {
        if (entry.busy()) {
            return;
        }
        LockRequest waiter;
        while ((waiter = entry.waiters.poll()) != null) {
            cancel(waiter.localTimer);
            if (waiter.isDone()) {
                continue;
            }
            if (state != State.READY) {
                fail(waiter, notConnected());
                continue;
            }
            long remainingMillis = ceilMillis(waiter.deadlineNanos - System.nanoTime());
            if (remainingMillis <= 0) {
                unavailable(waiter);
                continue;
            }
            if (sendLock(name, entry, waiter, remainingMillis)) {
                return;
            }
        }
        names.remove(name, entry);
    }

    private void releaseOnLoop(DefaultLockHandle handle, CompletableFuture<Void> result) {
        switch (handle.state()) {
            case LOST -> {
                failFuture(result, handle.lost());
                return;
            }
            case RELEASED -> {
                failFuture(result, handle.released());
                return;
            }
            case HELD -> {
            }
        }
        String name = handle.name();
        handle.state(LockHandle.State.RELEASED);
        NameEntry entry = names.get(name);
        boolean current = entry != null && entry.handle == handle;
        if (current) {
            entry.handle = null;
        }
        if (shutDown()) {
            completeFuture(result, null);
        } else if (state != State.READY) {
            // Finished after the resume, or made moot by the session's expiry.
            orphans.add(name);
            completeFuture(result, null);
        } else {
            boolean sent = send(new Command.Unlock(name), 0, reply -> {
                if (reply.equals(Reply.UNLOCKED)) {
                    completeFuture(result, null);
                } else {
                    failFuture(result, unlockRefused(name, reply));
                }
            }, cause -> {
                orphans.add(name);
                completeFuture(result, null);
            });
            if (!sent) {
                orphans.add(name);
                completeFuture(result, null);
            }
        }
        if (current) {
            next(name, entry);
        }
    }

    private void unlockByNameOnLoop(String name, CompletableFuture<Void> result) {
        NameEntry entry = names.get(name);
        if (entry != null && entry.handle != null) {
            releaseOnLoop(entry.handle, result);
            return;
        }
        if (entry != null) {
            failFuture(result, new IllegalStateException("a lock request of this client for '" + name
                    + "' is still in progress; release its handle once it is granted"));
            return;
        }
        if (state != State.READY) {
            failFuture(result, notConnected());
            return;
        }
        boolean sent = send(new Command.Unlock(name), 0, reply -> {
            if (reply.equals(Reply.UNLOCKED)) {
                completeFuture(result, null);
            } else {
                failFuture(result, unlockRefused(name, reply));
            }
        }, cause -> failFuture(result, cause));
        if (!sent) {
            failFuture(result, notConnected());
        }
    }

    private void unlockAllOnLoop(CompletableFuture<Void> result) {
        if (state != State.READY) {
            failFuture(result, notConnected());
            return;
        }
        boolean sent = send(new Command.UnlockAll(), 0, reply -> {
            if (!isOk(reply)) {
                failFuture(result, new RequestRejectedException("unlock_all", code(reply), statusText(reply)));
                return;
            }
            // Every lock granted before this reply was released by it; later grants are not answered yet.
            releaseEveryHandle(false);
            orphans.clear();
            completeFuture(result, null);
        }, cause -> {
            // The server may have carried it out, so no handle may go on claiming its lock; like a release
            // made while disconnected, each is finished after the resume or made moot by the expiry.
            releaseEveryHandle(true);
            failFuture(result, cause);
        });
        if (!sent) {
            failFuture(result, notConnected());
        }
    }

    private void releaseEveryHandle(boolean unlockAfterResume) {
        List<Map.Entry<String, NameEntry>> released = new ArrayList<>();
        for (Map.Entry<String, NameEntry> e : names.entrySet()) {
            NameEntry entry = e.getValue();
            if (entry.handle != null) {
                entry.handle.state(LockHandle.State.RELEASED);
                entry.handle = null;
                released.add(e);
                if (unlockAfterResume) {
                    orphans.add(e.getKey());
                }
            }
        }
        for (Map.Entry<String, NameEntry> e : released) {
            next(e.getKey(), e.getValue());
        }
    }

    private void statsOnLoop(CompletableFuture<Map<String, String>> result) {
        if (state != State.READY) {
            failFuture(result, notConnected());
            return;
        }
        boolean sent = send(new Command.Stats(), 0, reply -> {
            if (reply instanceof Reply.Stats stats) {
                Map<String, String> values = new LinkedHashMap<>();
                for (Reply.Stat stat : stats.stats()) {
                    values.put(stat.name(), stat.value());
                }
                completeFuture(result, Collections.unmodifiableMap(values));
            } else {
                failFuture(result, new RequestRejectedException("stats", code(reply), statusText(reply)));
            }
        }, cause -> failFuture(result, cause));
        if (!sent) {
            failFuture(result, notConnected());
        }
    }

    private static RuntimeException unlockRefused(String name, Reply reply) {
        if (reply.equals(Reply.NOT_YOURS)) {
            return new LockNotHeldException(name, LockNotHeldException.Reason.NOT_YOURS,
                    "not yours: lock '" + name + "' is held by another session");
        }
        if (reply.equals(Reply.NOT_LOCKED)) {
            return new LockNotHeldException(name, LockNotHeldException.Reason.NOT_LOCKED,
                    "not locked: lock '" + name + "' is not held by anyone");
        }
        return new RequestRejectedException("unlock " + name, code(reply), statusText(reply));
    }

    private void failWaiters(NameEntry entry, RuntimeException cause) {
        LockRequest waiter;
        while ((waiter = entry.waiters.poll()) != null) {
            cancel(waiter.localTimer);
            fail(waiter, cause);
        }
    }

    // ---- handing results to the application (event loop → callback executor) -----------------------

    private void grant(LockRequest request, DefaultLockHandle handle) {
        dispatch(request.future(), () -> {
            if (!request.grant(handle)) {
                // The caller gave up (cancelled, or its blocking wait timed out): do not keep the lock.
                onLoop(() -> releaseOnLoop(handle, null));
            }
        });
    }

    private void unavailable(LockRequest request) {
        dispatch(request.future(), request::unavailable);
    }

    private void fail(LockRequest request, Throwable cause) {
        dispatch(request.future(), () -> request.fail(cause));
    }

    private <T> void completeFuture(CompletableFuture<T> future, T value) {
        if (future != null) {
            dispatch(future, () -> future.complete(value));
        }
    }

    private void failFuture(CompletableFuture<?> future, Throwable cause) {
        if (future != null) {
            dispatch(future, () -> future.completeExceptionally(cause));
        }
    }

    private void dispatch(CompletableFuture<?> target, Runnable completion) {
        if (target instanceof BlockingCallFuture) {
            completion.run();
            return;
        }
        try {
            callbacks.execute(completion);
        } catch (RejectedExecutionException e) {
            completion.run();
        }
    }

    private void emit(Consumer<SessionListener> event) {
        SessionListener listener = config.listener();
        if (listener == null) {
            return;
        }
        events.execute(() -> {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                log.warn("session listener failed", e);
            }
        });
    }

    // ---- small helpers -----------------------------------------------------------------------------

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private static boolean isOk(Reply reply) {
        return reply instanceof Reply.Status status && status.isOk();
    }

    private static String statusText(Reply reply) {
        return reply instanceof Reply.Status status ? status.text() : Reply.Stats.HEADER;
    }

    private static int code(Reply reply) {
        return reply instanceof Reply.Status status ? status.code() : Reply.OK_CODE;
    }

    private static long parseToken(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int parseCount(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long ceilMillis(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 999_999) / 1_000_000;
    }

    static String describe(Throwable t) {
        if (t == null) {
            return "unknown cause";
        }
        return t.getMessage() != null ? t.getClass().getSimpleName() + ": " + t.getMessage() : t.toString();
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
