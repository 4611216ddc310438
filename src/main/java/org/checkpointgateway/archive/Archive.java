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
 */
public record Archive(ArchiveName name, Path path, long size, Instant modified, ArchiveFacts facts,
    boolean pinned, boolean beingWritten) {

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
   * The namespaces a caller must be allowed to read to see this archive: the known one, or, when
   * the archive cannot say and the name is ambiguous, every namespace the name allows (so a
   * caller never sees an archive of a namespace it may not read).
   */
  public List<String> namespacesToRead() {
    return namespace().map(List::of).orElseGet(name::namespaceCandidates);
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
