package org.dicomrelay.cli;

import org.dicomrelay.router.RouterApp;
import org.dicomrelay.router.config.RouterConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Runs a router from its configuration (after {@code enroll}). */
@Command(name = "router", description = "Run a router (one per institution).")
public final class RouterCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "router.yaml", description = "the router configuration")
    Path config;

    @Override public Integer call() throws Exception {
        RouterConfig c = RouterConfig.load(config);
        CountDownLatch stop = new CountDownLatch(1);
        try (RouterApp app = RouterApp.start(c)) {
            spec.commandLine().getOut().println("router " + c.routerId() + " (" + c.aeTitle() + ") listening on " + c.bind() + ":" + app.port()
                    + ", " + app.routes().all().size() + " remote AEs routed");
            spec.commandLine().getOut().flush();
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return 0;
    }
}
