package io.deadbolt.client;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One caller's request for a lock, from the call until it is granted, refused or failed. It completes
 * either a future of a handle (unavailable is an error) or a future of an optional handle (unavailable
 * is empty). The future belongs to the caller, who may cancel it at any time.
 */
final class LockRequest {
    final String name;
    final long waitMillis;
    /** Until when the caller is willing to wait, counted from the call. */
    final long deadlineNanos;
    private final CompletableFuture<LockHandle> handleFuture;
    private final CompletableFuture<Optional<LockHandle>> optionalFuture;
    /** While queued behind another request of this client for the same name. */
    ScheduledFuture<?> localTimer;

    private LockRequest(String name, long waitMillis, CompletableFuture<LockHandle> handleFuture,
                        CompletableFuture<Optional<LockHandle>> optionalFuture) {
        this.name = name;
        this.waitMillis = waitMillis;
        this.deadlineNanos = System.nanoTime() + waitMillis * 1_000_000L;
        this.handleFuture = handleFuture;
        this.optionalFuture = optionalFuture;
    }

    static LockRequest forHandle(String name, long waitMillis, CompletableFuture<LockHandle> future) {
        return new LockRequest(name, waitMillis, future, null);
    }

    static LockRequest forOptional(String name, long waitMillis, CompletableFuture<Optional<LockHandle>> future) {
        return new LockRequest(name, waitMillis, null, future);
    }

    CompletableFuture<?> future() {
        return handleFuture != null ? handleFuture : optionalFuture;
    }

    boolean isDone() {
        return handleFuture != null ? handleFuture.isDone() : optionalFuture.isDone();
    }

    /** False if the caller no longer wants the handle (the future was cancelled or timed out). */
    boolean grant(LockHandle handle) {
        return handleFuture != null ? handleFuture.complete(handle) : optionalFuture.complete(Optional.of(handle));
    }

    void unavailable() {
        if (handleFuture != null) {
            handleFuture.completeExceptionally(new LockTimeoutException(name, waitMillis == 0
                    ? "lock '" + name + "' is held by another session"
                    : "lock '" + name + "' was not granted within " + waitMillis + " ms"));
        } else {
            optionalFuture.complete(Optional.empty());
        }
    }

    void fail(Throwable cause) {
        if (handleFuture != null) {
            handleFuture.completeExceptionally(cause);
        } else {
            optionalFuture.completeExceptionally(cause);
        }
    }
}
