package org.dicomrelay.router;

import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.RequestHandler;
import org.dicomrelay.router.config.ListenerTls;
import org.dicomrelay.router.config.RouterConfig;

import java.io.Closeable;
import java.io.IOException;

/**
 * The router's DICOM listeners for local devices: plain DICOM on {@code port}; with a
 * {@code tls} section, DICOM TLS (PS3.15 Annex B) either instead, on the same port, or beside
 * it on {@code tls.port}. Both negotiate alike (the same AE checks, the same limit per device
 * on each listener) and serve the same requests.
 */
final class Listeners implements Closeable {
    private static final System.Logger LOG = System.getLogger(Listeners.class.getName());

    private final DicomServer plain;
    private final DicomServer tls;

    private Listeners(DicomServer plain, DicomServer tls) {
        this.plain = plain;
        this.tls = tls;
    }

    static Listeners start(RouterConfig config, RelayScp scp, AssociationOptions options, int maxAssociations, RequestHandler handler)
            throws IOException {
        ListenerTls t = config.tls();
        String where = "router " + config.routerId() + " (" + config.aeTitle() + ")";
        if (t == null) {
            DicomServer plain = DicomServer.start(config.aeTitle(), scp, options, config.bind(), config.port(), maxAssociations,
                    scp.callerLimit(), handler);
            LOG.log(System.Logger.Level.INFO, where + " listening on " + config.bind() + ":" + plain.port());
            return new Listeners(plain, null);
        }
        AssociationOptions secured = options.withTls(t.load());
        String clients = t.requireClientCertificate() ? "client certificate required" : "client certificate optional";
        if (!t.extraPort()) {
            DicomServer tls = DicomServer.start(config.aeTitle() + "-tls", scp, secured, config.bind(), config.port(), maxAssociations,
                    scp.callerLimit(), handler);
            LOG.log(System.Logger.Level.INFO, where + " listening with DICOM TLS only on " + config.bind() + ":" + tls.port() + " (" + clients + ")");
            return new Listeners(null, tls);
        }
        DicomServer plain = DicomServer.start(config.aeTitle(), scp, options, config.bind(), config.port(), maxAssociations,
                scp.callerLimit(), handler);
        try {
            DicomServer tls = DicomServer.start(config.aeTitle() + "-tls", scp, secured, config.bind(), t.port(), maxAssociations,
                    scp.callerLimit(), handler);
            LOG.log(System.Logger.Level.INFO, where + " listening on " + config.bind() + ":" + plain.port() + ", with DICOM TLS on "
                    + config.bind() + ":" + tls.port() + " (" + clients + ")");
            return new Listeners(plain, tls);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /** The plain listener's port, or the TLS one's when TLS replaces it. */
    int port() {
        return plain != null ? plain.port() : tls.port();
    }

    int tlsPort() {
        return tls == null ? -1 : tls.port();
    }

    @Override public void close() {
        if (plain != null) plain.close();
        if (tls != null) tls.close();
    }
}
