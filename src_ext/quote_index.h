/* The quote index of a plain JSON event, by SIMD: one bit per byte, set on each '"', 64 bytes
   a block, as simdjson's stage 1 builds its quote bitmap (G. Langdale and D. Lemire, "Parsing
   Gigabytes of JSON per Second", VLDB Journal 28, 2019; https://github.com/simdjson/simdjson,
   src/generic/stage1/), reduced to events without escapes, so no backslash runs to resolve.
   The byte scanner (_scan.pxi, `_str_end`) reads a string's end from it. One block function
   per instruction set (SSE2, AVX2, AVX-512BW), one driver (`PATTERNS_QUOTE_INDEX_WITH`), and
   the choice among them by what the CPU says it has (`patterns_detect_cpu`, once, at import).

   Reads: the caller's buffer, buf[i:n], never past n. Gives: the caller's words. State: the
   choice of instruction set, written once at import, before any scan, then only read. */
#ifndef PATTERNS_QUOTE_INDEX_H
#define PATTERNS_QUOTE_INDEX_H

#include <Python.h> /* Py_ssize_t */
#include <stdint.h>
#include <string.h>

/* The quote index of a plain event: bit i of bits[i / 64] is set when buf[i] is '"'.
   "Plain": no backslash, no byte below 0x20 and none above 0x7F anywhere (compact or
   space-separated ASCII JSON, most events). In such an event every string is ASCII
   without control bytes or escapes, so a string's closing quote is simply the next quote:
   the scanner reads string ends from the index instead of scanning their bytes. From byte
   i (a multiple of 64; the words before it are the caller's): returns 1 and fills
   bits[i / 64 : (n + 63) / 64] (bits past n clear) when buf[i:n] is plain; 0 otherwise,
   as soon as a block shows it is not (the caller then scans strings byte by byte, as
   before). SSE2, which every x86-64 has, 64 bytes per block (AVX2 or AVX-512BW where the
   CPU has them, below); elsewhere 0 (the byte-by-byte road). */
#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define PATTERNS_HAVE_QUOTE_INDEX 1
/* One 64-byte block: its quote bits; *bad set when it holds a byte that is not plain. */
static inline uint64_t patterns_block_bits_sse2(const unsigned char* p, int* bad) {
    const __m128i q = _mm_set1_epi8(0x22), b = _mm_set1_epi8(0x5C), c = _mm_set1_epi8(0x20);
    __m128i not_plain = _mm_setzero_si128();
    uint64_t m = 0;
    int k;
    for (k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i*)(p + 16 * k));
        m |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, q)) << (16 * k);
        /* signed compare: bytes below 0x20 and bytes from 0x80 (negative) are both "below" */
        not_plain = _mm_or_si128(not_plain, _mm_or_si128(_mm_cmpeq_epi8(v, b), _mm_cmplt_epi8(v, c)));
    }
    *bad = _mm_movemask_epi8(not_plain) != 0;
    return m;
}
/* The index over whole blocks, then the last bytes padded with spaces (plain, and no
   quote), one block function per instruction set. */
#define PATTERNS_QUOTE_INDEX_WITH(BLOCK)                                \
    unsigned char tail[64];                                             \
    Py_ssize_t w = i >> 6;                                              \
    int bad = 0;                                                        \
    for (; i + 64 <= n; i += 64) {                                      \
        bits[w++] = BLOCK(buf + i, &bad);                               \
        if (bad) return 0;                                              \
    }                                                                   \
    if (i < n) {                                                        \
        memset(tail, 0x20, 64);                                         \
        memcpy(tail, buf + i, (size_t)(n - i));                         \
        bits[w++] = BLOCK(tail, &bad);                                  \
        if (bad) return 0;                                              \
    }                                                                   \
    return 1;
static int patterns_quote_index_sse2(const unsigned char* buf, Py_ssize_t n, uint64_t* bits, Py_ssize_t i) {
    PATTERNS_QUOTE_INDEX_WITH(patterns_block_bits_sse2)
}
/* The same with AVX2 (32 bytes a step) and AVX-512BW (64), on a CPU that has them: GCC and
   clang compile these for those instructions whatever the build's flags, and
   `patterns_quote_index` takes the widest the CPU says it has (`patterns_detect_cpu`,
   once, at import). */
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx2")))
static inline uint64_t patterns_block_bits_avx2(const unsigned char* p, int* bad) {
    const __m256i q = _mm256_set1_epi8(0x22), b = _mm256_set1_epi8(0x5C), c = _mm256_set1_epi8(0x20);
    __m256i v0 = _mm256_loadu_si256((const __m256i*)p), v1 = _mm256_loadu_si256((const __m256i*)(p + 32));
    /* signed compare: bytes below 0x20 and bytes from 0x80 (negative) are both "below" */
    __m256i not_plain = _mm256_or_si256(
        _mm256_or_si256(_mm256_cmpeq_epi8(v0, b), _mm256_cmpgt_epi8(c, v0)),
        _mm256_or_si256(_mm256_cmpeq_epi8(v1, b), _mm256_cmpgt_epi8(c, v1)));
    *bad = !_mm256_testz_si256(not_plain, not_plain);
    return (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, q))
           | ((uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v1, q)) << 32);
}
__attribute__((target("avx2")))
static int patterns_quote_index_avx2(const unsigned char* buf, Py_ssize_t n, uint64_t* bits, Py_ssize_t i) {
    PATTERNS_QUOTE_INDEX_WITH(patterns_block_bits_avx2)
}
/* And with AVX-512BW, 64 bytes a step: one compare gives a block's quote bits, and the
   last bytes come in by a masked load (the lanes past n read as spaces, never touched). */
__attribute__((target("avx512f,avx512bw")))
static int patterns_quote_index_avx512(const unsigned char* buf, Py_ssize_t n, uint64_t* bits, Py_ssize_t i) {
    const __m512i q = _mm512_set1_epi8(0x22), b = _mm512_set1_epi8(0x5C), c = _mm512_set1_epi8(0x20);
    Py_ssize_t w = i >> 6;
    for (; i < n; i += 64) {
        __m512i v = i + 64 <= n ? _mm512_loadu_si512((const void*)(buf + i))
                                : _mm512_mask_loadu_epi8(c, (__mmask64)(~0ULL >> (64 - (n - i))), buf + i);
        /* signed compare: bytes below 0x20 and bytes from 0x80 (negative) are both "below" */
        if (_mm512_cmpeq_epi8_mask(v, b) | _mm512_cmplt_epi8_mask(v, c)) return 0;
        bits[w++] = (uint64_t)_mm512_cmpeq_epi8_mask(v, q);
    }
    return 1;
}
/* the widest the CPU has: 0 SSE2, 1 AVX2, 2 AVX-512BW; set once at import, before any scan.
   AVX-512 only from Ice Lake on (AVX-512 VBMI2 marks it, as simdjson takes it): on the
   Skylake server cores before, 512-bit instructions lower the core's clock for a while,
   which would slow the rest of the caller's work more than the index gains. */
static int patterns_simd = 0;
static void patterns_detect_cpu(void) {
    __builtin_cpu_init();
    patterns_simd = __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512f")
                        && __builtin_cpu_supports("avx512vbmi2") ? 2
                    : __builtin_cpu_supports("avx2") ? 1 : 0;
}
#else
static const int patterns_simd = 0;
static void patterns_detect_cpu(void) {}
static int patterns_quote_index_avx2(const unsigned char* buf, Py_ssize_t n, uint64_t* bits, Py_ssize_t i) {
    return patterns_quote_index_sse2(buf, n, bits, i);
}
static int patterns_quote_index_avx512(const unsigned char* buf, Py_ssize_t n, uint64_t* bits, Py_ssize_t i) {
    return patterns_quote_index_sse2(buf, n, bits, i);
}
#endif
static int patterns_quote_index(const unsigned char* buf, Py_ssize_t n, uint64_t* bits, Py_ssize_t i) {
    return patterns_simd == 2 ? patterns_quote_index_avx512(buf, n, bits, i)
           : patterns_simd == 1 ? patterns_quote_index_avx2(buf, n, bits, i)
           : patterns_quote_index_sse2(buf, n, bits, i);
}
#else
#define PATTERNS_HAVE_QUOTE_INDEX 0
static const int patterns_simd = 0;
static void patterns_detect_cpu(void) {}
static int patterns_quote_index(const unsigned char* buf, Py_ssize_t n, uint64_t* bits, Py_ssize_t i) {
    (void)buf; (void)n; (void)bits; (void)i; return 0;
}
#endif

#endif /* PATTERNS_QUOTE_INDEX_H */
