/* Word-level helpers the other headers and the stages of _match_c.pyx share: SWAR constants
   (SIMD within a register: one 64-bit word read as 8 bytes), a 64 x 64 -> 128-bit multiply, and
   bit scans, portable across GCC, clang and MSVC and both byte orders.

   Reads nothing and keeps no state: every function is pure. */
#ifndef PATTERNS_BITS_H
#define PATTERNS_BITS_H

#include <stdint.h>

#define PATTERNS_ONES 0x0101010101010101ULL  /* 0x01 in every byte of a word */
#define PATTERNS_HIGHS 0x8080808080808080ULL /* the high bit of every byte */

/* A function the compiler must inline (the scanner's key lookup; the trusted skip's body, into
   one twin per instruction set, so its popcounts compile to the twin's instructions). */
#if defined(_MSC_VER)
#define PATTERNS_ALWAYS_INLINE static __forceinline
#elif defined(__GNUC__) || defined(__clang__)
#define PATTERNS_ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define PATTERNS_ALWAYS_INLINE static inline
#endif

/* a * b, 128 bits: the low word returned, the high one in *hi. */
static inline uint64_t patterns_mul128(uint64_t a, uint64_t b, uint64_t* hi) {
#if defined(__SIZEOF_INT128__)
    __uint128_t r = (__uint128_t)a * b;
    *hi = (uint64_t)(r >> 64);
    return (uint64_t)r;
#else
    uint64_t ha = a >> 32, la = (uint32_t)a, hb = b >> 32, lb = (uint32_t)b;
    uint64_t rh = ha * hb, rm0 = ha * lb, rm1 = hb * la, rl = la * lb, t = rl + (rm0 << 32);
    uint64_t c = t < rl, lo = t + (rm1 << 32);
    c += lo < t;
    *hi = rh + (rm0 >> 32) + (rm1 >> 32) + c;
    return lo;
#endif
}

/* Index of the lowest set bit of a non-zero word; count of the zero bits above its highest. */
#if defined(_MSC_VER)
#include <intrin.h>
static inline int patterns_ctz64(unsigned long long x) { unsigned long i; _BitScanForward64(&i, x); return (int)i; }
static inline int patterns_clz64(unsigned long long x) { unsigned long i; _BitScanReverse64(&i, x); return 63 - (int)i; }
#else
static inline int patterns_ctz64(unsigned long long x) { return __builtin_ctzll(x); }
static inline int patterns_clz64(unsigned long long x) { return __builtin_clzll(x); }
#endif

/* The first flagged byte (in memory order) of a word whose flagged bytes have their high bit
   set: its lowest set bit on a little-endian machine, its highest on a big-endian one. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static inline int patterns_first_byte(unsigned long long x) { return __builtin_clzll(x) >> 3; }
#else
static inline int patterns_first_byte(unsigned long long x) { return patterns_ctz64(x) >> 3; }
#endif

#endif /* PATTERNS_BITS_H */
