package io.deadbolt.server.net;

/**
 * The user event that tells each connection, on its own event loop, that the server is stopping: a
 * pending wait is answered {@code 503 shutting down}, what was written is flushed, and it closes.
 */
enum ServerStopping {
    INSTANCE
}
