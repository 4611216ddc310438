package org.checkpointgateway.cri;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import runtime.v1.RuntimeServiceGrpcClient;
import runtime.v1.VersionRequest;
import runtime.v1.VersionResponse;

/**
 * What a unary call puts on the wire, seen frame by frame by a plain Netty HTTP/2 server on a
 * real unix socket: the message's DATA frame ends the stream (one write), with no empty DATA
 * frame after it as vertx-grpc sends by itself; and the calls made in one turn of the event loop
 * leave together, in one write system call.
 */
class OneWriteGrpcClientTest {

  @TempDir
  Path dir;
  Vertx vertx;
  MultiThreadIoEventLoopGroup group;
  Channel server;
  final List<String> framesReceived = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws InterruptedException {
    vertx = StrictVertx.create();
    group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    server = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel channel) {
            channel.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(), new Recorder());
          }
        })
        .bind(new DomainSocketAddress(dir.resolve("grpc.sock").toFile())).sync().channel();
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.close().sync();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  @Test
  void aUnaryCallSendsItsMessageWithTheEndOfTheStream() {
    GrpcClient grpc = GrpcUnaryCall.client(vertx, 1);
    SocketAddress address = SocketAddress.domainSocketAddress(dir.resolve("grpc.sock").toString());
    // The first call's frames go out as the connection is made (while Vert.x reads the server's
    // settings, when it writes without flushing); the later ones, as the gateway's, on their own.
    for (int call = 0; call < 3; call++) {
      VersionResponse answer = Await.result(GrpcUnaryCall.call(vertx, grpc, address,
          RuntimeServiceGrpcClient.Version, VersionRequest.newBuilder().setVersion("v1").build(),
          RequestContext.withTimeout(Duration.ofSeconds(10)), Map.of()));
      assertThat(answer.getRuntimeName()).isEqualTo("frames");
    }
    // "v1" as field 1: 4 bytes, plus gRPC's 5-byte prefix. Streams 1, 3 and 5.
    assertThat(framesReceived).containsExactly(
        "1 HEADERS", "1 DATA 9 END_STREAM",
        "3 HEADERS", "3 DATA 9 END_STREAM",
        "5 HEADERS", "5 DATA 9 END_STREAM");
    Await.result(grpc.close());
  }

  @Test
  void callsMadeInOneTurnOfTheEventLoopLeaveInOneWrite() {
    GrpcClient grpc = GrpcUnaryCall.client(vertx, 1);
    SocketAddress address = SocketAddress.domainSocketAddress(dir.resolve("grpc.sock").toString());
    Context loop = vertx.getOrCreateContext();
    // A first call from the loop makes the connection there, settings and all.
    Promise<VersionResponse> first = Promise.promise();
    loop.runOnContext(ignored -> version(grpc, address).onComplete(first));
    Await.result(first.future());

    int calls = 20;
    Promise<Long> writes = Promise.promise();
    loop.runOnContext(ignored -> {
      long before = writeSystemCallsOfThisThread();
      List<Future<VersionResponse>> answers = new ArrayList<>();
      for (int call = 0; call < calls; call++) {
        answers.add(version(grpc, address));
      }
      // Answered: every call's frames have left this thread, and were read there.
      Future.all(answers).onComplete(all -> writes.complete(writeSystemCallsOfThisThread() - before));
    });

    // Each call's frames would be a write of its own (20); together they are one.
    assertThat(Await.result(writes.future())).isEqualTo(1L);
    assertThat(framesReceived).hasSize(2 * (calls + 1));
    Await.result(grpc.close());
  }

  private Future<VersionResponse> version(GrpcClient grpc, SocketAddress address) {
    return GrpcUnaryCall.call(vertx, grpc, address, RuntimeServiceGrpcClient.Version,
        VersionRequest.newBuilder().setVersion("v1").build(),
        RequestContext.withTimeout(Duration.ofSeconds(10)), Map.of());
  }

  /** The write system calls the calling thread has made (the kernel's count, any file). */
  private static long writeSystemCallsOfThisThread() {
    try {
      return Files.readAllLines(Path.of("/proc/thread-self/io")).stream()
          .filter(line -> line.startsWith("syscw:"))
          .mapToLong(line -> Long.parseLong(line.substring("syscw:".length()).trim()))
          .findFirst().orElseThrow();
    } catch (IOException unreadable) {
      throw new UncheckedIOException(unreadable);
    }
  }

  /** Notes each frame of the stream; answers once the stream ends, as a runtime would. */
  private final class Recorder extends SimpleChannelInboundHandler<Http2StreamFrame> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
      boolean ended;
      if (frame instanceof Http2HeadersFrame headers) {
        framesReceived.add(frame.stream().id() + " HEADERS" + (headers.isEndStream() ? " END_STREAM" : ""));
        ended = headers.isEndStream();
      } else if (frame instanceof Http2DataFrame data) {
        framesReceived.add(frame.stream().id() + " DATA " + data.content().readableBytes()
            + (data.isEndStream() ? " END_STREAM" : ""));
        ended = data.isEndStream();
      } else {
        return;
      }
      if (ended) {
        byte[] message = VersionResponse.newBuilder().setRuntimeName("frames").build().toByteArray();
        ByteBuf framed = Unpooled.buffer(5 + message.length).writeByte(0).writeInt(message.length)
            .writeBytes(message);
        ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
            .set("content-type", "application/grpc")).stream(frame.stream()));
        ctx.write(new DefaultHttp2DataFrame(framed).stream(frame.stream()));
        ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers()
            .set("grpc-status", "0"), true).stream(frame.stream()));
      }
    }
  }
}
