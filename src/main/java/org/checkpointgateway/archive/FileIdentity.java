package org.checkpointgateway.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * Which file a name denoted when it was looked at: device and inode say which file, the rest
 * whether it changed since. Two identities are equal only for the same file, unchanged.
 *
 * @param device {@code st_dev}
 * @param inode {@code st_ino}
 * @param mode {@code st_mode}: file type and permission bits
 * @param links {@code st_nlink}: more than one means other names reach (and may rewrite) this file
 * @param size {@code st_size}
 * @param modified {@code st_mtime}
 * @param changed {@code st_ctime}: moves with every rename, link and chmod, and cannot be set back
 */
public record FileIdentity(long device, long inode, int mode, int links, long size,
    FileTime modified, FileTime changed) {

  private static final int S_IFMT = 0170000;
  private static final int S_IFREG = 0100000;
  private static final String ATTRIBUTES = "unix:dev,ino,mode,nlink,size,lastModifiedTime,ctime";

  /** What {@code path} itself is ({@code lstat}: a symbolic link is not followed). Blocks. */
  public static FileIdentity lstat(Path path) throws IOException {
    return of(Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS));
  }

  /** What {@code path} leads to ({@code stat}); used on {@code /proc/self/fd/N}. Blocks. */
  static FileIdentity stat(Path path) throws IOException {
    return of(Files.readAttributes(path, ATTRIBUTES));
  }

  private static FileIdentity of(Map<String, Object> a) {
    return new FileIdentity((Long) a.get("dev"), (Long) a.get("ino"), (Integer) a.get("mode"),
        (Integer) a.get("nlink"), (Long) a.get("size"), (FileTime) a.get("lastModifiedTime"),
        (FileTime) a.get("ctime"));
  }

  public boolean isRegularFile() {
    return (mode & S_IFMT) == S_IFREG;
  }
}
