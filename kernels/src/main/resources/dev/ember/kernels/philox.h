/*
 * philox.h - Philox-4x32-10 counter-based random numbers (Salmon et al., SC 2011), the device
 * twin of dev.ember.runtime.Philox. Element i of the stream keyed by the 64-bit seed takes word
 * i % 4 of the block with counter (lo32(i / 4), hi32(i / 4), 0, 0) and key (lo32(seed), hi32(seed));
 * its uniform is (bits >> 8) * 2^-24, exact in float32, so every backend draws the same numbers.
 * Include after ember_common.h. No tunables.
 */
#ifndef EMBER_PHILOX_H
#define EMBER_PHILOX_H

#define EMBER_PHILOX_M0 0xD2511F53u
#define EMBER_PHILOX_M1 0xCD9E8D57u
#define EMBER_PHILOX_W0 0x9E3779B9u
#define EMBER_PHILOX_W1 0xBB67AE85u

/* One Philox-4x32-10 block; c[0..3] is the counter in and the four random words out. */
INLINE void ember_philox_block(ember_u32 *c, ember_u32 k0, ember_u32 k1) {
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += EMBER_PHILOX_W0;
            k1 += EMBER_PHILOX_W1;
        }
        ember_u32 hi0 = EMBER_MULHI32(EMBER_PHILOX_M0, c[0]);
        ember_u32 lo0 = EMBER_PHILOX_M0 * c[0];
        ember_u32 hi1 = EMBER_MULHI32(EMBER_PHILOX_M1, c[2]);
        ember_u32 lo1 = EMBER_PHILOX_M1 * c[2];
        ember_u32 n0 = hi1 ^ c[1] ^ k0;
        ember_u32 n2 = hi0 ^ c[3] ^ k1;
        c[0] = n0;
        c[1] = lo1;
        c[2] = n2;
        c[3] = lo0;
    }
}

/* Uniform float in [0, 1) from the top 24 bits of a random word. */
INLINE float ember_philox_uniform(ember_u32 bits) {
    return (float)(bits >> 8) * 5.9604644775390625e-8f; /* 2^-24 */
}

#endif /* EMBER_PHILOX_H */
