package dev.ember.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesAllValueKinds() {
        Object v = Json.parse(" {\"a\": [1, -2.5e1, true, false, null, \"x\\u00e9\\n\\\"\\/\"], \"b\": {}, "
                + "\"c\": 12345678901234567890, \"d\": 0} ");
        Map<?, ?> m = (Map<?, ?>) v;
        List<?> a = (List<?>) m.get("a");
        assertEquals(1L, a.get(0));
        assertEquals(-25.0, a.get(1));
        assertEquals(true, a.get(2));
        assertNull(a.get(4));
        assertEquals("xé\n\"/", a.get(5));
        assertEquals(new BigInteger("12345678901234567890"), m.get("c"));
        assertEquals(List.of("a", "b", "c", "d"), List.copyOf(m.keySet()));
    }

    @Test
    void rejectsMalformedInput() {
        for (String bad : new String[] {"", "{", "{\"a\":}", "[1,]", "01", "1.", "\"abc", "{\"a\":1}x", "tru",
                "{\"a\":1,\"a\":2}", "\"\\q\"", "\"\u0001\"", "[".repeat(1000),
                // a \\u escape is exactly four hex digits (Integer.parseInt took a sign); surrogates come in pairs
                "\"\\u+123\"", "\"\\u-123\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\ud800\\u0041\""}) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
    }

    @Test
    void writesCompactEscapedJsonThatParsesBack() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "q\"\\\n\u0002é/");
        m.put("n", List.of(1, 2.5, 0.1f));
        m.put("shape", new int[] {3, 4});
        m.put("z", null);
        String s = Json.write(m);
        assertEquals("{\"s\":\"q\\\"\\\\\\n\\u0002é/\",\"n\":[1,2.5,0.1],\"shape\":[3,4],\"z\":null}", s);
        Map<?, ?> back = (Map<?, ?>) Json.parse(s);
        assertEquals(m.get("s"), back.get("s"));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertEquals("[1,-9000000000]", Json.write(new long[] {1, -9_000_000_000L}));
        assertEquals("[0.5,0.1]", Json.write(new float[] {0.5f, 0.1f}));
    }

    /** Found by fuzzing: a megabyte-long number in a header is refused at once, not parsed for minutes. */
    @Test
    void overlongNumbersAreRefusedQuickly() {
        String doc = "{\"shape\":[" + "1".repeat(1_000_000) + "]}";
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Json.parse(doc));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("1000000 characters"), e.getMessage());
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().length() < 200, "the message does not repeat it");
        });
    }

    /** Whitespace may stand around every token (RFC 8259), as other writers of safetensors headers put it. */
    @Test
    void whitespaceAroundEveryToken() {
        String ws = " \t\r\n";
        Map<?, ?> m = (Map<?, ?>) Json.parse("{" + ws + "\"a\"" + ws + ":" + ws + "[" + ws + "1" + ws + "," + ws + "2" + ws
                + "]" + ws + "," + ws + "\"b\"" + ws + ":" + ws + "{" + ws + "}" + ws + "," + ws + "\"c\":[" + ws + "]"
                + ws + "}");
        assertEquals(List.of(1L, 2L), m.get("a"));
        assertEquals(Map.of(), m.get("b"));
        assertEquals(List.of(), m.get("c"));
    }

    /** The limits are exact: 256 levels of arrays or objects and 400-character numbers are read, one more is not. */
    @Test
    void nestingAndNumberLimitsAreExact() {
        for (String[] brackets : new String[][] {{"[", "]"}, {"{\"k\":", "}"}}) {
            Object v = Json.parse(brackets[0].repeat(256) + "7" + brackets[1].repeat(256));
            for (int i = 0; i < 256; i++) {
                v = v instanceof List<?> l ? l.get(0) : ((Map<?, ?>) v).get("k");
            }
            assertEquals(7L, v);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Json.parse(brackets[0].repeat(257) + "7" + brackets[1].repeat(257)));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("nesting deeper than 256"), e.getMessage());
        }
        assertEquals(new BigInteger("9".repeat(400)), Json.parse("9".repeat(400)));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("9".repeat(401)));
    }

    /** Hex digits a-f and A-F in \\u escapes; an escape cut short by the end of input is bad input. */
    @Test
    void unicodeEscapesTakeEveryHexDigit() {
        assertEquals("\u00ff\u0AFa\uFFFD", Json.parse("\"\\u00ff\\u0AFa\\uFFFD\""));
        for (String cut : new String[] {"\"\\u12", "\"\\u", "\"\\ud83d\\ude"}) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(cut), cut);
        }
        assertEquals("\"a b\\u001f\"", Json.quote("a b\u001f"));
    }
}
