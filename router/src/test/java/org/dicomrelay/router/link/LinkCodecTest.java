package org.dicomrelay.router.link;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one wire form of the typed link messages (issue 9, point 5): every type survives the
 * round trip with its values, and anything but the exact shape of a known type is refused with
 * an error that names what is wrong, keeping the blob it named so that its payload can be deleted.
 */
class LinkCodecTest {
    private static final String IDENTIFIER = "{\"0020000D\":{\"vr\":\"UI\",\"Value\":[\"1.2.3\"]},\"00080052\":{\"vr\":\"CS\",\"Value\":[\"STUDY\"]}}";

    @Test void everyMessageTypeRoundTripsWithItsValuesAndItsBlob() throws Exception {
        List<LinkMessage> all = List.of(
                new LinkMessage.EchoRq("op-1", "PACS_B", "WS_A"),
                new LinkMessage.EchoRsp("op-1", 0x0000, null, null),
                new LinkMessage.StoreRq("op-2", "PACS_B", "CT_A", "1.2.840.10008.5.1.4.1.1.2", "1.2.3.4", "1.2.840.10008.1.2.1"),
                new LinkMessage.StoreRq("op-2", "PACS_B", "CT_A", "1.2.840.10008.5.1.4.1.1.2", "1.2.3.4", "1.2.840.10008.1.2.1",
                        PayloadCodec.ZSTD),
                new LinkMessage.StoreRsp("op-2", 0xA700, "PACS_B at 127.0.0.1:104 refused the connection", Failure.TRANSIENT),
                new LinkMessage.FindRq("op-3", "PACS_B", "WS_A", TestMessages.STUDY_ROOT_FIND, IDENTIFIER),
                new LinkMessage.FindRsp("op-3", 0xFF00, IDENTIFIER, null, null),
                new LinkMessage.MoveRq("op-4", "PACS_B", "WS_A", TestMessages.STUDY_ROOT_MOVE, IDENTIFIER),
                new LinkMessage.MoveRsp("op-4", 0xB000, 2, List.of("1.2.3.5", "1.2.3.6"), "partly failed", Failure.PERMANENT),
                new LinkMessage.GetRq("op-5", "PACS_B", "WS_A", TestMessages.STUDY_ROOT_MOVE, IDENTIFIER),
                new LinkMessage.GetRsp("op-5", 0x0000, 0, List.of(), null, null),
                new LinkMessage.Instance("op-5", "1.2.840.10008.5.1.4.1.1.2", "1.2.3.7", "1.2.840.10008.1.2.4.50", 41),
                new LinkMessage.Cancel("op-3"));
        for (LinkMessage m : all) {
            assertThat(LinkCodec.decode(LinkCodec.encode(m, null))).isEqualTo(new LinkCodec.Decoded(m, null));
            assertThat(LinkCodec.decode(LinkCodec.encode(m, "blob-0123456789abcdef"))).isEqualTo(new LinkCodec.Decoded(m, "blob-0123456789abcdef"));
        }
        assertThat(all.stream().map(LinkMessage::type)).containsExactly("ECHO_RQ", "ECHO_RSP", "STORE_RQ", "STORE_RQ", "STORE_RSP", "FIND_RQ",
                "FIND_RSP", "MOVE_RQ", "MOVE_RSP", "GET_RQ", "GET_RSP", "INSTANCE", "CANCEL");
    }

    @Test void theFailureTravelsAsItsWireWord() throws Exception {
        String json = new String(LinkCodec.encode(new LinkMessage.StoreRsp("op", 0x0124, "not granted", Failure.PERMANENT), null),
                StandardCharsets.UTF_8);
        assertThat(json).contains("\"failure\":\"permanent\"").contains("\"type\":\"STORE_RSP\"");
    }

    /** Issue 10, compression per route: router B decodes the payload with the codec the authenticated frame names, or refuses it. */
    @Test void theCompressionOfAStorePayloadTravelsByNameAndAnUnknownOrNullOneIsRefused() throws Exception {
        String json = new String(LinkCodec.encode(new LinkMessage.StoreRq("op", "PACS_B", "CT_A", "1.2", "1.2.3", "1.2.840.10008.1.2",
                PayloadCodec.DEFLATE), "blob-0123456789abcdef"), StandardCharsets.UTF_8);
        assertThat(json).contains("\"compression\":\"deflate\"");
        String store = "{'type':'STORE_RQ','blob':'blob-0123456789abcdef','message':{'operationId':'op','calledAe':'PACS_B',"
                + "'callingAe':'CT_A','sopClassUid':'1.2','sopInstanceUid':'1.2.3','transferSyntaxUid':'1.2.840.10008.1.2'";
        assertThatThrownBy(() -> decode(store + ",'compression':'brotli'}}"))
                .isInstanceOfSatisfying(LinkCodec.MalformedMessageException.class, e -> assertThat(e.blob()).isEqualTo("blob-0123456789abcdef"))
                .hasMessage("malformed STORE_RQ: unknown compression 'brotli' (known: none, zstd, deflate)");
        assertThatThrownBy(() -> decode(store + ",'compression':null}}")).hasMessage("malformed STORE_RQ: missing compression");
        assertThat(LinkCodec.decode(LinkCodec.encode(new LinkMessage.StoreRq("op", "PACS_B", "CT_A", "1.2", "1.2.3", "1.2.840.10008.1.2"),
                null)).message()).extracting("compression").isEqualTo(PayloadCodec.NONE);
    }

    /** A router from before compression leaves the field out: it means an uncompressed payload, so routers upgrade one at a time. */
    @Test void aStoreOrInstanceFrameFromARouterWithoutCompressionIsReadAsUncompressedAndAnUncompressedOneOmitsTheField() throws Exception {
        String store = "{'type':'STORE_RQ','blob':'blob-0123456789abcdef','message':{'operationId':'op','calledAe':'PACS_B',"
                + "'callingAe':'CT_A','sopClassUid':'1.2','sopInstanceUid':'1.2.3','transferSyntaxUid':'1.2.840.10008.1.2'}}";
        assertThat(decode(store).message()).extracting("compression").isEqualTo(PayloadCodec.NONE);
        String instance = "{'type':'INSTANCE','blob':'blob-0123456789abcdef','message':{'operationId':'op','sopClassUid':'1.2',"
                + "'sopInstanceUid':'1.2.3','transferSyntaxUid':'1.2.840.10008.1.2','remaining':4}}";
        assertThat(decode(instance).message()).extracting("compression").isEqualTo(PayloadCodec.NONE);
        assertThatThrownBy(() -> decode(store.replace(",'sopInstanceUid':'1.2.3'", ""))).hasMessageContaining("sopInstanceUid");
        // And an uncompressed frame leaves the field out, so that an older router reads it.
        assertThat(new String(LinkCodec.encode(new LinkMessage.StoreRq("op", "PACS_B", "CT_A", "1.2", "1.2.3", "1.2.840.10008.1.2"), null),
                StandardCharsets.UTF_8)).doesNotContain("compression");
    }

    /**
     * Issue 11, the per-study timeline: router B's received and stored times ride in its STORE answer,
     * alone and in a batch; a STORE_RSP without them (an older router B) still decodes, with null times,
     * and an answer without times is written as an older router wrote it.
     */
    @Test void routerBsTimesTravelInTheStoreAnswerAndAnAnswerWithoutThemStillDecodes() throws Exception {
        LinkMessage.StoreRsp timed = new LinkMessage.StoreRsp("op-2", 0x0000, null, null, 1_764_918_000_123L, 1_764_918_000_456L);
        assertThat(LinkCodec.decode(LinkCodec.encode(timed, null)).message()).isEqualTo(timed);
        LinkMessage.StoreRspBatch batch = new LinkMessage.StoreRspBatch("batch-1", List.of(timed, new LinkMessage.StoreRsp("op-3", 0xA700, "busy", null)));
        assertThat(LinkCodec.decode(LinkCodec.encode(batch, null)).message()).isEqualTo(batch);

        String untimed = new String(LinkCodec.encode(new LinkMessage.StoreRsp("op-4", 0x0000, null, null), null), StandardCharsets.UTF_8);
        assertThat(untimed).doesNotContain("receivedAtMillis").doesNotContain("storedAtMillis");

        LinkMessage older = decode("{'type':'STORE_RSP','blob':null,'message':{'operationId':'op-5','status':0,'error':null,'failure':null}}").message();
        assertThat(older).isEqualTo(new LinkMessage.StoreRsp("op-5", 0x0000, null, null, null, null));
        LinkMessage olderBatch = decode("{'type':'STORE_RSP_BATCH','blob':null,'message':{'operationId':'b','answers':"
                + "[{'operationId':'op-6','status':0,'error':null,'failure':null}]}}").message();
        assertThat(((LinkMessage.StoreRspBatch) olderBatch).answers()).containsExactly(new LinkMessage.StoreRsp("op-6", 0, null, null));
        assertThatThrownBy(() -> decode("{'type':'STORE_RSP','blob':null,'message':{'operationId':'op-7','status':0,'error':null,"
                + "'failure':null,'receivedAtMillis':'yesterday'}}")).hasMessageStartingWith("malformed STORE_RSP");
    }

    @Test void anUnknownTypeIsRefusedAndTheBlobItNamedIsKnown() {
        assertThatThrownBy(() -> decode("{'type':'STORE_RQ_V3','blob':'blob-0123456789abcdef','message':{}}"))
                .isInstanceOfSatisfying(LinkCodec.MalformedMessageException.class, e -> assertThat(e.blob()).isEqualTo("blob-0123456789abcdef"))
                .hasMessage("unknown message type 'STORE_RQ_V3'");
    }

    /** Review finding: a name no blob store accepts used to reach the delete retries and hold up every other blob's. */
    @Test void aBlobThatIsNotABlobNameIsRefusedAndNotRemembered() {
        assertThatThrownBy(() -> decode("{'type':'ECHO_RQ','blob':'../x','message':{'operationId':'op','calledAe':'PACS','callingAe':'WS'}}"))
                .isInstanceOfSatisfying(LinkCodec.MalformedMessageException.class, e -> assertThat(e.blob()).isNull())
                .hasMessage("the blob of the message is not a blob name");
    }

    /** Review finding: a C-MOVE that failed 1,200 instances could not send its final answer (over the Bridge's 64 KiB). */
    @Test void aRetrieveAnswerListsAtMostFiveHundredFailedUidsAndStillFitsANotification() throws Exception {
        java.util.List<String> uids = new java.util.ArrayList<>();
        for (int i = 0; i < 5000; i++) uids.add("1.2.826.0.1.3680043.8.498." + (10_000_000_000_000_000L + i) + ".1.1.1.1.1.1");
        LinkMessage.MoveRsp rsp = new LinkMessage.MoveRsp("op", 0xA702, 5000, uids, "PACS refused", Failure.TRANSIENT);
        assertThat(rsp.failed()).isEqualTo(5000);
        assertThat(rsp.failedUids()).hasSize(LinkMessage.RetrieveRsp.MAX_FAILED_UIDS).startsWith(uids.get(0));
        assertThat(LinkCodec.encode(rsp, null).length).isLessThan(48 * 1024);
    }

    @Test void anUnknownFieldIsRefusedInTheMessageAndBesideIt() {
        assertThatThrownBy(() -> decode("{'type':'CANCEL','blob':null,'message':{'operationId':'op','priority':1}}"))
                .hasMessageStartingWith("malformed CANCEL").hasMessageContaining("\"priority\"");
        assertThatThrownBy(() -> decode("{'type':'CANCEL','blob':null,'fields':{},'message':{'operationId':'op'}}"))
                .hasMessage("unknown field 'fields' in the message");
    }

    @Test void aMissingOrEmptyRequiredValueIsRefusedByName() {
        assertThatThrownBy(() -> decode("{'type':'ECHO_RQ','blob':null,'message':{'operationId':'op','calledAe':'PACS','callingAe':''}}"))
                .hasMessage("malformed ECHO_RQ: missing callingAe");
        assertThatThrownBy(() -> decode("{'type':'ECHO_RQ','blob':null,'message':{'operationId':'op','calledAe':'PACS'}}"))
                .hasMessageStartingWith("malformed ECHO_RQ").hasMessageContaining("callingAe");
    }

    @Test void aMissingStatusIsRefusedNotReadAsSuccess() {
        assertThatThrownBy(() -> decode("{'type':'STORE_RSP','blob':null,'message':{'operationId':'op','error':null,'failure':null}}"))
                .hasMessageStartingWith("malformed STORE_RSP").hasMessageContaining("status");
        assertThatThrownBy(() -> decode("{'type':'STORE_RSP','blob':null,'message':{'operationId':'op','status':'0','error':null,'failure':null}}"))
                .hasMessageStartingWith("malformed STORE_RSP");
    }

    @Test void anUnknownFailureWordIsRefused() {
        assertThatThrownBy(() -> decode("{'type':'STORE_RSP','blob':null,'message':{'operationId':'op','status':42752,'error':'x','failure':'maybe'}}"))
                .hasMessageStartingWith("malformed STORE_RSP").hasMessageContaining("maybe");
    }

    @Test void notJsonOrNotAnObjectIsRefused() {
        assertThatThrownBy(() -> LinkCodec.decode("not json".getBytes(StandardCharsets.UTF_8))).hasMessageStartingWith("the message is not JSON");
        assertThatThrownBy(() -> decode("['CANCEL']")).hasMessage("the message is not a JSON object");
        assertThatThrownBy(() -> decode("{'type':'CANCEL','blob':null}")).hasMessage("CANCEL has no message object");
    }

    private static LinkCodec.Decoded decode(String singleQuoted) throws Exception {
        return LinkCodec.decode(singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
    }
}
