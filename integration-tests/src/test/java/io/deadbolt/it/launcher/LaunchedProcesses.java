package io.deadbolt.it.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts {@code ./deadbolt} processes for a test and kills any still running after it, so that a test
 * that fails half-way leaves no server behind. Register it as a {@code @RegisterExtension} field.
 */
final class LaunchedProcesses implements AfterEachCallback {
    private final List<Launched> launched = new ArrayList<>();

    /** As {@link Launched#start(String...)}. */
    Launched launch(String... args) {
        return launch(Map.of(), args);
    }

    /** As {@link Launched#start(Map, String...)}. */
    Launched launch(Map<String, String> environment, String... args) {
        Launched process = Launched.start(environment, args);
        launched.add(process);
        return process;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        launched.forEach(Launched::close);
        launched.clear();
    }
}
