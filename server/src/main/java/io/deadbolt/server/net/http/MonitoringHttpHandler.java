package io.deadbolt.server.net.http;

import io.deadbolt.server.metrics.DeadboltMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP listener's routes: {@code GET /metrics} in the Prometheus text format and {@code GET /healthz}
 * (200 while serving, 503 once the server is shutting down). Other paths get 404, other methods on
 * these paths 405. Runs on the server's event loops; stateless, so one instance serves every connection.
 */
@ChannelHandler.Sharable
public final class MonitoringHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(MonitoringHttpHandler.class);
    /** Scrapers and probes send no body; anything larger than this is refused by the aggregator. */
    private static final int MAX_REQUEST_BYTES = 16 * 1024;
    private static final String TEXT = "text/plain; charset=utf-8";

    private final DeadboltMetrics metrics;
    private final BooleanSupplier shuttingDown;

    public MonitoringHttpHandler(DeadboltMetrics metrics, BooleanSupplier shuttingDown) {
        this.metrics = metrics;
        this.shuttingDown = shuttingDown;
    }

    /** Adds the HTTP codec and this handler to a new connection's pipeline. */
    public void addTo(ChannelPipeline pipeline) {
        pipeline.addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST_BYTES), this);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, text(ctx, "bad request\n"), TEXT, false);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        boolean get = request.method().equals(HttpMethod.GET);
        switch (path) {
            case "/metrics" -> {
                if (get) {
                    metrics(ctx, request);
                } else {
                    methodNotAllowed(ctx, request);
                }
            }
            case "/healthz" -> {
                if (!get) {
                    methodNotAllowed(ctx, request);
                } else if (shuttingDown.getAsBoolean()) {
                    respond(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, text(ctx, "shutting down\n"),
                            TEXT, true);
                } else {
                    respond(ctx, request, HttpResponseStatus.OK, text(ctx, "ok\n"), TEXT, true);
                }
            }
            default -> respond(ctx, request, HttpResponseStatus.NOT_FOUND, text(ctx, "not found\n"), TEXT, true);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("http connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("closing http connection from {} after an unexpected error", ctx.channel().remoteAddress(),
                    cause);
        }
        ctx.close();
    }

    private void metrics(ChannelHandlerContext ctx, FullHttpRequest request) {
        ByteBuf body = ctx.alloc().buffer(16 * 1024);
        try (OutputStream out = new ByteBufOutputStream(body)) {
            metrics.scrape(out);
        } catch (IOException | RuntimeException e) {
            body.release();
            log.warn("could not collect the metrics", e);
            respond(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, text(ctx, "could not collect metrics\n"),
                    TEXT, true);
            return;
        }
        respond(ctx, request, HttpResponseStatus.OK, body, DeadboltMetrics.CONTENT_TYPE, true);
    }

    private static void methodNotAllowed(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse response = response(request, HttpResponseStatus.METHOD_NOT_ALLOWED,
                text(ctx, "method not allowed\n"), TEXT);
        response.headers().set(HttpHeaderNames.ALLOW, HttpMethod.GET.name());
        send(ctx, request, response, true);
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
                                ByteBuf body, String contentType, boolean keepAliveAllowed) {
        send(ctx, request, response(request, status, body, contentType), keepAliveAllowed);
    }

    private static FullHttpResponse response(FullHttpRequest request, HttpResponseStatus status, ByteBuf body,
                                             String contentType) {
        HttpVersion version = request.protocolVersion().equals(HttpVersion.HTTP_1_0)
                ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
        FullHttpResponse response = new DefaultFullHttpResponse(version, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return response;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response,
                             boolean keepAliveAllowed) {
        boolean keepAlive = keepAliveAllowed && HttpUtil.isKeepAlive(request);
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static ByteBuf text(ChannelHandlerContext ctx, String text) {
        return ByteBufUtil.writeUtf8(ctx.alloc(), text);
    }
}
