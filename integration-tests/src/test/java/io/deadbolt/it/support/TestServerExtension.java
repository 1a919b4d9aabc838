package io.deadbolt.it.support;

import io.deadbolt.server.ServerConfig;
import io.deadbolt.server.net.NettyServer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh {@link TestServer} for every test of a class, registered on an instance field such as
 * {@code @RegisterExtension final TestServerExtension server = new TestServerExtension(c -> c.maxList(3));}
 * The server is up before the class's {@code @BeforeEach} methods run and closed, with the connections
 * it opened, after its {@code @AfterEach} methods, so those may use it. A test that needs a server of
 * its own, or several, calls {@link TestServer#start} instead.
 */
public final class TestServerExtension implements BeforeEachCallback, AfterEachCallback {
    private final UnaryOperator<ServerConfig.Builder> customise;
    private TestServer server;

    /** {@link TestServer#start()}'s defaults. */
    public TestServerExtension() {
        this(UnaryOperator.identity());
    }

    /** With the options {@code customise} sets on the builder, as {@link TestServer#start(UnaryOperator)}. */
    public TestServerExtension(UnaryOperator<ServerConfig.Builder> customise) {
        this.customise = customise;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        server = TestServer.start(customise);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        // Null when the start itself failed; that failure is the one to report.
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** A new raw text connection to the current test's server, closed with the server. */
    public TextConnection connect() {
        return current().connect();
    }

    public String host() {
        return current().host();
    }

    public int port() {
        return current().port();
    }

    public NettyServer server() {
        return current().server();
    }

    private TestServer current() {
        if (server == null) {
            throw new IllegalStateException("the server runs only while a test does");
        }
        return server;
    }
}
