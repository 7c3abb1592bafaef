package org.dicomrelay.it;

import org.dicomrelay.dicom.io.SyntheticStudy;
import org.dicomrelay.relay.crypto.Envelope;
import org.dicomrelay.router.RouterApp;
import org.dicomrelay.testkit.Peers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Link protocol with sessions (issue 9, point 5) through two routers and a Bridge: after the
 * first exchange, C-STORE of a study (DCMTK storescu, PS3.4 Annex B) and a C-FIND (findscu,
 * PS3.4 Annex C) from A to B's archive travel in sessions: the notifications name a session, and
 * neither router does any public-key work for them. Session key pairs are stored 0600 in each
 * router's own state folder.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class SessionsThroughRoutersTest {
    private Path generated;
    private SyntheticStudy first, second;
    private RelayNetwork net;

    @BeforeAll void start() throws Exception {
        generated = Files.createTempDirectory("relay-it-sessions");
        first = SyntheticStudy.write(generated.resolve("first"), 2, "Session^First", "SESS-1");
        second = SyntheticStudy.write(generated.resolve("second"), 4, "Session^Second", "SESS-2");
        net = RelayNetwork.with(RelayNetwork.Pacs.ARCHIVE).recordCloud().start();
    }

    @AfterAll void stop() {
        if (net != null) net.close();
        RelayNetwork.deleteTree(generated);
    }

    private void store(SyntheticStudy study) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("storescu", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1",
                String.valueOf(net.portA())));
        study.files().forEach(f -> cmd.add(f.toString()));
        Peers.Result r = RelayNetwork.tool(cmd.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.output()).isZero();
        for (Path f : study.files()) net.awaitDelivered(DataSets.sopInstanceUid(f));
    }

    @Test void storeAndFindAfterTheFirstExchangeGoInSessionsWithNoPublicKeyWork() throws Exception {
        store(first); // first contact: the routers learn each other's session keys
        long opsA = net.a.sessions().publicKeyOperations();
        long opsB = net.b.sessions().publicKeyOperations();
        int published = net.recording.notifications.size();

        store(second);
        Peers.Result find = RelayNetwork.tool("findscu", "-S", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "-k", "QueryRetrieveLevel=STUDY",
                "-k", "PatientID=SESS-2", "-k", "StudyInstanceUID", "127.0.0.1", String.valueOf(net.portA()));
        assertThat(find.exitCode()).as(find.output()).isZero();
        assertThat(find.output()).contains(second.studyUid());

        List<byte[]> carried = net.recording.notifications.subList(published, net.recording.notifications.size());
        // The store's objects may travel in one bundle with one batch of answers; the find has a request, a match and a final answer.
        assertThat(carried).as("notifications of the second store and the find").hasSizeGreaterThanOrEqualTo(2 + 2);
        for (byte[] n : carried) assertThat(Envelope.sessionIdOf(n)).as("session of a notification").isPresent();
        // A session may start (first message A→B after B's key became known), at 2 operations each; nothing per message.
        assertThat(net.a.sessions().publicKeyOperations() - opsA).as("public-key operations at router A").isLessThanOrEqualTo(2);
        assertThat(net.b.sessions().publicKeyOperations() - opsB).as("public-key operations at router B").isLessThanOrEqualTo(2);

        for (RouterApp r : List.of(net.a, net.b)) {
            Path dir = RouterApp.sessionKeysDir(r == net.a ? net.configA : net.configB);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
            try (var files = Files.list(dir)) {
                List<Path> keys = files.toList();
                assertThat(keys).as("session key pairs of " + dir).isNotEmpty();
                for (Path k : keys) assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(k))).isEqualTo("rw-------");
            }
        }
    }
}
