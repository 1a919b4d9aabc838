package io.deadbolt.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandParserTest {
    private final CommandParser parser = new CommandParser(ProtocolLimits.DEFAULTS);

    private static Request.Invalid invalid(String reason) {
        return new Request.Invalid(reason);
    }

    private static Request.Invalid wrongArguments(String word) {
        return invalid("wrong number of arguments for '" + word + "'");
    }

    private static Request.Invalid invalidWait(String token) {
        return invalid("invalid wait \"" + token + "\": expected seconds as a non-negative decimal, like 5 or 0.25");
    }

    private static Request.Invalid invalidTimeout(String token) {
        return invalid("invalid timeout \"" + token + "\": expected milliseconds from 0 to 600000");
    }

    @Test
    void everyCommandWithValidArguments() {
        assertThat(parser.parse("lock a")).isEqualTo(new Command.Lock("a", 0));
        assertThat(parser.parse("lock a 5")).isEqualTo(new Command.Lock("a", 5000));
        assertThat(parser.parse("unlock a")).isEqualTo(new Command.Unlock("a"));
        assertThat(parser.parse("unlock_all")).isEqualTo(new Command.UnlockAll());
        assertThat(parser.parse("conn_id")).isEqualTo(new Command.GetConnId());
        assertThat(parser.parse("conn_id s-1")).isEqualTo(new Command.SetConnId("s-1"));
        assertThat(parser.parse("set_timeout 1500")).isEqualTo(new Command.SetTimeout(1500));
        assertThat(parser.parse("stats")).isEqualTo(new Command.Stats());
        assertThat(parser.parse("quit")).isEqualTo(new Command.Quit());
        assertThat(parser.parse("echo hello")).isEqualTo(new Command.Echo("hello"));
    }

    @Test
    void namesMayHoldPunctuationAndNonAsciiLetters() {
        assertThat(parser.parse("lock a/b:c.d_e-f=1")).isEqualTo(new Command.Lock("a/b:c.d_e-f=1", 0));
        assertThat(parser.parse("lock 鍵🔒")).isEqualTo(new Command.Lock("鍵🔒", 0));
    }

    @Test
    void wrongArgumentCounts() {
        assertThat(parser.parse("lock")).isEqualTo(wrongArguments("lock"));
        assertThat(parser.parse("lock a 5 6")).isEqualTo(wrongArguments("lock"));
        assertThat(parser.parse("unlock")).isEqualTo(wrongArguments("unlock"));
        assertThat(parser.parse("unlock a b")).isEqualTo(wrongArguments("unlock"));
        assertThat(parser.parse("unlock_all x")).isEqualTo(wrongArguments("unlock_all"));
        assertThat(parser.parse("conn_id a b")).isEqualTo(wrongArguments("conn_id"));
        assertThat(parser.parse("set_timeout")).isEqualTo(wrongArguments("set_timeout"));
        assertThat(parser.parse("set_timeout 1 2")).isEqualTo(wrongArguments("set_timeout"));
        assertThat(parser.parse("stats x")).isEqualTo(wrongArguments("stats"));
        assertThat(parser.parse("stats detail more")).isEqualTo(wrongArguments("stats"));
        assertThat(parser.parse("quit now")).isEqualTo(wrongArguments("quit"));
        assertThat(parser.parse("echo")).isEqualTo(wrongArguments("echo"));
        assertThat(parser.parse("echo \t  ")).isEqualTo(wrongArguments("echo"));
    }

    @Test
    void invalidReasonIsTheTextOfA400Reply() {
        assertThat(((Request.Invalid) parser.parse("quit now")).reply())
                .isEqualTo(new Reply.Status(400, "wrong number of arguments for 'quit'"));
    }

    @Test
    void unknownCommandsAreNamedInTheReason() {
        assertThat(parser.parse("foo")).isEqualTo(invalid("Unknown command: \"foo\""));
        assertThat(parser.parse("get a b c")).isEqualTo(invalid("Unknown command: \"get\""));
        assertThat(parser.parse("lockx a")).isEqualTo(invalid("Unknown command: \"lockx\""));
        assertThat(parser.parse("unlock-all")).isEqualTo(invalid("Unknown command: \"unlock-all\""));
    }

    @Test
    void commandWordsAreCaseSensitive() {
        assertThat(parser.parse("LOCK a")).isEqualTo(invalid("Unknown command: \"LOCK\""));
        assertThat(parser.parse("Lock a")).isEqualTo(invalid("Unknown command: \"Lock\""));
        assertThat(parser.parse("QUIT")).isEqualTo(invalid("Unknown command: \"QUIT\""));
        assertThat(parser.parse("Stats")).isEqualTo(invalid("Unknown command: \"Stats\""));
    }

    @Test
    void tokensAreSeparatedOnlyBySpacesAndTabs() {
        assertThat(parser.parse(" \t lock \t\t a  \t 0.5 \t")).isEqualTo(new Command.Lock("a", 500));
        // A vertical tab is not a separator: it ends up inside the command word.
        assertThat(parser.parse("lock\u000Ba")).isEqualTo(invalid("Unknown command: \"lock\u000Ba\""));
    }

    @Test
    void blankLineIsRecognised() {
        assertThat(CommandParser.isBlankLine("")).isTrue();
        assertThat(CommandParser.isBlankLine(" \t ")).isTrue();
        assertThat(CommandParser.isBlankLine(" x ")).isFalse();
        assertThat(CommandParser.isBlankLine("\r")).isFalse();
    }

    @Test
    void namesUpTo250BytesAreAccepted() {
        String name250 = "n".repeat(250);
        assertThat(parser.parse("lock " + name250)).isEqualTo(new Command.Lock(name250, 0));
        assertThat(parser.parse("unlock " + name250)).isEqualTo(new Command.Unlock(name250));
        assertThat(parser.parse("lock " + "n".repeat(251))).isEqualTo(invalid("invalid lock name"));
        assertThat(parser.parse("unlock " + "n".repeat(251))).isEqualTo(invalid("invalid lock name"));
    }

    @Test
    void nameLengthIsCountedInUtf8Bytes() {
        String twoByteChars = "é".repeat(125);
        assertThat(twoByteChars.getBytes(UTF_8)).hasSize(250);
        assertThat(parser.parse("lock " + twoByteChars)).isEqualTo(new Command.Lock(twoByteChars, 0));
        assertThat(parser.parse("lock " + "é".repeat(126))).isEqualTo(invalid("invalid lock name"));

        String mixed = "a".repeat(248) + "é";
        assertThat(parser.parse("lock " + mixed)).isEqualTo(new Command.Lock(mixed, 0));
        assertThat(parser.parse("lock " + "a".repeat(249) + "é")).isEqualTo(invalid("invalid lock name"));

        String threeByteChars = "€".repeat(83);
        assertThat(parser.parse("lock " + threeByteChars)).isEqualTo(new Command.Lock(threeByteChars, 0));
        assertThat(parser.parse("lock " + "€".repeat(84))).isEqualTo(invalid("invalid lock name"));

        String fourByteChars = "🔒".repeat(62);
        assertThat(parser.parse("lock " + fourByteChars)).isEqualTo(new Command.Lock(fourByteChars, 0));
        assertThat(parser.parse("lock " + "🔒".repeat(63))).isEqualTo(invalid("invalid lock name"));
    }

    @Test
    void introspectionCommandsWithValidArguments() {
        assertThat(parser.parse("set_name worker-7")).isEqualTo(new Command.SetName("worker-7"));
        assertThat(parser.parse("info jobs/42")).isEqualTo(new Command.Info("jobs/42"));
        assertThat(parser.parse("locks")).isEqualTo(new Command.Locks(""));
        assertThat(parser.parse("locks jobs/")).isEqualTo(new Command.Locks("jobs/"));
        assertThat(parser.parse(" \t locks \t ")).isEqualTo(new Command.Locks(""));
    }

    @Test
    void introspectionCommandsWithWrongArgumentCounts() {
        assertThat(parser.parse("set_name")).isEqualTo(wrongArguments("set_name"));
        assertThat(parser.parse("set_name two words")).isEqualTo(wrongArguments("set_name"));
        assertThat(parser.parse("info")).isEqualTo(wrongArguments("info"));
        assertThat(parser.parse("info a b")).isEqualTo(wrongArguments("info"));
        assertThat(parser.parse("locks a b")).isEqualTo(wrongArguments("locks"));
        assertThat(parser.parse("SET_NAME x")).isEqualTo(invalid("Unknown command: \"SET_NAME\""));
    }

    @Test
    void labelsAreNamesOfAtMost64Bytes() {
        String label64 = "w".repeat(64);
        assertThat(parser.parse("set_name " + label64)).isEqualTo(new Command.SetName(label64));
        assertThat(parser.parse("set_name " + "w".repeat(65))).isEqualTo(invalid("invalid name"));
        String twoByteLabel = "é".repeat(32);
        assertThat(parser.parse("set_name " + twoByteLabel)).isEqualTo(new Command.SetName(twoByteLabel));
        assertThat(parser.parse("set_name " + "é".repeat(32) + "x")).isEqualTo(invalid("invalid name"));
        assertThat(parser.parse("set_name a\u0000b")).isEqualTo(invalid("invalid name"));
        assertThat(parser.parse("set_name a\u00A0b")).isEqualTo(invalid("invalid name"));
        assertThat(parser.parse("set_name \uFFFD")).isEqualTo(invalid("invalid name"));
    }

    @Test
    void infoAndLocksTakeLockNames() {
        String name250 = "n".repeat(250);
        assertThat(parser.parse("info " + name250)).isEqualTo(new Command.Info(name250));
        assertThat(parser.parse("locks " + name250)).isEqualTo(new Command.Locks(name250));
        assertThat(parser.parse("info " + "n".repeat(251))).isEqualTo(invalid("invalid lock name"));
        assertThat(parser.parse("locks " + "n".repeat(251))).isEqualTo(invalid("invalid lock name"));
        assertThat(parser.parse("info a\u0007b")).isEqualTo(invalid("invalid lock name"));
        assertThat(parser.parse("locks a\u0007b")).isEqualTo(invalid("invalid lock name"));
    }

    @ParameterizedTest(name = "U+{0}")
    @ValueSource(ints = {0x00, 0x01, 0x0B, 0x0C, 0x0D, 0x1B, 0x1F, 0x7F, 0x85, 0x9F, 0x00A0, 0x1680, 0x2003, 0x2028,
            0x2029, 0x202F, 0x3000, 0xFFFD, 0xD800, 0xDC00})
    void namesWithControlCharsUnicodeWhitespaceReplacementCharOrLoneSurrogatesAreRefused(int codeUnit) {
        String name = "a" + (char) codeUnit + "b";
        assertThat(parser.parse("lock " + name)).isEqualTo(invalid("invalid lock name"));
        assertThat(parser.parse("unlock " + name)).isEqualTo(invalid("invalid lock name"));
        assertThat(parser.parse("conn_id " + name)).isEqualTo(invalid("invalid conn id"));
    }

    @Test
    void waitIsDecimalSecondsConvertedToMilliseconds() {
        assertThat(parser.parse("lock a 0")).isEqualTo(new Command.Lock("a", 0));
        assertThat(parser.parse("lock a 5")).isEqualTo(new Command.Lock("a", 5000));
        assertThat(parser.parse("lock a 0.25")).isEqualTo(new Command.Lock("a", 250));
        assertThat(parser.parse("lock a .5")).isEqualTo(new Command.Lock("a", 500));
        assertThat(parser.parse("lock a 5.")).isEqualTo(new Command.Lock("a", 5000));
        assertThat(parser.parse("lock a 007")).isEqualTo(new Command.Lock("a", 7000));
        assertThat(parser.parse("lock a 1234.567")).isEqualTo(new Command.Lock("a", 1_234_567));
        assertThat(parser.parse("lock a 0.000")).isEqualTo(new Command.Lock("a", 0));
    }

    @Test
    void fractionOfAMillisecondRoundsUpSoAPositiveWaitStillWaits() {
        assertThat(parser.parse("lock a 0.0001")).isEqualTo(new Command.Lock("a", 1));
        assertThat(parser.parse("lock a 0.0010001")).isEqualTo(new Command.Lock("a", 2));
        assertThat(parser.parse("lock a 0.001")).isEqualTo(new Command.Lock("a", 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "-0", "1e3", "1E3", "abc", "+5", ".", "1.2.3", "5s", "0x10", "NaN", "Infinity",
            "٣", "１"})
    void waitThatIsNotANonNegativeDecimalIsRefused(String wait) {
        assertThat(parser.parse("lock a " + wait)).isEqualTo(invalidWait(wait));
    }

    @Test
    void waitAtTheMaximumIsAcceptedAndAboveItRefusedNamingTheMaximum() {
        assertThat(parser.parse("lock a 3600")).isEqualTo(new Command.Lock("a", 3_600_000));
        assertThat(parser.parse("lock a 3600.0001")).isEqualTo(invalid("wait too long: at most 3600 seconds"));
        assertThat(parser.parse("lock a 3601")).isEqualTo(invalid("wait too long: at most 3600 seconds"));
        assertThat(parser.parse("lock a " + "9".repeat(32))).isEqualTo(invalid("wait too long: at most 3600 seconds"));
    }

    @Test
    void maximumWaitIsNamedInDecimalSeconds() {
        CommandParser strict = new CommandParser(new ProtocolLimits(64, 250, 1000));
        assertThat(strict.parse("lock a 0.25")).isEqualTo(new Command.Lock("a", 250));
        assertThat(strict.parse("lock a 0.251")).isEqualTo(invalid("wait too long: at most 0.25 seconds"));
    }

    @Test
    void absurdlyLongWaitIsRefusedWithoutThrowing() {
        // Only the refusal is pinned: the reason for a number this long is not part of the contract.
        for (String wait : new String[] {"9".repeat(5000), "1" + "0".repeat(5000) + ".5", "0." + "0".repeat(5000) + "1"}) {
            Request request = parser.parse("lock a " + wait);
            assertThat(request).isInstanceOf(Request.Invalid.class);
        }
    }

    @Test
    void setTimeoutAcceptsZeroToTheMaximum() {
        assertThat(parser.parse("set_timeout 0")).isEqualTo(new Command.SetTimeout(0));
        assertThat(parser.parse("set_timeout 600000")).isEqualTo(new Command.SetTimeout(600_000));
        assertThat(parser.parse("set_timeout 600001")).isEqualTo(invalidTimeout("600001"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "abc", "1.5", "+5", "1e3", "5ms", "999999999999999999", "1234567890123456789",
            "99999999999999999999999999999", "٣"})
    void setTimeoutThatIsNotAnIntegerInRangeIsRefused(String millis) {
        assertThat(parser.parse("set_timeout " + millis)).isEqualTo(invalidTimeout(millis));
    }

    @Test
    void connIdWithAndWithoutId() {
        assertThat(parser.parse("conn_id")).isEqualTo(new Command.GetConnId());
        assertThat(parser.parse("conn_id 0123456789abcdef0123456789abcdef"))
                .isEqualTo(new Command.SetConnId("0123456789abcdef0123456789abcdef"));
        assertThat(parser.parse("conn_id " + "i".repeat(250))).isEqualTo(new Command.SetConnId("i".repeat(250)));
        assertThat(parser.parse("conn_id " + "i".repeat(251))).isEqualTo(invalid("invalid conn id"));
        assertThat(parser.parse("conn_id a\u0000b")).isEqualTo(invalid("invalid conn id"));
    }

    @Test
    void echoJoinsItsArgumentsWithSingleSpaces() {
        assertThat(parser.parse("echo  a \t b\t\tc   ")).isEqualTo(new Command.Echo("a b c"));
        assertThat(parser.parse("echo STATS")).isEqualTo(new Command.Echo("STATS"));
        assertThat(parser.parse("echo lock a 5")).isEqualTo(new Command.Echo("lock a 5"));
    }

    @Test
    void emptyLineGivenToTheParserIsInvalidNotAnException() {
        assertThat(parser.parse("")).isEqualTo(invalid("empty request"));
        assertThat(parser.parse(" \t")).isEqualTo(invalid("empty request"));
    }
}
