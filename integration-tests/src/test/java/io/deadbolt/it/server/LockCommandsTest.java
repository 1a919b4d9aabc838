package io.deadbolt.it.server;

import static io.deadbolt.it.support.TextConnection.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TestServerExtension;
import io.deadbolt.it.support.TextConnection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code lock}, {@code unlock} and {@code unlock_all} over real sockets, reply line by reply line. */
class LockCommandsTest {
    private static final Duration QUIET = Duration.ofMillis(200);

    @RegisterExtension
    final TestServerExtension server = new TestServerExtension();

    @Test
    void lockGrantsAPositiveTokenAndRefusesEveryOtherSession() {
        TextConnection holder = server.connect();
        TextConnection other = server.connect();

        String granted = holder.request("lock x");
        assertThat(granted).matches(TextConnection.ACQUIRED);
        assertThat(token(granted)).isPositive();

        assertThat(other.request("lock x")).isEqualTo("409 Unavailable");
        assertThat(other.request("lock x 0")).isEqualTo("409 Unavailable");
        assertThat(other.request("lock y")).matches(TextConnection.ACQUIRED);
    }

    @Test
    void relockingAHeldLockAnswersTheSameTokenAndIsNotCounted() {
        TextConnection holder = server.connect();
        TextConnection other = server.connect();

        long token = holder.acquire("x");
        assertThat(holder.request("lock x")).isEqualTo("200 Acquired token=" + token);
        assertThat(holder.request("lock x 5")).isEqualTo("200 Acquired token=" + token);

        assertThat(holder.request("unlock x")).isEqualTo("200 Unlocked");
        assertThat(other.acquire("x")).isGreaterThan(token);
        assertThat(holder.request("unlock x")).isEqualTo("403 not_yours");
    }

    @Test
    void everyGrantOfANameHasALargerTokenThanTheOnesBefore() {
        TextConnection a = server.connect();
        TextConnection b = server.connect();

        long first = a.acquire("x");
        assertThat(a.request("unlock x")).isEqualTo("200 Unlocked");
        long second = b.acquire("x");
        assertThat(b.request("unlock x")).isEqualTo("200 Unlocked");
        long third = a.acquire("x");

        assertThat(second).isGreaterThan(first);
        assertThat(third).isGreaterThan(second);
    }

    @Test
    void tokensKeepRisingAcrossAServerRestart() {
        long beforeRestart;
        try (TestServer first = TestServer.start()) {
            TextConnection a = first.connect();
            a.acquire("x");
            a.request("unlock x");
            beforeRestart = a.acquire("x");
        }

        try (TestServer restarted = TestServer.start()) {
            assertThat(restarted.connect().acquire("x")).isGreaterThan(beforeRestart);
        }
    }

    @Test
    void theLongestWaitAllowedIsAccepted() {
        TextConnection a = server.connect();

        assertThat(a.request("lock x 3600")).matches(TextConnection.ACQUIRED);
        assertThat(a.request("lock y 0.001")).matches(TextConnection.ACQUIRED);
    }

    @Test
    void waitingLockIsGrantedWhenTheHolderUnlocks() {
        TextConnection holder = server.connect();
        TextConnection waiter = server.connect();
        long held = holder.acquire("x");

        waiter.send("lock x 5");
        assertThat(waiter.nothingWithin(QUIET)).isTrue();
        assertThat(holder.request("unlock x")).isEqualTo("200 Unlocked");

        long handedOver = token(waiter.readLine(Duration.ofSeconds(2)));
        assertThat(handedOver).isGreaterThan(held);
        assertThat(holder.request("lock x")).isEqualTo("409 Unavailable");
        assertThat(waiter.request("unlock x")).isEqualTo("200 Unlocked");
    }

    @Test
    void waitingLockIsGrantedWhenTheHoldersGraceRunsOut() {
        TextConnection holder = server.connect();
        TextConnection waiter = server.connect();
        assertThat(holder.request("set_timeout 200")).isEqualTo("200 timeout set");
        long held = holder.acquire("x");

        waiter.send("lock x 5");
        holder.awaitStat("waiters", 1);
        holder.close();

        // Granted by the expiry about 200 ms after the server notices the close, long before the 5 s wait ends.
        long handedOver = token(waiter.readLine(Duration.ofSeconds(4)));
        assertThat(handedOver).isGreaterThan(held);
        assertThat(waiter.request("unlock x")).isEqualTo("200 Unlocked");
    }

    @Test
    void waitThatRunsOutIsAnswered409AndLeavesTheConnectionUsable() {
        TextConnection holder = server.connect();
        TextConnection waiter = server.connect();
        holder.acquire("x");

        long start = System.nanoTime();
        waiter.send("lock x 0.2");
        assertThat(waiter.readLine(Duration.ofSeconds(5))).isEqualTo("409 Unavailable");
        // The server's clock has millisecond steps, so allow a few under the 200 ms asked for.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(190));

        assertThat(waiter.request("echo still here")).isEqualTo("200 still here");
        assertThat(waiter.request("lock x")).isEqualTo("409 Unavailable");
        assertThat(waiter.stat("waiters")).isZero();
    }

    @Test
    void waitersAreServedFirstComeFirstServed() {
        TextConnection holder = server.connect();
        TextConnection first = server.connect();
        TextConnection second = server.connect();
        TextConnection third = server.connect();
        holder.acquire("x");

        first.send("lock x 5");
        holder.awaitStat("waiters", 1);
        second.send("lock x 5");
        holder.awaitStat("waiters", 2);
        third.send("lock x 5");
        holder.awaitStat("waiters", 3);

        assertThat(holder.request("unlock x")).isEqualTo("200 Unlocked");
        long firstToken = token(first.readLine());
        assertThat(second.nothingWithin(QUIET)).isTrue();
        assertThat(first.request("unlock x")).isEqualTo("200 Unlocked");
        long secondToken = token(second.readLine());
        assertThat(third.nothingWithin(QUIET)).isTrue();
        assertThat(second.request("unlock x")).isEqualTo("200 Unlocked");
        long thirdToken = token(third.readLine());

        assertThat(secondToken).isGreaterThan(firstToken);
        assertThat(thirdToken).isGreaterThan(secondToken);
    }

    @Test
    void unlockAnswersUnlockedNotYoursOrNotLocked() {
        TextConnection holder = server.connect();
        TextConnection other = server.connect();

        assertThat(holder.request("unlock x")).isEqualTo("403 not_locked");
        holder.acquire("x");
        assertThat(other.request("unlock x")).isEqualTo("403 not_yours");
        assertThat(holder.request("unlock x")).isEqualTo("200 Unlocked");
        assertThat(holder.request("unlock x")).isEqualTo("403 not_locked");
        assertThat(other.request("lock x")).matches(TextConnection.ACQUIRED);
    }

    @Test
    void unlockAllReleasesEveryLockOfTheSessionAndHandsThemToWaiters() {
        TextConnection holder = server.connect();
        TextConnection waiter = server.connect();
        TextConnection other = server.connect();
        holder.acquire("x");
        long heldY = holder.acquire("y");
        holder.acquire("z");
        waiter.send("lock y 5");
        other.awaitStat("waiters", 1);

        assertThat(holder.request("unlock_all")).isEqualTo("200 OK");

        assertThat(token(waiter.readLine())).isGreaterThan(heldY);
        assertThat(other.request("lock x")).matches(TextConnection.ACQUIRED);
        assertThat(other.request("lock z")).matches(TextConnection.ACQUIRED);
        assertThat(other.request("lock y")).isEqualTo("409 Unavailable");
        assertThat(holder.request("unlock x")).isEqualTo("403 not_yours");
        assertThat(holder.request("unlock_all")).isEqualTo("200 OK");
        assertThat(other.stat("locks")).isEqualTo(3);
    }
}
