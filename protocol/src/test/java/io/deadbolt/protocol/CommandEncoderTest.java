package io.deadbolt.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CommandEncoderTest {
    private final CommandParser parser = new CommandParser(ProtocolLimits.DEFAULTS);

    static Stream<Arguments> commandsAndTheirLines() {
        return Stream.of(
                Arguments.of(new Command.Lock("a", 0), "lock a"),
                Arguments.of(new Command.Lock("a", 1), "lock a 0.001"),
                Arguments.of(new Command.Lock("a", 250), "lock a 0.25"),
                Arguments.of(new Command.Lock("a", 5000), "lock a 5"),
                Arguments.of(new Command.Lock("a", 10_000), "lock a 10"),
                Arguments.of(new Command.Lock("a", 1_234_567), "lock a 1234.567"),
                Arguments.of(new Command.Lock("a", ProtocolLimits.DEFAULT_MAX_WAIT_MILLIS), "lock a 3600"),
                Arguments.of(new Command.Lock("clé", 1500), "lock clé 1.5"),
                Arguments.of(new Command.Unlock("jobs/42"), "unlock jobs/42"),
                Arguments.of(new Command.UnlockAll(), "unlock_all"),
                Arguments.of(new Command.GetConnId(), "conn_id"),
                Arguments.of(new Command.SetConnId("0f1e2d3c"), "conn_id 0f1e2d3c"),
                Arguments.of(new Command.SetTimeout(0), "set_timeout 0"),
                Arguments.of(new Command.SetTimeout(30_000), "set_timeout 30000"),
                Arguments.of(new Command.SetTimeout(ProtocolLimits.DEFAULT_MAX_TIMEOUT_MILLIS), "set_timeout 600000"),
                Arguments.of(new Command.Stats(), "stats"),
                Arguments.of(new Command.Quit(), "quit"),
                Arguments.of(new Command.Echo("STATS"), "echo STATS"),
                Arguments.of(new Command.Echo("héllo wörld"), "echo héllo wörld"),
                Arguments.of(new Command.SetName("worker-7"), "set_name worker-7"),
                Arguments.of(new Command.Info("jobs/42"), "info jobs/42"),
                Arguments.of(new Command.Locks(""), "locks"),
                Arguments.of(new Command.Locks("jobs/"), "locks jobs/"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("commandsAndTheirLines")
    void toLineIsTheWireForm(Command command, String line) {
        assertThat(command.toLine()).isEqualTo(line);
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("commandsAndTheirLines")
    void encoderWritesTheLineInUtf8FollowedByCrLf(Command command, String line) {
        EmbeddedChannel channel = new EmbeddedChannel(CommandEncoder.INSTANCE);
        assertThat(channel.writeOutbound(command)).isTrue();
        ByteBuf out = channel.readOutbound();
        try {
            assertThat(ByteBufUtil.getBytes(out)).isEqualTo((line + "\r\n").getBytes(UTF_8));
        } finally {
            out.release();
        }
        assertThat(channel.finish()).isFalse();
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("commandsAndTheirLines")
    void serverParsesBackTheCommandTheClientWrote(Command command, String line) {
        assertThat(parser.parse(command.toLine())).isEqualTo(command);
    }

    @Test
    void encodedCommandsDecodeBackThroughTheServerDecoder() {
        EmbeddedChannel client = new EmbeddedChannel(CommandEncoder.INSTANCE);
        EmbeddedChannel server = new EmbeddedChannel(new RequestDecoder(ProtocolLimits.DEFAULTS));
        Object[] commands = commandsAndTheirLines().map(arguments -> arguments.get()[0]).toArray();
        client.writeOutbound(commands);
        for (ByteBuf chunk = client.readOutbound(); chunk != null; chunk = client.readOutbound()) {
            server.writeInbound(chunk);
        }
        List<Object> decoded = new ArrayList<>();
        for (Object request = server.readInbound(); request != null; request = server.readInbound()) {
            decoded.add(request);
        }
        assertThat(decoded).containsExactly(commands);
        assertThat(client.finish()).isFalse();
        assertThat(server.finish()).isFalse();
    }
}
