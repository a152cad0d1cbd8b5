package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.testkit.AzuriteServer;
import dev.lifeboat.testkit.S3ProxyServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands a user runs against a repository in three regions on three kinds of store at once: an S3 bucket
 * (S3Proxy), an Azure container (Azurite) and a local directory, as the seed's "primary + two regions".
 */
class CloudRepositoryIT {
    @TempDir
    Path tmp;

    record Result(int status, String out, String err) {
    }

    static Result run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Lifeboat.run(args, new PrintWriter(out), new PrintWriter(err), env);
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void initBackupStatusRestoreVerifyAcrossS3AzureAndADirectory() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start(); AzuriteServer azure = AzuriteServer.start()) {
            s3.createBucket("learning-assistant-backups");
            Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY,
                    "AZURE_STORAGE_KEY", AzuriteServer.KEY, "LIFEBOAT_PASSPHRASE", "a passphrase for the cloud test");
            String[] repo = {"--repo", "us-east-1=s3://learning-assistant-backups/lifeboat?endpoint=" + s3.endpoint(),
                    "--repo", "eu-west-azure=azure://" + AzuriteServer.ACCOUNT + "/lifeboat/repo?endpoint=" + azure.endpoint(),
                    "--repo", "local=" + tmp.resolve("local")};
            Path source = Files.createDirectories(tmp.resolve("config"));
            Files.writeString(source.resolve("values.yaml"), "replicaCount: 3\n".repeat(1000));

            assertThat(run(env, concat(new String[] {"repo", "init"}, repo)).status()).isZero();
            Result backup = run(env, concat(new String[] {"backup", "dir", "--source", source.toString(), "--name", "helm-values"}, repo));
            assertThat(backup.status()).as(backup.err()).isZero();
            Result status = run(env, concat(new String[] {"repo", "status", "--json"}, repo));
            assertThat(status.status()).as(status.out()).isZero();
            assertThat(new ObjectMapper().readTree(status.out()).get("regions")).hasSize(3);
            Result restore = run(env, concat(new String[] {"restore", "dir", "--snapshot", "latest", "--to", tmp.resolve("r").toString()}, repo));
            assertThat(restore.status()).as(restore.err()).isZero();
            assertThat(Files.readString(tmp.resolve("r/values.yaml"))).isEqualTo(Files.readString(source.resolve("values.yaml")));
            // Each cloud region alone verifies deep.
            Result verifyS3 = run(env, "repo", "verify", "--deep", "--repo", "s3://learning-assistant-backups/lifeboat?endpoint=" + s3.endpoint());
            assertThat(verifyS3.status()).as(verifyS3.out() + verifyS3.err()).isZero();
            Result verifyAzure = run(env, "repo", "verify", "--deep", "--repo",
                    "azure://" + AzuriteServer.ACCOUNT + "/lifeboat/repo?endpoint=" + azure.endpoint());
            assertThat(verifyAzure.status()).as(verifyAzure.out() + verifyAzure.err()).isZero();
            assertThat(verifyAzure.out()).contains("1 snapshot(s)", "The repository verifies.");
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
