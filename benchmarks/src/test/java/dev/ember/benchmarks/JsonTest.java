package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void roundTripsNestedValuesAndEscapes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a \"q\" \\ \n\t\u0001 é");
        m.put("n", 1.5e-7);
        m.put("i", 42.0);
        m.put("b", true);
        m.put("z", null);
        m.put("l", List.of(1.0, "x", List.of()));
        m.put("nan", Double.NaN);
        Map<String, Object> back = Json.object(Json.parse(Json.write(m)), "test");
        assertEquals(m.get("s"), back.get("s"));
        assertEquals(1.5e-7, (Double) back.get("n"), 0);
        assertEquals(42L, back.get("i")); // whole numbers are written without a fraction and read back as Long
        assertEquals(42.0, Json.number(back.get("i")), 0);
        assertEquals(true, back.get("b"));
        assertNull(back.get("z"));
        assertEquals(List.of(1L, "x", List.of()), back.get("l"));
        assertNull(back.get("nan")); // non-finite numbers are written as null
        assertTrue(Json.write(m).contains("\"i\": 42"));
    }

    @Test
    void numbersMayBeStringsAsJmhWritesNaN() {
        assertTrue(Double.isNaN(Json.number("NaN")));
        assertEquals(2.5, Json.number("2.5"), 0);
        assertTrue(Double.isNaN(Json.number(null)));
        assertEquals("\u00e9", Json.parse("\"\\u00e9\""));
    }

    @Test
    void rejectsMalformedText() {
        for (String bad : new String[] {"", "{", "[1,]", "{\"a\" 1}", "\"open", "[1] x", "tru"}) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
    }
}
