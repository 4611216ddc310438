package org.checkpointgateway.support;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * For tests of a whole gateway: a strict Vertx, a simulated runtime on a socket in a temporary
 * directory (the gateway itself is started by each test, with the settings it needs), and, after
 * each test, everything stopped and the event loops checked for blocking.
 */
public abstract class GatewayTestBase {

  @TempDir
  protected Path dir;
  protected Vertx vertx;
  protected GatewayFixture fixture;

  /** Whether the simulated runtime is up before the test starts. */
  protected boolean runtimeAtStart() {
    return true;
  }

  @BeforeEach
  void createGatewayFixture() {
    vertx = StrictVertx.create();
    fixture = runtimeAtStart() ? GatewayFixture.withRuntime(vertx, dir)
        : GatewayFixture.withoutRuntime(vertx, dir);
  }

  @AfterEach
  void closeGatewayFixture() {
    fixture.close();
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }
}
