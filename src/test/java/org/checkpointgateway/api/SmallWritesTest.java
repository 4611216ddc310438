package org.checkpointgateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@link SmallWrites} in front of Netty's HTTP encoder, as the gateway's pipeline has it. */
class SmallWritesTest {

  /** A kubelet answer naming an archive under a long directory: more than Netty joins itself. */
  private static final String ANSWER = "{\"items\":[\"/var/lib/kubelet/checkpoints/checkpoint-"
      + "payments-api-7d9f8c6b5-x2x4z_production-eu-west-payments-api-server-"
      + "2026-12-03T12:00:00Z.tar\"]}";

  @Test
  void anAnswersHeadAndBodyLeaveAsOneBufferWithTheSameBytes() {
    EmbeddedChannel plain = new EmbeddedChannel(new HttpResponseEncoder());
    List<ByteBuf> written = inSteadyState(plain);
    // Netty alone writes two buffers once its estimate of a head's size has settled: what the
    // handler is for.
    assertEquals(2, written.size(), "Netty joined them itself");
    String expected = written.stream().map(part -> part.toString(StandardCharsets.US_ASCII))
        .collect(Collectors.joining());
    written.forEach(ByteBuf::release);

    EmbeddedChannel joined = new EmbeddedChannel(new SmallWrites(), new HttpResponseEncoder());
    inSteadyState(joined).forEach(ByteBuf::release);
    ChannelFuture answered = joined.writeAndFlush(answer(ANSWER));
    ByteBuf one = joined.readOutbound();
    assertEquals(expected, one.toString(StandardCharsets.US_ASCII));
    assertNull(joined.readOutbound(), "one buffer");
    assertTrue(answered.isSuccess(), "the answer's write completes once its bytes are written");
    one.release();
  }

  /** What the encoder's channel writes for one answer after many (its head estimate settled). */
  private static List<ByteBuf> inSteadyState(EmbeddedChannel channel) {
    for (int i = 0; i < 50; i++) {
      channel.writeOutbound(answer(ANSWER));
      for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
        ((ByteBuf) out).release();
      }
    }
    channel.writeOutbound(answer(ANSWER));
    List<ByteBuf> written = new ArrayList<>();
    for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
      written.add((ByteBuf) out);
    }
    return written;
  }

  @Test
  void everyJoinedWriteCompletesAndOrderIsKept() {
    EmbeddedChannel channel = new EmbeddedChannel(new SmallWrites());
    ChannelFuture first = channel.write(ascii("a"));
    channel.write(ascii("b"), channel.voidPromise());
    ChannelFuture third = channel.write(ascii("c"));
    ChannelFuture empty = channel.write(Unpooled.EMPTY_BUFFER);
    assertTrue(!first.isDone() && !third.isDone(), "held until the flush");
    channel.flush();
    ByteBuf one = channel.readOutbound();
    assertEquals("abc", one.toString(StandardCharsets.US_ASCII));
    assertNull(channel.readOutbound());
    assertTrue(first.isSuccess() && third.isSuccess() && empty.isSuccess());
    one.release();
  }

  @Test
  void aLargeBufferPassesAsItIsAfterWhatWasHeld() {
    EmbeddedChannel channel = new EmbeddedChannel(new SmallWrites());
    ByteBuf large = Unpooled.buffer(SmallWrites.MAX_JOINED_BYTES + 1).writeZero(SmallWrites.MAX_JOINED_BYTES + 1);
    channel.write(ascii("head"));
    channel.writeAndFlush(large);
    ByteBuf first = channel.readOutbound();
    assertEquals("head", first.toString(StandardCharsets.US_ASCII));
    assertTrue(channel.readOutbound() == large, "not copied");
    first.release();
    large.release();
  }

  @Test
  void whatIsHeldWhenTheConnectionClosesIsReleasedAndItsWriteFails() {
    EmbeddedChannel channel = new EmbeddedChannel(new SmallWrites());
    ByteBuf held = ascii("never flushed");
    ChannelFuture written = channel.write(held);
    channel.close();
    assertEquals(0, held.refCnt());
    assertInstanceOf(ClosedChannelException.class, written.cause());
  }

  @Test
  void whatIsHeldWhenTheHandlerIsRemovedIsReleasedAndItsWriteFails() {
    SmallWrites handler = new SmallWrites();
    EmbeddedChannel channel = new EmbeddedChannel(handler);
    ByteBuf held = ascii("never flushed");
    ChannelFuture written = channel.write(held);
    channel.pipeline().remove(handler);
    assertEquals(0, held.refCnt());
    assertInstanceOf(ClosedChannelException.class, written.cause());
  }

  private static FullHttpResponse answer(String json) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.OK, Unpooled.copiedBuffer(json, StandardCharsets.US_ASCII));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, json.length());
    return response;
  }

  private static ByteBuf ascii(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
  }
}
