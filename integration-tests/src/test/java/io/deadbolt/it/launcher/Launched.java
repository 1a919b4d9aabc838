package io.deadbolt.it.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ./deadbolt} script run as a separate process, as an operator would run it. Its stdout
 * and stderr are read on background threads so that neither pipe can fill and block it; a test reads
 * them with bounded waits.
 */
final class Launched implements AutoCloseable {
    /** Enough for a JVM start, and for the script to rebuild a stale jar (then Maven runs first). */
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    static final Duration EXIT_TIMEOUT = Duration.ofSeconds(15);
    private static final Pattern LISTENING =
            Pattern.compile("deadbolt (\\S+) listening on (\\S+):([0-9]+) \\((io_uring|epoll|nio)\\)");

    private final Process process;
    /** Stdout lines as they come; an empty one marks the end of stdout. */
    private final LinkedBlockingQueue<Optional<String>> stdout = new LinkedBlockingQueue<>();
    private final List<String> stdoutSeen = new ArrayList<>();
    private final StringBuffer stderr = new StringBuffer();
    private final Thread stderrReader;

    private Launched(Process process) {
        this.process = process;
        Thread stdoutReader = new Thread(() -> {
            pump(process.getInputStream(), line -> stdout.add(Optional.of(line)));
            stdout.add(Optional.empty());
        }, "deadbolt-stdout");
        stdoutReader.setDaemon(true);
        stdoutReader.start();
        stderrReader = new Thread(() -> pump(process.getErrorStream(), line -> stderr.append(line).append('\n')),
                "deadbolt-stderr");
        stderrReader.setDaemon(true);
        stderrReader.start();
    }

    /** Runs {@code ./deadbolt ARGS...} from the project root, without any DEADBOLT_* settings of the caller. */
    static Launched start(String... args) {
        return start(Map.of(), args);
    }

    /** As {@link #start(String...)}, with these environment variables added. */
    static Launched start(Map<String, String> environment, String... args) {
        Path root = root();
        List<String> command = new ArrayList<>();
        command.add(root.resolve("deadbolt").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("DEADBOLT_"));
        builder.environment().putAll(environment);
        try {
            return new Launched(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path root() {
        String root = System.getProperty("deadbolt.root");
        if (root == null) {
            throw new IllegalStateException("system property deadbolt.root is not set (the pom sets it)");
        }
        Path path = Path.of(root).toAbsolutePath().normalize();
        if (!Files.isExecutable(path.resolve("deadbolt"))) {
            throw new IllegalStateException("no executable deadbolt script in " + path);
        }
        return path;
    }

    /** The next stdout line; fails if none comes within {@code timeout} or stdout ends first. */
    String nextStdoutLine(Duration timeout) {
        Optional<String> line = poll(timeout);
        if (line == null) {
            throw new AssertionError("no stdout line within " + timeout + "; stderr so far:\n" + stderr);
        }
        if (line.isEmpty()) {
            stdout.add(line);
            throw new AssertionError("stdout ended after " + stdoutSeen + "; stderr:\n" + stderr);
        }
        stdoutSeen.add(line.get());
        return line.get();
    }

    /** The line {@code deadbolt serve} prints on stdout once it accepts connections. */
    record Listening(String version, String host, int port, String transport) {
    }

    /** Reads the next stdout line, as {@link #nextStdoutLine}, and fails unless it is the listening line. */
    Listening awaitListening() {
        String line = nextStdoutLine(START_TIMEOUT);
        Matcher matcher = LISTENING.matcher(line);
        assertThat(matcher.matches()).as("listening line: %s", line).isTrue();
        return new Listening(matcher.group(1), matcher.group(2), Integer.parseInt(matcher.group(3)), matcher.group(4));
    }

    /** Waits for the process to end; fails if it does not within {@code timeout}. Returns its status. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("process did not exit within " + timeout + "; stderr:\n" + stderr);
            }
            // The pipes close with the process: after this join, stderr holds everything it wrote.
            stderrReader.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return process.exitValue();
    }

    /** Every stdout line not read yet, up to the end of stdout; for a process that has ended. */
    List<String> remainingStdout() {
        List<String> lines = new ArrayList<>();
        while (true) {
            Optional<String> line = poll(EXIT_TIMEOUT);
            if (line == null) {
                throw new AssertionError("stdout did not end within " + EXIT_TIMEOUT + " after " + lines);
            }
            if (line.isEmpty()) {
                return lines;
            }
            lines.add(line.get());
        }
    }

    /** The next stdout event, or null if none within {@code timeout}. */
    private Optional<String> poll(Duration timeout) {
        try {
            return stdout.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    String stderr() {
        return stderr.toString();
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERM on Linux. */
    void terminate() {
        process.destroy();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    private static void pump(InputStream stream, Consumer<String> sink) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                sink.accept(line);
            }
        } catch (IOException ignored) {
            // The process is gone; what was read is what there is.
        }
    }
}
