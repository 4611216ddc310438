package org.checkpointgateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.checkpointgateway.api.FleetArchives.Ticketed;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.outcome.OverloadedException;
import org.junit.jupiter.api.Test;

/**
 * A holder's download tickets: one caller, one archive, one use, a few seconds, a bounded number;
 * anything else redeems to nothing. The clock is turned by hand.
 */
class DownloadTicketsTest {

  private static final Caller ALICE = new Caller("alice", List.of("archives:download:ns"));
  private static final Ticketed A = new Ticketed(ALICE, "a.tar", 1, 10);
  private static final Ticketed B = new Ticketed(ALICE, "b.tar", 1, 11);

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private DownloadTickets tickets(int max) {
    return new DownloadTickets(max, "n2", now::get);
  }

  @Test
  void aTicketVouchesForItsCallerAndArchiveOnceWithinItsLifetime() {
    DownloadTickets tickets = tickets(8);
    String ticket = tickets.issue(A);
    assertThat(ticket).hasSize(DownloadTickets.LENGTH).matches("[A-Za-z0-9_-]+");
    now.addAndGet(DownloadTickets.LIFETIME.toNanos());
    assertThat(tickets.redeem(ticket, "a.tar")).contains(A);
    // Used: a second presentation (a replay) is refused.
    assertThat(tickets.redeem(ticket, "a.tar")).isEmpty();
    assertThat(tickets.outstanding()).isZero();
  }

  @Test
  void anExpiredTicketIsRefused() {
    DownloadTickets tickets = tickets(8);
    String ticket = tickets.issue(A);
    now.addAndGet(DownloadTickets.LIFETIME.toNanos() + 1);
    assertThat(tickets.redeem(ticket, "a.tar")).isEmpty();
  }

  @Test
  void aTicketTriedOnAnotherArchiveIsRefusedAndUsedUp() {
    DownloadTickets tickets = tickets(8);
    String ticket = tickets.issue(A);
    tickets.issue(B);
    assertThat(tickets.redeem(ticket, "b.tar")).isEmpty();
    // No second try on the archive it was for either.
    assertThat(tickets.redeem(ticket, "a.tar")).isEmpty();
  }

  @Test
  void forgedTicketsAreRefused() {
    DownloadTickets tickets = tickets(8);
    String ticket = tickets.issue(A);
    assertThat(tickets.redeem(null, "a.tar")).isEmpty();
    assertThat(tickets.redeem("", "a.tar")).isEmpty();
    assertThat(tickets.redeem(ticket + "x", "a.tar")).isEmpty();
    assertThat(tickets.redeem(ticket.substring(1), "a.tar")).isEmpty();
    String flipped = (ticket.charAt(0) == 'A' ? "B" : "A") + ticket.substring(1);
    assertThat(tickets.redeem(flipped, "a.tar")).isEmpty();
    // Whatever a caller sends (any text, any length), nothing but the issued ticket is valid.
    qt().withExamples(2000).forAll(strings().allPossible().ofLengthBetween(0, 64))
        .check(forged -> forged.equals(ticket) || tickets.redeem(forged, "a.tar").isEmpty());
    qt().withExamples(500).forAll(strings().betweenCodePoints('-', 'z')
            .ofLength(DownloadTickets.LENGTH))
        .check(forged -> forged.equals(ticket) || tickets.redeem(forged, "a.tar").isEmpty());
    // The real one was never used up by the forgeries.
    assertThat(tickets.redeem(ticket, "a.tar")).contains(A);
  }

  @Test
  void ticketsAreUnpredictablyDifferent() {
    DownloadTickets tickets = tickets(1000);
    Set<String> issued = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      issued.add(tickets.issue(A));
    }
    assertThat(issued).hasSize(1000);
  }

  @Test
  void theBoundRefusesMoreWith429UntilOneIsUsedOrExpires() {
    DownloadTickets tickets = tickets(2);
    String first = tickets.issue(A);
    tickets.issue(B);
    assertThatThrownBy(() -> tickets.issue(A)).isInstanceOf(OverloadedException.class)
        .hasMessageContaining("node n2").satisfies(refusal ->
            assertThat(((OverloadedException) refusal).retryAfterSeconds()).isEqualTo(1));
    assertThat(tickets.outstanding()).isEqualTo(2);
    // A used ticket makes room.
    assertThat(tickets.redeem(first, "a.tar")).isPresent();
    String third = tickets.issue(A);
    assertThatThrownBy(() -> tickets.issue(A)).isInstanceOf(OverloadedException.class);
    // Expired ones are swept when the store is full: no timer needed.
    now.addAndGet(DownloadTickets.LIFETIME.toNanos() + 1);
    tickets.issue(A);
    tickets.issue(B);
    assertThat(tickets.outstanding()).isEqualTo(2);
    assertThat(tickets.redeem(third, "a.tar")).isEmpty();
  }

  @Test
  void expiredTicketsAreSweptOnceALifetimeEvenBelowTheBound() {
    DownloadTickets tickets = tickets(100);
    for (int i = 0; i < 10; i++) {
      tickets.issue(A);
    }
    now.addAndGet(DownloadTickets.LIFETIME.toNanos() + 1);
    tickets.issue(B);
    assertThat(tickets.outstanding()).isEqualTo(1);
  }
}
