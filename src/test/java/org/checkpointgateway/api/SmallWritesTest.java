package org.checkpointgateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
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
  void everyJoinedWriteCompletesOrderIsKeptAndEveryPartIsReleased() {
    EmbeddedChannel channel = new EmbeddedChannel(new SmallWrites());
    ByteBuf a = ascii("a");
    ByteBuf b = ascii("b");
    ByteBuf c = ascii("c");
    ChannelFuture first = channel.write(a);
    channel.write(b, channel.voidPromise());
    ChannelFuture third = channel.write(c);
    ChannelFuture empty = channel.write(Unpooled.EMPTY_BUFFER);
    assertTrue(!first.isDone() && !third.isDone(), "held until the flush");
    channel.flush();
    ByteBuf one = channel.readOutbound();
    assertEquals("abc", one.toString(StandardCharsets.US_ASCII));
    assertNull(channel.readOutbound());
    assertTrue(first.isSuccess() && third.isSuccess() && empty.isSuccess());
    assertEquals(List.of(0, 0, 0), List.of(a.refCnt(), b.refCnt(), c.refCnt()));
    one.release();
  }

  @Test
  void aVoidPromiseHeldFirstLeavesTheNextWritesPromiseToComplete() {
    EmbeddedChannel channel = new EmbeddedChannel(new SmallWrites());
    channel.write(ascii("a"), channel.voidPromise());
    ChannelFuture second = channel.write(ascii("b"));
    channel.flush();
    assertEquals("ab", readAll(channel));
    assertTrue(second.isSuccess());
  }

  @Test
  void anEmptyBufferHeldFirstIsReplacedAndBothWritesComplete() {
    EmbeddedChannel channel = new EmbeddedChannel(new SmallWrites());
    ChannelFuture empty = channel.write(Unpooled.EMPTY_BUFFER);
    ByteBuf body = ascii("body");
    ChannelFuture written = channel.writeAndFlush(body);
    ByteBuf one = channel.readOutbound();
    assertTrue(one == body, "passed on as it is, not copied");
    assertTrue(empty.isSuccess() && written.isSuccess());
    one.release();
  }

  @Test
  void whatWouldNotFitWithWhatIsHeldGoesSeparatelyInOrder() {
    EmbeddedChannel channel = new EmbeddedChannel(new SmallWrites());
    String big = "x".repeat(SmallWrites.MAX_JOINED_BYTES - 10);
    channel.write(ascii(big));
    channel.write(ascii("0123456789ab"));
    channel.flush();
    ByteBuf first = channel.readOutbound();
    ByteBuf second = channel.readOutbound();
    assertEquals(big, first.toString(StandardCharsets.US_ASCII));
    assertEquals("0123456789ab", second.toString(StandardCharsets.US_ASCII));
    assertNull(channel.readOutbound());
    first.release();
    second.release();
  }

  @Test
  void aChunkedStreamKeepsItsBytesAndReleasesItsParts() {
    String plain = chunkedStream(new EmbeddedChannel(new HttpResponseEncoder()), null);
    List<ByteBuf> parts = new ArrayList<>();
    String joined = chunkedStream(new EmbeddedChannel(new SmallWrites(), new HttpResponseEncoder()),
        parts);
    assertEquals(plain, joined);
    assertTrue(parts.stream().allMatch(part -> part.refCnt() == 0), "every part released");
  }

  /** A chunked answer of two events, flushed once; its bytes as written. */
  private static String chunkedStream(EmbeddedChannel channel, List<ByteBuf> parts) {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    channel.write(head);
    for (String event : List.of("data: one\n\n", "data: two\n\n")) {
      ByteBuf data = ascii(event);
      if (parts != null) {
        parts.add(data);
      }
      channel.write(new DefaultHttpContent(data));
    }
    channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    return readAll(channel);
  }

  @Test
  void withNoMemoryToJoinBothGoAsTheyAreInOrder() {
    EmbeddedChannel channel = new EmbeddedChannel(new SmallWrites());
    channel.config().setAllocator(new AbstractByteBufAllocator() {
      @Override
      protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return Unpooled.buffer(initialCapacity, maxCapacity);
      }

      @Override
      protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        throw new OutOfMemoryError("no direct memory (test)");
      }

      @Override
      public boolean isDirectBufferPooled() {
        return true; // so that an I/O buffer is a direct one
      }
    });
    ChannelFuture first = channel.write(ascii("head"));
    ChannelFuture second = channel.write(ascii("body"));
    channel.flush();
    ByteBuf one = channel.readOutbound();
    ByteBuf two = channel.readOutbound();
    assertEquals("head", one.toString(StandardCharsets.US_ASCII));
    assertEquals("body", two.toString(StandardCharsets.US_ASCII));
    assertTrue(first.isSuccess() && second.isSuccess());
    one.release();
    two.release();
  }

  @Test
  void aHeldWriteCanNoLongerBeCancelled() {
    EmbeddedChannel channel = new EmbeddedChannel(new SmallWrites());
    ChannelFuture first = channel.write(ascii("head"));
    channel.write(ascii("body"));
    assertFalse(first.cancel(false), "its bytes are joined to others");
    channel.flush();
    assertEquals("headbody", readAll(channel));
    assertTrue(first.isSuccess());
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
  void whatIsHeldWhenTheHandlerIsRemovedIsPassedOnInOrder() {
    SmallWrites handler = new SmallWrites();
    EmbeddedChannel channel = new EmbeddedChannel(handler);
    ChannelFuture written = channel.write(ascii("held"));
    channel.pipeline().remove(handler);
    channel.writeAndFlush(ascii(" then this"));
    assertEquals("held", readAll(channel).substring(0, 4));
    assertTrue(written.isSuccess());
  }

  /** Every buffer the channel wrote, in order, as text; each released. */
  private static String readAll(EmbeddedChannel channel) {
    StringBuilder text = new StringBuilder();
    for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
      ByteBuf buffer = (ByteBuf) out;
      text.append(buffer.toString(StandardCharsets.US_ASCII));
      buffer.release();
    }
    return text.toString();
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
