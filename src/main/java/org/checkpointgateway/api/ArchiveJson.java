package org.checkpointgateway.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.checkpointgateway.archive.Archive;
import org.checkpointgateway.archive.ArchiveFacts;
import org.checkpointgateway.archive.ArchiveInspection;

/** The JSON bodies of the archives API. */
final class ArchiveJson {

  private ArchiveJson() {
  }

  /** One line of a listing. */
  static JsonObject summary(Archive archive) {
    return new JsonObject()
        .put("name", archive.fileName())
        .put("namespace", archive.namespace().orElse(null))
        .put("pod", archive.pod())
        .put("container", archive.container().orElse(null))
        .put("size", archive.size())
        .put("checkpointed", archive.checkpointed().toString())
        .put("modified", archive.modified().toString())
        .put("engine", archive.engine().orElse(null))
        .put("pinned", archive.pinned())
        .put("writing", archive.beingWritten());
  }

  static JsonObject inspection(Archive archive, ArchiveInspection inspection) {
    ArchiveFacts facts = inspection.facts();
    JsonObject body = summary(archive)
        .put("manager", facts.manager())
        .put("containerId", facts.containerId())
        .put("image", facts.image())
        .put("imageRef", facts.imageRef())
        .put("runtime", facts.runtime())
        .put("created", facts.createdTime())
        .put("command", new JsonArray(inspection.command()));
    ArchiveInspection.Sizes sizes = inspection.sizes();
    body.put("sizes", new JsonObject()
        .put("archive", sizes.archive())
        .put("criuImages", sizes.criuImages())
        .put("memoryPages", sizes.memoryPages())
        .put("rootfsDiff", sizes.rootfsDiff()));
    JsonObject criu = new JsonObject().put("imagesVersion", inspection.criuImagesVersion());
    ArchiveInspection.DumpStats stats = inspection.dumpStats();
    criu.put("dumpStatistics", stats == null ? null : new JsonObject()
        .put("freezingTimeMicros", stats.freezingTimeMicros())
        .put("frozenTimeMicros", stats.frozenTimeMicros())
        .put("memdumpTimeMicros", stats.memdumpTimeMicros())
        .put("memwriteTimeMicros", stats.memwriteTimeMicros())
        .put("pagesScanned", stats.pagesScanned())
        .put("pagesSkippedParent", stats.pagesSkippedParent())
        .put("pagesWritten", stats.pagesWritten())
        .put("pagesLazy", stats.pagesLazy()));
    body.put("criu", criu);
    JsonArray processes = new JsonArray();
    inspection.processes().forEach(p -> processes.add(new JsonObject()
        .put("pid", p.pid()).put("ppid", p.ppid()).put("pgid", p.pgid()).put("sid", p.sid())
        .put("threads", p.threads()).put("command", p.command())));
    body.put("processes", processes);
    JsonArray members = new JsonArray();
    inspection.members().forEach(m -> members.add(new JsonObject()
        .put("name", m.name()).put("size", m.size()).put("type", m.type())));
    return body.put("members", members).put("memberCount", inspection.memberCount());
  }
}
