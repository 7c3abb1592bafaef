package org.dicomrelay.providers.nats;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.dicomrelay.dicom.net.FailureText;

/** Opens a NATS connection from {@link NatsSettings}: servers, credentials, TLS; it reconnects on its own once open. */
final class NatsConnections {
    private static final System.Logger LOG = System.getLogger(NatsConnections.class.getName());
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private NatsConnections() {}

    /** @param onReconnect runs after each reconnection (pull requests open at the old server are gone) */
    static Connection open(NatsSettings settings, String routerId, Runnable onReconnect) throws IOException {
        Options.Builder b = new Options.Builder().servers(settings.servers().toArray(String[]::new)).connectionName("dicom-relay " + routerId)
                .connectionTimeout(CONNECT_TIMEOUT).maxReconnects(-1).reconnectWait(Duration.ofSeconds(1))
                .connectionListener((c, event) -> {
                    connectionEvent(event);
                    if (event == ConnectionListener.Events.RECONNECTED) onReconnect.run();
                }).errorListener(new LoggingErrors());
        settings.credentials().applyTo(b);
        if (settings.tls()) b.sslContext(sslContext(settings));
        try {
            return Nats.connect(b.build());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("connecting to NATS interrupted");
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot connect to NATS at " + settings.servers().stream().map(NatsSettings::redacted).toList() + " (credentials: "
                    + settings.credentials() + "): " + FailureText.of(e), e);
        }
    }

    private static SSLContext sslContext(NatsSettings settings) throws IOException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            if (settings.caFile() == null) {
                ctx.init(null, null, null); // the JVM's trust store
                return ctx;
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(settings.caFile())) {
                int i = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) trust.setCertificateEntry("ca-" + i++, c);
                if (i == 0) throw new IOException("NATS CA file " + settings.caFile() + " (" + NatsSettings.CA_FILE + ") holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("NATS TLS set-up with " + NatsSettings.CA_FILE + " " + settings.caFile() + " failed: " + FailureText.of(e), e);
        }
    }

    private static void connectionEvent(ConnectionListener.Events event) {
        switch (event) {
            case DISCONNECTED -> LOG.log(System.Logger.Level.WARNING, "NATS connection lost; reconnecting");
            case RECONNECTED -> LOG.log(System.Logger.Level.INFO, "NATS connection re-established");
            default -> LOG.log(System.Logger.Level.DEBUG, "NATS connection: " + event.getEvent());
        }
    }

    /** jnats's asynchronous errors, each with its cause (never a credential: jnats puts none in these). */
    private static final class LoggingErrors implements ErrorListener {
        @Override
        public void errorOccurred(Connection conn, String error) {
            LOG.log(System.Logger.Level.WARNING, "NATS server error: " + (error == null || error.isBlank() ? "unspecified" : error));
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            LOG.log(System.Logger.Level.WARNING, "NATS connection failure: " + FailureText.of(exp));
        }
    }
}
