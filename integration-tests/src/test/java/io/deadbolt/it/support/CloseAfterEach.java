package io.deadbolt.it.support;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes what a test handed it once the test is over, the last one first as try-with-resources does.
 * For tests whose servers, proxies and clients come and go part-way through, where nested try blocks
 * would not fit. Register it as a {@code @RegisterExtension} field.
 */
public final class CloseAfterEach implements AfterEachCallback {
    private final List<AutoCloseable> resources = new ArrayList<>();

    /** Returns {@code resource}, to be closed after the test. */
    public <T extends AutoCloseable> T closeLater(T resource) {
        resources.add(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            for (int i = resources.size() - 1; i >= 0; i--) {
                resources.get(i).close();
            }
        } finally {
            resources.clear();
        }
    }
}
