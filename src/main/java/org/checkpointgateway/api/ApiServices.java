package org.checkpointgateway.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.checkpointgateway.auth.AuthorizationRules;
import org.checkpointgateway.archive.ArchiveStore;
import org.checkpointgateway.auth.Audit;
import org.checkpointgateway.auth.TokenVerifier;
import org.checkpointgateway.checkpoint.CheckpointService;
import org.checkpointgateway.config.GatewayOptions;
import org.checkpointgateway.cri.RuntimeWatch;
import org.checkpointgateway.jobs.JobStore;

/**
 * What the HTTP verticles are handed: shared, thread-safe services made once per gateway.
 *
 * @param stopping true once the gateway began to stop: readiness turns 503
 * @param audit where audited requests are recorded ({@link Audit#none()} without an audit log)
 * @param streamMeters what the event streams of all verticles hold back, on one set of meters
 * @param connections the HTTP connections of all verticles: their count and deadlines
 * @param authorization the authorization file's rules in force (reloaded when it changes)
 * @param fleet the fleet this gateway belongs to, or {@link FleetView#NONE}
 */
public record ApiServices(GatewayOptions options, CheckpointService checkpoints,
    TokenVerifier tokens, RuntimeWatch runtime, JobStore jobs, ArchiveStore archives,
    PrometheusMeterRegistry metrics,
    BooleanSupplier stopping,
    Audit audit,
    StreamMeters streamMeters,
    HttpConnections connections,
    Supplier<AuthorizationRules> authorization,
    FleetView fleet) {
}
