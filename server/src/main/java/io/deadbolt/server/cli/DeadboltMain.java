package io.deadbolt.server.cli;

import ch.qos.logback.classic.Level;
import io.deadbolt.server.ServerConfig;
import io.deadbolt.server.TransportChoice;
import io.deadbolt.server.Version;
import io.deadbolt.server.net.NettyServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code deadbolt}: the command line. {@code deadbolt serve} runs the lock server until SIGTERM or SIGINT. */
@Command(name = "deadbolt", mixinStandardHelpOptions = true, versionProvider = DeadboltMain.VersionProvider.class,
        description = "A lock server for distributed programs, wire-compatible with elock.",
        subcommands = {DeadboltMain.Serve.class, CommandLine.HelpCommand.class})
public final class DeadboltMain implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new DeadboltMain())
                .registerConverter(Duration.class, new DurationConverter());
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(System.err);
        return CommandLine.ExitCode.USAGE;
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Run the lock server until SIGTERM or SIGINT.", sortOptions = false)
    static final class Serve implements Callable<Integer> {
        private static final Logger log = LoggerFactory.getLogger(Serve.class);

        @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "${env:DEADBOLT_BIND:-127.0.0.1}",
                description = "Address to listen on (env DEADBOLT_BIND). Default: ${DEFAULT-VALUE}")
        String bind;

        @Option(names = "--port", paramLabel = "PORT", defaultValue = "${env:DEADBOLT_PORT:-11400}",
                description = "TCP port; 0 picks a free one (env DEADBOLT_PORT). Default: ${DEFAULT-VALUE}")
        int port;

        @Option(names = "--session-timeout", paramLabel = "DURATION",
                defaultValue = "${env:DEADBOLT_SESSION_TIMEOUT:-30s}",
                description = "How long a session's locks outlive its connection; clients change it with "
                        + "set_timeout (env DEADBOLT_SESSION_TIMEOUT). Default: ${DEFAULT-VALUE}")
        Duration sessionTimeout;

        @Option(names = "--max-wait", paramLabel = "DURATION", defaultValue = "${env:DEADBOLT_MAX_WAIT:-1h}",
                description = "Longest wait a 'lock NAME WAIT' may ask for (env DEADBOLT_MAX_WAIT). "
                        + "Default: ${DEFAULT-VALUE}")
        Duration maxWait;

        @Option(names = "--max-timeout", paramLabel = "DURATION", defaultValue = "${env:DEADBOLT_MAX_TIMEOUT:-10m}",
                description = "Longest grace period a 'set_timeout' may ask for (env DEADBOLT_MAX_TIMEOUT). "
                        + "Default: ${DEFAULT-VALUE}")
        Duration maxTimeout;

        @Option(names = "--max-line", paramLabel = "BYTES", defaultValue = "${env:DEADBOLT_MAX_LINE:-8192}",
                description = "Longest request line; a longer one gets '400 line too long' and the connection "
                        + "is closed (env DEADBOLT_MAX_LINE). Default: ${DEFAULT-VALUE}")
        int maxLine;

        @Option(names = "--io-threads", paramLabel = "N", defaultValue = "${env:DEADBOLT_IO_THREADS:-0}",
                description = "Event loop threads; 0 means half the CPUs, at least 1 (env DEADBOLT_IO_THREADS). "
                        + "Default: ${DEFAULT-VALUE}")
        int ioThreads;

        @Option(names = "--transport", paramLabel = "KIND", defaultValue = "${env:DEADBOLT_TRANSPORT:-auto}",
                converter = TransportConverter.class,
                description = "Socket implementation: auto, io_uring, epoll or nio; auto takes io_uring where the "
                        + "kernel allows it, else epoll, else nio (env DEADBOLT_TRANSPORT). Default: ${DEFAULT-VALUE}")
        TransportChoice transport;

        @Option(names = "--max-connections", paramLabel = "N",
                defaultValue = "${env:DEADBOLT_MAX_CONNECTIONS:-10000}",
                description = "Open connections at most; one more is answered '503 too many connections' and "
                        + "closed. Keep it below the open-file limit (ulimit -n) (env DEADBOLT_MAX_CONNECTIONS). "
                        + "Default: ${DEFAULT-VALUE}")
        int maxConnections;

        @Option(names = "--max-locks-per-session", paramLabel = "N",
                defaultValue = "${env:DEADBOLT_MAX_LOCKS_PER_SESSION:-10000}",
                description = "Locks one session may hold; a lock over it is answered '403 too many locks' "
                        + "(env DEADBOLT_MAX_LOCKS_PER_SESSION). Default: ${DEFAULT-VALUE}")
        int maxLocksPerSession;

        @Option(names = "--max-sessions-in-grace", paramLabel = "N",
                defaultValue = "${env:DEADBOLT_MAX_SESSIONS_IN_GRACE:-10000}",
                description = "Sessions in their grace period at most; when one more disconnects, the one whose "
                        + "grace would end soonest ends now and its locks are released "
                        + "(env DEADBOLT_MAX_SESSIONS_IN_GRACE). Default: ${DEFAULT-VALUE}")
        int maxSessionsInGrace;

        @Option(names = "--max-line-time", paramLabel = "DURATION",
                defaultValue = "${env:DEADBOLT_MAX_LINE_TIME:-30s}",
                description = "Longest a request line may stay unfinished; then '408 request timed out' and the "
                        + "connection is closed. Idle connections are never closed. 0 turns it off "
                        + "(env DEADBOLT_MAX_LINE_TIME). Default: ${DEFAULT-VALUE}")
        Duration maxLineTime;

        @Option(names = "--password-file", paramLabel = "PATH", defaultValue = "${env:DEADBOLT_PASSWORD_FILE}",
                description = "Require 'auth PASSWORD' before any other command; the password is the file's "
                        + "first line, without surrounding whitespace (env DEADBOLT_PASSWORD_FILE). "
                        + "Default: no password")
        Path passwordFile;

        @Option(names = "--tls-cert", paramLabel = "PATH", defaultValue = "${env:DEADBOLT_TLS_CERT}",
                description = "Serve TLS with this PEM certificate chain; needs --tls-key "
                        + "(env DEADBOLT_TLS_CERT). Default: plain TCP")
        Path tlsCert;

        @Option(names = "--tls-key", paramLabel = "PATH", defaultValue = "${env:DEADBOLT_TLS_KEY}",
                description = "The PEM private key (PKCS#8, unencrypted) of --tls-cert (env DEADBOLT_TLS_KEY)")
        Path tlsKey;

        @Option(names = "--memcached-port", paramLabel = "PORT", defaultValue = "${env:DEADBOLT_MEMCACHED_PORT}",
                description = "Also serve memcached's 'stats' on this port, read-only, for memcached scrapers; "
                        + "0 picks a free one (env DEADBOLT_MEMCACHED_PORT). Default: off")
        Integer memcachedPort;

        @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "${env:DEADBOLT_HTTP_PORT}",
                description = "Also serve HTTP on this port: Prometheus metrics at /metrics, health at /healthz; "
                        + "0 picks a free one (env DEADBOLT_HTTP_PORT). Default: off")
        Integer httpPort;

        @Option(names = "--max-list", paramLabel = "N", defaultValue = "${env:DEADBOLT_MAX_LIST:-1000}",
                description = "Most locks one 'locks' reply lists (env DEADBOLT_MAX_LIST). Default: ${DEFAULT-VALUE}")
        int maxList;

        @Option(names = {"-v", "--verbose"},
                description = "Log at debug level: connections opening and closing, sessions expiring. "
                        + "Repeat (-vv) for Netty's own debug output too. Env DEADBOLT_VERBOSE=true does "
                        + "the same as one -v.")
        boolean[] verbose = new boolean[0];

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        private final CountDownLatch stop = new CountDownLatch(1);

        @Override
        public Integer call() throws InterruptedException {
            configureLogging();
            ServerConfig config;
            try {
                config = ServerConfig.builder().bindAddress(bind).port(port).sessionTimeout(sessionTimeout)
                        .maxWait(maxWait).maxTimeout(maxTimeout).maxLineBytes(maxLine).ioThreads(ioThreads)
                        .transport(transport).maxConnections(maxConnections).maxLocksPerSession(maxLocksPerSession)
                        .maxSessionsInGrace(maxSessionsInGrace).maxLineTime(maxLineTime).passwordFile(passwordFile)
                        .tls(tlsCert, tlsKey)
                        .memcachedPort(memcachedPort == null ? ServerConfig.OFF : memcachedPort)
                        .httpPort(httpPort == null ? ServerConfig.OFF : httpPort).maxList(maxList)
                        .build();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            NettyServer server;
            try {
                server = NettyServer.start(config);
            } catch (NettyServer.StartException e) {
                System.err.println("deadbolt: " + e.getMessage());
                return CommandLine.ExitCode.SOFTWARE;
            }
            onSignal("TERM");
            onSignal("INT");
            System.out.printf("deadbolt %s listening on %s:%d (%s)%n", Version.get(),
                    server.address().getAddress().getHostAddress(), server.address().getPort(),
                    server.transportName());
            server.memcachedAddress().ifPresent(address -> System.out.printf(
                    "memcached stats on %s:%d%n", address.getAddress().getHostAddress(), address.getPort()));
            server.httpAddress().ifPresent(address -> System.out.printf(
                    "metrics on http://%s/metrics%n", hostAndPort(address)));
            System.out.flush();
            if (tlsCert != null) {
                log.info("speaking TLS only, with the certificate {}", tlsCert);
            }
            if (passwordFile != null) {
                log.info("clients must send 'auth PASSWORD' first");
            }
            stop.await();
            log.info("stopping");
            server.close();
            log.info("stopped");
            return CommandLine.ExitCode.OK;
        }

        private static String hostAndPort(java.net.InetSocketAddress address) {
            String host = address.getAddress().getHostAddress();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
        }

        /** Turns the signal into an orderly stop and exit status 0, rather than the JVM's 143. */
        @SuppressWarnings("sunapi")
        private void onSignal(String name) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stop.countDown());
            } catch (IllegalArgumentException unsupported) {
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "deadbolt-stop"));
            }
        }

        private void configureLogging() {
            int level = verbose.length;
            if (level == 0 && "true".equalsIgnoreCase(System.getenv("DEADBOLT_VERBOSE"))) {
                level = 1;
            }
            if (level > 0) {
                setLevel("io.deadbolt", Level.DEBUG);
            }
            if (level > 1) {
                setLevel("io.netty", Level.DEBUG);
            }
        }

        private static void setLevel(String logger, Level level) {
            if (LoggerFactory.getLogger(logger) instanceof ch.qos.logback.classic.Logger logback) {
                logback.setLevel(level);
            }
        }
    }

    /** {@code --transport}: the lower-case names operators type, with an error that lists them. */
    static final class TransportConverter implements CommandLine.ITypeConverter<TransportChoice> {
        @Override
        public TransportChoice convert(String value) {
            try {
                return TransportChoice.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --version}: the version Maven built, and the Java it runs on. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "deadbolt " + Version.get(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
            };
        }
    }
}
