package io.deadbolt.server.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Durations as operators write them: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, ISO-8601
 * ({@code PT30S}), or a bare number of milliseconds (as {@code set_timeout} takes them).
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern WITH_UNIT = Pattern.compile("(\\d{1,12})(ms|s|m|h)?");

    @Override
    public Duration convert(String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        Matcher matcher = WITH_UNIT.matcher(text);
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            String unit = matcher.group(2) == null ? "ms" : matcher.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }
        try {
            return Duration.parse(value.trim());
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a duration (use 500ms, 30s, 2m, 1h or milliseconds)");
        }
    }
}
