package org.dicomrelay.providers.emulators;

import java.net.URI;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

/** ElasticMQ (an SQS emulator) in this JVM, on 127.0.0.1 only, on a free port. */
public final class ElasticMqServer implements AutoCloseable {
    private final SQSRestServer server;
    private final int port;

    public ElasticMqServer() {
        server = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
        port = server.waitUntilStarted().localAddress().getPort();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        server.stopAndWait();
    }
}
