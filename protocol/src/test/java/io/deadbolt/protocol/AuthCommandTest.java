package io.deadbolt.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AuthCommandTest {
    private final CommandParser parser = new CommandParser(ProtocolLimits.DEFAULTS);

    @Test
    void authTakesThePasswordAsItsOneArgument() {
        assertThat(parser.parse("auth s3cr3t")).isEqualTo(new Command.Auth("s3cr3t"));
        assertThat(parser.parse("  auth\tpässwörd  ")).isEqualTo(new Command.Auth("pässwörd"));
        assertThat(new Command.Auth("s3cr3t").toLine()).isEqualTo("auth s3cr3t");
    }

    @Test
    void authWithoutAPasswordOrWithMoreThanOneWordIsRefused() {
        assertThat(parser.parse("auth")).isEqualTo(new Request.Invalid("wrong number of arguments for 'auth'"));
        assertThat(parser.parse("auth two words"))
                .isEqualTo(new Request.Invalid("wrong number of arguments for 'auth'"));
        assertThat(parser.parse("AUTH x")).isEqualTo(new Request.Invalid("Unknown command: \"AUTH\""));
    }

    @Test
    void thePasswordNeverShowsInTheCommandsToString() {
        assertThat(new Command.Auth("s3cr3t").toString()).doesNotContain("s3cr3t");
    }
}
