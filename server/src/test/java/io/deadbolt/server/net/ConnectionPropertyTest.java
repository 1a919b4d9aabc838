package io.deadbolt.server.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.protocol.Command;
import io.deadbolt.protocol.ProtocolLimits;
import io.deadbolt.protocol.Reply;
import io.deadbolt.protocol.Request;
import io.deadbolt.protocol.RequestDecoder;
import io.deadbolt.protocol.RequestStreams;
import io.deadbolt.server.LockService;
import io.deadbolt.server.lock.LockTable;
import io.deadbolt.server.stats.ServerStats;
import io.deadbolt.server.stats.StatsReport;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Properties of one connection's whole pipeline (decoder and connection handler, on an embedded
 * channel): whatever bytes arrive, cut anywhere, every non-blank line gets exactly one reply, of the
 * kind its request calls for, until a {@code quit}, an over-long line or a wrong password closes the
 * connection; nothing escapes the pipeline as an exception; and with a password set, no command but
 * {@code auth} and {@code quit} is served before the right password.
 */
class ConnectionPropertyTest {
    private static final int MAX_LINE = 64;
    private static final ProtocolLimits LIMITS = new ProtocolLimits(MAX_LINE, 10_000, 60_000);
    private static final String PASSWORD = "pw-0k";
    private static final DefaultEventExecutor TIMER = new DefaultEventExecutor();
    private static final Authenticator AUTHENTICATOR = authenticator();

    private static final String[] WORDS = {
            "lock", "lock", "unlock", "unlock_all", "conn_id", "set_timeout", "stats", "echo", "echo", "auth",
            "quit", "LOCK", "frobnicate"};
    private static final String[] ARGUMENTS = {
            "a", "b", "c", "d", "é", "\u00A0", "\uFFFD", "0", "5", "0.25", "-1", "1e3", "60001", PASSWORD,
            "wrong", "session-1", "n".repeat(40)};

    @AfterContainer
    static void stopTimer() {
        TIMER.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Property(tries = 400)
    void everyNonBlankLineGetsOneReplyOfItsKindUntilTheConnectionCloses(@ForAll("streams") byte[] stream,
                                                                        @ForAll("cuts") List<Integer> cuts) {
        Run run = run(stream, cuts, Authenticator.NONE);

        List<Predicate<Reply>> expected = new ArrayList<>();
        OneSession model = new OneSession();
        boolean closes = false;
        for (Request request : RequestStreams.requestsIn(stream, LIMITS)) {
            expected.add(model.replyTo(request));
            if (request instanceof Request.LineTooLong || request instanceof Command.Quit) {
                closes = true;
                break;
            }
        }
        assertRepliesMatch(run.replies, expected);
        assertThat(run.open).as("connection open").isEqualTo(!closes);
    }

    @Property(tries = 400)
    void withAPasswordNothingButAuthAndQuitIsServedBeforeTheRightPassword(@ForAll("streams") byte[] stream,
                                                                         @ForAll("cuts") List<Integer> cuts) {
        Run run = run(stream, cuts, AUTHENTICATOR);

        List<Predicate<Reply>> expected = new ArrayList<>();
        OneSession model = new OneSession();
        boolean authenticated = false;
        boolean closes = false;
        for (Request request : RequestStreams.requestsIn(stream, LIMITS)) {
            if (request instanceof Command.Auth auth) {
                authenticated = auth.password().equals(PASSWORD);
                expected.add(Predicate.isEqual(authenticated ? Reply.AUTHENTICATED : Reply.INVALID_PASSWORD));
                closes = !authenticated;
            } else if (request instanceof Command command && !(command instanceof Command.Quit) && !authenticated) {
                expected.add(Predicate.isEqual(Reply.AUTHENTICATION_REQUIRED));
            } else {
                expected.add(model.replyTo(request));
                closes = request instanceof Request.LineTooLong || request instanceof Command.Quit;
            }
            if (closes) {
                break;
            }
        }
        assertRepliesMatch(run.replies, expected);
        assertThat(run.open).as("connection open").isEqualTo(!closes);
    }

    /**
     * The model of a connection whose session is the only one on the server (so no lock is ever busy):
     * which session it speaks for, whether it has used it, and which names it holds.
     */
    private static final class OneSession {
        private static final int MAX_LOCKS = 3;
        private final java.util.Set<String> held = new java.util.HashSet<>();
        private String chosenId;
        private boolean used;

        Predicate<Reply> replyTo(Request request) {
            if (request instanceof Request.Invalid invalid) {
                return Predicate.isEqual(invalid.reply());
            }
            if (request instanceof Request.LineTooLong) {
                return Predicate.isEqual(Reply.LINE_TOO_LONG);
            }
            Command command = (Command) request;
            if (command instanceof Command.Lock lock) {
                used = true;
                if (!held.contains(lock.name()) && held.size() >= MAX_LOCKS) {
                    return Predicate.isEqual(Reply.tooManyLocks(MAX_LOCKS));
                }
                held.add(lock.name());
                return reply -> reply instanceof Reply.Status status
                        && status.text().matches(Reply.ACQUIRED_PREFIX + "[1-9][0-9]*");
            }
            if (command instanceof Command.Unlock unlock) {
                used = true;
                return Predicate.isEqual(held.remove(unlock.name()) ? Reply.UNLOCKED : Reply.NOT_LOCKED);
            }
            if (command instanceof Command.UnlockAll) {
                used = true;
                held.clear();
                return Predicate.isEqual(Reply.ALL_UNLOCKED);
            }
            if (command instanceof Command.GetConnId) {
                used = true;
                String id = chosenId;
                return id != null ? Predicate.isEqual(Reply.ok(id))
                        : reply -> reply instanceof Reply.Status status && status.isOk()
                                && status.text().matches("[0-9a-f]{32}");
            }
            if (command instanceof Command.SetConnId setConnId) {
                if (used) {
                    return Predicate.isEqual(Reply.CONN_ID_REFUSED);
                }
                used = true;
                chosenId = setConnId.id();
                return Predicate.isEqual(Reply.CONN_ID_NEW);
            }
            if (command instanceof Command.SetTimeout) {
                used = true;
                return Predicate.isEqual(Reply.TIMEOUT_SET);
            }
            if (command instanceof Command.Stats) {
                return reply -> reply instanceof Reply.Stats;
            }
            if (command instanceof Command.Quit) {
                return Predicate.isEqual(Reply.BYE);
            }
            if (command instanceof Command.Echo echo) {
                return Predicate.isEqual(Reply.ok(echo.text()));
            }
            return Predicate.isEqual(Reply.NO_PASSWORD_REQUIRED);
        }
    }

    private static void assertRepliesMatch(List<Reply> replies, List<Predicate<Reply>> expected) {
        assertThat(replies).as("one reply per non-blank line").hasSameSizeAs(expected);
        for (int i = 0; i < replies.size(); i++) {
            assertThat(expected.get(i).test(replies.get(i))).as("reply %d: %s", i, replies.get(i)).isTrue();
        }
    }

    private record Run(List<Reply> replies, boolean open) {
    }

    private static Run run(byte[] stream, List<Integer> cuts, Authenticator authenticator) {
        LockService locks = new LockService(1, 1_000, () -> 0, TIMER, new LockTable.Limits(3, 10));
        ServerStats stats = new ServerStats();
        EmbeddedChannel channel = new EmbeddedChannel(new RequestDecoder(LIMITS),
                new ConnectionHandler(locks, stats, new StatsReport(locks, stats, 1), authenticator));
        int from = 0;
        for (int cut : RequestStreams.pieceEnds(stream.length, cuts)) {
            if (!channel.isOpen()) {
                break;
            }
            channel.writeInbound(Unpooled.copiedBuffer(stream, from, cut - from));
            from = cut;
        }
        channel.runPendingTasks();
        // Rethrows anything a handler raised instead of passing it on.
        channel.checkException();
        boolean open = channel.isOpen();
        List<Reply> replies = new ArrayList<>();
        Object message;
        while ((message = channel.readOutbound()) != null) {
            if (message instanceof Reply reply) {
                replies.add(reply);
            }
        }
        assertThat(channel.inboundMessages()).as("requests left unhandled").isEmpty();
        channel.finishAndReleaseAll();
        return new Run(replies, open);
    }

    @Provide
    Arbitrary<byte[]> streams() {
        return RequestStreams.withLineLimit(MAX_LINE)
                .words(WORDS)
                .arguments(ARGUMENTS)
                .separators(" ", "\t", "  ")
                .noiseOfUpTo(10)
                .longLinesFrom(MAX_LINE - 4)
                .ofUpTo(15);
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return RequestStreams.cuts(8);
    }

    private static Authenticator authenticator() {
        try {
            Path file = Files.createTempFile("deadbolt-password", ".txt");
            file.toFile().deleteOnExit();
            Files.writeString(file, PASSWORD + "\n");
            return Authenticator.fromFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
