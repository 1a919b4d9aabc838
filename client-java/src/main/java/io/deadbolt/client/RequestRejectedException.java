package io.deadbolt.client;

/**
 * The server answered a request with an error the client does not turn into a more specific exception,
 * for example {@code 400} for a wait above the server's {@code --max-wait}. {@link #code()} and
 * {@link #serverText()} are the server's reply as it was sent.
 */
public class RequestRejectedException extends DeadboltException {
    private static final long serialVersionUID = 1L;
    private final int code;
    private final String serverText;

    public RequestRejectedException(String request, int code, String serverText) {
        super("the server refused \"" + request + "\": " + code + " " + serverText);
        this.code = code;
        this.serverText = serverText;
    }

    /** The reply's three-digit code. */
    public int code() {
        return code;
    }

    /** The reply's text after the code. */
    public String serverText() {
        return serverText;
    }
}
