package io.deadbolt.it.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestServerExtension;
import io.deadbolt.it.support.TextConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code set_name}, {@code info} and {@code locks} on the main port, over real sockets. */
class IntrospectionTest {
    private static final Pattern HELD = Pattern.compile(
            "200 held token=([0-9]+) holder=(\\S+) peer=(\\S+) held_ms=([0-9]+) waiters=([0-9]+)");
    private static final Pattern LOCK_LINE = Pattern.compile(
            "LOCK (\\S+) token=([0-9]+) holder=(\\S+) peer=(\\S+) held_ms=([0-9]+) waiters=([0-9]+)");
    private static final int MAX_LIST = 3;

    @RegisterExtension
    final TestServerExtension server = new TestServerExtension(config -> config.maxList(MAX_LIST));

    @Test
    void infoShowsTheHoldersTokenLabelAddressHoldTimeAndWaiters() {
        TextConnection holder = server.connect();
        TextConnection operator = server.connect();
        assertThat(holder.request("set_name billing-7")).isEqualTo("200 name set");
        long sent = System.nanoTime();
        long token = holder.acquire("invoices");
        long granted = System.nanoTime();

        long asking = System.nanoTime();
        String reply = operator.request("info invoices");
        long answered = System.nanoTime();

        Matcher held = matches(HELD, reply);
        assertThat(Long.parseLong(held.group(1))).isEqualTo(token);
        assertThat(held.group(2)).isEqualTo("billing-7");
        assertThat(held.group(3)).isEqualTo("127.0.0.1:" + holder.localPort());
        long heldMillis = Long.parseLong(held.group(4));
        // The grant came between sending the lock and its reply, the info between asking and the answer;
        // the server's clock counts the same time as ours, give or take a millisecond of rounding.
        assertThat(heldMillis).isBetween(millisBetween(asking, granted) - 1, millisBetween(answered, sent) + 1);
        assertThat(held.group(5)).isEqualTo("0");
    }

    @Test
    void infoOfAFreeLockSaysFreeAndAnUnnamedHolderShowsADash() {
        TextConnection holder = server.connect();
        TextConnection operator = server.connect();
        holder.acquire("x");

        assertThat(operator.request("info nobody-holds-this")).isEqualTo("200 free waiters=0");
        assertThat(matches(HELD, operator.request("info x")).group(2)).isEqualTo("-");
        assertThat(holder.request("unlock x")).isEqualTo("200 Unlocked");
        assertThat(operator.request("info x")).isEqualTo("200 free waiters=0");
    }

    @Test
    void infoCountsTheWaiters() {
        TextConnection holder = server.connect();
        TextConnection first = server.connect();
        TextConnection second = server.connect();
        holder.acquire("x");
        first.send("lock x 10");
        holder.awaitStat("waiters", 1);
        second.send("lock x 10");
        holder.awaitStat("waiters", 2);

        assertThat(matches(HELD, holder.request("info x")).group(5)).isEqualTo("2");

        assertThat(holder.request("unlock x")).isEqualTo("200 Unlocked");
        assertThat(first.readLine()).matches(TextConnection.ACQUIRED);
        assertThat(matches(HELD, holder.request("info x")).group(5)).isEqualTo("1");
    }

    @Test
    void aHolderInItsGracePeriodHasNoPeerButKeepsItsName() {
        TextConnection holder = server.connect();
        TextConnection operator = server.connect();
        String id = holder.request("conn_id").substring(4);
        assertThat(holder.request("set_name worker-3")).isEqualTo("200 name set");
        holder.acquire("x");
        holder.close();
        operator.awaitStat("sessions_in_grace", 1);

        Matcher inGrace = matches(HELD, operator.request("info x"));
        assertThat(inGrace.group(2)).isEqualTo("worker-3");
        assertThat(inGrace.group(3)).isEqualTo("-");

        TextConnection back = server.connect();
        assertThat(back.request("conn_id " + id)).isEqualTo("200 conn id set resumed locks=1");
        Matcher resumed = matches(HELD, operator.request("info x"));
        assertThat(resumed.group(2)).isEqualTo("worker-3");
        assertThat(resumed.group(3)).isEqualTo("127.0.0.1:" + back.localPort());
    }

    @Test
    void locksListsTheHeldLocksWithThePrefixInNameOrder() {
        TextConnection a = server.connect();
        TextConnection b = server.connect();
        assertThat(a.request("set_name alpha")).isEqualTo("200 name set");
        long jobs2 = a.acquire("jobs/2");
        long jobs10 = b.acquire("jobs/10");
        a.acquire("orders/1");

        List<String> jobs = listing(a, "locks jobs/");

        assertThat(jobs).hasSize(2);
        Matcher first = matches(LOCK_LINE, jobs.get(0));
        assertThat(first.group(1)).isEqualTo("jobs/10");
        assertThat(Long.parseLong(first.group(2))).isEqualTo(jobs10);
        assertThat(first.group(3)).isEqualTo("-");
        assertThat(first.group(4)).isEqualTo("127.0.0.1:" + b.localPort());
        Matcher second = matches(LOCK_LINE, jobs.get(1));
        assertThat(second.group(1)).isEqualTo("jobs/2");
        assertThat(Long.parseLong(second.group(2))).isEqualTo(jobs2);
        assertThat(second.group(3)).isEqualTo("alpha");
        assertThat(listing(a, "locks")).hasSize(3);
        assertThat(listing(a, "locks nothing/")).isEmpty();
    }

    @Test
    void locksStopsAtTheMaximumAndSaysItTruncated() {
        TextConnection a = server.connect();
        for (int i = 0; i < MAX_LIST + 2; i++) {
            a.acquire("n" + i);
        }

        assertThat(a.request("locks")).isEqualTo("200 LOCKS");
        List<String> lines = a.readLines(MAX_LIST + 2);

        assertThat(lines.subList(0, MAX_LIST)).allMatch(line -> LOCK_LINE.matcher(line).matches());
        assertThat(lines.subList(0, MAX_LIST)).extracting(line -> line.split(" ")[1]).containsExactly("n0", "n1", "n2");
        assertThat(lines.subList(MAX_LIST, MAX_LIST + 2)).containsExactly("TRUNCATED", "END");
        assertThat(listing(a, "locks n4")).hasSize(1);
    }

    @Test
    void noReplyButTheSessionsOwnConnIdShowsItsId() {
        TextConnection holder = server.connect();
        TextConnection operator = server.connect();
        String id = holder.request("conn_id").substring(4);
        holder.acquire("x");
        holder.acquire("y");

        List<String> replies = new ArrayList<>();
        replies.add(operator.request("info x"));
        replies.add(holder.request("info y"));
        replies.addAll(listing(operator, "locks"));
        replies.addAll(listing(holder, "locks"));

        assertThat(replies).hasSize(6).noneMatch(reply -> reply.contains(id));
    }

    @Test
    void badInputGets400AndTheConnectionStaysUsable() {
        TextConnection client = server.connect();

        assertThat(client.request("set_name")).isEqualTo("400 wrong number of arguments for 'set_name'");
        assertThat(client.request("set_name a b")).isEqualTo("400 wrong number of arguments for 'set_name'");
        assertThat(client.request("set_name " + "w".repeat(65))).isEqualTo("400 invalid name");
        assertThat(client.request("set_name \u00e9t\u00e9\u0001")).isEqualTo("400 invalid name");
        assertThat(client.request("set_name " + "w".repeat(64))).isEqualTo("200 name set");
        assertThat(client.request("info")).isEqualTo("400 wrong number of arguments for 'info'");
        assertThat(client.request("info a b")).isEqualTo("400 wrong number of arguments for 'info'");
        assertThat(client.request("info " + "n".repeat(251))).isEqualTo("400 invalid lock name");
        assertThat(client.request("locks a b")).isEqualTo("400 wrong number of arguments for 'locks'");
        assertThat(client.request("locks a\u007fb")).isEqualTo("400 invalid lock name");
        assertThat(client.request("INFO x")).isEqualTo("400 Unknown command: \"INFO\"");
        assertThat(client.request("echo still here")).isEqualTo("200 still here");
        assertThat(client.acquire("x")).isPositive();
    }

    @Test
    void setNameUsesTheSessionSoConnIdIsRefusedAfterIt() {
        TextConnection first = server.connect();
        String id = first.request("conn_id").substring(4);
        first.close();
        TextConnection second = server.connect();

        assertThat(second.request("set_name late")).isEqualTo("200 name set");

        assertThat(second.request("conn_id " + id)).isEqualTo("403 cannot set conn id");
    }

    @Test
    void lookingDoesNotUseTheSessionSoConnIdStillWorksAfterIt() {
        TextConnection first = server.connect();
        String id = first.request("conn_id").substring(4);
        first.acquire("x");
        first.close();
        TextConnection second = server.connect();
        // conn_id is refused while the server has not yet seen the first connection close.
        second.awaitStat("sessions_in_grace", 1);

        assertThat(second.request("info x")).startsWith("200 held ");
        assertThat(listing(second, "locks")).hasSize(1);

        assertThat(second.request("conn_id " + id)).isEqualTo("200 conn id set resumed locks=1");
    }

    @Test
    void pipelinedIntrospectionIsAnsweredInOrder() {
        TextConnection client = server.connect();
        client.acquire("p");

        client.sendRaw("set_name piper\r\ninfo p\r\nlocks p\r\necho done\r\n");

        assertThat(client.readLine()).isEqualTo("200 name set");
        assertThat(matches(HELD, client.readLine()).group(2)).isEqualTo("piper");
        assertThat(client.readLine()).isEqualTo("200 LOCKS");
        assertThat(matches(LOCK_LINE, client.readLine()).group(3)).isEqualTo("piper");
        assertThat(client.readLines(2)).containsExactly("END", "200 done");
    }

    /** Sends a {@code locks} request and returns its LOCK lines, checking the header and the END. */
    private static List<String> listing(TextConnection connection, String request) {
        assertThat(connection.request(request)).isEqualTo("200 LOCKS");
        List<String> lines = new ArrayList<>();
        for (String line = connection.readLine(); !line.equals("END"); line = connection.readLine()) {
            assertThat(line).matches(LOCK_LINE);
            lines.add(line);
        }
        return lines;
    }

    private static Matcher matches(Pattern pattern, String line) {
        Matcher matcher = pattern.matcher(line);
        assertThat(matcher.matches()).as("\"%s\" matches %s", line, pattern).isTrue();
        return matcher;
    }

    private static long millisBetween(long laterNanos, long earlierNanos) {
        return (laterNanos - earlierNanos) / 1_000_000;
    }
}
