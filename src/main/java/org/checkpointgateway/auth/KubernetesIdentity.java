package org.checkpointgateway.auth;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Who a caller is by Kubernetes' conventions, so that an authorization file can name the same
 * users and groups as the cluster's RBAC does.
 */
final class KubernetesIdentity {

  static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";
  static final String AUTHENTICATED = "system:authenticated";

  private KubernetesIdentity() {
  }

  /**
   * The groups of a token's subject: {@code claimed} plus, for a service account
   * ({@code system:serviceaccount:NS:NAME}), the groups the API server gives it:
   * {@code system:serviceaccounts}, {@code system:serviceaccounts:NS} and
   * {@code system:authenticated}. Any other subject keeps the groups it claims.
   */
  static List<String> serviceAccountGroups(String subject, List<String> claimed) {
    if (!subject.startsWith(SERVICE_ACCOUNT_PREFIX)) {
      return claimed;
    }
    String[] nsName = subject.substring(SERVICE_ACCOUNT_PREFIX.length()).split(":", -1);
    if (nsName.length != 2 || nsName[0].isEmpty() || nsName[1].isEmpty()) {
      return claimed;
    }
    Set<String> groups = new LinkedHashSet<>(claimed);
    groups.add("system:serviceaccounts");
    groups.add("system:serviceaccounts:" + nsName[0]);
    groups.add(AUTHENTICATED);
    return List.copyOf(groups);
  }

  /**
   * The caller a verified client certificate names, by Kubernetes' x509 convention: user = the
   * subject's CN, groups = its O values (and {@code system:authenticated}); its permissions come
   * only from the authorization file. Null when the subject has no CN: such a certificate names
   * nobody, and the request goes on to the bearer token.
   */
  static Caller fromCertificate(X509Certificate certificate) {
    LdapName name;
    try {
      name = new LdapName(certificate.getSubjectX500Principal().getName());
    } catch (InvalidNameException e) {
      return null;
    }
    String user = null;
    List<String> groups = new ArrayList<>();
    for (Rdn rdn : name.getRdns()) {
      // Go's x509 (the API server's) keeps the last CN of the subject's sequence.
      if (rdn.getType().equalsIgnoreCase("CN")) {
        user = String.valueOf(rdn.getValue());
      } else if (rdn.getType().equalsIgnoreCase("O")) {
        groups.add(String.valueOf(rdn.getValue()));
      }
    }
    if (user == null || user.isEmpty()) {
      return null;
    }
    groups.add(AUTHENTICATED);
    return new Caller(user, List.of(), groups);
  }
}
