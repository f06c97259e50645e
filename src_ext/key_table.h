/* Key tables: (tag, key bytes) -> int32 by open addressing with linear probing (D. E. Knuth,
   The Art of Computer Programming, vol. 3, section 6.4, algorithm L), at most half full. The
   scanner's field names (tag: the parent path node) and a value index's strings (tag: the
   structure) are such tables; `_keys_build` (_scan.pxi) fills one, these functions read it.

   The hash follows wyhash (Wang Yi, https://github.com/wangyi-fudan/wyhash: its three
   constants, its read of 1 to 3 bytes, its multiply-and-fold mixing), reduced to what a table
   of known keys needs. A table key's hash: a tag (a node or an index's structure) and
   the key's bytes, read as two words `a` and `b`: keys of up to 16 bytes as two (overlapping)
   words from both ends, 4 to 7 bytes as two 32-bit words, 1 to 3 as three bytes (first,
   middle, last), all inside the key. With the length, (a, b) then *is* the key, so a table
   slot holding (tag, len, a, b) is compared without reading the key's bytes; a longer key's
   (a, b) are its last 16 bytes, the rest mixed into the seed 16 bytes per round. One
   multiply, 64 x 64 -> 128 bits folded (high ^ low), mixes (tag, len, a, b) into the hash: it
   only spreads keys over slots (a hit is confirmed by comparing the key), and only keys of
   the published tables sit in a table, so no event can lengthen a probe run.

   Invariants: a table is written once by its build, then only read, by any number of threads,
   without the GIL. */
#ifndef PATTERNS_KEY_TABLE_H
#define PATTERNS_KEY_TABLE_H

#include <Python.h> /* Py_ssize_t */
#include <stdint.h>
#include <string.h>

#include "bits.h"

static inline uint64_t patterns_mum(uint64_t a, uint64_t b) {
    uint64_t hi, lo = patterns_mul128(a, b, &hi);
    return lo ^ hi;
}
static inline uint64_t patterns_r64(const unsigned char* p) { uint64_t w; memcpy(&w, p, 8); return w; }
static inline uint64_t patterns_r32(const unsigned char* p) { uint32_t w; memcpy(&w, p, 4); return w; }
#define PATTERNS_H0 0xa0761d6478bd642fULL
#define PATTERNS_H1 0xe7037ed1a0b428dbULL
#define PATTERNS_H2 0x8ebc6af09c88c6e3ULL
static inline uint64_t patterns_key_hash(int32_t tag, const unsigned char* p, Py_ssize_t n,
                                         uint64_t* pa, uint64_t* pb) {
    uint64_t seed = ((uint64_t)(uint32_t)tag << 32) ^ (uint64_t)n ^ PATTERNS_H0, a, b;
    if (n <= 16) {
        if (n >= 8) {
            a = patterns_r64(p);
            b = patterns_r64(p + n - 8);
        } else if (n >= 4) {
            a = patterns_r32(p);
            b = patterns_r32(p + n - 4);
        } else if (n > 0) {
            a = ((uint64_t)p[0] << 16) | ((uint64_t)p[n >> 1] << 8) | p[n - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        Py_ssize_t i = n;
        while (i > 16) {
            seed = patterns_mum(patterns_r64(p) ^ PATTERNS_H1, patterns_r64(p + 8) ^ seed);
            p += 16;
            i -= 16;
        }
        a = patterns_r64(p + i - 16);
        b = patterns_r64(p + i - 8);
    }
    *pa = a;
    *pb = b;
    return patterns_mum(a ^ seed ^ PATTERNS_H1, b ^ PATTERNS_H2);
}

/* One slot of a key table: a key of one tag, or empty (len < 0). 32 bytes, and the slots
   start on a 64-byte boundary: two to a cache line, none straddling two, so a probe for a
   key of up to 16 bytes reads one line (the slot holds the key's words), a longer key one
   more for its first bytes. */
typedef struct {
    uint64_t a, b;  /* the key's words (patterns_key_hash): with len, the key itself up to
                       16 bytes, its last 16 bytes past that */
    int32_t tag;
    int32_t len;    /* the key's length in bytes; -1 marks an empty slot */
    int32_t off;    /* the key's bytes: key_data[off:off + len] */
    int32_t value;  /* what the key maps to */
} patterns_key_slot;
typedef struct {
    patterns_key_slot* slots;       /* slots[0:mask + 1], inside mem, on a 64-byte boundary */
    void* mem;                      /* what was allocated for them */
    Py_ssize_t mask;
    const unsigned char* key_data;  /* every key's bytes */
} patterns_key_table;
/* The value of key p[0:n] with `tag`, or -1. Inlined into the scanner, which looks up
   most keys of an event (A/B: 2 to 3% of a match); value indexes, which probe their
   strings from several places, call one copy (`patterns_keys_find_call`): inlined there
   too, it measured no faster. */
PATTERNS_ALWAYS_INLINE int32_t patterns_keys_find(const patterns_key_table* t, int32_t tag,
                                                  const unsigned char* p, Py_ssize_t n) {
    uint64_t a, b;
    Py_ssize_t slot = (Py_ssize_t)(patterns_key_hash(tag, p, n, &a, &b) & (uint64_t)t->mask);
    for (;;) {  /* at most half full: the run ends at an empty slot */
        const patterns_key_slot* ks = &t->slots[slot];
        if (ks->len < 0) return -1;
        /* (tag, len, a, b) is a key of up to 16 bytes; past that, its first n - 16 bytes
           remain (a full slot's key lies inside key_data: the build wrote off and len) */
        if (ks->a == a && ks->b == b && ks->len == n && ks->tag == tag
                && (n <= 16 || memcmp(t->key_data + ks->off, p, (size_t)(n - 16)) == 0))
            return ks->value;
        slot = (slot + 1) & t->mask;
    }
}
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static int32_t patterns_keys_find_call(const patterns_key_table* t, int32_t tag,
                                       const unsigned char* p, Py_ssize_t n) {
    return patterns_keys_find(t, tag, p, n);
}

#endif /* PATTERNS_KEY_TABLE_H */
