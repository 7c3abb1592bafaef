package org.dicomrelay.cli;

import org.dicomrelay.router.PeerStatus;
import org.dicomrelay.router.RouterApp;
import org.dicomrelay.router.config.RouterConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Runs a router from its configuration (after {@code enroll}); its subcommands manage its keys and its peers' pinned keys. */
@Command(name = "router", description = "Run a router (one per institution).",
        subcommands = {RouterCommand.Peers.class, RouterCommand.RotateKeys.class, ConsoleAdminCommand.class})
public final class RouterCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    // not required by picocli: the subcommands take their own --config
    @Option(names = "--config", paramLabel = "router.yaml", description = "the router configuration")
    Path config;

    @Override public Integer call() throws Exception {
        if (config == null) {
            spec.commandLine().getErr().println("Missing required option: '--config=router.yaml'");
            spec.commandLine().usage(spec.commandLine().getErr());
            return 2;
        }
        RouterConfig c = RouterConfig.load(config);
        CountDownLatch stop = new CountDownLatch(1);
        try (RouterApp app = RouterApp.start(c, config)) {
            spec.commandLine().getOut().println("router " + c.routerId() + " (" + c.aeTitle() + ") listening on " + c.bind() + ":" + app.port()
                    + ", " + app.routes().all().size() + " remote AEs routed"
                    + (app.console() == null ? "" : "; console on " + app.console().url()));
            spec.commandLine().getOut().flush();
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return 0;
    }

    /** The peers' pinned keys: list them, confirm a new fingerprint. */
    @Command(name = "peers", description = "Show or confirm the keys pinned for other routers.",
            subcommands = {Peers.ListPins.class, Peers.Confirm.class})
    static final class Peers {
        @Command(name = "list", description = "Pinned and pending key fingerprints of the other routers.")
        static final class ListPins implements Callable<Integer> {
            @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
            @Option(names = "--config", required = true, paramLabel = "router.yaml") Path config;

            @Override public Integer call() throws Exception {
                List<PeerStatus> peers = RouterApp.peers(RouterConfig.load(config));
                PrintWriter out = spec.commandLine().getOut();
                if (peers.isEmpty()) out.println("no peer pinned yet (the router pins them at its first directory sync)");
                for (PeerStatus p : peers) {
                    out.println(p.routerId() + "  pinned " + p.pinnedFingerprint()
                            + (p.pendingFingerprint() == null ? "" : "  PENDING " + p.pendingFingerprint() + " (refused until confirmed)")
                            + (p.confirmedFingerprint() == null ? "" : "  confirmed " + p.confirmedFingerprint() + " (applied at the next sync)"));
                }
                return 0;
            }
        }

        @Command(name = "confirm", description = "Accept new keys of a router, after comparing their fingerprint with its operator.")
        static final class Confirm implements Callable<Integer> {
            @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
            @Option(names = "--config", required = true, paramLabel = "router.yaml") Path config;
            @Option(names = "--router", required = true, paramLabel = "ID", description = "the other router's ID") String router;
            @Option(names = "--fingerprint", required = true, paramLabel = "SHA256",
                    description = "the fingerprint of its new keys, as its operator reads it from 'router peers list' or 'router rotate-keys'")
            String fingerprint;

            @Override public Integer call() {
                try {
                    RouterApp.confirmPeer(RouterConfig.load(config), router, fingerprint);
                    spec.commandLine().getOut().println("keys " + fingerprint + " of router " + router
                            + " confirmed; the router accepts them at its next directory sync");
                    return 0;
                } catch (Exception e) {
                    spec.commandLine().getErr().println("confirmation failed: " + org.dicomrelay.dicom.net.FailureText.of(e));
                    return 1;
                }
            }
        }
    }

    @Command(name = "rotate-keys", description = "Replace this router's keys; the old keys sign the new ones, so peers accept them. "
            + "Run it with the router stopped.")
    static final class RotateKeys implements Callable<Integer> {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--config", required = true, paramLabel = "router.yaml") Path config;

        @Override public Integer call() {
            try {
                RouterConfig c = RouterConfig.load(config);
                String fp = RouterApp.rotateKeys(c);
                spec.commandLine().getOut().println("router " + c.routerId() + " has new keys, fingerprint " + fp
                        + "; the Bridge publishes them with the proof, peers accept them at their next directory sync");
                return 0;
            } catch (Exception e) {
                spec.commandLine().getErr().println("key rotation failed: " + org.dicomrelay.dicom.net.FailureText.of(e));
                return 1;
            }
        }
    }
}
