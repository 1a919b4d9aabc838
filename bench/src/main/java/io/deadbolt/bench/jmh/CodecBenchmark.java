package io.deadbolt.bench.jmh;

import io.deadbolt.protocol.CommandParser;
import io.deadbolt.protocol.ProtocolLimits;
import io.deadbolt.protocol.Reply;
import io.deadbolt.protocol.ReplyEncoder;
import io.deadbolt.protocol.Request;
import io.deadbolt.protocol.RequestDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The text codec: parsing a request line, decoding request bytes into commands, encoding replies.
 * {@code java -jar bench/target/deadbolt-bench-*-all.jar jmh -prof gc CodecBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    private static final int LINES = 16;

    private final CommandParser parser = new CommandParser(ProtocolLimits.DEFAULTS);
    private EmbeddedChannel decoding;
    private EmbeddedChannel encoding;
    private ByteBuf requests;
    private long token = 1_764_000_000_000_000L;

    @Setup(Level.Trial)
    public void setUp() {
        decoding = new EmbeddedChannel(new RequestDecoder(ProtocolLimits.DEFAULTS));
        encoding = new EmbeddedChannel(ReplyEncoder.INSTANCE);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < LINES / 2; i++) {
            lines.append("lock resource-").append(i).append("\r\n");
            lines.append("unlock resource-").append(i).append("\r\n");
        }
        requests = Unpooled.unreleasableBuffer(
                Unpooled.directBuffer().writeBytes(lines.toString().getBytes(StandardCharsets.US_ASCII)));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        decoding.finishAndReleaseAll();
        encoding.finishAndReleaseAll();
    }

    @Benchmark
    public Request parseLockLine() {
        return parser.parse("lock resource-12345");
    }

    /** Sixteen pipelined lock/unlock lines arriving in one read, as the server's pipeline sees them. */
    @Benchmark
    @OperationsPerInvocation(LINES)
    public void decodePipelinedLines(Blackhole blackhole) {
        decoding.writeInbound(requests.duplicate());
        Object request;
        while ((request = decoding.readInbound()) != null) {
            blackhole.consume(request);
        }
    }

    /** The reply to a granted lock, through the encoder into bytes. */
    @Benchmark
    public void encodeAcquired(Blackhole blackhole) {
        encoding.writeOutbound(Reply.acquired(++token));
        ByteBuf bytes = encoding.readOutbound();
        blackhole.consume(bytes.readableBytes());
        bytes.release();
    }
}
