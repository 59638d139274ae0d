package dev.ember.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Seeds.mix is SplitMix64's output function, so derived seeds (dropout masks, shuffles) stay what runs were made with. */
class SeedsTest {
    @Test
    void mixGivesSplitMix64sPublishedOutputs() {
        // SplitMix64 from state 0: the state advances by the golden gamma before each output
        long gamma = 0x9E3779B97F4A7C15L;
        assertEquals(0xE220A8397B1DCDAFL, Seeds.mix(0));
        assertEquals(0x6E789E6AA1B965F4L, Seeds.mix(gamma));
        assertEquals(0x06C45D188009454FL, Seeds.mix(2 * gamma));
    }

    @Test
    void deriveMixesSeedStreamAndItemInTurn() {
        long[][] cases = {{0, 0xD50, 0}, {7, 0xD0, 3}, {-1, 0x5AFF, 1L << 40}};
        for (long[] c : cases) {
            assertEquals(Seeds.mix(Seeds.mix(Seeds.mix(c[0]) ^ c[1]) ^ c[2]), Seeds.derive(c[0], c[1], c[2]));
        }
    }
}
