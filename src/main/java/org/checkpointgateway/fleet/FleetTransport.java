package org.checkpointgateway.fleet;

import com.hazelcast.config.JoinConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import org.checkpointgateway.config.GatewayOptions.FleetNetwork;
import org.checkpointgateway.config.GatewayOptions.FleetOptions;

/**
 * How members reach each other: the event bus (plain, or TLS with both sides authenticated by
 * the fleet's CA) and how Hazelcast finds the others (a member list, or Kubernetes DNS).
 * Hazelcast's own member protocol stays plain: TLS there is an Enterprise feature
 * (docs/fleet.md says how to deploy around it).
 */
public final class FleetTransport {

  /** Hazelcast's DNS lookup of the Service's endpoints: a stale answer only delays a join. */
  static final int KUBERNETES_DNS_TIMEOUT_SECONDS = 5;
  /**
   * How long connecting to another member's event bus may take (Vert.x: 60 s); a member whose
   * port drops packets is reported to callers after this, not after a minute.
   */
  static final int CONNECT_TIMEOUT_MILLIS = 5000;

  private FleetTransport() {
  }

  /** The event bus on the cluster address; with TLS, a member must show a certificate the CA signed. */
  static EventBusOptions eventBus(FleetOptions fleet, FleetNetwork network) {
    EventBusOptions options = new EventBusOptions().setHost(fleet.host()).setPort(fleet.busPort())
        .setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
    if (network.tls()) {
      // The same files serve both directions: the member connecting presents its certificate
      // (the server requires it) and checks the other's against the CA, as the server does.
      // Names are not checked: members come and go with addresses a certificate cannot list;
      // the fleet's own CA is what admits a member, so it must sign nothing else.
      // The event bus trusts every server certificate unless told otherwise (trustAll defaults
      // to true there, unlike an HTTP client): a member would talk to any impostor.
      options.setSsl(true).setClientAuth(ClientAuth.REQUIRED).setTrustAll(false)
          .setKeyCertOptions(new PemKeyCertOptions()
              .setCertPath(network.tlsCert().orElseThrow().toString())
              .setKeyPath(network.tlsKey().orElseThrow().toString()))
          .setTrustOptions(new PemTrustOptions()
              .addCertPath(network.tlsCa().orElseThrow().toString()));
    }
    return options;
  }

  /**
   * Whom Hazelcast asks to join: the listed members, or the addresses Kubernetes DNS gives for a
   * headless Service (no Kubernetes API call, so no RBAC; conf/kubernetes/fleet.yaml).
   */
  static void join(JoinConfig join, FleetOptions fleet, FleetNetwork network, int timeoutSeconds) {
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getAwsConfig().setEnabled(false);
    if (network.kubernetesDns().isPresent()) {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", network.kubernetesDns().get())
          .setProperty("service-dns-timeout", Integer.toString(KUBERNETES_DNS_TIMEOUT_SECONDS))
          .setProperty("service-port", Integer.toString(fleet.port()));
    } else {
      join.getKubernetesConfig().setEnabled(false);
      // A starting member asks the listed ones for a master for this long, then claims the role
      // itself (default 5 s). Members that started apart and each claimed it merge at the
      // split-brain check.
      join.getTcpIpConfig().setEnabled(true).setMembers(fleet.members())
          .setConnectionTimeoutSeconds(timeoutSeconds);
    }
  }
}
