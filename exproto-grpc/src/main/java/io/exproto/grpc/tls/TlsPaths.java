package io.exproto.grpc.tls;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Turns a configured file name into a path, with an error that names the key. */
final class TlsPaths {

  private TlsPaths() {}

  static Path toPath(String file, String key) {
    if (file == null || file.isBlank()) {
      throw new IllegalArgumentException(key + ": must not be empty; give the path of a PEM file");
    }
    try {
      return Path.of(file.strip());
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(key + ": '" + file + "' is not a valid path: " + e.getReason(), e);
    }
  }
}
