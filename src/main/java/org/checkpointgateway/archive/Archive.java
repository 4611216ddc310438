package org.checkpointgateway.archive;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One archive in the checkpoint directory, as seen at one moment.
 *
 * @param name the parsed file name
 * @param path the file, directly inside the checkpoint directory
 * @param size its size in bytes
 * @param modified its modification time (millisecond precision)
 * @param facts what its metadata members say; null when they cannot be read (an archive being
 *     written, or not a container checkpoint)
 * @param pinned whether retention must keep it
 * @param beingWritten whether a runtime is writing it for a checkpoint of this gateway now
 * @param identity the file as it was looked at: only that file is ever read or served
 */
public record Archive(ArchiveName name, Path path, long size, Instant modified, ArchiveFacts facts,
    boolean pinned, boolean beingWritten, FileIdentity identity) {

  /** The file name. */
  public String fileName() {
    return name.name();
  }

  /** The namespace: the archive's own word, else the file name's when it allows one reading. */
  public Optional<String> namespace() {
    if (facts != null && facts.namespace() != null) {
      return Optional.of(facts.namespace());
    }
    return name.unambiguousSplit().map(split -> split[0]);
  }

  /**
   * The namespaces a caller scoped to namespaces must be allowed to see this archive: the one its
   * own metadata names, or, while this gateway is writing it, every namespace its name allows
   * (this gateway chose that name). Empty when the file cannot say which namespace it belongs
   * to (not a checkpoint, unreadable, Podman's, or too big to read): its name proves nothing,
   * since any file can be given one. Empty too when another name links to the file: its contents
   * may change through that name after they were read. An archive with no namespaces here is for
   * callers allowed every namespace only.
   */
  public Optional<List<String>> namespacesToRead() {
    if (identity.links() != 1) {
      return Optional.empty();
    }
    if (facts != null && facts.namespace() != null) {
      return Optional.of(List.of(facts.namespace()));
    }
    return beingWritten ? Optional.of(name.namespaceCandidates()) : Optional.empty();
  }

  public String pod() {
    return facts != null && facts.pod() != null ? facts.pod() : name.pod();
  }

  public Optional<String> container() {
    if (facts != null && facts.container() != null) {
      return Optional.of(facts.container());
    }
    return name.unambiguousSplit().map(split -> split[1]);
  }

  /** When the checkpoint was taken: the archive's {@code checkpointedTime}, else the file name's. */
  public Instant checkpointed() {
    return facts != null && facts.checkpointedTime() != null ? facts.checkpointedTime()
        : name.timestamp();
  }

  public Optional<String> engine() {
    return Optional.ofNullable(facts).map(ArchiveFacts::engine);
  }

  /** A strong validator: size and modification time change with any rewrite. */
  public String etag() {
    return "\"" + Long.toHexString(size) + "-" + Long.toHexString(modified.toEpochMilli()) + "\"";
  }

  /**
   * What retention counts as one container: namespace, pod and container when the archive says,
   * else the {@code <pod>_<namespace>-<container>} part of the name, which is the same string for
   * every archive of one container.
   */
  public String containerKey() {
    if (facts != null && facts.namespace() != null && facts.container() != null) {
      return facts.namespace() + "/" + pod() + "/" + facts.container();
    }
    return name.pod() + "_" + name.namespaceAndContainer();
  }
}
