package org.dicomrelay.relay.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * TLS sockets limited to the given protocol versions, with TCP_NODELAY (a request's last record
 * must not wait for the acknowledgement of the one before), each handed to {@code created}. For
 * {@code HttpsURLConnection} (which layers TLS on a socket it connects itself when this factory
 * makes no unconnected ones), TLS reads through a {@link BufferedInputSocket}.
 */
final class ProtocolSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory delegate;
    private final String[] protocols;
    private final java.util.function.Consumer<Socket> created;

    ProtocolSocketFactory(SSLSocketFactory delegate, String[] protocols, java.util.function.Consumer<Socket> created) {
        this.delegate = delegate;
        this.protocols = protocols.clone();
        this.created = created;
    }

    private Socket tuned(Socket s) throws IOException {
        if (s instanceof SSLSocket tls) tls.setEnabledProtocols(protocols);
        s.setTcpNoDelay(true);
        created.accept(s);
        return s;
    }

    @Override public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    /** None: then {@code HttpsURLConnection} connects a plain socket and layers TLS on it here, over a buffer. */
    @Override public Socket createSocket() throws IOException {
        java.net.SocketException none = new java.net.SocketException("TLS is layered on a connected socket");
        none.initCause(new UnsupportedOperationException()); // how a factory says so (javax.net.SocketFactory)
        throw none;
    }

    @Override public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return tuned(delegate.createSocket(s.isConnected() ? new BufferedInputSocket(s) : s, host, port, autoClose));
    }

    @Override public Socket createSocket(String host, int port) throws IOException {
        return tuned(delegate.createSocket(host, port));
    }

    @Override public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return tuned(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override public Socket createSocket(InetAddress host, int port) throws IOException {
        return tuned(delegate.createSocket(host, port));
    }

    @Override public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return tuned(delegate.createSocket(address, port, localAddress, localPort));
    }
}
