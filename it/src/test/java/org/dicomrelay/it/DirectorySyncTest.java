package org.dicomrelay.it;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.signature.PredefinedSignatureParameters;
import org.dicomrelay.relay.bridge.AeExport;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.bridge.RouterRecord;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.dicomrelay.router.RouterApp;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.testkit.Peers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One bad entry spoils nothing else in the directory sync. A router exporting an AE title another
 * router already exports has that one title refused (and says so, naming the other router) while
 * its other titles are published and routed; a router whose keys are refused (substituted without
 * proof, or of a shape routers never publish) is left out (and reported) while every other record
 * is used, so routes keep coming.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class DirectorySyncTest {
    private static final String SYNC = "org.dicomrelay.router.DirectorySync";
    private RelayNetwork net;
    private final List<RouterApp> more = new ArrayList<>();

    @BeforeAll void start() throws Exception {
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP).extraRouter("hospital-x").start();
    }

    @AfterAll void stop() throws Exception {
        for (RouterApp r : more) r.close();
        if (net != null) net.close();
    }

    /** Another router, enrolled and started as deployed, whose exported devices are all storescp B (it accepts any called AE). */
    private RouterApp startRouter(String routerId, String aeTitle, String... exports) throws Exception {
        return startRouter(c -> {}, routerId, aeTitle, exports);
    }

    private RouterApp startRouter(BeforeStart beforeStart, String routerId, String aeTitle, String... exports) throws Exception {
        List<Device> devices = new ArrayList<>();
        for (String ae : exports) devices.add(new Device(ae, "127.0.0.1", net.pacsPort, List.of("echo", "store"), List.of(), true));
        RouterConfig c = new RouterConfig(routerId, net.work.resolve(routerId).toString(), aeTitle, "127.0.0.1", 0, net.bridgeUrl.toString(),
                null, "spool", devices);
        RouterApp.enroll(c, net.bridgeUrl, net.enrollmentToken(routerId));
        assertThat(net.admin("PUT", "/api/admin/routers/" + routerId + "/provider",
                Map.of("name", RecordingCloudProvider.NAME, "settings", Map.of("root", net.cloud.toString()))).statusCode()).isEqualTo(200);
        for (String ae : exports) {
            if (!ae.equals(net.pacsAe)) net.grant("hospital-a", ae, List.of("echo", "store")); // hospital-b's PACS keeps its grant
        }
        beforeStart.accept(c);
        RouterApp r = RouterApp.start(c);
        more.add(r);
        return r;
    }

    private Optional<String> routerOf(String aeTitle) {
        return net.a.routes().route(aeTitle).map(RoutingTable.Route::routerId);
    }

    private Peers.Result echoThroughA(String calledAe) throws Exception {
        return RelayNetwork.tool("echoscu", "-aet", RelayNetwork.WORKSTATION, "-aec", calledAe, "127.0.0.1", String.valueOf(net.portA()));
    }

    @Test void anAeTitleConflictRefusesThatTitleOnlyAndNamesTheOwner() throws Exception {
        // hospital-c exports PACS_B (hospital-b's) and its own PACS_C
        startRouter("hospital-c", "RELAY_C", net.pacsAe, "PACS_C");
        assertThat(net.logs.lines()).anyMatch(l -> l.startsWith("SEVERE " + SYNC) && l.contains("AE title " + net.pacsAe + " is not published")
                && l.contains("router hospital-b owns it"));

        await("router A learns PACS_C at its next sync").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> routerOf("PACS_C").isPresent());
        assertThat(routerOf("PACS_C")).contains("hospital-c");
        assertThat(routerOf(net.pacsAe)).as("the conflicting title stays with its owner").contains("hospital-b");
        Peers.Result c = echoThroughA("PACS_C");
        assertThat(c.exitCode()).as(c.output()).isZero();
        Peers.Result b = echoThroughA(net.pacsAe);
        assertThat(b.exitCode()).as(b.output()).isZero();
        assertThat(net.logs.lines()).noneMatch(l -> l.contains("hospital-c") && l.contains("unreachable"));
    }

    /**
     * Issue 9, "the Bridge can read everything": keys substituted in the Bridge's database (the
     * Bridge signs whatever its database holds) are refused by router A's pin, by name and with both
     * fingerprints; the sync goes on, so a router that joins afterwards is still learned.
     */
    @Test void aKeySubstitutedInTheBridgesDatabaseIsRefusedByThePinAndTheOthersAreUsed() throws Exception {
        PublicKeys substituted = RouterKeys.generate().publicKeys("hospital-x");
        sql("UPDATE routers SET hpke_public_key = '" + Base64.getEncoder().encodeToString(substituted.hpkePublicKeyset())
                + "', signature_public_key = '" + Base64.getEncoder().encodeToString(substituted.signaturePublicKeyset())
                + "' WHERE router_id = 'hospital-x'");
        startRouter("hospital-d", "RELAY_D", "PACS_D");
        await("router A learns PACS_D despite the substituted keys").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> routerOf("PACS_D").isPresent());
        await("router A refuses hospital-x's new keys").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> net.logs.lines().stream().anyMatch(l -> l.startsWith("SEVERE " + SYNC)
                        && l.contains("router hospital-x: the directory shows new keys (fingerprint " + substituted.fingerprint() + ")")
                        && l.contains("refused")));
        assertThat(RouterApp.peers(net.configA)).filteredOn(p -> p.routerId().equals("hospital-x")).singleElement()
                .satisfies(p -> assertThat(p.pendingFingerprint()).isEqualTo(substituted.fingerprint()));
        Peers.Result d = echoThroughA("PACS_D");
        assertThat(d.exitCode()).as(d.output()).isZero();
        assertThat(routerOf(net.pacsAe)).contains("hospital-b");
        assertThat(net.configA.state().resolve("peer-pins.json")).content().contains("hospital-d");
    }

    /**
     * Issue 9: a router whose signature keyset holds an extra key is refused at enrollment; put in
     * the Bridge's database anyway, it is refused by name by router A, every other router is used.
     */
    @Test void aRouterWithPublicKeysOfAnotherShapeIsRefusedAndTheOthersAreUsed() throws Exception {
        PublicKeys genuine = RouterKeys.generate().publicKeys("hospital-y");
        String token = net.enrollmentToken("hospital-y");
        assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(org.dicomrelay.relay.bridge.BridgeException.class,
                () -> BridgeClient.enroll(net.bridgeUrl, token, new RouterRecord("hospital-y", genuine.hpkePublicKeyset(), twoEd25519Keys())))
                .status()).isEqualTo(400);
        BridgeCredentials y = BridgeClient.enroll(net.bridgeUrl, token,
                new RouterRecord("hospital-y", genuine.hpkePublicKeyset(), genuine.signaturePublicKeyset()));
        RelayNetwork.client(y).publishAes(List.of(new AeExport("PACS_Y", List.of("echo"))));
        net.grant("hospital-a", "PACS_Y", List.of("echo")); // granted: only its keys keep it out
        sql("UPDATE routers SET signature_public_key = '" + Base64.getEncoder().encodeToString(twoEd25519Keys()) + "' WHERE router_id = 'hospital-y'");

        startRouter("hospital-e", "RELAY_E", "PACS_E");
        await("router A learns PACS_E despite hospital-y's keys").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> routerOf("PACS_E").isPresent());
        await("router A refuses hospital-y's keys").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> net.logs.lines().stream().anyMatch(l -> l.startsWith("SEVERE " + SYNC)
                        && l.contains("directory record skipped: public keys of router hospital-y are not valid: "
                        + "signature keyset must hold exactly one key, holds 2")));
        assertThat(routerOf("PACS_Y")).isEmpty();
        Peers.Result e = echoThroughA("PACS_E");
        assertThat(e.exitCode()).as(e.output()).isZero();
    }

    /** A pin of a refused shape (written by an older version, or tampered with) is dropped: the router still starts. */
    @Test void aRefusedEntryInThePinsDoesNotKeepTheRouterFromStarting() throws Exception {
        PublicKeys genuine = RouterKeys.generate().publicKeys("hospital-z");
        String badEntry = "{\"routerId\":\"hospital-z\",\"hpkePublicKeyset\":\"" + Base64.getEncoder().encodeToString(genuine.hpkePublicKeyset())
                + "\",\"signaturePublicKeyset\":\"" + Base64.getEncoder().encodeToString(twoEd25519Keys()) + "\"}";
        RouterApp f = startRouter(c -> Files.writeString(c.state().resolve("peer-pins.json"), "{\"hospital-z\":{\"pinned\":" + badEntry + "}}"),
                "hospital-f", "RELAY_F", "PACS_F");
        assertThat(f.port()).isPositive();
        assertThat(net.logs.lines()).anyMatch(l -> l.startsWith("SEVERE org.dicomrelay.router.PeerPins")
                && l.contains("pin of router hospital-z dropped")
                && l.contains("signature keyset must hold exactly one key, holds 2"));
        await("router A learns PACS_F").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> routerOf("PACS_F").isPresent());
    }

    private void sql(String update) throws Exception {
        String url = "jdbc:h2:file:" + net.bridgeDataDir().toAbsolutePath().normalize().resolve("bridge");
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate(update)).isEqualTo(1);
        }
    }

    /** Two valid Ed25519 public keys in one keyset, built with Tink: a shape routers never publish. */
    private static byte[] twoEd25519Keys() throws Exception {
        KeysetHandle two = KeysetHandle.newBuilder()
                .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedSignatureParameters.ED25519).withRandomId().makePrimary())
                .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedSignatureParameters.ED25519).withRandomId())
                .build();
        return TinkProtoKeysetFormat.serializeKeysetWithoutSecret(two.getPublicKeysetHandle());
    }

    @FunctionalInterface
    private interface BeforeStart {
        void accept(RouterConfig c) throws Exception;
    }
}
