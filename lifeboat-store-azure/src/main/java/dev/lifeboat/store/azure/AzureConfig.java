package dev.lifeboat.store.azure;

import java.time.Duration;

/**
 * Where and how to reach an Azure Blob container.
 *
 * @param endpoint   the account's blob endpoint, e.g. {@code https://ACCOUNT.blob.core.windows.net} (Azurite:
 *                   {@code http://127.0.0.1:10000/devstoreaccount1})
 * @param account    the storage account name
 * @param accountKey the account's shared key
 * @param container  the blob container (created if absent)
 * @param prefix     blob name prefix ("" for none)
 * @param timeout    limit for one request
 */
public record AzureConfig(String endpoint, String account, String accountKey, String container, String prefix, Duration timeout) {
    public static AzureConfig of(String endpoint, String account, String accountKey, String container) {
        return new AzureConfig(endpoint, account, accountKey, container, "", Duration.ofSeconds(60));
    }

    public AzureConfig withPrefix(String p) {
        return new AzureConfig(endpoint, account, accountKey, container, p, timeout);
    }

    @Override
    public String toString() {
        return "AzureConfig[" + endpoint + ", " + container + "/" + prefix + "]";
    }
}
