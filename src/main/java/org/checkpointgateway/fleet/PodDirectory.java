package org.checkpointgateway.fleet;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.cri.CriClient;
import org.checkpointgateway.metrics.StartClock;

/**
 * Which member runs which pod: a Hazelcast map from {@code namespace/pod} to node name. Each
 * member lists its runtime's ready pods every {@link #REFRESH} and writes only what changed; a
 * member that leaves has its entries removed by the others. Blocking map calls run on workers.
 *
 * <p>Every member reads a local copy kept by the map's entry events: a lookup is a local read
 * (no hop, and no wait on a frozen member that owns the entry's partition). A copy that missed
 * an event costs a question to every member, never a wrong answer from the owner.
 */
final class PodDirectory {

  static final String MAP = "checkpoint-gateway.pods";
  static final String NAMESPACE_LABEL = "io.kubernetes.pod.namespace";
  static final String NAME_LABEL = "io.kubernetes.pod.name";
  /** As often as the kubelet relists pods; a newer pod is found by asking every member. */
  static final Duration REFRESH = Duration.ofSeconds(1);

  private static final Logger LOG = Logger.getLogger(PodDirectory.class.getName());

  private final Vertx vertx;
  private final String node;
  private final CriClient cri;
  private final IMap<String, String> map;
  private final Map<String, String> copy = new java.util.concurrent.ConcurrentHashMap<>();
  private java.util.UUID listener;
  private Set<String> published = Set.of();
  private long timer = -1;
  private boolean busy;

  PodDirectory(Vertx vertx, String node, CriClient cri, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.node = node;
    this.cri = cri;
    this.map = hazelcast.getMap(MAP);
  }

  /** Publishes at once, then keeps publishing changes; call on the fleet's context. */
  Future<Void> start() {
    return vertx.executeBlocking(() -> {
      listener = map.addEntryListener(new Copier(), true);
      map.forEach(copy::putIfAbsent);
      return null;
    }, false).compose(ignored -> {
      timer = vertx.setPeriodic(REFRESH.toMillis(), id -> refresh());
      return refresh();
    });
  }

  Future<Void> stop() {
    vertx.cancelTimer(timer);
    return removeNode(node).eventually(() -> vertx.executeBlocking(() -> {
      map.removeEntryListener(listener);
      return null;
    }, false));
  }

  /** The member the directory names for a pod, if any: a local read. */
  Optional<String> owner(String namespace, String pod) {
    return Optional.ofNullable(copy.get(namespace + "/" + pod));
  }

  /** Keeps {@link #copy} in step with the cluster map; runs on Hazelcast's event threads. */
  private final class Copier implements com.hazelcast.map.listener.EntryAddedListener<String, String>,
      com.hazelcast.map.listener.EntryUpdatedListener<String, String>,
      com.hazelcast.map.listener.EntryRemovedListener<String, String>,
      com.hazelcast.map.listener.EntryMergedListener<String, String>,
      com.hazelcast.map.listener.MapClearedListener {
    @Override
    public void entryAdded(com.hazelcast.core.EntryEvent<String, String> event) {
      copy.put(event.getKey(), event.getValue());
    }

    @Override
    public void entryUpdated(com.hazelcast.core.EntryEvent<String, String> event) {
      copy.put(event.getKey(), event.getValue());
    }

    @Override
    public void entryRemoved(com.hazelcast.core.EntryEvent<String, String> event) {
      copy.remove(event.getKey());
    }

    /** An entry the smaller side of a healed split brought back (its own pods, for one). */
    @Override
    public void entryMerged(com.hazelcast.core.EntryEvent<String, String> event) {
      if (event.getValue() != null) {
        copy.put(event.getKey(), event.getValue());
      }
    }

    @Override
    public void mapCleared(com.hazelcast.map.MapEvent event) {
      copy.clear();
    }
  }

  /**
   * Writes every pod again at the next refresh: after a member was declared gone (a frozen one
   * that returns), the others removed its entries.
   */
  void republish() {
    published = Set.of();
  }

  /**
   * This member was on the smaller side of a split that healed: it joined the others again with
   * their map, of which its copy saw no event (its entries were already there). Reads the map
   * again, on a worker, and writes every pod of its own again at the next refresh.
   */
  Future<Void> reload() {
    republish();
    return vertx.executeBlocking(() -> {
      Map<String, String> now = new HashMap<>();
      map.forEach(now::put);
      copy.putAll(now);
      copy.keySet().retainAll(now.keySet());
      return null;
    }, false).<Void>mapEmpty().onFailure(failure -> LOG.log(Level.WARNING,
        "pod directory not read again after a split; lookups ask every member meanwhile", failure));
  }

  /** Entries in the whole directory, as this member's copy holds them. */
  int size() {
    return copy.size();
  }

  /** Forgets every pod of a member that left (each member may do it: it is idempotent). */
  Future<Void> removeNode(String gone) {
    copy.values().removeIf(gone::equals);
    return vertx.executeBlocking(() -> {
      map.removeAll(Predicates.equal("this", gone));
      return null;
    }, false);
  }

  private Future<Void> refresh() {
    if (busy) {
      return Future.succeededFuture();
    }
    busy = true;
    return cri.listReadySandboxes(RequestContext.withTimeout(REFRESH))
        .compose(sandboxes -> {
          Set<String> pods = new HashSet<>();
          sandboxes.forEach(sandbox -> pods.add(sandbox.getLabelsOrDefault(NAMESPACE_LABEL, "")
              + "/" + sandbox.getLabelsOrDefault(NAME_LABEL, "")));
          Set<String> before = published;
          return vertx.executeBlocking(() -> {
            Map<String, String> added = new HashMap<>();
            pods.stream().filter(pod -> !before.contains(pod)).forEach(pod -> added.put(pod, node));
            map.putAll(added);
            before.stream().filter(pod -> !pods.contains(pod)).forEach(pod -> map.remove(pod, node));
            return pods;
          }, false);
        })
        .onSuccess(pods -> {
          published = Set.copyOf(pods);
          StartClock.mark("pods published");
        })
        .onFailure(failure -> LOG.log(Level.FINE, "pod directory not refreshed", failure))
        .onComplete(ignored -> busy = false)
        .<Void>mapEmpty()
        .recover(failure -> Future.succeededFuture());
  }
}
