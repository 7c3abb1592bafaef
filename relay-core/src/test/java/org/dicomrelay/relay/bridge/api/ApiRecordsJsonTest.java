package org.dicomrelay.relay.bridge.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dicomrelay.relay.bridge.AeExport;
import org.dicomrelay.relay.bridge.ProviderAssignment;
import org.dicomrelay.relay.cloud.BlobAccount;
import org.junit.jupiter.api.Test;

/**
 * The wire format of the router-facing Bridge API, pinned field by field: routers and Bridges of
 * the previous version built these bodies by hand, so each record must write exactly the JSON they
 * wrote (names, order, types, absent rather than null where they left a field out) and read it back.
 */
class ApiRecordsJsonTest {
    private static final ObjectMapper JSON = ApiJson.mapper();
    private static final PublicKeysJson KEYS = new PublicKeysJson("aHBrZQ==", "c2ln");

    @Test
    void enrollRequest() throws Exception {
        pin(new EnrollRequest("drt_token", "hospital-a", KEYS, "c3BraQ=="), EnrollRequest.class,
                "{\"token\":\"drt_token\",\"routerId\":\"hospital-a\",\"publicKeys\":{\"hpke\":\"aHBrZQ==\",\"signature\":\"c2ln\"},"
                        + "\"clientPublicKey\":\"c3BraQ==\"}");
    }

    @Test
    void enrollRequestOverPlainHttpMayLackTheClientKey() throws Exception {
        pin(new EnrollRequest("drt_token", "hospital-a", KEYS, null), EnrollRequest.class,
                "{\"token\":\"drt_token\",\"routerId\":\"hospital-a\",\"publicKeys\":{\"hpke\":\"aHBrZQ==\",\"signature\":\"c2ln\"}}");
    }

    @Test
    void enrollAnswerWithAndWithoutClientCertificate() throws Exception {
        pin(new EnrollAnswer("hospital-a", "dra_key", "YnJpZGdl", "Y2VydA=="), EnrollAnswer.class,
                "{\"routerId\":\"hospital-a\",\"apiKey\":\"dra_key\",\"bridgePublicKeys\":\"YnJpZGdl\",\"clientCertificate\":\"Y2VydA==\"}");
        // plain HTTP: the Bridge of the previous version left the field out, it did not write null
        pin(new EnrollAnswer("hospital-a", "dra_key", "YnJpZGdl", null), EnrollAnswer.class,
                "{\"routerId\":\"hospital-a\",\"apiKey\":\"dra_key\",\"bridgePublicKeys\":\"YnJpZGdl\"}");
        assertThat(new EnrollAnswer("hospital-a", "dra_key", "YnJpZGdl", null).toString()).doesNotContain("dra_key");
    }

    @Test
    void aeExportsAndTheirAnswer() throws Exception {
        List<AeExport> aes = List.of(new AeExport("PACS_B", List.of("store", "find")), new AeExport("WS", List.of("echo")));
        String array = "[{\"aeTitle\":\"PACS_B\",\"services\":[\"find\",\"store\"]},{\"aeTitle\":\"WS\",\"services\":[\"echo\"]}]";
        assertThat(JSON.writeValueAsString(aes)).isEqualTo(array);
        assertThat(JSON.readValue(array, new TypeReference<List<AeExport>>() {})).isEqualTo(aes);
        pin(new AesAnswer(aes), AesAnswer.class, "{\"aes\":" + array + "}");
    }

    @Test
    void keyRotation() throws Exception {
        pin(new KeyRotationRequest(KEYS, "cHJvb2Y="), KeyRotationRequest.class,
                "{\"publicKeys\":{\"hpke\":\"aHBrZQ==\",\"signature\":\"c2ln\"},\"proof\":\"cHJvb2Y=\"}");
        pin(new KeyRotationAnswer("hospital-a", "ab:cd"), KeyRotationAnswer.class, "{\"routerId\":\"hospital-a\",\"fingerprint\":\"ab:cd\"}");
    }

    @Test
    void directoryAnswerAndDocument() throws Exception {
        pin(new DirectoryAnswer("ZG9j", "c2ln"), DirectoryAnswer.class, "{\"document\":\"ZG9j\",\"signature\":\"c2ln\"}");
        DirectoryDocument d = new DirectoryDocument("dicom-relay directory v1", 7, "2026-12-05T08:00:00Z", "2026-12-06T08:00:00Z",
                List.of(new DirectoryDocument.Router("hospital-a", KEYS,
                                List.of(new DirectoryDocument.KeyStep("b2xk", "b2xkcw==", null), new DirectoryDocument.KeyStep("aHBrZQ==", "c2ln", "cA==")),
                                new ProviderAssignment("s3", Map.of("bucket", "relay"))),
                        new DirectoryDocument.Router("hospital-b", KEYS, List.of(), null)),
                List.of(new DirectoryDocument.Ae("PACS_A", "hospital-a", List.of("find", "store"))),
                List.of(new DirectoryDocument.Grant("hospital-b", "PACS_A", "hospital-a", List.of("find"))));
        pin(d, DirectoryDocument.class, "{\"format\":\"dicom-relay directory v1\",\"version\":7,"
                + "\"issuedAt\":\"2026-12-05T08:00:00Z\",\"expiresAt\":\"2026-12-06T08:00:00Z\","
                + "\"routers\":[{\"routerId\":\"hospital-a\",\"publicKeys\":{\"hpke\":\"aHBrZQ==\",\"signature\":\"c2ln\"},"
                + "\"keyHistory\":[{\"hpke\":\"b2xk\",\"signature\":\"b2xkcw==\"},{\"hpke\":\"aHBrZQ==\",\"signature\":\"c2ln\",\"proof\":\"cA==\"}],"
                + "\"provider\":{\"name\":\"s3\",\"settings\":{\"bucket\":\"relay\"}}},"
                + "{\"routerId\":\"hospital-b\",\"publicKeys\":{\"hpke\":\"aHBrZQ==\",\"signature\":\"c2ln\"},\"keyHistory\":[],\"provider\":null}],"
                + "\"aes\":[{\"aeTitle\":\"PACS_A\",\"routerId\":\"hospital-a\",\"services\":[\"find\",\"store\"]}],"
                + "\"access\":[{\"routerId\":\"hospital-b\",\"aeTitle\":\"PACS_A\",\"owner\":\"hospital-a\",\"services\":[\"find\"]}]}");
    }

    @Test
    void providerAssignment() throws Exception {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("bucket", "relay");
        settings.put("parts", 4);
        settings.put("pathStyle", true);
        pin(new ProviderRequest("s3", settings), ProviderRequest.class, "{\"name\":\"s3\",\"settings\":{\"bucket\":\"relay\",\"parts\":4,\"pathStyle\":true}}");
        pin(new ProviderAnswer("hospital-a", "s3", Map.of("parts", "4")), ProviderAnswer.class,
                "{\"routerId\":\"hospital-a\",\"name\":\"s3\",\"settings\":{\"parts\":\"4\"}}");
    }

    @Test
    void inboxAndBlobAccount() throws Exception {
        List<InboxMessage> polled = List.of(new InboxMessage("17-1", "AQID"), new InboxMessage("18-2", "BA=="));
        String array = "[{\"id\":\"17-1\",\"payload\":\"AQID\"},{\"id\":\"18-2\",\"payload\":\"BA==\"}]";
        assertThat(JSON.writeValueAsString(polled)).isEqualTo(array);
        assertThat(JSON.readValue(array, new TypeReference<List<InboxMessage>>() {})).isEqualTo(polled);
        pin(new PublishAnswer("17"), PublishAnswer.class, "{\"id\":\"17\"}");
        pin(new AckRequest(List.of("17-1", "18-2")), AckRequest.class, "{\"ids\":[\"17-1\",\"18-2\"]}");
        pin(new AckAnswer(List.of("18-2")), AckAnswer.class, "{\"notAcknowledged\":[\"18-2\"]}");
        pin(new BlobAccount(8388608, 1073741824L, 0), BlobAccount.class, "{\"partBytes\":8388608,\"quotaBytes\":1073741824,\"usedBytes\":0}");
        assertThatThrownBy(() -> JSON.readValue("{\"quotaBytes\":1,\"usedBytes\":0}", BlobAccount.class))
                .as("a missing number is not 0").isInstanceOf(MismatchedInputException.class);
    }

    @Test
    void aNumberWhereAStringBelongsIsRefusedNotConverted() {
        // "routerId": 5 must not become the router ID "5" (the Bridge of the previous version refused it)
        assertThatThrownBy(() -> JSON.readValue("{\"token\":\"t\",\"routerId\":5}", EnrollRequest.class))
                .isInstanceOf(MismatchedInputException.class);
        assertThatThrownBy(() -> JSON.readValue("{\"publicKeys\":{\"hpke\":true,\"signature\":\"c2ln\"},\"proof\":\"cA==\"}", KeyRotationRequest.class))
                .isInstanceOf(MismatchedInputException.class);
    }

    @Test
    void fieldsOfALaterVersionAreIgnored() throws Exception {
        assertThat(JSON.readValue("{\"routerId\":\"hospital-a\",\"fingerprint\":\"ab\",\"since\":\"later\"}", KeyRotationAnswer.class))
                .isEqualTo(new KeyRotationAnswer("hospital-a", "ab"));
    }

    /** Writes exactly {@code json}, and reads it back to an equal record. */
    private static <T> void pin(T record, Class<T> type, String json) throws Exception {
        assertThat(JSON.writeValueAsString(record)).isEqualTo(json);
        assertThat(JSON.readValue(json, type)).isEqualTo(record);
    }
}
