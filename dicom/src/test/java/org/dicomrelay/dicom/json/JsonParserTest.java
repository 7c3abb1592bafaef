package org.dicomrelay.dicom.json;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hand-written parser accepts RFC 8259 JSON and nothing else. */
class JsonParserTest {

    private static Object parse(String json) throws IOException {
        return new JsonParser(new StringReader(json), 64).parseDocument();
    }

    @Test void parsesAllValueKindsKeepingNumberText() throws IOException {
        Object v = parse(" {\"a\": [1, -0.50, 2E+3, true, false, null, \"x\"], \"b\": {}} ");
        assertThat(v).isEqualTo(Map.of("a", java.util.Arrays.asList(new JsonNumber("1"), new JsonNumber("-0.50"),
                new JsonNumber("2E+3"), true, false, null, "x"), "b", Map.of()));
    }

    @Test void decodesEscapesAndSurrogatePairs() throws IOException {
        assertThat(parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"")).isEqualTo("\"\\/\b\f\n\r\té\uD83D\uDE00");
    }

    @Test void keepsMemberOrder() throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) parse("{\"z\":1,\"a\":2}");
        assertThat(List.copyOf(m.keySet())).containsExactly("z", "a");
    }

    @Test void refusesWhatRfc8259Forbids() {
        for (String bad : List.of("01", "1.", ".5", "+1", "-", "1e", "NaN", "[1,]", "{\"a\":1,}", "{a:1}", "'x'",
                "\"tab\there\"", "\"\\x\"", "\"\\u12\"", "[1] 2", "", "tru", "\"open")) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(DicomJsonException.class).hasMessageStartingWith("at character");
        }
    }

    @Test void refusesDuplicateMemberNames() {
        assertThatThrownBy(() -> parse("{\"a\":1,\"a\":2}")).hasMessageContaining("duplicate member name \"a\"");
    }

    @Test void reportsTheOffsetOfTheOffendingCharacter() {
        assertThatThrownBy(() -> parse("[1, 2 3]")).isInstanceOfSatisfying(DicomJsonException.class,
                e -> assertThat(e.offset()).isEqualTo(6));
    }

    @Test void boundsNestingOfObjectsAndArraysAlike() {
        assertThatThrownBy(() -> parse("{\"a\":".repeat(65) + "1" + "}".repeat(65))).hasMessageContaining("limit of 64");
        assertThatThrownBy(() -> parse("[".repeat(65) + "]".repeat(65))).hasMessageContaining("limit of 64");
    }
}
