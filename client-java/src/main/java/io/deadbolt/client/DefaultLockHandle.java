package io.deadbolt.client;

import java.util.concurrent.CompletableFuture;

/** The handle the client gives out; its state is written on the event loop only. */
final class DefaultLockHandle implements LockHandle {
    private final ClientCore core;
    private final String name;
    private final long token;
    private volatile State state = State.HELD;

    DefaultLockHandle(ClientCore core, String name, long token) {
        this.core = core;
        this.name = name;
        this.token = token;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long token() {
        return token;
    }

    @Override
    public State state() {
        return state;
    }

    void state(State state) {
        this.state = state;
    }

    @Override
    public void ensureValid() {
        switch (state) {
            case HELD -> {
            }
            case LOST -> throw lost();
            case RELEASED -> throw released();
        }
    }

    @Override
    public void unlock() {
        core.await(core.release(this, true), core.config().requestTimeout(), "unlock " + name);
    }

    @Override
    public CompletableFuture<Void> unlockAsync() {
        return core.release(this, false);
    }

    @Override
    public void close() {
        core.closeHandle(this);
    }

    LockLostException lost() {
        return new LockLostException(name, "lock '" + name + "' (token " + token
                + ") was lost: the session expired and the server released it");
    }

    LockNotHeldException released() {
        return new LockNotHeldException(name, LockNotHeldException.Reason.NOT_LOCKED,
                "not locked: this handle of lock '" + name + "' (token " + token + ") was released already");
    }

    @Override
    public String toString() {
        return "LockHandle[" + name + ", token=" + token + ", " + state + "]";
    }
}
