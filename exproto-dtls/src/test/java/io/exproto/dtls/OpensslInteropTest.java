package io.exproto.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.exproto.handler.SocketCreated;
import io.exproto.listener.CertificateInfo;
import io.exproto.listener.SocketType;
import io.netty.pkitesting.X509Bundle;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperability with another DTLS stack: OpenSSL's {@code s_client -dtls1_2} as the device.
 * Skipped when no {@code openssl} executable is on the PATH, except when the environment variable
 * {@code CI} is set, where it fails.
 */
@Timeout(60)
class OpensslInteropTest extends EchoGatewayTestSupport {

  private static final byte[] SECRET = "openssl shared key".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path dir;

  private final List<Process> processes = new ArrayList<>();

  @BeforeAll
  static void requireOpenssl() {
    if (System.getenv("CI") != null) {
      // CI installs openssl (.ci/run): a missing one there is a failure, not a skip.
      assertThat(openssl()).as("an openssl executable on the PATH").isNotNull();
    }
    assumeThat(openssl()).as("an openssl executable on the PATH").isNotNull();
  }

  @AfterEach
  void stopProcesses() throws InterruptedException {
    for (Process process : processes) {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void opensslWithAClientCertificateEchoes() throws Exception {
    TestPki pki = TestPki.create(dir);
    X509Bundle device = TestPki.client("CN=openssl-device, O=Acme", pki.ca);
    startGateway(DtlsListener.builder()
        .certfile(pki.serverCertfile()).keyfile(pki.serverKeyfile()).cacertfile(pki.cacertfile())
        .verify(DtlsListener.Verify.VERIFY_PEER).failIfNoPeerCert(true));

    SClient client = sClient(
        "-CAfile", pki.cacertfile().toString(),
        "-verify_return_error",
        "-cert", pki.write("device.pem", device.getCertificatePEM()).toString(),
        "-key", pki.write("device.key", device.getPrivateKeyPEM()).toString());

    client.send("hello from openssl\n");
    client.awaitLine("hello from openssl");

    SocketCreated created = handler().created().get(0);
    assertThat(created.info().socketType()).isEqualTo(SocketType.DTLS);
    assertThat(created.info().peerCertificate())
        .contains(new CertificateInfo("openssl-device", "CN=openssl-device,O=Acme"));
  }

  @Test
  void opensslWithAPreSharedKeyEchoes() throws Exception {
    startGateway(DtlsListener.builder().psk("openssl-sensor", SECRET));

    SClient client = sClient(
        "-psk_identity", "openssl-sensor",
        "-psk", HexFormat.of().formatHex(SECRET),
        "-cipher", "PSK-AES128-CCM8:PSK-AES128-GCM-SHA256");

    client.send("psk hello\n");
    client.awaitLine("psk hello");

    assertThat(handler().created().get(0).info().peerCertificate())
        .contains(new CertificateInfo("openssl-sensor", ""));
  }

  private SClient sClient(String... options) throws IOException {
    List<String> command = new ArrayList<>(List.of(openssl(), "s_client", "-dtls1_2", "-quiet",
        "-connect", "127.0.0.1:" + listener.localAddress().getPort()));
    command.addAll(List.of(options));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    processes.add(process);
    return new SClient(process);
  }

  private static String openssl() {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String entry : path.split(File.pathSeparator)) {
      File candidate = new File(entry, "openssl");
      if (candidate.canExecute()) {
        return candidate.getAbsolutePath();
      }
    }
    return null;
  }

  /** One {@code openssl s_client} process: lines to its stdin, its output lines in a queue. */
  private static final class SClient {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    SClient(Process process) {
      this.process = process;
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            lines.add(line);
          }
        } catch (IOException e) {
          lines.add("(output closed: " + e.getMessage() + ")");
        }
      }, "openssl-output");
      reader.setDaemon(true);
      reader.start();
    }

    void send(String text) throws IOException {
      OutputStream in = process.getOutputStream();
      in.write(text.getBytes(StandardCharsets.UTF_8));
      in.flush();
    }

    void awaitLine(String expected) {
      await().atMost(30, TimeUnit.SECONDS).until(() -> {
        String line;
        while ((line = lines.poll()) != null) {
          seen.add(line);
          if (line.equals(expected)) {
            return true;
          }
        }
        if (!process.isAlive()) {
          throw new AssertionError("openssl exited with " + process.exitValue() + "; output: " + seen);
        }
        return false;
      });
    }
  }
}
