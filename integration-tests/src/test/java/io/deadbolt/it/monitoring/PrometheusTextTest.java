package io.deadbolt.it.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The test's exposition-format reader refuses what Prometheus would refuse, so its passing means something. */
class PrometheusTextTest {
    private static final String GOOD = """
            # HELP up Whether it is up, with a \\\\ and a \\n.
            # TYPE up gauge
            up 1
            # TYPE requests_total counter
            requests_total{path="/a\\"b\\\\c\\n",code="200"} 3.0 1700000000000
            requests_total{path="/",code="404"} 1e3
            # TYPE wait_seconds histogram
            wait_seconds_bucket{le="0.5"} 1
            wait_seconds_bucket{le="1.0"} 2
            wait_seconds_bucket{le="+Inf"} 2
            wait_seconds_count 2
            wait_seconds_sum 1.25
            """;

    @Test
    void readsAWellFormedExposition() {
        PrometheusText text = PrometheusText.parse(GOOD);

        assertThat(text.value("up")).isEqualTo(1.0);
        assertThat(text.value("requests_total", "path", "/a\"b\\c\n", "code", "200")).isEqualTo(3.0);
        assertThat(text.value("requests_total", "path", "/", "code", "404")).isEqualTo(1000.0);
        assertThat(text.type("wait_seconds")).isEqualTo("histogram");
        assertThat(text.value("wait_seconds_sum")).isEqualTo(1.25);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "up 1",                                          // no final line feed
        "up\n",                                          // no value
        "up one\n",                                      // not a number
        "up 1 2 3\n",                                    // too many fields
        "1up 1\n",                                       // bad name
        "up{a=b} 1\n",                                   // unquoted label value
        "up{a=\"b\",a=\"c\"} 1\n",                       // repeated label
        "up{a-b=\"c\"} 1\n",                             // bad label name
        "up{a=\"\\t\"} 1\n",                             // bad escape
        "up{a=\"b\" 1\n",                                // unterminated labels
        "up 1\nup 2\n",                                  // same series twice
        "\n",                                            // empty line
        "# TYPE up gauge\n# TYPE up gauge\n",            // TYPE twice
        "up 1\n# TYPE up gauge\n",                       // TYPE after samples
        "# TYPE up bogus\n",                             // unknown type
        "a 1\nb 1\na{x=\"1\"} 1\n",                      // a family split in two
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 0\n",  // falling
        "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 0\n",                          // no +Inf
        "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 2\nh_sum 0\n",                       // count differs
    })
    void refusesWhatPrometheusWouldRefuse(String exposition) {
        assertThatThrownBy(() -> PrometheusText.parse(exposition)).isInstanceOf(AssertionError.class);
    }
}
