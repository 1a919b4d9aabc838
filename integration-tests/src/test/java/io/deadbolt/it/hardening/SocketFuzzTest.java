package io.deadbolt.it.hardening;

import static io.deadbolt.it.support.TextConnection.numeric;
import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TextConnection;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A seeded socket fuzzer: several connections send thousands of random and mutated request lines
 * (bad bytes, bad arguments, over-long lines, {@code quit}, attempts on another session's locks) while
 * well-behaved clients lock and unlock. Every reply the well-behaved clients get must be exactly right,
 * the server must stay up, and afterwards the locks held by the live session that sat through it all
 * must be exactly what it held before.
 */
class SocketFuzzTest {
    private static final long SEED = 0xF022_DEAD_B017L;
    private static final int FUZZERS = 6;
    private static final int BATCHES_PER_FUZZER = 40;
    private static final int LINES_PER_BATCH = 20;
    private static final int WELL_BEHAVED = 4;
    private static final int STEPS_PER_CLIENT = 250;
    private static final int KEPT_LOCKS = 10;
    private static final int MAX_LINE = 512;

    private final Random seeds = new Random(SEED);
    private final String run = Long.toHexString(seeds.nextLong());
    private final ConcurrentLinkedQueue<String> wrongReplies = new ConcurrentLinkedQueue<>();
    private final AtomicInteger fuzzRepliesRead = new AtomicInteger();
    private final AtomicInteger fuzzConnectionsClosedByServer = new AtomicInteger();
    private final AtomicReference<String> sharedHolder = new AtomicReference<>();
    private final AtomicLong sharedLastToken = new AtomicLong();
    private final AtomicInteger sharedGrants = new AtomicInteger();

    @Test
    void theServerAnswersWellBehavedClientsRightlyWhileOthersSendGarbage() throws Exception {
        try (TestServer server = TestServer.start(config -> config
                .maxLineBytes(MAX_LINE)
                .maxWait(Duration.ofMillis(50))
                .sessionTimeout(Duration.ofMillis(200))
                .maxTimeout(Duration.ofMillis(300)))) {
            TextConnection holder = server.connect();
            String holderId = holder.request("conn_id").substring(4);
            Map<String, Long> kept = new HashMap<>();
            for (int i = 0; i < KEPT_LOCKS; i++) {
                String name = keptName(i);
                kept.put(name, holder.acquire(name));
            }

            ExecutorService pool = Executors.newFixedThreadPool(FUZZERS + WELL_BEHAVED);
            List<Future<?>> tasks = new ArrayList<>();
            try {
                for (int f = 0; f < FUZZERS; f++) {
                    long seed = seeds.nextLong();
                    int index = f;
                    tasks.add(pool.submit(() -> fuzz(server, index, new Random(seed))));
                }
                for (int w = 0; w < WELL_BEHAVED; w++) {
                    long seed = seeds.nextLong();
                    int index = w;
                    tasks.add(pool.submit(() -> behave(server, index, new Random(seed))));
                }
                for (Future<?> task : tasks) {
                    task.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }

            assertThat(wrongReplies).as("replies to well-behaved clients that were wrong").isEmpty();
            // Guards against a fuzzer that never got to do harm.
            assertThat(fuzzRepliesRead.get()).isGreaterThan(1000);
            assertThat(fuzzConnectionsClosedByServer.get()).isPositive();
            assertThat(sharedGrants.get()).isPositive();

            // Once every other session is gone, only the holder's locks remain, with their tokens.
            TextConnection watcher = server.connect();
            Map<String, String> stats = watcher.awaitStats(s -> numeric(s, "sessions") == 2
                    && numeric(s, "curr_connections") == 2, TextConnection.DEFAULT_TIMEOUT);
            assertThat(numeric(stats, "locks")).isEqualTo(KEPT_LOCKS);
            assertThat(numeric(stats, "waiters")).isZero();
            assertThat(numeric(stats, "sessions_in_grace")).isZero();
            assertThat(numeric(stats, "clients")).isEqualTo(2);
            for (Map.Entry<String, Long> lock : kept.entrySet()) {
                assertThat(holder.request("lock " + lock.getKey())).isEqualTo("200 Acquired token=" + lock.getValue());
            }
            assertThat(holder.request("conn_id")).isEqualTo("200 " + holderId);
            assertThat(server.connect().request("echo still up")).isEqualTo("200 still up");
        }
    }

    private String keptName(int i) {
        return "keep-" + run + "-" + i;
    }

    // ---- well-behaved clients -------------------------------------------------------------------

    private void behave(TestServer server, int index, Random random) {
        TextConnection client = server.connect();
        String me = "wb-" + index;
        String shared = "shared-" + run;
        Map<String, Long> lastTokens = new HashMap<>();
        for (int step = 0; step < STEPS_PER_CLIENT; step++) {
            int choice = random.nextInt(10);
            if (choice < 4) {
                String name = "own-" + run + "-" + index + "-" + random.nextInt(5);
                String reply = client.request("lock " + name);
                long token = tokenOrWrong(me, "lock " + name, reply);
                Long last = lastTokens.put(name, token);
                if (last != null && token <= last) {
                    wrong(me, "lock " + name, reply + " (not above the earlier " + last + ")");
                }
                expect(me, client, "unlock " + name, "200 Unlocked");
            } else if (choice < 6) {
                String reply = client.request("lock " + shared + " 0.05");
                if (reply.equals("409 Unavailable")) {
                    continue;
                }
                long token = tokenOrWrong(me, "lock shared", reply);
                if (!sharedHolder.compareAndSet(null, me)) {
                    wrong(me, "lock shared", reply + " while " + sharedHolder.get() + " holds it");
                }
                if (token <= sharedLastToken.getAndSet(token)) {
                    wrong(me, "lock shared", reply + " (token not rising)");
                }
                sharedGrants.incrementAndGet();
                expect(me, client, "echo inside " + me, "200 inside " + me);
                sharedHolder.set(null);
                expect(me, client, "unlock " + shared, "200 Unlocked");
            } else if (choice == 6) {
                expect(me, client, "unlock " + keptName(random.nextInt(KEPT_LOCKS)), "403 not_yours");
            } else if (choice == 7) {
                expect(me, client, "lock " + keptName(random.nextInt(KEPT_LOCKS)), "409 Unavailable");
            } else if (choice == 8) {
                expect(me, client, "unlock never-" + run + "-" + index, "403 not_locked");
            } else {
                expect(me, client, "echo " + me + " step " + step, "200 " + me + " step " + step);
            }
        }
        client.close();
    }

    private void expect(String who, TextConnection client, String request, String expected) {
        String reply = client.request(request);
        if (!reply.equals(expected)) {
            wrong(who, request, reply);
        }
    }

    private long tokenOrWrong(String who, String request, String reply) {
        if (!TextConnection.ACQUIRED.matcher(reply).matches()) {
            wrong(who, request, reply);
            return 0;
        }
        return TextConnection.token(reply);
    }

    private void wrong(String who, String request, String reply) {
        wrongReplies.add(who + ": " + request + " -> " + reply);
    }

    // ---- fuzzers --------------------------------------------------------------------------------

    private void fuzz(TestServer server, int index, Random random) {
        Socket socket = null;
        try {
            for (int batch = 0; batch < BATCHES_PER_FUZZER; batch++) {
                if (socket == null) {
                    socket = new Socket(server.host(), server.port());
                    socket.setSoTimeout((int) TextConnection.DEFAULT_TIMEOUT.toMillis());
                }
                ByteArrayOutputStream lines = new ByteArrayOutputStream();
                for (int i = 0; i < LINES_PER_BATCH; i++) {
                    lines.writeBytes(fuzzLine(random));
                    lines.write('\n');
                }
                String sync = "fuzz-sync-" + index + "-" + batch;
                lines.writeBytes(("echo " + sync + "\r\n").getBytes(StandardCharsets.US_ASCII));
                if (!sendAndAwait(socket, lines.toByteArray(), "200 " + sync)) {
                    fuzzConnectionsClosedByServer.incrementAndGet();
                    socket.close();
                    socket = null;
                }
            }
        } catch (IOException e) {
            throw new AssertionError("fuzzer " + index + " failed", e);
        } finally {
            closeQuietly(socket);
        }
    }

    /** Sends the batch and reads replies up to the sync line; false if the server closed the connection. */
    private boolean sendAndAwait(Socket socket, byte[] batch, String syncReply) throws IOException {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(batch);
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            while (true) {
                String line = readLine(in);
                if (line == null) {
                    return false;
                }
                fuzzRepliesRead.incrementAndGet();
                if (line.equals(syncReply)) {
                    return true;
                }
            }
        } catch (java.net.SocketException reset) {
            // Closing on quit or an over-long line with requests still unread may reset the connection.
            return false;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return null;
    }

    private static final String[] TEMPLATES = {
            "lock a", "lock b 0.01", "lock c 0.02", "unlock a", "unlock b", "unlock_all", "conn_id", "conn_id fz-1",
            "set_timeout 100", "set_timeout 300", "stats", "echo hello world", "quit", "auth secret",
            "lock a 99999999999999999999", "set_timeout 18446744073709551617", "lock \u00e9\u00e9 0.01"};

    private byte[] fuzzLine(Random random) {
        int kind = random.nextInt(100);
        if (kind < 2) {
            // Over the line limit: answered 400 line too long and closed.
            return ("echo " + "z".repeat(MAX_LINE)).getBytes(StandardCharsets.US_ASCII);
        }
        if (kind < 25) {
            byte[] noise = new byte[random.nextInt(40)];
            random.nextBytes(noise);
            return noise;
        }
        if (kind < 35) {
            // Attempts on the kept locks, whose names everyone knows.
            String name = keptName(random.nextInt(KEPT_LOCKS));
            return (random.nextBoolean() ? "unlock " + name : "lock " + name + " 0.01")
                    .getBytes(StandardCharsets.UTF_8);
        }
        byte[] line = TEMPLATES[random.nextInt(TEMPLATES.length)].getBytes(StandardCharsets.UTF_8);
        int mutations = random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            line = mutate(line, random);
        }
        return line;
    }

    private static byte[] mutate(byte[] line, Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = line.length == 0 ? 0 : random.nextInt(line.length);
        switch (random.nextInt(6)) {
            case 0 -> { // flip a byte
                byte[] copy = line.clone();
                if (copy.length > 0) {
                    copy[at] = (byte) random.nextInt(256);
                }
                return copy;
            }
            case 1 -> { // insert a byte, often a separator or a line end
                byte[] choices = {' ', '\t', '\r', '\n', 0, (byte) 0xFF, (byte) 0xC3, '.', '-'};
                out.write(line, 0, at);
                out.write(choices[random.nextInt(choices.length)]);
                out.write(line, at, line.length - at);
            }
            case 2 -> out.write(line, 0, at); // truncate
            case 3 -> { // double a part
                out.write(line, 0, line.length);
                out.write(' ');
                out.write(line, at, line.length - at);
            }
            case 4 -> { // upper-case the whole line
                return new String(line, StandardCharsets.ISO_8859_1).toUpperCase()
                        .getBytes(StandardCharsets.ISO_8859_1);
            }
            default -> { // add a number argument
                out.write(line, 0, line.length);
                out.writeBytes((" " + (random.nextInt(2000) - 1000) / 7.0).getBytes(StandardCharsets.US_ASCII));
            }
        }
        return out.toByteArray();
    }

    private static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
