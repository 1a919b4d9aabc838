package io.deadbolt.client;

/**
 * A blocking call gave up waiting for the server's reply. The request may still be carried out later
 * (replies come in request order, so a request queued behind another request's long lock wait is
 * delayed by it); a lock granted after its caller gave up is released by the client.
 */
public class RequestTimeoutException extends DeadboltException {
    private static final long serialVersionUID = 1L;

    public RequestTimeoutException(String message) {
        super(message);
    }
}
