package org.checkpointgateway.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import org.checkpointgateway.auth.Caller;

/**
 * The archives API's view of the other fleet members (docs/fleet.md, "Archives across the
 * fleet"). Every call carries the caller, and the member holding the archive checks it again
 * with its own {@link ArchiveActions}: the same permission checks wherever a request enters.
 */
public interface FleetArchives {

  /**
   * The request header in which a front presents a holder's download ticket
   * ({@link #redeem}), in place of the caller's credentials.
   */
  String TICKET_HEADER = "Checkpoint-Gateway-Ticket";

  /**
   * What a download ticket vouches for: the caller (as the front authenticated it) may download
   * the archive {@code name}, the file {@code device}/{@code inode} this member checked it for.
   */
  record Ticketed(Caller caller, String name, long device, long inode) {
  }

  /** What the other members listed: their archives (each with {@code node}), and who was silent. */
  record Listing(JsonArray items, List<String> unavailable) {
  }

  /** This member's node name, put on each of its own archives in a listing. */
  String node();

  /** The other members' archives the caller may read, filtered as {@code filters} say. */
  Future<Listing> list(Caller caller, JsonObject filters);

  /**
   * Which member answers for the archive {@code name}: empty for this one (whose own lookup then
   * answers, 404 included); another member's name when only it holds an archive of that name
   * the caller may see, or {@code node} names it. A {@code ConflictException} naming the members
   * when several hold one; {@code NotFoundException} for a {@code node} that is no member.
   *
   * @param heldHere whether this member holds an archive of that name the caller may see
   */
  Future<Optional<String>> locate(Caller caller, String name, Optional<String> node,
      boolean heldHere);

  /** Another member's answer to inspect. */
  Future<JsonObject> inspect(String node, Caller caller, String name);

  Future<Void> delete(String node, Caller caller, String name);

  /** Another member's summary of the archive after pinning or unpinning it. */
  Future<JsonObject> pin(String node, Caller caller, String name, boolean pinned);

  /**
   * Streams another member's answer to this GET or HEAD of the archive to the caller, status and
   * headers included, with backpressure (never held in memory). Completes when the answer ended.
   * The holder checks the caller and issues a ticket over the event bus; the front presents it
   * to the holder's HTTP API instead of the caller's credentials, which never leave this member.
   */
  Future<Void> download(String node, Caller caller, RoutingContext ctx, String name);

  /**
   * What a ticket this member issued vouches for, when it is valid for a download of the archive
   * {@code name} (unexpired, unused); empty for anything else. Uses the ticket up either way.
   */
  Optional<Ticketed> redeem(String ticket, String name);
}
