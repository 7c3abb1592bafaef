package org.dicomrelay.router;

import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.LocalHub;
import org.dicomrelay.testkit.Peers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11, "a device calling from another host is refused as calling AE title not recognized":
 * a known AE title calling from an address its configured host does not resolve to is refused
 * with PS3.8 Table 9-21's no-reason-given (the title is recognized; PS3.8 has no reason for an
 * address), and the log names the address that came and the one expected.
 */
@Timeout(60)
class DeviceAddressRefusalTest {
    private static final Logger SCP_LOG = Logger.getLogger(RelayScp.class.getName());
    @TempDir Path work;
    private Router router;
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) warnings.add(r.getMessage());
        }

        @Override public void flush() {}

        @Override public void close() {}
    };

    @BeforeEach void start() throws Exception {
        SCP_LOG.addHandler(capture);
        RoutingTable routes = new RoutingTable();
        routes.replace(List.of(new RoutingTable.Route("PACS_B", "hospital-b", Set.of("echo"))));
        // the workstation is configured at 127.0.0.2; echoscu calls from 127.0.0.1
        RouterConfig c = new RouterConfig("hospital-a", work.resolve("a").toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                List.of(new Device("WORKSTATION", "127.0.0.2", 1, List.of(), List.of(), false)));
        router = Router.start(c, new LocalHub().courier("hospital-a"), routes);
    }

    @AfterEach void stop() throws Exception {
        SCP_LOG.removeHandler(capture);
        router.close();
    }

    @Test void aKnownAeTitleFromAnotherAddressIsRefusedNamingBothAddresses() throws Exception {
        Peers.Result r = Peers.run(List.of("echoscu", "-aet", "WORKSTATION", "-aec", "PACS_B", "127.0.0.1", String.valueOf(router.port())),
                Duration.ofSeconds(30));
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("Reason: No Reason").doesNotContainIgnoringCase("Calling AE Title Not Recognized");
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("AE title WORKSTATION is a known device")
                .contains("comes from address 127.0.0.1").contains("configured host 127.0.0.2 (127.0.0.2)"));
    }

    @Test void anUnknownAeTitleIsStillCallingAeTitleNotRecognized() throws Exception {
        Peers.Result r = Peers.run(List.of("echoscu", "-aet", "INTRUDER", "-aec", "PACS_B", "127.0.0.1", String.valueOf(router.port())),
                Duration.ofSeconds(30));
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).containsIgnoringCase("Calling AE Title Not Recognized");
    }
}
