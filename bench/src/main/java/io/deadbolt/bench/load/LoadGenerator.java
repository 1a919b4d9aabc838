package io.deadbolt.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The load generator: one process, many connections on a few event loops, driving deadbolt or Redis. It
 * opens the run's connections, lets them warm up, measures a window, then stops them, waits until every
 * request in flight is answered, and closes them.
 */
public final class LoadGenerator implements AutoCloseable {
    /** Connects in flight at once: the servers' accept backlogs are 511 (Redis) and 1024 (deadbolt). */
    private static final int CONNECTS_IN_FLIGHT = 256;
    private static final long CONNECT_TIMEOUT_MILLIS = 120_000;
    private static final long DRAIN_TIMEOUT_MILLIS = 30_000;
    /** WAIT of the contended run's {@code lock}: far longer than any hand-off round should take. */
    private static final int CONTENDED_WAIT_SECONDS = 30;

    private final EventLoopGroup loops;
    private final Class<? extends Channel> channelClass;
    private final int threads;

    public LoadGenerator(int threads) {
        this.threads = threads;
        boolean epoll = Epoll.isAvailable();
        loops = new MultiThreadIoEventLoopGroup(threads,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public int threads() {
        return threads;
    }

    public RunResult run(RunSpec spec) throws InterruptedException {
        RunContext run = new RunContext(loops);
        List<Channel> channels = new ArrayList<>();
        try {
            return measure(spec, run, channels);
        } finally {
            run.closing();
            for (Channel channel : channels) {
                channel.close();
            }
            for (Channel channel : channels) {
                channel.closeFuture().await(10, TimeUnit.SECONDS);
            }
        }
    }

    private RunResult measure(RunSpec spec, RunContext run, List<Channel> channels) throws InterruptedException {
        Dialect dialect;
        try {
            dialect = Dialect.of(spec.target(), spec.target() == Target.REDIS_LUA ? loadScript(spec.address()) : null);
        } catch (IOException e) {
            run.errors().add("cannot load the unlock script into Redis at " + spec.address() + ": " + e);
            return result(spec, run, 0, 0, null);
        }

        if (spec.idle() > 0) {
            // Opened and used once each ("traffic on all of them"), then held open and silent.
            DriverGroup idle = new DriverGroup(spec.idle(), false, true, false);
            String prefix = spec.namePrefix() + "idle-";
            if (!connect(spec, run, channels, idle, spec.idle(), i -> new PairDriver(run, idle, dialect, prefix, i, 1, false))) {
                return result(spec, run, 0, 0, null);
            }
            if (!idle.awaitDone(CONNECT_TIMEOUT_MILLIS)) {
                run.errors().add(idle.remaining() + " idle connection(s) never finished their lock and unlock");
            }
            if (run.errors().count() > 0) {
                return result(spec, run, 0, 0, null);
            }
        }

        DriverGroup active = new DriverGroup(spec.connections(), true, false, true);
        List<Driver> drivers = new ArrayList<>();
        IntFunction<Driver> factory = switch (spec.scenario()) {
            case UNCONTENDED, IDLE_SCALE -> i -> new PairDriver(run, active, dialect, spec.namePrefix(), i, 1, false);
            case PIPELINED -> i -> new PairDriver(run, active, dialect, spec.namePrefix(), i, spec.depth(), true);
            case CONTENDED -> i -> new ContendedDriver(run, active, spec.namePrefix() + "contended",
                    CONTENDED_WAIT_SECONDS);
        };
        int firstActive = channels.size();
        if (!connect(spec, run, channels, active, spec.connections(), i -> {
            Driver driver = factory.apply(i);
            drivers.add(driver);
            return driver;
        })) {
            return result(spec, run, 0, 0, null);
        }
        for (int i = 0; i < drivers.size(); i++) {
            Driver driver = drivers.get(i);
            channels.get(firstActive + i).eventLoop().execute(() -> {
                driver.start();
                driver.flush();
            });
        }

        Thread.sleep(spec.warmup().toMillis());
        run.resetLatencies();
        run.grants().recording(true);
        long cpuBegin = ProcessCpu.nanos(spec.serverPid());
        long begin = System.nanoTime();
        Thread.sleep(spec.measure().toMillis());
        long end = System.nanoTime();
        long cpuEnd = ProcessCpu.nanos(spec.serverPid());
        run.grants().recording(false);
        var latencies = run.latencies();

        active.stop();
        if (!active.awaitDone(DRAIN_TIMEOUT_MILLIS)) {
            run.errors().add(active.remaining() + " connection(s) still had requests unanswered "
                    + DRAIN_TIMEOUT_MILLIS / 1000 + " s after the run");
        }
        GrantLog.FifoReport fifo = spec.scenario() == Scenario.CONTENDED
                ? run.grants().check() : null;
        return new RunResult(spec, latencies.getTotalCount(), (end - begin) / 1e9, latencies,
                run.errors().count(), run.errors().first(), fifo,
                cpuBegin < 0 || cpuEnd < 0 ? -1 : cpuEnd - cpuBegin);
    }

    private static RunResult result(RunSpec spec, RunContext run, long completed, double seconds,
                                    GrantLog.FifoReport fifo) {
        return new RunResult(spec, completed, seconds, null, run.errors().count(), run.errors().first(), fifo,
                -1);
    }

    /** Opens {@code group}'s connections, a bounded number at a time; false if any failed. */
    private boolean connect(RunSpec spec, RunContext run, List<Channel> channels, DriverGroup group, int count,
                            IntFunction<Driver> factory) throws InterruptedException {
        Semaphore inFlight = new Semaphore(CONNECTS_IN_FLIGHT);
        List<ChannelFuture> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (!inFlight.tryAcquire(CONNECT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                run.errors().add("connecting timed out");
                break;
            }
            Driver driver = factory.apply(i);
            ChannelFuture future = new Bootstrap()
                    .group(loops)
                    .channel(channelClass)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                    // Closing with a reset leaves no TIME_WAIT behind, so repeated scale runs cannot run
                    // out of ephemeral ports.
                    .option(ChannelOption.SO_LINGER, 0)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(driver);
                        }
                    })
                    .connect(spec.address());
            future.addListener(f -> {
                inFlight.release();
                if (!f.isSuccess()) {
                    run.errors().add("cannot connect to " + spec.address() + ": " + f.cause());
                }
            });
            futures.add(future);
            channels.add(future.channel());
        }
        for (ChannelFuture future : futures) {
            future.await();
        }
        return run.errors().count() == 0;
    }

    /** {@code SCRIPT LOAD} of the unlock script, checking that Redis names it by the SHA-1 we compute. */
    static String loadScript(InetSocketAddress address) throws IOException {
        String script = Dialect.REDIS_UNLOCK_SCRIPT;
        String expected = sha1(script);
        try (Socket socket = new Socket()) {
            socket.connect(address, 5_000);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            byte[] body = script.getBytes(StandardCharsets.UTF_8);
            out.write(("*3\r\n$6\r\nSCRIPT\r\n$4\r\nLOAD\r\n$" + body.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder reply = new StringBuilder();
            int lines = 0;
            int c;
            while (lines < 2 && (c = in.read()) >= 0) {
                reply.append((char) c);
                if (c == '\n') {
                    lines++;
                    if (reply.charAt(0) != '$') {
                        break;
                    }
                }
            }
            String text = reply.toString();
            if (!text.equals("$40\r\n" + expected + "\r\n")) {
                throw new IOException("unexpected SCRIPT LOAD reply: " + text.strip());
            }
            return expected;
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
