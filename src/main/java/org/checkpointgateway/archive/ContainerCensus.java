package org.checkpointgateway.archive;

import io.vertx.core.Future;
import java.util.Set;

/**
 * The containers the node's runtime knows now, in any state, for {@code retainOrphan: false}: an
 * archive whose container is not among them is an orphan. A census that cannot be taken fails;
 * retention then counts no archive as an orphan, since unknown is not absent.
 */
@FunctionalInterface
public interface ContainerCensus {

  /** No runtime to ask: every census fails, so nothing is ever an orphan. */
  ContainerCensus NONE = () -> Future.failedFuture("no runtime to ask which containers exist");

  /** The identities of every container the runtime knows; fails when it cannot say. */
  Future<Set<Identity>> containers();

  /** A container as Kubernetes names it. */
  record Identity(String namespace, String pod, String container) {
  }
}
