package org.dicomrelay.cli;

import org.dicomrelay.bridge.BridgeConfig;
import org.dicomrelay.bridge.BridgeServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Runs the Bridge: router accounts, AE directory, public keys, inboxes. */
@Command(name = "bridge", description = "Run the Bridge (central directory and notification service).")
public final class BridgeCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "bridge.yaml", description = "the Bridge configuration")
    Path config;

    @Override public Integer call() throws Exception {
        BridgeConfig c = BridgeConfig.load(config);
        CountDownLatch stop = new CountDownLatch(1);
        try (BridgeServer server = BridgeServer.start(c)) {
            spec.commandLine().getOut().println("bridge listening on " + c.bind() + ":" + server.port() + " (data in " + c.dataDir() + ")");
            spec.commandLine().getOut().flush();
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return 0;
    }
}
