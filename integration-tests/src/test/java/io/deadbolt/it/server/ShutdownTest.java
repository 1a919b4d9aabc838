package io.deadbolt.it.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.deadbolt.server.LockService;
import io.deadbolt.server.SessionChannel;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Stopping a server closes its connections and ends its event loops at the same time, so a connection
 * may report its disconnect after the loop that runs the lock service's timer has ended. That late
 * disconnect must still be an ordinary one: with sockets, the failure showed only now and then, as a
 * WARN with a stack trace in the server's log, so this drives the lock service into that order itself.
 */
class ShutdownTest {
    private static final SessionChannel NOWHERE = new SessionChannel() {
        @Override
        public void lockGranted(String name, long token) {
        }

        @Override
        public void waitExpired(String name) {
        }
    };

    @Test
    void aDisconnectAfterTheTimerLoopHasEndedIsStillAnOrdinaryDisconnect() {
        DefaultEventExecutor timerLoop = new DefaultEventExecutor();
        assertThat(timerLoop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS))
                .isTrue();
        LockService locks = new LockService(1, 30_000, () -> 0, timerLoop);
        String session = locks.open(NOWHERE);
        locks.lock(session, "x", 0);

        assertThatCode(() -> locks.disconnect(session, true)).doesNotThrowAnyException();

        LockService.TableSnapshot snapshot = locks.snapshot();
        assertThat(snapshot.sessionsInGrace()).isEqualTo(1);
        assertThat(snapshot.heldLocks()).isEqualTo(1);
    }
}
