package io.deadbolt.client;

import java.util.ArrayDeque;

/**
 * This client's business with one lock name. The server counts a session's lock once, however often the
 * session asks for it, so two threads sharing a client would both be "granted" the same lock; the client
 * therefore lets one request per name through at a time and queues the others here until the handle is
 * released. Event loop only.
 */
final class NameEntry {
    /** The valid handle of the name, if this client holds it. */
    DefaultLockHandle handle;
    /** The lock request on the wire for this name, if any. */
    LockRequest inFlight;
    /** Requests of this client waiting for {@link #handle} or {@link #inFlight} to be done with. */
    final ArrayDeque<LockRequest> waiters = new ArrayDeque<>();

    boolean busy() {
        return handle != null || inFlight != null;
    }
}
