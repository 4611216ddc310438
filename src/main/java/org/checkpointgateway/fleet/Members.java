package org.checkpointgateway.fleet;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.vertx.core.Context;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The fleet's members by node name, as Hazelcast's membership sees them. Hazelcast's own
 * listener (not Vert.x's single node-listener slot, which Vert.x HA uses) tells of a lost member
 * about half a second after its connection breaks; listeners then run on the fleet's context.
 */
final class Members {

  private static final Logger LOG = Logger.getLogger(Members.class.getName());

  private final HazelcastInstance hazelcast;
  private final Context context;
  private final Map<String, Instant> joinedAt = new ConcurrentHashMap<>();
  private final List<Consumer<String>> lost = new CopyOnWriteArrayList<>();
  private final List<Runnable> merged = new CopyOnWriteArrayList<>();
  private UUID registration;
  private UUID lifecycle;

  Members(HazelcastInstance hazelcast, Context context) {
    this.hazelcast = hazelcast;
    this.context = context;
  }

  void start() {
    registration = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        String node = name(event.getMember());
        joinedAt.put(node, Instant.now());
        LOG.info(() -> "fleet member " + node + " joined (" + event.getMember().getAddress() + ")");
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String node = name(event.getMember());
        joinedAt.remove(node);
        LOG.warning(() -> "fleet member " + node + " left (" + event.getMember().getAddress() + ")");
        context.runOnContext(ignored -> lost.forEach(listener -> listener.accept(node)));
      }
    });
    // This member was on the smaller side of a split and has joined the others again.
    lifecycle = hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
        LOG.info("fleet: merged back after a split");
        context.runOnContext(ignored -> merged.forEach(Runnable::run));
      }
    });
    Instant now = Instant.now();
    hazelcast.getCluster().getMembers().forEach(member -> joinedAt.putIfAbsent(name(member), now));
  }

  void stop() {
    if (registration != null) {
      hazelcast.getCluster().removeMembershipListener(registration);
    }
    if (lifecycle != null) {
      hazelcast.getLifecycleService().removeLifecycleListener(lifecycle);
    }
  }

  /** Runs {@code listener} on the fleet's context with the name of each member that leaves. */
  void onLost(Consumer<String> listener) {
    lost.add(listener);
  }

  /** Runs {@code listener} on the fleet's context when this member merged back after a split. */
  void onMerged(Runnable listener) {
    merged.add(listener);
  }

  /** Node names of the current members, this one included. */
  List<String> names() {
    return hazelcast.getCluster().getMembers().stream().map(Members::name).toList();
  }

  boolean has(String node) {
    return names().contains(node);
  }

  /** When this member first saw {@code node} (its own start for members already there). */
  Instant joinedAt(String node) {
    return joinedAt.getOrDefault(node, Instant.EPOCH);
  }

  static String name(Member member) {
    String name = member.getAttribute(HazelcastSetup.NODE_ATTRIBUTE);
    return name != null ? name : member.getUuid().toString();
  }
}
