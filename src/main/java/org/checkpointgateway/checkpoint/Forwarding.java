package org.checkpointgateway.checkpoint;

import io.vertx.core.Future;
import java.util.function.BiConsumer;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.outcome.NotFoundException;

/**
 * Where a pod this node does not run is checkpointed when the gateway is a fleet member: by the
 * member that runs it. A pod the fleet's directory places on another member goes there at once
 * (the local lookup of a pod that is not here would cost a fresh picture of the runtime); any
 * other pod is looked up here first and forwarded only after that said {@code pod does not
 * exist}, so a single node ({@link #NONE}) keeps its path unchanged.
 */
public interface Forwarding {

  /** The text of the local lookup's 404 for a pod that is not here. */
  String POD_UNKNOWN = "pod does not exist";

  /** For callers that want only the outcome. */
  BiConsumer<String, CheckpointEvent> NO_EVENTS = (node, event) -> { };

  /** Whom a forward asks for the pod. */
  enum Ask {
    /**
     * Only the member the directory names: its {@code pod does not exist} (a directory behind
     * the runtimes) fails the forward with {@link #POD_UNKNOWN}, and the route then looks here
     * and asks {@link #EVERYONE}.
     */
    DIRECTORY,
    /**
     * Every other member, whatever the directory says: the local lookup (and perhaps the
     * directory's member) said the pod is not there, and it may have started on any member.
     */
    EVERYONE
  }

  /** A single node: a pod not here does not exist. */
  Forwarding NONE = (target, timeoutValid, context, caller, events, ask) ->
      Future.failedFuture(new NotFoundException(POD_UNKNOWN));

  /** Whether the directory places the pod on another member that is in the fleet now. */
  default boolean runsElsewhere(String namespace, String pod) {
    return false;
  }

  /**
   * Has the member that runs the pod check the caller's permission again, look the target up,
   * apply its admission and checkpoint it within the request's context: the time left and the
   * cancellation travel to it.
   *
   * @param target a container, or a whole pod with an empty container name
   * @param timeoutValid false when the caller's {@code ?timeout=} could not be read: the owner
   *     then answers as the kubelet does, after its lookup
   * @param context the request's: when it is cancelled, so is the checkpoint on the owner
   * @param events the owner's events with its node name, in order, on the caller's context;
   *     the first one means the owner's lookup passed ({@link #NO_EVENTS}: none are sent)
   * @param ask whom to ask for the pod
   * @return the owner's result, or a failure with exactly its status and text; a
   *     {@code NotFoundException} ({@link #POD_UNKNOWN}) when no member runs the pod; an
   *     {@code UnavailableException} naming the member when it left or did not answer
   */
  Future<CheckpointResult> forward(CheckpointTarget target, boolean timeoutValid,
      RequestContext context, Caller caller, BiConsumer<String, CheckpointEvent> events, Ask ask);

  /** Whether a local failure means the pod may run on another member. */
  static boolean podUnknown(Throwable failure) {
    return failure instanceof NotFoundException && POD_UNKNOWN.equals(failure.getMessage());
  }
}
