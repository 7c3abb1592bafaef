package org.dicomrelay.cli;

import org.dicomrelay.bridge.BridgeConfig;
import org.dicomrelay.bridge.BridgeServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Runs the Bridge: router accounts, AE directory, public keys, inboxes; prints the fingerprint routers pin; its subcommands administer it. */
@Command(name = "bridge", description = "Run the Bridge (central directory and notification service), or administer it.",
        subcommands = {BridgeCommand.Fingerprint.class, BridgeAdminCommands.Token.class, BridgeAdminCommands.Routers.class,
                BridgeAdminCommands.Revoke.class, BridgeAdminCommands.Provider.class, GrantCommand.class, RevokeAccessCommand.class,
                AccessCommand.class, ReleaseAeCommand.class, BridgeConsoleAdminCommand.class})
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
            var out = spec.commandLine().getOut();
            out.println("bridge listening on " + server.url() + " (data in " + c.dataDir() + ")");
            server.consoleUrl().ifPresent(u -> out.println("console on " + u + " (accounts: dicom-relay bridge admin create --config " + config + " --user NAME)"));
            server.fingerprint().ifPresent(f -> out.println("TLS certificate SHA-256 fingerprint: " + f
                    + "\n  routers enroll with: dicom-relay enroll --bridge-fingerprint " + f + " ..."));
            out.flush();
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return 0;
    }

    /** The fingerprint without running the Bridge (creates its certificate if this is the first start). */
    @Command(name = "fingerprint", description = "Print the SHA-256 fingerprint of the Bridge's TLS certificate (routers pin it at enrollment).")
    static final class Fingerprint implements Callable<Integer> {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--config", required = true, paramLabel = "bridge.yaml", description = "the Bridge configuration")
        Path config;

        @Override public Integer call() {
            try {
                spec.commandLine().getOut().println(BridgeServer.fingerprint(BridgeConfig.load(config)));
                return 0;
            } catch (Exception e) {
                spec.commandLine().getErr().println("no fingerprint: " + org.dicomrelay.dicom.net.FailureText.of(e));
                return 1;
            }
        }
    }
}
