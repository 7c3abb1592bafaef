package org.dicomrelay.dicom.json;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.math.BigDecimal;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** IS/DS text (PS3.5 Table 6.2-1) becomes a valid JSON number (RFC 8259 §6) of the same value. */
class JsonDecimalTextTest {

    private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    @Provide Arbitrary<String> decimalStrings() {
        Arbitrary<String> sign = Arbitraries.of("", "+", "-");
        Arbitrary<String> digits = Arbitraries.strings().numeric().ofMinLength(0).ofMaxLength(6);
        Arbitrary<String> exponent = Arbitraries.of("", "e5", "E-2", "e+03", "E0");
        return Combinators.combine(sign, digits, Arbitraries.of("", "."), digits, exponent)
                .as((s, w, dot, f, e) -> s + w + dot + (dot.isEmpty() ? "" : f) + e)
                .filter(v -> v.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?"));
    }

    @Property void everyDecimalStringBecomesAnEqualJsonNumber(@ForAll("decimalStrings") String ds) {
        String json = DecimalText.toJsonNumber(ds, false);
        assertThat(json).matches(JSON_NUMBER);
        assertThat(new BigDecimal(json)).isEqualByComparingTo(new BigDecimal(ds));
    }

    @Property void everyIntegerStringBecomesAnEqualJsonInteger(@ForAll("integerStrings") String is) {
        String json = DecimalText.toJsonNumber(is, true);
        assertThat(json).matches("-?(0|[1-9][0-9]*)");
        assertThat(new BigDecimal(json)).isEqualByComparingTo(new BigDecimal(is));
    }

    @Provide Arbitrary<String> integerStrings() {
        return Combinators.combine(Arbitraries.of("", "+", "-"), Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(10))
                .as((s, d) -> s + d);
    }

    @Property void textThatIsNoNumberIsLeftAsAString(@ForAll("junk") String junk) {
        assertThat(DecimalText.toJsonNumber(junk, false)).isNull();
        assertThat(DecimalText.toJsonNumber(junk, true)).isNull();
    }

    @Provide Arbitrary<String> junk() {
        return Arbitraries.of("", ".", "+", "-", "1A", "NaN", "Infinity", "0x10", "1e", "1.2.3", "1 2", "--1");
    }

    @Property void jsonNumbersAlwaysFitInADecimalString(@ForAll("jsonNumbers") String n) {
        String ds = DecimalText.toDecimalString(new JsonNumber(n));
        assertThat(ds.length()).isLessThanOrEqualTo(16);
        BigDecimal original = new BigDecimal(n);
        if (n.length() <= 16) assertThat(ds).isEqualTo(n);
        else assertThat(new BigDecimal(ds).subtract(original).abs())
                .isLessThanOrEqualTo(original.abs().multiply(new BigDecimal("1e-8")).max(new BigDecimal("1e-300")));
    }

    @Provide Arbitrary<String> jsonNumbers() {
        return Arbitraries.doubles().between(-1e300, 1e300).map(d -> new BigDecimal(d).toString())
                .filter(s -> JSON_NUMBER.matcher(s).matches());
    }
}
