package org.dicomrelay.it;

import org.dicomrelay.relay.crypto.Envelope;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.dicomrelay.router.RouterApp;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 9, "the Bridge can read everything", inverted: router A pinned router B's keys on first
 * sight. Keys the Bridge publishes for B without a proof signed by B's pinned keys (here written
 * into the Bridge's database, which the Bridge then signs) are refused and logged with both
 * fingerprints; a C-STORE to PACS B waits in A's spool and nothing A writes can be opened with the
 * substituted private key; the operator's confirmation of the new fingerprint makes it flow. A
 * rotation made with {@code rotate-keys} (signed by the old keys) is accepted without anyone's help.
 */
@Timeout(180)
class KeyPinningTest {
    private static final String SYNC = "org.dicomrelay.router.DirectorySync";
    private RelayNetwork net;

    @AfterEach void stop() {
        if (net != null) net.close();
    }

    @Test void keysSubstitutedAtTheBridgeGetNothingUntilTheOperatorConfirmsThem() throws Exception {
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP).start();
        Path ct = Samples.file("test_files/CT_small.dcm");
        store(ct);
        net.awaitDelivered(DataSets.sopInstanceUid(ct)); // B's keys are pinned at A

        // B gets keys that its old keys did not sign, and the Bridge publishes them
        net.b.close();
        Path keysB = net.configB.state().resolve("keys");
        Files.delete(keysB.resolve(RouterKeys.HPKE_FILE));
        Files.delete(keysB.resolve(RouterKeys.SIGNATURE_FILE));
        RouterKeys substituted = RouterKeys.generate();
        substituted.save(keysB);
        PublicKeys newKeys = substituted.publicKeys("hospital-b");
        sql("UPDATE routers SET hpke_public_key = '" + Base64.getEncoder().encodeToString(newKeys.hpkePublicKeyset())
                + "', signature_public_key = '" + Base64.getEncoder().encodeToString(newKeys.signaturePublicKeyset())
                + "' WHERE router_id = 'hospital-b'");
        net.b = RouterApp.start(net.configB);
        String pinned = RouterApp.peers(net.configA).stream().filter(p -> p.routerId().equals("hospital-b")).findFirst().orElseThrow()
                .pinnedFingerprint();
        await("router A refuses B's new keys").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> net.logs.lines().stream().anyMatch(l -> l.startsWith("SEVERE " + SYNC)
                        && l.contains("router hospital-b: the directory shows new keys (fingerprint " + newKeys.fingerprint() + ")")
                        && l.contains("pinned keys (fingerprint " + pinned + ")")));

        Path mr = Samples.file("test_files/MR_small.dcm");
        String uid = DataSets.sopInstanceUid(mr);
        store(mr); // accepted into A's spool...
        await("...and its delivery fails as transient").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> net.logs.lines().stream().anyMatch(l -> l.contains("deliveries to " + net.pacsAe + " fail, retrying")
                        && l.contains("no public keys for router hospital-b")));
        assertThat(RelayNetwork.storedByStorescp(net.pacsDir, uid)).as("at PACS B").isEmpty();
        assertThat(openableWith(substituted)).as("blobs in the cloud the substituted key opens").isZero();

        // the operators compare fingerprints and router A's confirms
        RelayNetwork.CliResult confirm = RelayNetwork.cli("router", "peers", "confirm", "--config", yaml(net.configA).toString(),
                "--router", "hospital-b", "--fingerprint", newKeys.fingerprint());
        assertThat(confirm.exitCode()).as(confirm.err()).isZero();
        net.awaitDeliveredWithin(uid, Duration.ofSeconds(90));
        assertThat(RelayNetwork.storedByStorescp(net.pacsDir, uid)).isPresent();
        assertThat(RouterApp.peers(net.configA)).filteredOn(p -> p.routerId().equals("hospital-b")).singleElement()
                .satisfies(p -> assertThat(p.pinnedFingerprint()).isEqualTo(newKeys.fingerprint()));
    }

    @Test void aRotationSignedByTheOldKeysIsAcceptedSilentlyAndTrafficContinues() throws Exception {
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP).start();
        Path ct = Samples.file("test_files/CT_small.dcm");
        store(ct);
        net.awaitDelivered(DataSets.sopInstanceUid(ct));

        net.b.close();
        RelayNetwork.CliResult rotated = RelayNetwork.cli("router", "rotate-keys", "--config", yaml(net.configB).toString());
        assertThat(rotated.exitCode()).as(rotated.err()).isZero();
        String fingerprint = RouterKeys.load(net.configB.state().resolve("keys")).publicKeys("hospital-b").fingerprint();
        assertThat(rotated.out()).contains(fingerprint);
        net.b = RouterApp.start(net.configB);
        await("router A takes B's rotated keys").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> net.logs.lines().stream().anyMatch(l -> l.startsWith("INFO " + SYNC)
                        && l.contains("router hospital-b rotated its keys") && l.contains(fingerprint)));

        Path mr = Samples.file("test_files/MR_small.dcm");
        store(mr);
        net.awaitDelivered(DataSets.sopInstanceUid(mr));
        assertThat(net.logs.lines()).noneMatch(l -> l.startsWith("SEVERE " + SYNC) && l.contains("hospital-b"));
    }

    private void store(Path file) throws Exception {
        Peers.Result r = RelayNetwork.tool("storescu", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1",
                String.valueOf(net.portA()), file.toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    /** How many files in the cloud open as envelopes from router A with these (hospital-b's substituted) private keys. */
    private long openableWith(RouterKeys keys) throws Exception {
        PublicKeys a = RouterKeys.load(net.configA.state().resolve("keys")).publicKeys("hospital-a");
        long opened = 0;
        try (Stream<Path> s = Files.walk(net.cloud)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                try (InputStream in = Files.newInputStream(p); Envelope.Opened o = Envelope.open(in, keys, "hospital-b", Map.of("hospital-a", a)::get)) {
                    o.plaintext().readAllBytes();
                    opened++;
                } catch (java.io.IOException refused) {
                    // not for these keys (or not an envelope): what we want
                }
            }
        }
        return opened;
    }

    /** The router's configuration as a file, for the command line. */
    private Path yaml(org.dicomrelay.router.config.RouterConfig c) throws Exception {
        Path f = net.work.resolve(c.routerId() + ".yaml");
        new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().writeValue(f.toFile(), c);
        return f;
    }

    private void sql(String update) throws Exception {
        String url = "jdbc:h2:file:" + net.bridgeDataDir().toAbsolutePath().normalize().resolve("bridge");
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate(update)).isEqualTo(1);
        }
    }
}
