package org.dicomrelay.cli;

import org.dicomrelay.bridge.BridgeConfig;
import org.dicomrelay.bridge.BridgeServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Runs the Bridge: router accounts, AE directory, public keys, inboxes; its subcommands administer a running one. */
@Command(name = "bridge", description = "Run the Bridge (central directory and notification service), or administer it.",
        subcommands = {GrantCommand.class, RevokeAccessCommand.class, AccessCommand.class, ReleaseAeCommand.class})
public final class BridgeCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    // not required: the subcommands take it after their own name
    @Option(names = "--config", paramLabel = "bridge.yaml", description = "the Bridge configuration")
    Path config;

    @Override public Integer call() throws Exception {
        if (config == null) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--config=bridge.yaml'");
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
