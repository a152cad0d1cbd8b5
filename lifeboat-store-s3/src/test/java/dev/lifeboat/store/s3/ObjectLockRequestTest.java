package dev.lifeboat.store.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the store asks S3 for when Object Lock is configured, recorded by a local HTTP endpoint. A unit test: no
 * emulator available here enforces Object Lock, so enforcement itself is the service's, and not tested here.
 */
class ObjectLockRequestTest {
    record Request(String method, String path, String query, String body, Map<String, List<String>> headers) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> e.getValue().get(0))
                    .findFirst().orElse(null);
        }
    }

    HttpServer server;
    final List<Request> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(), String.valueOf(ex.getRequestURI().getRawQuery()), body,
                    Map.copyOf(ex.getRequestHeaders())));
            ex.getResponseHeaders().add("ETag", "\"0123456789abcdef\"");
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private S3ObjectStore store(boolean lock) {
        S3Config c = S3Config.of("http://127.0.0.1:" + server.getAddress().getPort(), "us-east-1", "vault", "id", "secret");
        return new S3ObjectStore(lock ? c.withObjectLock(new ObjectLock("COMPLIANCE", Duration.ofDays(30))) : c);
    }

    @Test
    void repositoryObjectsAreWrittenWithRetentionAndAChecksum() {
        S3ObjectStore s = store(true);
        s.put("data/ab/pack", new byte[1000]);
        Request put = requests.get(0);
        assertThat(put.method()).isEqualTo("PUT");
        assertThat(put.path()).isEqualTo("/vault/data/ab/pack");
        assertThat(put.header("x-amz-object-lock-mode")).isEqualTo("COMPLIANCE");
        Instant until = Instant.parse(put.header("x-amz-object-lock-retain-until-date"));
        assertThat(until).isBetween(Instant.now().plus(29, ChronoUnit.DAYS), Instant.now().plus(31, ChronoUnit.DAYS));
        assertThat(put.header("x-amz-sdk-checksum-algorithm") != null || put.header("x-amz-checksum-crc32") != null
                || put.header("x-amz-trailer") != null).as("a checksum is sent with the locked PUT").isTrue();
        assertThat(s.features().objectLock()).isTrue();
    }

    @Test
    void retentionIsExtendedToAFullPeriodFromNowOnRequest() {
        S3ObjectStore s = store(true);
        assertThat(s.retention()).contains(Duration.ofDays(30));
        s.extendRetention("data/ab/pack");
        Request put = requests.get(0);
        assertThat(put.method()).isEqualTo("PUT");
        assertThat(put.path()).isEqualTo("/vault/data/ab/pack");
        assertThat(put.query()).contains("retention");
        assertThat(put.body()).contains("<Mode>COMPLIANCE</Mode>", "<RetainUntilDate>");
        String until = put.body().replaceAll("(?s).*<RetainUntilDate>([^<]+)</RetainUntilDate>.*", "$1");
        assertThat(Instant.parse(until)).isBetween(Instant.now().plus(29, ChronoUnit.DAYS), Instant.now().plus(31, ChronoUnit.DAYS));
        store(true).extendRetention("locks/abc");
        store(false).extendRetention("data/ab/pack");
        assertThat(requests).as("locks and unlocked stores ask nothing").hasSize(1);
    }

    @Test
    void overPlainHttpEveryBodyCarriesItsMd5SoTheServerRefusesOneCorruptedOnTheWay() throws Exception {
        byte[] data = "a pack's bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        store(false).put("data/ab/pack", data);
        String expected = java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("MD5").digest(data));
        assertThat(requests.get(0).header("Content-MD5")).isEqualTo(expected);
    }

    @Test
    void locksAreNeverLockedAndNothingIsLockedWithoutConfiguration() {
        store(true).put("locks/abc", new byte[10]);
        store(false).put("data/ab/pack", new byte[10]);
        assertThat(requests).hasSize(2).allSatisfy(r -> assertThat(r.header("x-amz-object-lock-mode")).isNull());
    }
}
