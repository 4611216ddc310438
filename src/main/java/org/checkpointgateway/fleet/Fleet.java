package org.checkpointgateway.fleet;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.checkpointgateway.api.ArchiveActions;
import org.checkpointgateway.api.FleetArchives;
import org.checkpointgateway.api.FleetJobs;
import org.checkpointgateway.api.JobActions;
import org.checkpointgateway.archive.ArchiveStore;
import org.checkpointgateway.jobs.JobStore;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.checkpointgateway.api.FleetView;
import org.checkpointgateway.checkpoint.CheckpointService;
import org.checkpointgateway.config.GatewayOptions;
import org.checkpointgateway.checkpoint.Forwarding;
import org.checkpointgateway.config.GatewayOptions.FleetOptions;
import org.checkpointgateway.config.OptionTable;
import org.checkpointgateway.cri.CriClient;
import org.checkpointgateway.metrics.GatewayMetrics;
import org.checkpointgateway.metrics.StartClock;

/**
 * This gateway as a member of a fleet (docs/fleet.md): it answers checkpoints forwarded to it,
 * forwards those for pods it does not run, and keeps its pods in the fleet's directory.
 */
public final class Fleet implements FleetView {

  /**
   * What this member tells the others about itself.
   *
   * @param runtimeReady whether the runtime answered its last readiness probe
   */
  public record LocalStatus(BooleanSupplier runtimeReady, IntSupplier running, IntSupplier queued,
      LongSupplier bytesInFlight) {
  }

  private final Members members;
  private final PodDirectory directory;
  private final OwnerEndpoint owner;
  private final Forwarder forwarder;
  private final Context context;
  private final NodeStatuses statuses;
  private final int downloadTickets;
  private final Optional<Buffer> apiCa;
  private ArchivesAcross archives;
  private JobsAcross jobs;

  private Fleet(Members members, PodDirectory directory, OwnerEndpoint owner, Forwarder forwarder,
      Context context, NodeStatuses statuses, int downloadTickets, Optional<Buffer> apiCa) {
    this.members = members;
    this.directory = directory;
    this.owner = owner;
    this.forwarder = forwarder;
    this.context = context;
    this.statuses = statuses;
    this.downloadTickets = downloadTickets;
    this.apiCa = apiCa;
  }

  /** Joins the fleet on a Vert.x built by {@link HazelcastSetup#clusteredVertx}. */
  public static Future<Fleet> start(Vertx vertx, GatewayOptions gateway, CheckpointService service,
      CriClient cri, GatewayMetrics metrics, LocalStatus local) {
    if (!vertx.isClustered()) {
      return Future.failedFuture(new IllegalStateException("a fleet member needs a clustered Vert.x"));
    }
    Context context = vertx.getOrCreateContext();
    // Creating map proxies and listeners may wait on other members: not on an event loop.
    return vertx.executeBlocking(() -> assemble(vertx, gateway, service, cri, metrics, local,
            context), false)
        .compose(fleet -> {
          Promise<Fleet> started = Promise.promise();
          context.runOnContext(ignored -> fleet.forwarder.start()
              .compose(done -> fleet.owner.start())
              .compose(done -> fleet.directory.start())
              .compose(done -> fleet.statuses.start())
              .onSuccess(done -> StartClock.mark("fleet services started"))
              .map(fleet).onComplete(started));
          return started.future();
        });
  }

  private static Fleet assemble(Vertx vertx, GatewayOptions gateway, CheckpointService service,
      CriClient cri, GatewayMetrics metrics, LocalStatus local, Context context) {
    FleetOptions options = gateway.fleet();
    // Read first: a bad file stops start-up, naming the flag, before anything is published.
    Optional<Buffer> apiCa = gateway.fleetNetwork().apiCa().map(MemberApi::readCa);
    HazelcastInstance hazelcast = ((HazelcastClusterManager) ((VertxInternal) vertx)
        .clusterManager()).getHazelcastInstance();
    String node = options.nodeName();
    Members members = new Members(hazelcast, context);
    if (members.names().stream().filter(node::equals).count() > 1) {
      throw new IllegalArgumentException(OptionTable.NODE_NAME.flag() + " " + node
          + ": another member of the fleet has this name");
    }
    PodDirectory directory = new PodDirectory(vertx, node, cri, hazelcast);
    OwnerEndpoint owner = new OwnerEndpoint(vertx, node, service, cri);
    Forwarder forwarder = new Forwarder(vertx, node, members,
        directory, new FleetMeters(metrics, members, directory));
    NodeStatuses statuses = new NodeStatuses(vertx, node, hazelcast, members, local,
        options.advertiseUrl().orElse((gateway.tls() ? "https://" : "http://")
            + hostForUrl(gateway.host().equals("0.0.0.0") ? options.host() : gateway.host())
            + ":" + gateway.port()));
    members.onLost(forwarder::lost);
    members.onLost(owner::frontLost);
    members.onLost(gone -> {
      directory.removeNode(gone);
      directory.republish();
      statuses.remove(gone);
      statuses.republish();
    });
    members.onMerged(() -> {
      directory.reload();
      statuses.republish();
    });
    members.start();
    return new Fleet(members, directory, owner, forwarder, context, statuses,
        options.downloadTickets(), apiCa);
  }

  @Override
  public Optional<String> node() {
    return Optional.of(statuses.node());
  }

  @Override
  public Forwarding forwarding() {
    return forwarder;
  }

  /**
   * Serves this member's jobs and archives to the others and theirs through this one (before
   * the HTTP API serves): job ids end in {@code @node} from now on.
   *
   * @param recordAge how long the fleet keeps the record of a finished job (the job history's)
   */
  public Future<Void> serveViews(JobStore jobStore, ArchiveStore archiveStore,
      CheckpointService service, Duration recordAge, Duration defaultTimeout) {
    Vertx vertx = context.owner();
    HazelcastInstance hazelcast = ((HazelcastClusterManager) ((VertxInternal) vertx)
        .clusterManager()).getHazelcastInstance();
    String node = statuses.node();
    Promise<Void> started = Promise.promise();
    context.runOnContext(ignored -> {
      archives = new ArchivesAcross(vertx, node, members, new ArchiveActions(archiveStore),
          hazelcast, downloadTickets, apiCa);
      jobs = new JobsAcross(vertx, node, members, forwarder,
          new JobActions(service, jobStore), hazelcast, recordAge, defaultTimeout);
      jobStore.joinFleet(node, jobs);
      members.onLost(jobs::lost);
      archives.start().compose(done -> jobs.start()).onComplete(started);
    });
    return started.future();
  }

  /**
   * Reads {@code --cluster-api-ca} again and trusts it for new connections to other members'
   * API; a file that is not a CA bundle fails, and the one in use stays.
   */
  public Future<?> reloadApiCa(java.nio.file.Path file) {
    Vertx vertx = context.owner();
    return vertx.executeBlocking(() -> MemberApi.readCa(file), false)
        .compose(ca -> archives.trustApiCa(ca));
  }

  @Override
  public Optional<FleetArchives> archives() {
    return Optional.ofNullable(archives);
  }

  @Override
  public Optional<FleetJobs> jobs() {
    return Optional.ofNullable(jobs);
  }

  @Override
  public Future<List<JsonObject>> nodes() {
    return statuses.all();
  }

  /** The HTTP port actually bound, for the advertised URL when it was 0. */
  public void httpPort(int port) {
    statuses.httpPort(port);
  }

  private static String hostForUrl(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  /** Leaves politely: stops answering, removes this member's pods from the directory. */
  public Future<Void> close() {
    Promise<Void> closed = Promise.promise();
    context.runOnContext(ignored -> (jobs != null ? jobs.stop() : Future.<Void>succeededFuture())
        .eventually(() -> archives != null ? archives.stop() : Future.succeededFuture())
        .eventually(() -> owner.stop())
        .eventually(() -> forwarder.stop())
        .eventually(() -> statuses.stop())
        .eventually(() -> directory.stop())
        .onComplete(done -> {
          members.stop();
          closed.complete();
        }));
    return closed.future();
  }
}
