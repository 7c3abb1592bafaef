package org.dicomrelay.relay.tls;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.util.Set;

/**
 * A connected socket whose input is read through a 64 KiB buffer, for TLS layered on it: the JDK's
 * TLS socket reads each record's 5-byte header and then its body, two system calls per 16 KiB
 * record (three when the body comes in two pieces); through the buffer, one read takes whatever
 * has arrived, several records at a time when the reader is behind. Everything else is the
 * socket's own.
 */
final class BufferedInputSocket extends Socket {
    static final int BUFFER_BYTES = 64 * 1024;

    private final Socket socket;
    private final InputStream in;

    BufferedInputSocket(Socket connected) throws IOException {
        this.socket = connected;
        this.in = new BufferedInputStream(connected.getInputStream(), BUFFER_BYTES);
    }

    @Override public InputStream getInputStream() {
        return in;
    }

    @Override public OutputStream getOutputStream() throws IOException {
        return socket.getOutputStream();
    }

    /** None: a channel would read around the buffer. */
    @Override public SocketChannel getChannel() {
        return null;
    }

    @Override public void connect(SocketAddress endpoint) throws IOException {
        socket.connect(endpoint);
    }

    @Override public void connect(SocketAddress endpoint, int timeout) throws IOException {
        socket.connect(endpoint, timeout);
    }

    @Override public void bind(SocketAddress bindpoint) throws IOException {
        socket.bind(bindpoint);
    }

    @Override public InetAddress getInetAddress() {
        return socket.getInetAddress();
    }

    @Override public InetAddress getLocalAddress() {
        return socket.getLocalAddress();
    }

    @Override public int getPort() {
        return socket.getPort();
    }

    @Override public int getLocalPort() {
        return socket.getLocalPort();
    }

    @Override public SocketAddress getRemoteSocketAddress() {
        return socket.getRemoteSocketAddress();
    }

    @Override public SocketAddress getLocalSocketAddress() {
        return socket.getLocalSocketAddress();
    }

    @Override public void setTcpNoDelay(boolean on) throws SocketException {
        socket.setTcpNoDelay(on);
    }

    @Override public boolean getTcpNoDelay() throws SocketException {
        return socket.getTcpNoDelay();
    }

    @Override public void setSoLinger(boolean on, int linger) throws SocketException {
        socket.setSoLinger(on, linger);
    }

    @Override public int getSoLinger() throws SocketException {
        return socket.getSoLinger();
    }

    @Override public void sendUrgentData(int data) throws IOException {
        socket.sendUrgentData(data);
    }

    @Override public void setOOBInline(boolean on) throws SocketException {
        socket.setOOBInline(on);
    }

    @Override public boolean getOOBInline() throws SocketException {
        return socket.getOOBInline();
    }

    @Override public void setSoTimeout(int timeout) throws SocketException {
        socket.setSoTimeout(timeout);
    }

    @Override public int getSoTimeout() throws SocketException {
        return socket.getSoTimeout();
    }

    @Override public void setSendBufferSize(int size) throws SocketException {
        socket.setSendBufferSize(size);
    }

    @Override public int getSendBufferSize() throws SocketException {
        return socket.getSendBufferSize();
    }

    @Override public void setReceiveBufferSize(int size) throws SocketException {
        socket.setReceiveBufferSize(size);
    }

    @Override public int getReceiveBufferSize() throws SocketException {
        return socket.getReceiveBufferSize();
    }

    @Override public void setKeepAlive(boolean on) throws SocketException {
        socket.setKeepAlive(on);
    }

    @Override public boolean getKeepAlive() throws SocketException {
        return socket.getKeepAlive();
    }

    @Override public void setTrafficClass(int tc) throws SocketException {
        socket.setTrafficClass(tc);
    }

    @Override public int getTrafficClass() throws SocketException {
        return socket.getTrafficClass();
    }

    @Override public void setReuseAddress(boolean on) throws SocketException {
        socket.setReuseAddress(on);
    }

    @Override public boolean getReuseAddress() throws SocketException {
        return socket.getReuseAddress();
    }

    @Override public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        socket.setPerformancePreferences(connectionTime, latency, bandwidth);
    }

    @Override public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        socket.setOption(name, value);
        return this;
    }

    @Override public <T> T getOption(SocketOption<T> name) throws IOException {
        return socket.getOption(name);
    }

    @Override public Set<SocketOption<?>> supportedOptions() {
        return socket.supportedOptions();
    }

    @Override public void shutdownInput() throws IOException {
        socket.shutdownInput();
    }

    @Override public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override public boolean isConnected() {
        return socket.isConnected();
    }

    @Override public boolean isBound() {
        return socket.isBound();
    }

    @Override public boolean isClosed() {
        return socket.isClosed();
    }

    @Override public boolean isInputShutdown() {
        return socket.isInputShutdown();
    }

    @Override public boolean isOutputShutdown() {
        return socket.isOutputShutdown();
    }

    @Override public void close() throws IOException {
        socket.close();
    }

    @Override public String toString() {
        return "buffered " + socket;
    }
}
