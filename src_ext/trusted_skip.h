/* The skip of a container no rule path enters, for events whose producer the caller trusts
   (opt-in, never the default: `ScanTable.trust_skipped`): only the container's end is found,
   as quamina's skipBlock finds it (https://github.com/timbray/quamina, flatten_json.go), and
   nothing inside it is validated (neither grammar, nor numbers, nor depth). Only in a plain
   event (no backslash, no control byte, no byte from 0x80: its quote index exists), where a
   string ends at its next quote; any other event takes the validating skip.

   A 64-byte block at a time: its brackets by two vector compares ('[' and '{' are '{' with the
   0x20 bit set; ']' and '}' likewise '}'), those inside strings dropped by the prefix-xor of
   the quote bits. While the block holds fewer closing brackets than the depth, it cannot end
   the container: the depth moves by the two popcounts and the next block comes; else its
   brackets are walked in order until the depth is 0.

     bytes    { " a ] " : [ 1 , [ 2 ] ] }
     string     1 1 1 0                      (prefix-xor of the quotes)
     open     1           1     1            (outside strings)
     close                        1 1 1      depth 1 2 3 2 1 0: the end

   What trust means: an event whose skipped part is invalid JSON or too deep (orjson refuses
   both) is matched on the rest instead of refused. A valid event is read exactly as the
   validating skip reads it: a container that may hold a number no double holds (its note
   decides how the rule paths' integers are read) is handed to the validating skip. The rule
   paths are read and checked as always; and any input, trusted or not, is read within its
   bounds (a container that never closes: -1, the slow road).

   Reads: buf[i:n] (the last partial block through a copy padded with spaces) and the quote
   index of the blocks it visits. Gives: an index, and a bound on the nesting met. State: none
   but `patterns_simd` (quote_index.h), written once at import. */
#ifndef PATTERNS_TRUSTED_SKIP_H
#define PATTERNS_TRUSTED_SKIP_H

#include <Python.h> /* Py_ssize_t */
#include <stdint.h>
#include <string.h>

#include "bits.h"
#include "quote_index.h"

#if PATTERNS_HAVE_QUOTE_INDEX
#define PATTERNS_HAVE_TRUSTED_SKIP 1

PATTERNS_ALWAYS_INLINE int patterns_popcount64(uint64_t x) {
#if defined(_MSC_VER)
    return (int)__popcnt64(x);
#else
    return __builtin_popcountll(x);
#endif
}

/* In-string bits from quote bits: bit i set when an odd number of quotes lie at or below i. */
PATTERNS_ALWAYS_INLINE uint64_t patterns_prefix_xor(uint64_t x) {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

/* A block's opening and closing brackets, its digits and its 'e'/'E' bytes, SSE2. (A digit:
   byte - '0' below 10, unsigned: min(x, 9) == x.) */
static inline uint64_t patterns_brackets_sse2(const unsigned char* p, uint64_t* closes, uint64_t* digits,
                                              uint64_t* exps) {
    const __m128i lower = _mm_set1_epi8(0x20), open = _mm_set1_epi8(0x7B), close = _mm_set1_epi8(0x7D);
    const __m128i e = _mm_set1_epi8('e'), zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
    uint64_t o = 0, c = 0, d = 0, x = 0;
    int k;
    for (k = 0; k < 4; k++) {
        __m128i raw = _mm_loadu_si128((const __m128i*)(p + 16 * k));
        __m128i v = _mm_or_si128(raw, lower), z = _mm_sub_epi8(raw, zero);
        o |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, open)) << (16 * k);
        c |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, close)) << (16 * k);
        x |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, e)) << (16 * k);
        d |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(z, nine), z)) << (16 * k);
    }
    *closes = c;
    *digits = d;
    *exps = x;
    return o;
}

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
/* The same with AVX2 where the CPU has it, and the prefix-xor as one carry-less multiply by
   all ones (every AVX2 CPU has PCLMULQDQ): one call per block for both. */
#include <wmmintrin.h>
__attribute__((target("avx2,pclmul")))
static uint64_t patterns_brackets_avx2(const unsigned char* p, uint64_t quotes, uint64_t* closes, uint64_t* digits,
                                       uint64_t* exps, uint64_t* string) {
    const __m256i lower = _mm256_set1_epi8(0x20), open = _mm256_set1_epi8(0x7B), close = _mm256_set1_epi8(0x7D);
    const __m256i e = _mm256_set1_epi8('e'), zero = _mm256_set1_epi8('0'), nine = _mm256_set1_epi8(9);
    __m256i r0 = _mm256_loadu_si256((const __m256i*)p), r1 = _mm256_loadu_si256((const __m256i*)(p + 32));
    __m256i v0 = _mm256_or_si256(r0, lower), v1 = _mm256_or_si256(r1, lower);
    __m256i z0 = _mm256_sub_epi8(r0, zero), z1 = _mm256_sub_epi8(r1, zero);
    *string = (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(_mm_set_epi64x(0, (long long)quotes), _mm_set1_epi8(-1), 0));
    *closes = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, close))
              | ((uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v1, close)) << 32);
    *exps = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, e))
            | ((uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v1, e)) << 32);
    *digits = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(z0, nine), z0))
              | ((uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(z1, nine), z1)) << 32);
    return (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, open))
           | ((uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v1, open)) << 32);
}
#define PATTERNS_TRUSTED_WIDE 1
#else
#define PATTERNS_TRUSTED_WIDE 0
#endif

/* buf[i] is '{' or '[' of a value no rule path enters, in a plain event whose quote index is
   qbits ((n + 63) / 64 words and one more, zero). Returns the index after its end, and in
   *max_depth a bound on the nesting met (1: the container alone); -1 when the buffer ends
   first; -2 when the container may hold a number no double holds (an exponent: an 'e' after
   a digit; or 64 digits in a row), which the validating skip then reads, so that the event is
   read as the slow road reads it (that note decides how integers on rule paths are read). */
/* The skip's body, inlined into one function per instruction set (below): `wide` selects the
   AVX2 block function, and in the AVX2 twin the popcounts compile to the POPCNT instruction
   (every AVX2 CPU has it) where the baseline build calls libgcc's bit-twiddling routine. */
PATTERNS_ALWAYS_INLINE Py_ssize_t patterns_trusted_skip_body(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i,
                                                             const uint64_t* qbits, Py_ssize_t* max_depth,
                                                             int wide) {
    unsigned char tail[64];
    const unsigned char* p;
    Py_ssize_t b = i >> 6, blocks = (n + 63) >> 6, depth = 0, deepest = 0;
    uint64_t from = ~0ULL << (i & 63), in_string = 0, quotes, string, opens, closes, bit, digits, exps;
    uint64_t last_digit = 0;
    int n_closes;
    for (; b < blocks; b++, from = ~0ULL) {
        p = buf + (b << 6);
        if ((b << 6) + 64 > n) { /* the last bytes: a copy padded with spaces (no bracket) */
            memset(tail, ' ', 64);
            memcpy(tail, p, (size_t)(n - (b << 6)));
            p = tail;
        }
        quotes = qbits[b] & from;
#if PATTERNS_TRUSTED_WIDE
        if (wide) {
            opens = patterns_brackets_avx2(p, quotes, &closes, &digits, &exps, &string);
        } else
#endif
        {
            opens = patterns_brackets_sse2(p, &closes, &digits, &exps);
            string = patterns_prefix_xor(quotes);
        }
        string ^= in_string;
        in_string = (uint64_t)((int64_t)string >> 63); /* all ones when a string goes on */
        opens &= ~string & from;
        closes &= ~string & from;
        digits &= ~string & from;
        if ((exps & ~string & ((digits << 1) | last_digit)) || digits == ~0ULL)
            return -2; /* a number that may overflow a double: the validating skip notes it */
        last_digit = digits >> 63;
        n_closes = patterns_popcount64(closes);
        if (n_closes < depth) { /* the depth stays above 0 through this block */
            if (depth + patterns_popcount64(opens) > deepest)
                deepest = depth + patterns_popcount64(opens);
            depth += patterns_popcount64(opens) - n_closes;
            continue;
        }
        for (opens |= closes; opens; opens &= opens - 1) { /* opens: now every bracket */
            bit = opens & (0 - opens);
            if (closes & bit) {
                if (--depth == 0) {
                    *max_depth = deepest;
                    return (b << 6) + patterns_ctz64(bit) + 1;
                }
            } else if (++depth > deepest) {
                deepest = depth;
            }
        }
    }
    (void)wide;
    return -1;
}

#if PATTERNS_TRUSTED_WIDE
__attribute__((target("avx2,pclmul,popcnt")))
static Py_ssize_t patterns_trusted_skip_avx2(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i,
                                             const uint64_t* qbits, Py_ssize_t* max_depth) {
    return patterns_trusted_skip_body(buf, n, i, qbits, max_depth, 1);
}
#endif
static Py_ssize_t patterns_trusted_skip_sse2(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i,
                                             const uint64_t* qbits, Py_ssize_t* max_depth) {
    return patterns_trusted_skip_body(buf, n, i, qbits, max_depth, 0);
}

/* buf[i] is '{' or '[' of a value no rule path enters: see `patterns_trusted_skip_body`, in the
   widest twin the CPU has (`patterns_simd`, set once at import). */
static Py_ssize_t patterns_trusted_skip(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i,
                                        const uint64_t* qbits, Py_ssize_t* max_depth) {
#if PATTERNS_TRUSTED_WIDE
    if (patterns_simd >= 1) return patterns_trusted_skip_avx2(buf, n, i, qbits, max_depth);
#endif
    return patterns_trusted_skip_sse2(buf, n, i, qbits, max_depth);
}
#else
#define PATTERNS_HAVE_TRUSTED_SKIP 0
static Py_ssize_t patterns_trusted_skip(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i,
                                        const uint64_t* qbits, Py_ssize_t* max_depth) {
    (void)buf; (void)n; (void)i; (void)qbits; (void)max_depth; return -1;
}
#endif

#endif /* PATTERNS_TRUSTED_SKIP_H */
