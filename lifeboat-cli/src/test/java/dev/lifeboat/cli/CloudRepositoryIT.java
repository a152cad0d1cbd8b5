package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.testkit.AzuriteServer;
import dev.lifeboat.testkit.S3ProxyServer;
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

            assertThat(Cli.run(env, concat(new String[] {"repo", "init"}, repo)).status()).isZero();
            Cli.Result backup = Cli.run(env, concat(new String[] {"backup", "dir", "--source", source.toString(), "--name", "helm-values"}, repo));
            assertThat(backup.status()).as(backup.err()).isZero();
            Cli.Result status = Cli.run(env, concat(new String[] {"repo", "status", "--json"}, repo));
            assertThat(status.status()).as(status.out()).isZero();
            assertThat(new ObjectMapper().readTree(status.out()).get("regions")).hasSize(3);
            Cli.Result restore = Cli.run(env, concat(new String[] {"restore", "dir", "--snapshot", "latest", "--to", tmp.resolve("r").toString()}, repo));
            assertThat(restore.status()).as(restore.err()).isZero();
            assertThat(Files.readString(tmp.resolve("r/values.yaml"))).isEqualTo(Files.readString(source.resolve("values.yaml")));
            // Each cloud region alone verifies deep.
            Cli.Result verifyS3 = Cli.run(env, "repo", "verify", "--deep", "--repo", "s3://learning-assistant-backups/lifeboat?endpoint=" + s3.endpoint());
            assertThat(verifyS3.status()).as(verifyS3.out() + verifyS3.err()).isZero();
            Cli.Result verifyAzure = Cli.run(env, "repo", "verify", "--deep", "--repo",
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
