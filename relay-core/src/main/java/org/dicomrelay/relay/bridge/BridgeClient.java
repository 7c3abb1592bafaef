package org.dicomrelay.relay.bridge;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.PublicKeyVerify;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.signature.SignatureConfig;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.ByteBuffer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.bridge.api.AckRequest;
import org.dicomrelay.relay.bridge.api.ApiJson;
import org.dicomrelay.relay.bridge.api.DirectoryAnswer;
import org.dicomrelay.relay.bridge.api.EnrollAnswer;
import org.dicomrelay.relay.bridge.api.EnrollRequest;
import org.dicomrelay.relay.bridge.api.InboxMessage;
import org.dicomrelay.relay.bridge.api.KeyRotationRequest;
import org.dicomrelay.relay.bridge.api.PublicKeysJson;
import org.dicomrelay.relay.cloud.BlobAccount;
import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobPart;
import org.dicomrelay.relay.cloud.BlobRangeSink;
import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.cloud.Notifications;
import org.dicomrelay.relay.tls.BridgeHttp;
import org.dicomrelay.relay.tls.CertificateFingerprint;
import org.dicomrelay.relay.tls.ClientIdentity;
import org.dicomrelay.relay.tls.FingerprintMismatchException;
import org.dicomrelay.relay.tls.InsecureBridgeUrlException;

/**
 * A router's connection to the Bridge: enrollment, publishing its AE titles, reading the directory
 * (signed as a whole, checked against the Bridge key pinned at enrollment), rotating its keys, its provider assignment,
 * its notification inbox and its blobs at the Bridge ({@link BridgeTransport}). Thread-safe.
 *
 * <p>A Bridge may run as several instances on one database, behind one certificate: given their
 * URLs, the client calls one at a time and moves to the next when it does not answer. A call
 * with a body it still holds (not a blob part, which its upload retries) is tried once at each
 * other instance; any call the Bridge takes twice that way is harmless (acks and deletes are
 * idempotent, a notification taken twice is refused by its recipient's replay guard).
 */
public final class BridgeClient implements BridgeTransport, AutoCloseable {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** How much longer than the long poll itself the client waits for the Bridge's answer. */
    private static final Duration POLL_GRACE = Duration.ofSeconds(30);
    /** Until the Bridge answers a blob part or starts a download: a part of 8 MiB over a slow link takes a while. */
    private static final Duration BLOB_TIMEOUT = Duration.ofMinutes(5);
    /** The most of an error answer to a download that is read to find its message. */
    private static final int ERROR_BODY_LIMIT = 64 * 1024;
    private static final Pattern NOTIFICATION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern POLLER_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final ObjectMapper JSON = ApiJson.mapper();
    /** A poll's answer: an array of notifications. */
    private static final TypeReference<List<InboxMessage>> INBOX_ANSWER = new TypeReference<>() {};
    private static final System.Logger LOG = System.getLogger(BridgeClient.class.getName());

    private final BridgeCredentials credentials;
    /** The Bridge's instances: the enrollment's (or configured) URL first, then the standbys. */
    private final List<String> bases;
    private final AtomicInteger current = new AtomicInteger();
    private final HttpClient http;
    /** Blob bodies: blocking sockets, which cost a third of the HttpClient's CPU per byte (see {@link BlobConnections}). */
    private final BlobConnections blobConnections;
    private final PublicKeyVerify bridgeVerifier;
    private volatile CredentialsListener listener = CredentialsListener.NONE;

    /**
     * One HttpClient for every call of this client: HTTPS pinned to the enrolled Bridge certificate,
     * presenting the router's client certificate (see {@link BridgeHttp}).
     *
     * @throws GeneralSecurityException if the pinned Bridge keyset is not a usable public signature keyset, the client
     *     key or certificate is not usable, or the URL is plain http to a host that is not loopback ({@link InsecureBridgeUrlException})
     */
    public BridgeClient(BridgeCredentials credentials) throws GeneralSecurityException {
        this(credentials, List.of());
    }

    /**
     * As {@link #BridgeClient(BridgeCredentials)}, with {@code standbys}: further instances of the same
     * Bridge (same certificate, same database), called when the one in use does not answer.
     */
    public BridgeClient(BridgeCredentials credentials, List<URI> standbys) throws GeneralSecurityException {
        this.credentials = credentials;
        List<String> all = new ArrayList<>();
        all.add(baseUrl(credentials.bridgeUrl()));
        for (URI standby : standbys) {
            BridgeHttp.requireSafe(standby);
            if (!standby.getScheme().equalsIgnoreCase(credentials.bridgeUrl().getScheme())) {
                throw new InsecureBridgeUrlException("the Bridge instance " + standby + " must use " + credentials.bridgeUrl().getScheme()
                        + " like " + credentials.bridgeUrl());
            }
            if (!all.contains(baseUrl(standby))) all.add(baseUrl(standby));
        }
        this.bases = List.copyOf(all);
        this.http = BridgeHttp.newClient(credentials.bridgeUrl(), credentials.bridgeFingerprint(), credentials.clientIdentity(), CONNECT_TIMEOUT);
        this.blobConnections = new BlobConnections(credentials.bridgeUrl(), credentials.bridgeFingerprint(), credentials.clientIdentity(),
                CONNECT_TIMEOUT);
        this.bridgeVerifier = verifier(credentials.bridgePublicKeys());
    }

    public String routerId() {
        return credentials.routerId();
    }

    /** Who hears, on every answer, whether the Bridge accepts this router's credentials (one listener; null for none). */
    public void listen(CredentialsListener l) {
        listener = l == null ? CredentialsListener.NONE : l;
    }

    /**
     * Enrolls this router with a one-time token from the Bridge administrator. The caller stores the
     * returned credentials (the API key is a secret); the token can't be used again.
     */
    public static BridgeCredentials enroll(URI bridgeUrl, String enrollmentToken, RouterRecord keys) throws IOException {
        return enroll(bridgeUrl, null, enrollmentToken, keys);
    }

    /**
     * As above, over HTTPS to the Bridge whose certificate has this SHA-256 fingerprint (another
     * certificate is refused before the token is sent; null: the JDK's CA store decides). The router
     * creates a TLS client key here and the Bridge certifies it: the credentials hold both, and the
     * router presents the certificate on every later call.
     */
    public static BridgeCredentials enroll(URI bridgeUrl, String bridgeFingerprint, String enrollmentToken, RouterRecord keys) throws IOException {
        String pin = bridgeFingerprint == null ? null : CertificateFingerprint.normalize(bridgeFingerprint);
        HttpClient client;
        KeyPair tlsKey;
        try {
            client = BridgeHttp.newClient(bridgeUrl, pin, null, CONNECT_TIMEOUT);
            tlsKey = ClientIdentity.newKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException(FailureText.of(e), e);
        }
        EnrollRequest body = new EnrollRequest(enrollmentToken, keys.routerId(), PublicKeysJson.of(keys),
                Base64.getEncoder().encodeToString(tlsKey.getPublic().getEncoded()));
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl(bridgeUrl) + "/api/enroll"))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build();
        EnrollAnswer answer = answer(send(client, request), EnrollAnswer.class);
        String apiKey = required(answer.apiKey(), "apiKey");
        byte[] bridgeKeys = base64(answer.bridgePublicKeys(), "bridgePublicKeys");
        try {
            verifier(bridgeKeys);
        } catch (GeneralSecurityException e) {
            throw new IOException("the Bridge's public keyset is not usable: " + e.getMessage(), e);
        }
        if (!keys.routerId().equals(required(answer.routerId(), "routerId"))) throw new IOException("the Bridge enrolled another router ID");
        String certificate = null, key = null;
        if (answer.clientCertificate() != null) {
            certificate = answer.clientCertificate();
            try {
                X509Certificate issued = ClientIdentity.certificate(Base64.getDecoder().decode(certificate));
                if (!issued.getPublicKey().equals(tlsKey.getPublic())) throw new IOException("the Bridge certified another key than this router's");
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new IOException("the Bridge's client certificate is not usable: " + FailureText.of(e), e);
            }
            key = Base64.getEncoder().encodeToString(tlsKey.getPrivate().getEncoded());
        } else if ("https".equalsIgnoreCase(bridgeUrl.getScheme())) {
            throw new IOException("the Bridge issued no TLS client certificate (an older Bridge?): this router could not call it over HTTPS");
        }
        return new BridgeCredentials(bridgeUrl, keys.routerId(), apiKey, bridgeKeys, pin, certificate, key);
    }

    /**
     * Replaces the list of AE titles this router exports, all or nothing.
     *
     * @throws AeConflictException if another router exports one of them (which and whose: {@link AeConflictException#conflicts()})
     */
    public void publishAes(List<AeExport> aes) throws IOException {
        json(send(request("/api/router/aes", REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(aes)))));
    }

    /**
     * The directory of routers and AE titles, signed as a whole by the Bridge: the signature is
     * checked against the Bridge key pinned at enrollment ({@link SignedDirectory}). A malformed
     * record is left out and listed in {@link Directory#rejected()}. Whether the directory is
     * current (version, expiry) and whether a router's keys changed is the caller's to check.
     *
     * @throws DirectoryVerificationException if the signature does not verify (the pinned key is not this Bridge's, or it was altered)
     */
    public Directory directory() throws IOException {
        return SignedDirectory.open(answer(send(request("/api/router/directory", REQUEST_TIMEOUT).GET()), DirectoryAnswer.class), bridgeVerifier);
    }

    /**
     * As {@link #directory()}, but the Bridge holds the answer until the directory's version is no
     * longer {@code version} or {@code wait} is over (then the same version comes back): a router
     * learns a change within a round trip. A Bridge that does not know the parameter answers at once.
     */
    public Directory directoryAfter(long version, Duration wait) throws IOException {
        String seconds = java.math.BigDecimal.valueOf(wait.toMillis(), 3).toPlainString();
        return SignedDirectory.open(answer(send(request("/api/router/directory?after=" + version + "&waitSeconds=" + seconds,
                wait.plus(POLL_GRACE)).GET()), DirectoryAnswer.class), bridgeVerifier);
    }

    /** The Cloud IO provider the Bridge assigned to this router, if any, from the signed directory. */
    public Optional<ProviderAssignment> provider() throws IOException {
        return directory().router(routerId()).map(Directory.Router::assignment);
    }

    /**
     * Publishes this router's new public keys with the proof that its current keys signed them
     * ({@link org.dicomrelay.relay.crypto.KeyRotation}); the Bridge checks the proof against the
     * keys it holds and publishes both in the directory.
     */
    public void rotateKeys(RouterRecord next, byte[] proof) throws IOException {
        if (!next.routerId().equals(routerId())) throw new IllegalArgumentException("keys of another router");
        KeyRotationRequest body = new KeyRotationRequest(PublicKeysJson.of(next), Base64.getEncoder().encodeToString(proof));
        json(send(request("/api/router/keys", REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))));
    }

    @Override
    public void publish(String recipientRouterId, byte[] message) throws IOException {
        RouterRecord.requireValidRouterId(recipientRouterId);
        json(send(request("/api/router/inbox/" + recipientRouterId, REQUEST_TIMEOUT)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(message))));
    }

    @Override
    public List<Notifications.Notification> poll(Duration timeout) throws IOException {
        return poll(timeout, null);
    }

    /** {@code pollerId}: null for an unnamed poll, else 1 to 64 letters, digits or '-' (a UUID). */
    @Override
    public List<Notifications.Notification> poll(Duration timeout, String pollerId) throws IOException {
        return poll(timeout, pollerId, List.of());
    }

    /**
     * Polls, carrying the acknowledgements of earlier deliveries in the same request (up to
     * {@link #MAX_ACKS_PER_REQUEST}; more, or a Bridge that does not take them, in requests of their own).
     */
    @Override
    public List<Notifications.Notification> poll(Duration timeout, String pollerId, List<String> acknowledge) throws IOException {
        if (pollerId != null && !POLLER_ID.matcher(pollerId).matches()) throw new IllegalArgumentException("not a poller ID");
        for (String id : acknowledge) {
            if (id == null || !NOTIFICATION_ID.matcher(id).matches()) throw new IllegalArgumentException("not a notification ID");
        }
        boolean carried = acksInPolls && !acknowledge.isEmpty() && acknowledge.size() <= MAX_ACKS_PER_REQUEST;
        if (!carried && !acknowledge.isEmpty()) ack(acknowledge);
        long millis = Math.max(0, timeout.toMillis());
        String wait = BigDecimal.valueOf(millis, 3).toPlainString();
        String query = "waitSeconds=" + wait + (pollerId == null ? "" : "&poller=" + pollerId)
                + (carried ? "&ack=" + String.join(",", acknowledge) : "");
        HttpResponse<byte[]> response = send(request("/api/router/inbox?" + query, timeout.plus(POLL_GRACE)).GET());
        JsonNode answer = json(response);
        if (carried && response.headers().firstValue(ACKNOWLEDGED_HEADER).isEmpty()) {
            acksInPolls = false; // a Bridge of an earlier version ignored them: acknowledged apart from now on
            ack(acknowledge);
        }
        List<InboxMessage> messages;
        try {
            messages = JSON.convertValue(answer, INBOX_ANSWER);
        } catch (IllegalArgumentException e) {
            throw new IOException("unexpected inbox answer from the Bridge");
        }
        List<Notifications.Notification> out = new ArrayList<>();
        for (InboxMessage m : messages) {
            if (m == null) throw new IOException("unexpected inbox answer from the Bridge");
            out.add(new Notifications.Notification(required(m.id(), "id"), base64(m.payload(), "payload")));
        }
        return out;
    }

    /** Acknowledges a notification; one already gone (acknowledged before) is not an error. */
    @Override
    public void ack(String notificationId) throws IOException {
        if (notificationId == null || !NOTIFICATION_ID.matcher(notificationId).matches()) {
            throw new IllegalArgumentException("not a notification ID");
        }
        HttpResponse<byte[]> response = send(request("/api/router/inbox/" + notificationId, REQUEST_TIMEOUT).DELETE());
        if (response.statusCode() != 404) json(response);
    }

    /** The most IDs the Bridge takes in one acknowledgement (its {@code MAX_ACKS_PER_REQUEST}). */
    static final int MAX_ACKS_PER_REQUEST = 200;

    /** Acknowledges notifications, up to {@link #MAX_ACKS_PER_REQUEST} per request; those already gone are not an error. */
    @Override
    public void ack(List<String> notificationIds) throws IOException {
        for (String id : notificationIds) {
            if (id == null || !NOTIFICATION_ID.matcher(id).matches()) throw new IllegalArgumentException("not a notification ID");
        }
        for (int from = 0; from < notificationIds.size(); from += MAX_ACKS_PER_REQUEST) {
            List<String> chunk = notificationIds.subList(from, Math.min(notificationIds.size(), from + MAX_ACKS_PER_REQUEST));
            if (!batchAcks) {
                for (String id : chunk) ack(id);
                continue;
            }
            try {
                json(send(request("/api/router/inbox-acks", REQUEST_TIMEOUT)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(new AckRequest(chunk))))));
            } catch (BridgeException e) {
                if (e.status() != 404) throw e;
                batchAcks = false; // a Bridge of an earlier version: one DELETE each from now on
                for (String id : chunk) ack(id);
            }
        }
    }

    /** The header with which the Bridge answers a poll that carried acknowledgements. */
    static final String ACKNOWLEDGED_HEADER = "Inbox-Acknowledged";
    /** False once the Bridge has shown it takes no acknowledgements with a poll (an earlier version). */
    private volatile boolean acksInPolls = true;

    @Override
    public boolean acknowledgesInPolls() {
        return acksInPolls;
    }

    /** False once the Bridge has shown it has no batched acknowledgement (an earlier version). */
    private volatile boolean batchAcks = true;

    @Override
    public BlobAccount blobAccount() throws IOException {
        return answer(send(request("/api/router/blobs", REQUEST_TIMEOUT).GET()), BlobAccount.class);
    }

    @Override
    public CompletableFuture<Void> putBlobPart(BlobPart part) {
        BlobNames.check(part.name());
        RouterRecord.requireValidRouterId(part.recipient());
        String path = "/api/router/blobs/" + part.name() + "/parts/" + part.index() + "?to=" + part.recipient()
                + "&offset=" + part.offset() + (part.last() ? "&last=true" : "");
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    sendPart(URI.create(bases.get(current.get()) + path), part);
                    return null;
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
            }, blobConnections.senders());
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IOException("the connection to the Bridge is closed"));
        }
    }

    /** One part, blocking: the Bridge's answer read whole; no answer at all moves later calls to the next instance. */
    private void sendPart(URI uri, BlobPart part) throws IOException {
        long sentAt = System.nanoTime();
        java.net.HttpURLConnection c = blobConnections.open(uri, "PUT", BLOB_TIMEOUT);
        authorize(c);
        c.setRequestProperty("Content-Type", "application/octet-stream");
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(part.length());
        int status;
        byte[] body;
        try {
            try (java.io.OutputStream out = c.getOutputStream()) {
                out.write(part.data(), 0, part.length());
            }
            status = c.getResponseCode();
            body = answerBody(c, status); // read to its end: the connection goes back to the keep-alive cache
        } catch (IOException e) {
            c.disconnect();
            failedOver(uri);
            throw unreachable(uri, e);
        }
        answered(status, body, sentAt);
        json(status, body);
    }

    @Override
    public InputStream openBlob(String name) throws IOException {
        BlobNames.check(name);
        String path = "/api/router/blobs/" + name;
        for (int attempt = 1; ; attempt++) {
            URI uri = URI.create(bases.get(current.get()) + path);
            long sentAt = System.nanoTime();
            java.net.HttpURLConnection c = blobConnections.open(uri, "GET", BLOB_TIMEOUT);
            int status;
            byte[] error = null;
            try {
                authorize(c);
                status = c.getResponseCode();
                if (status != 200) error = answerBody(c, status);
            } catch (IOException e) {
                c.disconnect();
                BridgeUnreachableException u = unreachable(uri, e);
                String next = failedOver(uri);
                if (next == null || attempt >= bases.size()) throw u;
                continue;
            }
            answered(status, error, sentAt);
            if (status == 200) return c.getInputStream();
            if (status == 404) throw new FileNotFoundException("no blob " + name + " for this router at the Bridge");
            throw error(status, parseQuietly(error));
        }
    }

    /** The headers of every call: this router's version and credentials. */
    private void authorize(java.net.HttpURLConnection c) {
        c.setRequestProperty("User-Agent", org.dicomrelay.relay.ProductVersion.userAgent());
        c.setRequestProperty("Authorization", "Bearer " + credentials.apiKey());
    }

    /** An answer's body (an error's, when the status says so), at most {@link #ERROR_BODY_LIMIT} bytes of it. */
    private static byte[] answerBody(java.net.HttpURLConnection c, int status) throws IOException {
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        if (in == null) return new byte[0];
        try (in) {
            byte[] body = in.readNBytes(ERROR_BODY_LIMIT);
            in.transferTo(java.io.OutputStream.nullOutputStream()); // read to its end: the connection can be kept
            return body;
        }
    }

    /** Tells the listener whether the Bridge accepted this router's credentials; a refusal (401/403) is thrown. */
    private void answered(int status, byte[] body, long sentAt) throws IOException {
        if (status == 401 || status == 403) {
            BridgeAuthException refused = (BridgeAuthException) error(status, parseQuietly(body));
            listener.refused(refused);
            throw refused;
        }
        if (status / 100 == 2) listener.accepted(sentAt);
    }

    @Override
    public CompletableFuture<Void> readBlobRange(String name, long start, int length, BlobRangeSink sink) {
        BlobNames.check(name);
        if (start < 0 || length < 1) throw new IllegalArgumentException("not a range: " + length + " bytes from " + start);
        HttpRequest rq = request("/api/router/blobs/" + name, BLOB_TIMEOUT)
                .header("Range", "bytes=" + start + "-" + (start + length - 1)).GET().build();
        RangeSubscriber[] range = new RangeSubscriber[1];
        HttpResponse.BodyHandler<byte[]> handler = info -> {
            if (info.statusCode() != 206 && info.statusCode() != 416) {
                // an error answer is small; a 200 (the whole blob: a Bridge without ranges) is not read
                return info.statusCode() == 200 ? HttpResponse.BodySubscribers.replacing(null) : HttpResponse.BodySubscribers.ofByteArray();
            }
            range[0] = new RangeSubscriber(sink, info.headers().firstValue("Content-Range").orElse(null), info.statusCode() == 416);
            return range[0];
        };
        long sentAt = System.nanoTime();
        return http.sendAsync(rq, handler).handle((response, failure) -> {
            try {
                if (failure != null) {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                    if (range[0] != null && range[0].sinkFailure != null) throw range[0].sinkFailure; // the reader's, not the link's
                    failedOver(rq.uri());
                    throw unreachable(rq, cause instanceof IOException io ? io : new IOException(FailureText.of(cause), cause));
                }
                int status = answered(response, sentAt).statusCode();
                if (status == 206 || status == 416) return null;
                if (status == 404) throw new FileNotFoundException("no blob " + name + " for this router at the Bridge");
                if (status == 200) throw new IOException("the Bridge answered a range of blob " + name + " with the whole blob: it serves no ranges");
                throw error(status, parseQuietly(response.body()));
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        });
    }

    /** Hands a range's bytes to its sink as they arrive (bounded by the sink, which copies them). */
    private static final class RangeSubscriber implements HttpResponse.BodySubscriber<byte[]> {
        private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (?:[0-9]+-[0-9]+|\\*)/([0-9]+|\\*)");
        private final BlobRangeSink sink;
        private final String contentRange;
        private final boolean unsatisfiable;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private Flow.Subscription subscription;
        volatile IOException sinkFailure;

        RangeSubscriber(BlobRangeSink sink, String contentRange, boolean unsatisfiable) {
            this.sink = sink;
            this.contentRange = contentRange;
            this.unsatisfiable = unsatisfiable;
        }

        @Override
        public java.util.concurrent.CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            java.util.regex.Matcher m = contentRange == null ? null : CONTENT_RANGE.matcher(contentRange);
            if (m == null || !m.matches() || (unsatisfiable && m.group(1).equals("*"))) {
                fail(new IOException("the Bridge answered a range with Content-Range '" + contentRange + "'"));
                return;
            }
            try {
                sink.started(m.group(1).equals("*") ? -1 : Long.parseLong(m.group(1)));
            } catch (IOException | RuntimeException e) {
                fail(e instanceof IOException io ? io : new IOException(FailureText.of(e), e));
                return;
            }
            s.request(Long.MAX_VALUE); // the sink copies each buffer at once, into memory it bounds
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (body.isDone()) return;
            try {
                for (ByteBuffer b : buffers) sink.accept(b);
            } catch (IOException | RuntimeException e) {
                fail(e instanceof IOException io ? io : new IOException(FailureText.of(e), e));
            }
        }

        @Override
        public void onError(Throwable t) {
            body.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            body.complete(null);
        }

        private void fail(IOException e) {
            sinkFailure = e;
            subscription.cancel();
            body.completeExceptionally(e);
        }
    }

    /** Deletes a blob this router sent or received; one already gone is not an error. */
    @Override
    public void deleteBlob(String name) throws IOException {
        BlobNames.check(name);
        HttpResponse<byte[]> response = send(request("/api/router/blobs/" + name, REQUEST_TIMEOUT).DELETE());
        if (response.statusCode() != 404) json(response);
    }

    /** Stops the threads sending blob parts and closes the blob connections' TLS sockets (a download in progress then fails). */
    @Override
    public void close() {
        blobConnections.close();
    }

    // --- plumbing ---

    private HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(bases.get(current.get()) + path))
                .timeout(timeout)
                .header("User-Agent", org.dicomrelay.relay.ProductVersion.userAgent()) // the Bridge console lists routers' versions
                .header("Authorization", "Bearer " + credentials.apiKey());
    }

    /**
     * Sends with this router's credentials, at the next instance when one does not answer; a refusal of them
     * (401/403) is told to the listener and thrown.
     */
    private HttpResponse<byte[]> send(HttpRequest.Builder builder) throws IOException {
        for (int attempt = 1; ; attempt++) {
            HttpRequest request = builder.build();
            long sentAt = System.nanoTime();
            try {
                return answered(send(http, request), sentAt);
            } catch (BridgeUnreachableException e) {
                String next = failedOver(request.uri());
                if (next == null || attempt >= bases.size()) throw e;
                builder.uri(URI.create(next + request.uri().toString().substring(baseOf(request.uri()).length())));
            }
        }
    }

    /**
     * The instance at {@code uri} did not answer: later calls go to the next one, which is returned
     * (null when there is no other). Calls that failed at once move on only once.
     */
    private String failedOver(URI uri) {
        if (bases.size() < 2) return null;
        int failed = bases.indexOf(baseOf(uri));
        if (failed < 0) return null;
        int next = (failed + 1) % bases.size();
        if (current.compareAndSet(failed, next)) {
            LOG.log(System.Logger.Level.WARNING, "the Bridge instance at " + bases.get(failed) + " does not answer: calling the one at "
                    + bases.get(next) + " from now on");
        }
        return bases.get(next);
    }

    private String baseOf(URI uri) {
        String u = uri.toString();
        for (String b : bases) if (u.startsWith(b + "/")) return b;
        return u;
    }

    /** As {@link #answered(int, byte[], long)}, for an HttpClient answer. */
    private HttpResponse<byte[]> answered(HttpResponse<byte[]> response, long sentAt) throws IOException {
        answered(response.statusCode(), response.body(), sentAt);
        return response;
    }

    private static HttpResponse<byte[]> send(HttpClient client, HttpRequest request) throws IOException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException ie = new InterruptedIOException("interrupted while talking to the Bridge");
            ie.initCause(e);
            throw ie;
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw unreachable(request, e);
        }
    }

    /** No HTTP answer at all: says so, and where, whatever the JDK's message (often none). */
    private static BridgeUnreachableException unreachable(HttpRequest request, IOException e) {
        return unreachable(request.uri(), e);
    }

    private static BridgeUnreachableException unreachable(URI u, IOException e) {
        FingerprintMismatchException mismatch = FingerprintMismatchException.in(e);
        if (mismatch != null) {
            return new BridgeUnreachableException("the Bridge at " + u.getScheme() + "://" + u.getAuthority() + " is not the pinned one: "
                    + mismatch.getMessage(), e);
        }
        return new BridgeUnreachableException("the Bridge at " + u.getScheme() + "://" + u.getAuthority() + " is unreachable: "
                + FailureText.of(e), e);
    }

    /** The JSON body of a successful answer; {@link BridgeException} (or a subclass saying more) for an error status. */
    private static JsonNode json(HttpResponse<byte[]> response) throws IOException {
        return json(response.statusCode(), response.body());
    }

    private static JsonNode json(int status, byte[] body) throws IOException {
        JsonNode node;
        try {
            node = parse(status, body);
        } catch (JacksonException e) {
            if (status / 100 == 2) throw new IOException("the Bridge answered with malformed JSON (HTTP " + status + ")");
            node = null;
        }
        if (status / 100 != 2) throw error(status, node);
        return node == null ? JSON.createObjectNode() : node;
    }

    /** The body of a successful answer as {@code type} (an API record); {@link BridgeException} for an error status. */
    private static <T> T answer(HttpResponse<byte[]> response, Class<T> type) throws IOException {
        JsonNode node = json(response);
        try {
            return JSON.treeToValue(node, type);
        } catch (JacksonException e) {
            throw new IOException("the Bridge's answer is not a " + type.getSimpleName() + " (HTTP " + response.statusCode() + ")");
        }
    }

    /** An error answer's body as JSON; null when empty or not JSON (an error page: the status says enough). */
    private static JsonNode parseQuietly(byte[] body) {
        if (body == null || body.length == 0) return null;
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** The body as JSON; null when empty. */
    private static JsonNode parse(int status, byte[] body) throws JacksonException {
        if (body == null || body.length == 0) return null;
        try {
            return JSON.readTree(body);
        } catch (JacksonException e) {
            if (status / 100 == 2) throw e;
            return null; // an error page: the status says enough
        } catch (IOException e) {
            return null; // not thrown for a byte array
        }
    }

    /** The exception for an error answer: 401/403 refused credentials, 409 with the AE titles in conflict, or the status. */
    private static BridgeException error(int status, JsonNode node) {
        String message = "Bridge: " + (node != null && node.hasNonNull("error") ? node.get("error").asText() : "HTTP " + status) + " (HTTP " + status + ")";
        if (status == 401 || status == 403) return new BridgeAuthException(status, message);
        if (status == 409 && node != null && node.path("conflicts").isArray()) {
            List<AeConflictException.Conflict> conflicts = new ArrayList<>();
            for (JsonNode c : node.get("conflicts")) {
                if (!c.path("aeTitle").isTextual()) continue;
                JsonNode owner = c.get("routerId");
                conflicts.add(new AeConflictException.Conflict(c.get("aeTitle").asText(), owner != null && owner.isTextual() ? owner.asText() : null));
            }
            return new AeConflictException(message, conflicts);
        }
        return new BridgeException(status, message);
    }

    private static PublicKeyVerify verifier(byte[] publicKeyset) throws GeneralSecurityException {
        SignatureConfig.register();
        KeysetHandle handle = TinkProtoKeysetFormat.parseKeysetWithoutSecret(publicKeyset);
        return handle.getPrimitive(RegistryConfiguration.get(), PublicKeyVerify.class);
    }

    private static String baseUrl(URI url) {
        String s = url.toString();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return s;
    }

    private static String required(String value, String field) throws IOException {
        if (value == null) throw new IOException("Bridge answer lacks '" + field + "'");
        return value;
    }

    private static byte[] base64(String value, String field) throws IOException {
        try {
            return Base64.getDecoder().decode(required(value, field));
        } catch (IllegalArgumentException e) {
            throw new IOException("Bridge answer has invalid base64 in '" + field + "'");
        }
    }
}
