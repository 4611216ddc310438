package org.checkpointgateway.archive;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a checkpoint archive: {@code checkpoint-<pod>_<namespace>-<container>-<timestamp>.tar},
 * as the kubelet writes it (RFC 3339, to the second, with its local offset) and as the gateway
 * writes it (UTC with nine fractional digits). Only names of this shape are ever served, so a
 * name can never reach outside the checkpoint directory: it holds no {@code /}, and {@code ..}
 * alone cannot match.
 *
 * <p>The name does not tell namespace and container apart when either contains {@code -}
 * ({@code a-b-c} may be namespace {@code a} and container {@code b-c}, or {@code a-b} and
 * {@code c}); the archive's own {@code spec.dump} says which. Pod names cannot contain
 * {@code _}, so the pod is always certain.
 *
 * @param name the file name
 * @param pod the pod, from the name
 * @param namespaceAndContainer {@code <namespace>-<container>}, ambiguous as said above
 * @param timestamp when the checkpoint was taken, from the name
 */
public record ArchiveName(String name, String pod, String namespaceAndContainer, Instant timestamp) {

  private static final Pattern PATTERN = Pattern.compile(
      "checkpoint-([a-z0-9][a-z0-9.-]*)_([a-z0-9][a-z0-9-]*-[A-Za-z0-9][A-Za-z0-9._-]*?)-"
          + "(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d{1,9})?(?:Z|[+-]\\d\\d:\\d\\d))\\.tar");

  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9-]+");

  /** The name parsed, or empty when it is not an archive name. */
  public static Optional<ArchiveName> parse(String name) {
    if (name == null || name.length() > 512) {
      return Optional.empty();
    }
    Matcher m = PATTERN.matcher(name);
    if (!m.matches()) {
      return Optional.empty();
    }
    Instant timestamp;
    try {
      timestamp = OffsetDateTime.parse(m.group(3)).toInstant();
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
    return Optional.of(new ArchiveName(name, m.group(1), m.group(2), timestamp));
  }

  public static boolean isArchiveName(String name) {
    return parse(name).isPresent();
  }

  /**
   * Every namespace the name allows: each split of {@code <namespace>-<container>} at a
   * {@code -} whose first part can be a namespace (a DNS label: no {@code .}, {@code _} or
   * capitals, which container names of other engines may have). One element when the name is
   * unambiguous.
   */
  public List<String> namespaceCandidates() {
    List<String> candidates = new ArrayList<>();
    for (int i = namespaceAndContainer.indexOf('-'); i > 0;
        i = namespaceAndContainer.indexOf('-', i + 1)) {
      if (!NAMESPACE.matcher(namespaceAndContainer.substring(0, i)).matches()) {
        break; // a longer prefix holds the same character
      }
      if (i < namespaceAndContainer.length() - 1) {
        candidates.add(namespaceAndContainer.substring(0, i));
      }
    }
    return candidates;
  }

  /** Namespace and container when the name allows only one reading. */
  public Optional<String[]> unambiguousSplit() {
    List<String> candidates = namespaceCandidates();
    if (candidates.size() != 1) {
      return Optional.empty();
    }
    String namespace = candidates.get(0);
    return Optional.of(new String[] {namespace, namespaceAndContainer.substring(namespace.length() + 1)});
  }
}
