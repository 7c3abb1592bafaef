package org.dicomrelay.router;

import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.bridge.BridgeUnreachableException;
import org.dicomrelay.relay.tls.FingerprintMismatchException;
import org.dicomrelay.router.config.RouterConfig;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which Bridge a router calls: {@code bridgeUrl} of router.yaml when it is set, so that a Bridge
 * that moved is fixed in the configuration; else the URL of enrollment. Either way the Bridge
 * must present the certificate pinned at enrollment (and sign with the key pinned then): a moved
 * Bridge with the same certificate just works, one with another certificate is refused naming
 * both URLs and both fingerprints.
 *
 * <p>{@code bridgeUrl} may name several instances of one Bridge (on one database, with one
 * certificate), separated by commas: the router calls the first and moves to the next when it does
 * not answer.
 */
final class BridgeEndpoint {
    private static final System.Logger LOG = System.getLogger(BridgeEndpoint.class.getName());

    private BridgeEndpoint() {}

    /** The enrollment's credentials, with the configured URL if there is one. */
    static BridgeCredentials configured(RouterConfig config, BridgeCredentials enrolled, Path credentialsFile) throws IOException {
        List<URI> urls = configuredUrls(config);
        URI configured = urls.isEmpty() ? null : urls.get(0);
        if (configured == null || same(configured, enrolled.bridgeUrl())) return enrolled;
        LOG.log(System.Logger.Level.INFO, "bridgeUrl " + configured + " of the configuration replaces " + enrolled.bridgeUrl() + " of enrollment ("
                + credentialsFile + ")" + (enrolled.bridgeFingerprint() == null ? "" : "; the certificate pinned at enrollment ("
                + enrolled.bridgeFingerprint() + ") is still required"));
        return enrolled.withBridgeUrl(configured);
    }

    /**
     * When the configuration moved the Bridge: refuses to start if the Bridge there presents another
     * certificate than the pinned one (a Bridge that does not answer is the directory sync's to report).
     */
    static void checkMoved(BridgeClient bridge, BridgeCredentials enrolled, BridgeCredentials used) throws IOException {
        if (same(enrolled.bridgeUrl(), used.bridgeUrl())) return;
        try {
            bridge.directory();
        } catch (BridgeUnreachableException e) {
            FingerprintMismatchException mismatch = FingerprintMismatchException.in(e);
            if (mismatch == null) return;
            throw new IOException("bridgeUrl " + used.bridgeUrl() + " of the configuration (enrolled at " + enrolled.bridgeUrl()
                    + ") is not the Bridge this router enrolled at: " + mismatch.getMessage() + ". If the Bridge's certificate really changed, "
                    + "compare the new fingerprint with the Bridge's administrator and enroll this router again; else correct bridgeUrl", e);
        } catch (IOException otherwise) {
            // answered (or refused our credentials): the certificate was the pinned one; the sync reports the rest
        }
    }

    /** The further instances of the Bridge that {@code bridgeUrl} names after the first. */
    static List<URI> standbys(RouterConfig config) throws IOException {
        List<URI> urls = configuredUrls(config);
        return urls.size() < 2 ? List.of() : urls.subList(1, urls.size());
    }

    private static List<URI> configuredUrls(RouterConfig config) throws IOException {
        String value = config.bridgeUrl();
        if (value == null || value.isBlank()) return List.of();
        List<URI> urls = new ArrayList<>();
        for (String url : value.split(",")) {
            try {
                URI u = URI.create(url.strip());
                if (u.getScheme() == null || u.getHost() == null) throw new IllegalArgumentException("not an absolute http(s) URL");
                urls.add(u);
            } catch (IllegalArgumentException e) {
                throw new IOException("bridgeUrl '" + url.strip() + "' in the configuration is not a URL: " + e.getMessage(), e);
            }
        }
        return urls;
    }

    private static boolean same(URI a, URI b) {
        return a.toString().replaceAll("/+$", "").equalsIgnoreCase(b.toString().replaceAll("/+$", ""));
    }
}
