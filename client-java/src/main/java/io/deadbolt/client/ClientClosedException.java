package io.deadbolt.client;

/** The {@link LockClient} was closed before or while the operation ran. */
public class ClientClosedException extends DeadboltException {
    private static final long serialVersionUID = 1L;

    public ClientClosedException() {
        super("the lock client is closed");
    }
}
