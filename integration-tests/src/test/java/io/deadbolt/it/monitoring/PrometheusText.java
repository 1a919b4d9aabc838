package io.deadbolt.it.monitoring;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), written from its
 * specification so that a test can tell whether a Prometheus server would accept a scrape: every line
 * must be a {@code # HELP}, a {@code # TYPE}, another comment, or a sample with a valid name, valid and
 * distinct label names, correctly escaped label values and a float value. Within a family, TYPE comes
 * before the samples and at most once; a family's samples are together; histogram buckets must rise with {@code le}, never fall, and end
 * with {@code +Inf} equal to {@code _count}.
 */
final class PrometheusText {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE_NAME = Pattern.compile(NAME);
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern VALUE = Pattern.compile(
            "[+-]?(Inf|NaN|[0-9]+(\\.[0-9]*)?([eE][+-]?[0-9]+)?|\\.[0-9]+([eE][+-]?[0-9]+)?)");
    private static final Pattern TIMESTAMP = Pattern.compile("-?[0-9]+");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;
    private final Map<String, String> types;

    private PrometheusText(List<Sample> samples, Map<String, String> types) {
        this.samples = samples;
        this.types = types;
    }

    /** Parses a whole scrape; throws {@link AssertionError} at the first line Prometheus would refuse. */
    static PrometheusText parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new AssertionError("the exposition does not end with a line feed");
        }
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        Set<String> helped = new HashSet<>();
        Set<String> seenSeries = new HashSet<>();
        Set<String> familiesWithSamples = new HashSet<>();
        Set<String> finishedFamilies = new HashSet<>();
        String currentFamily = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            String where = "line " + (i + 1) + ": \"" + line + "\"";
            if (line.startsWith("#")) {
                Matcher help = HELP.matcher(line);
                Matcher type = TYPE.matcher(line);
                if (line.startsWith("# HELP ")) {
                    check(help.matches(), "malformed HELP, " + where);
                    checkHelpEscapes(help.group(2), where);
                    check(helped.add(help.group(1)), "second HELP for " + help.group(1) + ", " + where);
                } else if (line.startsWith("# TYPE ")) {
                    check(type.matches(), "malformed TYPE, " + where);
                    check(!types.containsKey(type.group(1)), "second TYPE for " + type.group(1) + ", " + where);
                    check(!familiesWithSamples.contains(type.group(1)),
                            "TYPE after samples of " + type.group(1) + ", " + where);
                    types.put(type.group(1), type.group(2));
                }
                continue;
            }
            check(!line.isEmpty(), "empty line, " + where);
            Sample sample = parseSample(line, where);
            String family = familyOf(sample.name(), types);
            if (!family.equals(currentFamily)) {
                check(!finishedFamilies.contains(family), "samples of " + family + " are not together, " + where);
                if (currentFamily != null) {
                    finishedFamilies.add(currentFamily);
                }
                currentFamily = family;
            }
            familiesWithSamples.add(family);
            String series = sample.name() + new TreeMap<>(sample.labels());
            check(seenSeries.add(series), "series appears twice, " + where);
            samples.add(sample);
        }
        PrometheusText parsed = new PrometheusText(samples, types);
        parsed.checkHistograms();
        return parsed;
    }

    /** The TYPE of a family, or null. */
    String type(String family) {
        return types.get(family);
    }

    Set<String> families() {
        return types.keySet();
    }

    List<Sample> samples() {
        return samples;
    }

    /** The value of the one series with this name and exactly these labels; fails if there is none. */
    double value(String name, String... labelPairs) {
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            labels.put(labelPairs[i], labelPairs[i + 1]);
        }
        for (Sample sample : samples) {
            if (sample.name().equals(name) && sample.labels().equals(labels)) {
                return sample.value();
            }
        }
        throw new AssertionError("no series " + name + labels);
    }

    private static Sample parseSample(String line, String where) {
        int i = 0;
        int n = line.length();
        while (i < n && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        check(SAMPLE_NAME.matcher(name).matches(), "bad metric name, " + where);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < n && line.charAt(i) == '{') {
            i++;
            while (true) {
                check(i < n, "unterminated labels, " + where);
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                check(eq > i, "label without '=', " + where);
                String label = line.substring(i, eq);
                check(LABEL_NAME.matcher(label).matches(), "bad label name \"" + label + "\", " + where);
                check(!label.startsWith("__"), "reserved label name \"" + label + "\", " + where);
                i = eq + 1;
                check(i < n && line.charAt(i) == '"', "label value not quoted, " + where);
                i++;
                StringBuilder value = new StringBuilder();
                while (true) {
                    check(i < n, "unterminated label value, " + where);
                    char c = line.charAt(i++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        check(i < n, "dangling escape, " + where);
                        char e = line.charAt(i++);
                        check(e == '\\' || e == '"' || e == 'n', "bad escape \\" + e + ", " + where);
                        value.append(e == 'n' ? '\n' : e);
                    } else {
                        value.append(c);
                    }
                }
                check(labels.put(label, value.toString()) == null, "label \"" + label + "\" twice, " + where);
                check(i < n, "unterminated labels, " + where);
                if (line.charAt(i) == ',') {
                    i++;
                } else {
                    check(line.charAt(i) == '}', "expected ',' or '}', " + where);
                }
            }
        }
        check(i < n && line.charAt(i) == ' ', "no space before the value, " + where);
        String[] rest = line.substring(i + 1).split(" ", -1);
        check(rest.length == 1 || rest.length == 2, "expected a value and an optional timestamp, " + where);
        check(VALUE.matcher(rest[0]).matches(), "bad value \"" + rest[0] + "\", " + where);
        if (rest.length == 2) {
            check(TIMESTAMP.matcher(rest[1]).matches(), "bad timestamp \"" + rest[1] + "\", " + where);
        }
        return new Sample(name, labels, parseValue(rest[0]));
    }

    private static double parseValue(String text) {
        return switch (text) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN", "+NaN", "-NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    private static void checkHelpEscapes(String help, String where) {
        for (int i = 0; i < help.length(); i++) {
            if (help.charAt(i) == '\\') {
                check(i + 1 < help.length() && (help.charAt(i + 1) == '\\' || help.charAt(i + 1) == 'n'),
                        "bad escape in HELP, " + where);
                i++;
            }
        }
    }

    /** The family a sample belongs to: a histogram's or summary's suffixed samples go to its base name. */
    private static String familyOf(String sample, Map<String, String> types) {
        for (String suffix : List.of("_bucket", "_count", "_sum")) {
            if (sample.endsWith(suffix)) {
                String base = sample.substring(0, sample.length() - suffix.length());
                String type = types.get(base);
                if ("histogram".equals(type) || "summary".equals(type)) {
                    return base;
                }
            }
        }
        return sample;
    }

    private void checkHistograms() {
        for (Map.Entry<String, String> family : types.entrySet()) {
            if (!family.getValue().equals("histogram")) {
                continue;
            }
            String name = family.getKey();
            Map<Map<String, String>, List<Sample>> bucketsBySeries = new LinkedHashMap<>();
            for (Sample sample : samples) {
                if (sample.name().equals(name + "_bucket")) {
                    check(sample.labels().containsKey("le"), "bucket without le: " + sample);
                    Map<String, String> series = new HashMap<>(sample.labels());
                    series.remove("le");
                    bucketsBySeries.computeIfAbsent(series, k -> new ArrayList<>()).add(sample);
                }
            }
            check(!bucketsBySeries.isEmpty(), "histogram " + name + " has no buckets");
            for (Map.Entry<Map<String, String>, List<Sample>> series : bucketsBySeries.entrySet()) {
                double previousBound = Double.NEGATIVE_INFINITY;
                double previousCount = 0;
                List<Sample> buckets = series.getValue();
                for (Sample bucket : buckets) {
                    double bound = parseValue(bucket.labels().get("le"));
                    check(bound > previousBound, "buckets of " + name + " not in rising le order: " + buckets);
                    check(bucket.value() >= previousCount, "bucket counts of " + name + " fall: " + buckets);
                    previousBound = bound;
                    previousCount = bucket.value();
                }
                check(previousBound == Double.POSITIVE_INFINITY, "histogram " + name + " has no +Inf bucket");
                double count = valueOrFail(name + "_count", series.getKey());
                valueOrFail(name + "_sum", series.getKey());
                check(count == previousCount, "histogram " + name + ": _count " + count + " != +Inf bucket "
                        + previousCount);
            }
        }
    }

    private double valueOrFail(String name, Map<String, String> labels) {
        for (Sample sample : samples) {
            if (sample.name().equals(name) && Objects.equals(sample.labels(), labels)) {
                return sample.value();
            }
        }
        throw new AssertionError("histogram series without " + name + labels);
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError("not Prometheus text format: " + message);
        }
    }
}
