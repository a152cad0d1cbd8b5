package dev.lifeboat.store.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import dev.lifeboat.repository.store.ObjectInfo;
import dev.lifeboat.repository.store.ObjectNames;
import dev.lifeboat.repository.store.ObjectStore;
import dev.lifeboat.repository.store.StoreException;
import dev.lifeboat.repository.store.StoreFeatures;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The repository on Azure Blob Storage. Uploads are block blobs: large objects go up in blocks and become visible
 * at once when the block list is committed, so readers never see part of an object. {@link #putIfAbsent} uses the
 * service's atomic {@code If-None-Match: *}. The SDK's retries are reduced to one try: failures are classified and
 * retried with backoff by {@code RetryingObjectStore}.
 */
public final class AzureObjectStore implements ObjectStore {
    private static final long BLOCK = 8L * 1024 * 1024;
    private static final long SINGLE_UPLOAD = 32L * 1024 * 1024;

    private final AzureConfig config;
    private final BlobContainerClient container;
    private final String prefix;
    private volatile boolean containerChecked;

    public AzureObjectStore(AzureConfig config) {
        this.config = config;
        this.prefix = config.prefix().isEmpty() || config.prefix().endsWith("/") ? config.prefix() : config.prefix() + "/";
        HttpClient http = new JdkHttpClientBuilder().build();
        this.container = new BlobServiceClientBuilder()
                .endpoint(config.endpoint())
                .credential(new StorageSharedKeyCredential(config.account(), config.accountKey()))
                .httpClient(http)
                .retryOptions(new RequestRetryOptions(RetryPolicyType.FIXED, 1, (int) config.timeout().toSeconds(), null, null, null))
                .buildClient()
                .getBlobContainerClient(config.container());
    }

    private BlobClient blob(String name) {
        return container.getBlobClient(prefix + ObjectNames.check(name));
    }

    private void ensureContainer() {
        if (!containerChecked) {
            container.createIfNotExists();
            containerChecked = true;
        }
    }

    @Override
    public void put(String name, byte[] data) {
        call(name, () -> {
            ensureContainer();
            blob(name).uploadWithResponse(options(data), config.timeout(), Context.NONE);
            return null;
        });
    }

    @Override
    public boolean putIfAbsent(String name, byte[] data) {
        return call(name, () -> {
            ensureContainer();
            try {
                blob(name).uploadWithResponse(options(data).setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*")),
                        config.timeout(), Context.NONE);
                return true;
            } catch (BlobStorageException e) {
                if (e.getStatusCode() == 409 || e.getStatusCode() == 412) {
                    return false;
                }
                throw e;
            }
        });
    }

    private static BlobParallelUploadOptions options(byte[] data) {
        return new BlobParallelUploadOptions(BinaryData.fromBytes(data))
                .setParallelTransferOptions(new ParallelTransferOptions().setBlockSizeLong(BLOCK).setMaxSingleUploadSizeLong(SINGLE_UPLOAD));
    }

    @Override
    public byte[] get(String name) {
        return call(name, () -> blob(name).downloadContent().toBytes());
    }

    @Override
    public byte[] get(String name, long offset, int length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative range " + offset + "+" + length);
        }
        return call(name, () -> {
            if (length == 0) {
                if (stat(name).isEmpty()) {
                    throw StoreException.notFound(location(), name);
                }
                return new byte[0];
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(length);
            try {
                blob(name).downloadStreamWithResponse(out, new BlobRange(offset, (long) length), null, null, false, config.timeout(), Context.NONE);
            } catch (BlobStorageException e) {
                if (e.getStatusCode() == 416) {
                    if (stat(name).isEmpty()) {
                        throw StoreException.notFound(location(), name);
                    }
                    return new byte[0];
                }
                throw e;
            }
            return out.toByteArray();
        });
    }

    @Override
    public Optional<ObjectInfo> stat(String name) {
        return call(name, () -> {
            try {
                BlobProperties p = blob(name).getProperties();
                return Optional.of(new ObjectInfo(name, p.getBlobSize(), p.getLastModified().toInstant()));
            } catch (BlobStorageException e) {
                if (e.getStatusCode() == 404) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    @Override
    public List<ObjectInfo> list(String listPrefix) {
        return call(listPrefix, () -> {
            List<ObjectInfo> out = new ArrayList<>();
            try {
                for (BlobItem item : container.listBlobs(new ListBlobsOptions().setPrefix(prefix + listPrefix), config.timeout())) {
                    if (item.getName().endsWith("/")) {
                        continue; // a "folder" marker some tools create: not an object of the repository
                    }
                    out.add(new ObjectInfo(item.getName().substring(prefix.length()), item.getProperties().getContentLength(),
                            item.getProperties().getLastModified().toInstant()));
                }
            } catch (BlobStorageException e) {
                // A container that does not exist is a wrong name or a deleted container, not an empty repository:
                // status and prune must not take it for a region that merely holds nothing. (stat stays lenient:
                // repo init asks for the config before its first write creates the container.)
                if (e.getStatusCode() != 404 || e.getErrorCode() != null && "ContainerNotFound".equals(e.getErrorCode().toString())) {
                    throw e;
                }
            }
            return out;
        });
    }

    @Override
    public void delete(String name) {
        call(name, () -> {
            try {
                blob(name).deleteIfExists();
            } catch (BlobStorageException e) {
                if (e.getStatusCode() != 404) {
                    throw e;
                }
            }
            return null;
        });
    }

    @Override
    public StoreFeatures features() {
        return new StoreFeatures(true, false, false);
    }

    @Override
    public String location() {
        return "azure://" + config.account() + "/" + config.container() + "/" + prefix;
    }

    private interface Call<T> {
        T run();
    }

    private <T> T call(String object, Call<T> call) {
        String name = object.isEmpty() ? "(listing)" : object;
        try {
            return call.run();
        } catch (StoreException e) {
            throw e;
        } catch (BlobStorageException e) {
            int status = e.getStatusCode();
            if (status == 404 && e.getErrorCode() != null && e.getErrorCode().toString().equals("BlobNotFound")) {
                throw StoreException.notFound(location(), object);
            }
            boolean transient_ = status >= 500 || status == 429 || status == 408;
            throw new StoreException(transient_ ? StoreException.Kind.RETRYABLE : StoreException.Kind.PERMANENT, object,
                    location() + " " + name + ": HTTP " + status + (e.getErrorCode() != null ? " " + e.getErrorCode() : ""), e);
        } catch (UncheckedIOException | IllegalStateException e) {
            throw new StoreException(StoreException.Kind.RETRYABLE, object, location() + " " + name + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Connection failures surface as reactor/azure-core runtime exceptions wrapping IOExceptions.
            if (rootIsIo(e)) {
                throw new StoreException(StoreException.Kind.RETRYABLE, object, location() + " " + name + ": " + rootMessage(e), e);
            }
            throw e;
        }
    }

    private static boolean rootIsIo(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException || t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() != null ? ": " + t.getMessage() : "");
    }
}
