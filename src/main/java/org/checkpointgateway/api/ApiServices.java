package org.checkpointgateway.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;
import org.checkpointgateway.archive.ArchiveStore;
import org.checkpointgateway.auth.Audit;
import org.checkpointgateway.auth.AuthorizationRules;
import org.checkpointgateway.auth.TokenVerifier;
import org.checkpointgateway.checkpoint.CheckpointService;
import org.checkpointgateway.jobs.JobStore;

/**
 * What the HTTP verticles are handed: their settings, and shared, thread-safe services made once
 * per gateway, each seen through an interface no wider than its routes need (as the kubelet's
 * server sees the node only through its {@code HostInterface}).
 *
 * @param settings the plain settings the routes and the server read
 * @param readiness what {@code /readyz} reports
 * @param checkpoints the checkpoint service (checkpoint and job routes)
 * @param jobs checkpoint jobs (job routes)
 * @param archives the archives (archive routes)
 * @param fleet the fleet this gateway belongs to, or {@link FleetView#NONE} (node routes, and
 *     where checkpoints of pods elsewhere go)
 * @param tokens verifies bearer tokens (the authentication handler)
 * @param audit where audited requests are recorded ({@link Audit#none()} without an audit log)
 * @param authorization the authorization file's rules in force (reloaded when it changes)
 * @param metrics the registry {@code /metrics} renders
 * @param streamMeters what the event streams of all verticles hold back, on one set of meters
 * @param connections the HTTP connections of all verticles: their count and deadlines
 */
public record ApiServices(HttpSettings settings, Readiness readiness,
    CheckpointService checkpoints, JobStore jobs, ArchiveStore archives, FleetView fleet,
    TokenVerifier tokens, Audit audit, Supplier<AuthorizationRules> authorization,
    PrometheusMeterRegistry metrics, StreamMeters streamMeters, HttpConnections connections) {
}
