package org.dicomrelay.cli;

import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.router.RouterApp;
import org.dicomrelay.router.config.RouterConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Enrolls a router at the Bridge with a one-time token: creates its keys, stores its credentials. */
@Command(name = "enroll", description = "Enroll a router at the Bridge with a one-time token.")
public final class EnrollCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "router.yaml") Path config;
    @Option(names = "--bridge", required = true, paramLabel = "URL", description = "the Bridge, e.g. https://bridge.example.org") URI bridge;
    @Option(names = "--token", required = true, paramLabel = "TOKEN", description = "the one-time enrollment token") String token;
    @Option(names = "--bridge-fingerprint", paramLabel = "SHA256", description = "SHA-256 fingerprint of the Bridge's TLS certificate "
            + "(printed by 'dicom-relay bridge'; hex, colons allowed): any other certificate is refused. Without it, the JDK's CA certificates decide")
    String bridgeFingerprint;

    @Override public Integer call() {
        try {
            RouterConfig c = RouterConfig.load(config);
            RouterApp.enroll(c, bridge, bridgeFingerprint, token);
            spec.commandLine().getOut().println("router " + c.routerId() + " enrolled at " + bridge
                    + (bridgeFingerprint == null ? "" : " (certificate pinned)") + "; keys and credentials in " + c.state());
            return 0;
        } catch (Exception e) {
            spec.commandLine().getErr().println("enrollment failed: " + FailureText.of(e));
            return 1;
        }
    }
}
