package org.checkpointgateway.fleet;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.checkpointgateway.api.FleetArchives.Ticketed;
import org.checkpointgateway.outcome.OverloadedException;

/**
 * The download tickets a holder issued to other members for their callers (docs/fleet.md,
 * "Archives across the fleet"): a random 256-bit word that stands for one caller's permission to
 * download one archive, this very file, once, within {@link #LIFETIME}.
 *
 * <p>Bounded: at most {@code max} outstanding; expired ones are dropped when a ticket is issued
 * (no timer per ticket) and refused when presented. Kept by their SHA-256 only, so the map's
 * comparisons time nothing an attacker could use and a heap dump holds no usable ticket. Issued
 * and redeemed from any thread without a lock: the count is reserved before a ticket is stored,
 * and a ticket is one atomic removal (used once, by whoever presents it first).
 */
final class DownloadTickets {

  /**
   * How long a ticket may wait for its request: the front asks for the holder's URL and connects
   * (up to 5 s) after receiving it, on a machine that may be busy.
   */
  static final Duration LIFETIME = Duration.ofSeconds(10);
  /** A ticket's length: 32 random bytes, unpadded base64url. */
  static final int LENGTH = 43;

  private static final SecureRandom RANDOM = new SecureRandom();

  private record Entry(Ticketed grant, long expires) {
  }

  private final Map<String, Entry> tickets = new ConcurrentHashMap<>();
  /** Tickets stored or about to be: never more than {@code max}. */
  private final AtomicInteger held = new AtomicInteger();
  private final int max;
  private final String node;
  private final LongSupplier nanos;
  private volatile long swept;

  /**
   * @param node this member's name (in the refusal when the store is full)
   * @param nanos a monotonic clock ({@code System::nanoTime}; tests turn it by hand)
   */
  DownloadTickets(int max, String node, LongSupplier nanos) {
    this.max = max;
    this.node = node;
    this.nanos = nanos;
    this.swept = nanos.getAsLong();
  }

  /**
   * A new ticket for {@code grant}, to be presented within {@link #LIFETIME}.
   *
   * @throws OverloadedException when {@code max} unexpired tickets are outstanding
   */
  String issue(Ticketed grant) {
    long now = nanos.getAsLong();
    if (held.get() >= max || now - swept > LIFETIME.toNanos()) {
      sweep(now);
    }
    if (held.incrementAndGet() > max) {
      held.decrementAndGet();
      throw new OverloadedException("node " + node + " has " + max
          + " downloads starting for other members' callers; try again", 1);
    }
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    tickets.put(digest(ticket), new Entry(grant, now + LIFETIME.toNanos()));
    return ticket;
  }

  /**
   * What {@code ticket} vouches for, if it is one this member issued, unexpired, unused, and for
   * the archive {@code name}. Used up whatever the answer (a ticket tried on another archive
   * cannot be tried again on the right one).
   */
  Optional<Ticketed> redeem(String ticket, String name) {
    if (ticket == null || ticket.length() != LENGTH) {
      return Optional.empty();
    }
    Entry entry = tickets.remove(digest(ticket));
    if (entry != null) {
      held.decrementAndGet();
    }
    if (entry == null || nanos.getAsLong() - entry.expires() > 0
        || !entry.grant().name().equals(name)) {
      return Optional.empty();
    }
    return Optional.of(entry.grant());
  }

  /** Tickets held now, expired ones included until the next sweep. */
  int outstanding() {
    return held.get();
  }

  /** Drops expired tickets: when the store is full, and at most once a lifetime otherwise. */
  private void sweep(long now) {
    swept = now;
    tickets.forEach((key, entry) -> {
      if (now - entry.expires() > 0 && tickets.remove(key, entry)) {
        held.decrementAndGet();
      }
    });
  }

  private static String digest(String ticket) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
          .digest(ticket.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
