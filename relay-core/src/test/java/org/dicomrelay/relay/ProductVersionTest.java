package org.dicomrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The version a router tells the Bridge (issue 11: the Bridge console lists each router's version). */
class ProductVersionTest {
    @Test void aRoutersUserAgentNamesItsVersionAndNothingElseIsTakenForOne() {
        assertThat(ProductVersion.ofUserAgent(ProductVersion.userAgent())).isNotNull();
        assertThat(ProductVersion.ofUserAgent("dicom-relay/0.1.0-SNAPSHOT")).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(ProductVersion.ofUserAgent("Java-http-client/17.0.15")).isNull();
        assertThat(ProductVersion.ofUserAgent("dicom-relay/<script>")).as("shown in a page: only a version's characters").isNull();
        assertThat(ProductVersion.ofUserAgent(null)).isNull();
    }
}
