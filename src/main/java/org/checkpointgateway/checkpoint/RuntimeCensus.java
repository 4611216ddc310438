package org.checkpointgateway.checkpoint;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.archive.ContainerCensus;
import org.checkpointgateway.cri.CriClient;
import org.checkpointgateway.cri.RuntimeWatch;
import runtime.v1.Container;

/**
 * The census for {@code retainOrphan: false}, taken from CRI {@code ListContainers} without a
 * filter (every state) each time it is asked, never from a cached picture. It fails, so that no
 * archive counts as an orphan, when the runtime is not ready, does not answer within
 * {@code timeout}, or lists a container without the kubelet's labels (its identity would be
 * missing from the census and its archives would look orphaned).
 */
public final class RuntimeCensus implements ContainerCensus {

  private final CriClient cri;
  private final RuntimeWatch watch;
  private final Duration timeout;

  public RuntimeCensus(CriClient cri, RuntimeWatch watch, Duration timeout) {
    this.cri = cri;
    this.watch = watch;
    this.timeout = timeout;
  }

  @Override
  public Future<Set<Identity>> containers() {
    if (!watch.ready()) {
      return Future.failedFuture("the runtime is not ready");
    }
    return cri.listAllContainers(RequestContext.withTimeout(timeout)).compose(listed -> {
      Set<Identity> known = new HashSet<>();
      for (Container container : listed) {
        String ns = container.getLabelsOrDefault(ContainerLookup.POD_NAMESPACE_LABEL, "");
        String pod = container.getLabelsOrDefault(ContainerLookup.POD_NAME_LABEL, "");
        String name = container.getLabelsOrDefault(ContainerLookup.CONTAINER_NAME_LABEL, "");
        if (ns.isEmpty() || pod.isEmpty() || name.isEmpty()) {
          return Future.failedFuture("container " + container.getId()
              + " has no Kubernetes namespace, pod or container label");
        }
        known.add(new Identity(ns, pod, name));
      }
      return Future.succeededFuture(known);
    });
  }
}
