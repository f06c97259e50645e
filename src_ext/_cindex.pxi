# Value indexes in C: included by _match_c.pyx (after CValue, IntBuf and _key_hash are defined).
#
# Contract (the walker in _match_c.pyx relies on exactly this):
#
#   compile_index(vi, lists) -> CIndex      vi: a patterns.automaton.ValueIndex (published, immutable);
#                                           lists: list id -> tuple of ints (the machine's lists)
#   CIndex.probe(const CValue* v, IntBuf* out) noexcept nogil -> int
#       appends to `out` the target *states* that `fire(vi, value, lists)` of the pure twin sends
#       the walk to (each list id it gives resolved through `lists`; repeats allowed), and returns 0;
#       returns 1, appending nothing, when this value needs the Python probe; -1 when memory ran out.
#   probe_value(CIndex ci, value) -> list[int] | None      test hook: the same for a Python scalar
#
# What stays in Python (probe returns 1): for a string value, any index holding a wildcard
# (`wildcard`, `ab_wildcard`) or an IP structure (`ip_exact`, `cidr4_keys`, `cidr6_keys`), whose
# automata and address parser live in Python; and a non-ASCII string where some structure reads
# the casefolded value (`needs_fold`), since full Unicode casefolding is Python's. Everything else,
# numbers, literals, exists and anything-but included, is answered here.
#
# Bounds: the value's bytes are read through a raw pointer, no Cython directive checks (boundscheck
# and wraparound, off in setup.py, guard buffers and memoryviews only), so every read below is
# argued in bounds where it is made: affixes are read only for lengths L <= n, and every table
# index comes from the build, which wrote each array in full.

from libc.stdint cimport uint32_t
from libc.stdlib cimport qsort
from libc.string cimport memmove

from patterns.events import as_double

cdef enum:
    # Tags of the string structures. All string keys live in one hash table; the tag is the seed
    # `_key_hash` mixes in (its `node` argument) and is compared on a hit, so equal keys of two
    # structures stay apart. 0 is not a tag (node 0 seeds the scanner's edges; any seed works).
    T_EXACT = 1
    T_FOLDED = 2
    T_PREFIX = 3
    T_SUFFIX = 4
    T_PREFIX_CI = 5
    T_SUFFIX_CI = 6
    T_AB_STR = 7
    T_AB_FOLDED = 8
    T_AB_PREFIX = 9
    T_AB_SUFFIX = 10
    N_TAGS = 11
    # A value at most this many bytes long is lowercased into a stack buffer; a longer one (rare:
    # the fold structures hold words) into one malloc'd for the probe.
    FOLD_STACK = 256


cdef inline uint64_t _number_key(double x) noexcept nogil:
    # `_match_py.number_key` in C: the order-preserving unsigned key of a double.
    cdef uint64_t bits
    if x == 0.0:
        # -0.0 == 0.0: both zeros take the key of +0.0 (its bits are 0, plus the sign bit)
        return (<uint64_t>1) << 63
    memcpy(&bits, &x, 8)  # the double's 8 bytes as an integer, without aliasing trouble
    if bits >> 63:  # negative: every bit flipped, so larger magnitudes sort lower
        return ~bits
    return bits | ((<uint64_t>1) << 63)  # positive: above every negative


cdef inline Py_ssize_t _lower_bound(const uint64_t* keys, Py_ssize_t n, uint64_t key) noexcept nogil:
    # `bisect_left`: the first i with keys[i] >= key, or n. Reads keys[mid] with lo <= mid < hi <= n.
    cdef Py_ssize_t lo = 0, hi = n, mid
    while lo < hi:
        mid = lo + (hi - lo) // 2
        if keys[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef int _cmp_int32(const void* a, const void* b) noexcept nogil:
    # qsort's comparator for int32 (no subtraction: it could overflow)
    cdef int32_t x = (<const int32_t*>a)[0], y = (<const int32_t*>b)[0]
    return (x > y) - (x < y)


cdef class CIndex:
    """One `ValueIndex` as C arrays: what the walk probes with an event value, without the GIL.

        lists    local list j: list_items[list_off[j]:list_off[j + 1]], the ints of one list id
                 of the machine (target states, or anything-but operand numbers), each distinct
                 list id referenced by the index copied once; every list id below is a local j
        strings  one open-addressing table over the keys of every string structure, keyed by
                 (tag, UTF-8 bytes) through `_key_hash(tag, ...)`; slot_ent[slot] -> entry e or
                 -1; entry e: ent_hash, ent_tag, key bytes key_data[ent_off:ent_off + ent_len],
                 ent_list (local list)
        affixes  per affix tag t, lens[lens_start[t]:lens_end[t]]: the distinct key lengths in
                 *bytes*, ascending (a character prefix of valid UTF-8 is a byte prefix, so
                 comparing a value's first or last L bytes with the keys of L bytes is exact)
        numbers  num_keys[0:n_num] sorted `number_key`s of every bound, num_slots[0:2 n_num + 1]
                 the local list (or -1) of each elementary interval (slot 2i: the gap below key
                 i; 2i + 1: key i); abnum_keys[0:n_abnum] the sorted keys of the anything-but
                 numbers, abnum_list the exclusion list of each
        literal  [false, true, null] -> local list or -1; exists, exists_value: local list or -1
        ab       ab_list[0:n_ab]: anything-but operand i -> the local list of its targets
                 (n_ab < 0: the index has no anything-but)

    Keys a valid UTF-8 value can never equal or start/end with (strings holding a lone
    surrogate, which UTF-8 cannot encode) are left out; NaN anything-but numbers likewise (a NaN
    equals nothing). Empty keys are kept: an empty prefix or suffix matches every string.

    Invariants: built once from a published index, immutable after, so any number of threads
    may probe it at once, without the GIL or a lock; every array is written in full by the
    build and owned by this object (freed in `__dealloc__`); key_data points into `keys`, which
    this object keeps alive.
    Why not dicts (the pure road): a probe would need the GIL and a Python object per value;
    here it reads only the value's bytes or double.
    """

    cdef bint str_python       # a string value needs Python (a wildcard or IP structure)
    cdef bint needs_fold       # some structure reads the casefolded string
    cdef uint32_t tags         # bit t set when the string structure of tag t is present
    cdef Py_ssize_t n_lists
    cdef Py_ssize_t* list_off
    cdef int32_t* list_items
    cdef Py_ssize_t mask
    cdef int32_t* slot_ent
    cdef uint64_t* ent_hash
    cdef int32_t* ent_tag
    cdef Py_ssize_t* ent_off
    cdef Py_ssize_t* ent_len
    cdef int32_t* ent_list
    cdef bytes keys
    cdef const unsigned char* key_data  # self.keys' bytes, kept alive by it
    cdef Py_ssize_t* lens
    cdef Py_ssize_t lens_start[N_TAGS]
    cdef Py_ssize_t lens_end[N_TAGS]
    cdef Py_ssize_t n_num
    cdef uint64_t* num_keys
    cdef int32_t* num_slots
    cdef Py_ssize_t n_abnum
    cdef uint64_t* abnum_keys
    cdef int32_t* abnum_list
    cdef int32_t literal[3]
    cdef int32_t exists
    cdef int32_t exists_value
    cdef Py_ssize_t n_ab
    cdef int32_t* ab_list

    def __cinit__(self):
        self.list_off = NULL
        self.list_items = NULL
        self.slot_ent = NULL
        self.ent_hash = NULL
        self.ent_tag = NULL
        self.ent_off = NULL
        self.ent_len = NULL
        self.ent_list = NULL
        self.lens = NULL
        self.num_keys = NULL
        self.num_slots = NULL
        self.abnum_keys = NULL
        self.abnum_list = NULL
        self.ab_list = NULL
        self.n_ab = -1
        self.exists = -1
        self.exists_value = -1
        self.literal[0] = self.literal[1] = self.literal[2] = -1
        cdef int t
        for t in range(N_TAGS):
            self.lens_start[t] = self.lens_end[t] = 0

    def __init__(self, vi, lists):
        if self.list_off != NULL:  # built already: a second build would leak and mutate it
            raise TypeError("a CIndex is built once")
        # --- gather everything in Python objects first, then copy it into C arrays ---
        local = {}  # machine list id -> local list j
        flat_items = []
        offsets = [0]

        def ref(k):
            # the local list of machine list id k (-1 stays -1: "no list")
            if k < 0:
                return -1
            j = local.get(k)
            if j is None:
                j = local[k] = len(offsets) - 1
                flat_items.extend(lists[k])
                offsets.append(len(flat_items))
            return j

        self.str_python = any(
            x is not None for x in (vi.wildcard, vi.ab_wildcard, vi.ip_exact, vi.cidr4_keys, vi.cidr6_keys)
        )
        self.needs_fold = bool(vi.needs_fold)
        entries = []  # (tag, key bytes, local list)
        lens = []
        affix = (T_PREFIX, T_SUFFIX, T_PREFIX_CI, T_SUFFIX_CI, T_AB_PREFIX, T_AB_SUFFIX)
        cdef int tag
        for tag, table in (
            (T_EXACT, vi.exact), (T_FOLDED, vi.folded), (T_PREFIX, vi.prefix), (T_SUFFIX, vi.suffix),
            (T_PREFIX_CI, vi.prefix_ci), (T_SUFFIX_CI, vi.suffix_ci), (T_AB_STR, vi.ab_str),
            (T_AB_FOLDED, vi.ab_folded), (T_AB_PREFIX, vi.ab_prefix), (T_AB_SUFFIX, vi.ab_suffix),
        ):
            if table is None:
                continue
            self.tags |= (<uint32_t>1) << tag
            byte_lens = set()
            for key, k in table.items():
                if type(key) is not str:
                    continue  # not a string key: no string value equals it
                try:
                    encoded = (<str>key).encode("utf-8")
                except UnicodeEncodeError:  # a lone surrogate: no valid UTF-8 value holds one
                    continue
                entries.append((tag, encoded, ref(k)))
                byte_lens.add(len(encoded))
            if tag in affix:
                self.lens_start[tag] = len(lens)
                lens.extend(sorted(byte_lens))
                self.lens_end[tag] = len(lens)

        num_keys = list(vi.num_keys) if vi.num_keys is not None else []
        num_slots = [ref(k) for k in vi.num_slots] if vi.num_keys is not None else []
        ab_num = []
        if vi.ab_num is not None:
            ab_num = sorted(
                (_number_key(<double>x), ref(k)) for x, k in vi.ab_num.items() if x == x  # x != x: NaN
            )
        if vi.literal is not None:
            for t in range(3):  # [false, true, null]
                self.literal[t] = ref(vi.literal[t])
        self.exists = ref(vi.exists)
        self.exists_value = ref(vi.exists_value)
        ab_lists = [ref(k) for k in vi.ab_lists] if vi.ab_lists is not None else None

        # --- the C arrays (each allocated one element larger: PyMem_Malloc(0) is legal, but a
        # non-empty request keeps every pointer non-NULL on success, one test for all) ---
        cdef Py_ssize_t n_lists = len(offsets) - 1, n_items = len(flat_items), n_ent = len(entries)
        cdef Py_ssize_t size = 8, i, slot, off = 0  # 8 slots at least: a power of two
        while size < 2 * n_ent:  # load factor at most 1/2: short probe runs
            size *= 2
        self.n_lists = n_lists
        self.mask = size - 1
        self.n_num = len(num_keys)
        self.n_abnum = len(ab_num)
        self.list_off = <Py_ssize_t*>PyMem_Malloc((n_lists + 1) * sizeof(Py_ssize_t))
        self.list_items = <int32_t*>PyMem_Malloc((n_items + 1) * sizeof(int32_t))
        self.slot_ent = <int32_t*>PyMem_Malloc(size * sizeof(int32_t))
        self.ent_hash = <uint64_t*>PyMem_Malloc((n_ent + 1) * sizeof(uint64_t))
        self.ent_tag = <int32_t*>PyMem_Malloc((n_ent + 1) * sizeof(int32_t))
        self.ent_off = <Py_ssize_t*>PyMem_Malloc((n_ent + 1) * sizeof(Py_ssize_t))
        self.ent_len = <Py_ssize_t*>PyMem_Malloc((n_ent + 1) * sizeof(Py_ssize_t))
        self.ent_list = <int32_t*>PyMem_Malloc((n_ent + 1) * sizeof(int32_t))
        self.lens = <Py_ssize_t*>PyMem_Malloc((len(lens) + 1) * sizeof(Py_ssize_t))
        self.num_keys = <uint64_t*>PyMem_Malloc((self.n_num + 1) * sizeof(uint64_t))
        self.num_slots = <int32_t*>PyMem_Malloc((2 * self.n_num + 2) * sizeof(int32_t))
        self.abnum_keys = <uint64_t*>PyMem_Malloc((self.n_abnum + 1) * sizeof(uint64_t))
        self.abnum_list = <int32_t*>PyMem_Malloc((self.n_abnum + 1) * sizeof(int32_t))
        self.ab_list = <int32_t*>PyMem_Malloc(((len(ab_lists) if ab_lists is not None else 0) + 1) * sizeof(int32_t))
        if (not self.list_off or not self.list_items or not self.slot_ent or not self.ent_hash
                or not self.ent_tag or not self.ent_off or not self.ent_len or not self.ent_list
                or not self.lens or not self.num_keys or not self.num_slots or not self.abnum_keys
                or not self.abnum_list or not self.ab_list):
            raise MemoryError()
        # (assigning a Python int to an int32_t raises OverflowError beyond its range: no state
        # or operand number is silently cut)
        for i in range(n_lists + 1):
            self.list_off[i] = offsets[i]
        for i in range(n_items):
            self.list_items[i] = flat_items[i]
        for i in range(len(lens)):
            self.lens[i] = lens[i]
        for i in range(self.n_num):
            self.num_keys[i] = num_keys[i]
        if self.n_num:
            for i in range(2 * self.n_num + 1):
                self.num_slots[i] = num_slots[i]
        for i in range(self.n_abnum):
            self.abnum_keys[i], self.abnum_list[i] = ab_num[i]
        if ab_lists is not None:
            self.n_ab = len(ab_lists)
            for i in range(self.n_ab):
                self.ab_list[i] = ab_lists[i]
        for i in range(size):
            self.slot_ent[i] = -1
        self.keys = b"".join(encoded for _, encoded, _ in entries)
        self.key_data = self.keys
        cdef const unsigned char* kp = self.key_data
        cdef Py_ssize_t klen
        for i in range(n_ent):
            tag, encoded, self.ent_list[i] = entries[i]
            klen = len(encoded)
            self.ent_tag[i] = tag
            self.ent_off[i] = off
            self.ent_len[i] = klen
            self.ent_hash[i] = _key_hash(tag, kp + off, klen)  # kp + off + klen <= len(self.keys)
            off += klen
            slot = self.ent_hash[i] & self.mask
            while self.slot_ent[slot] >= 0:  # at most half the slots are full: a free one exists
                slot = (slot + 1) & self.mask
            self.slot_ent[slot] = i

    def __dealloc__(self):
        PyMem_Free(self.list_off)
        PyMem_Free(self.list_items)
        PyMem_Free(self.slot_ent)
        PyMem_Free(self.ent_hash)
        PyMem_Free(self.ent_tag)
        PyMem_Free(self.ent_off)
        PyMem_Free(self.ent_len)
        PyMem_Free(self.ent_list)
        PyMem_Free(self.lens)
        PyMem_Free(self.num_keys)
        PyMem_Free(self.num_slots)
        PyMem_Free(self.abnum_keys)
        PyMem_Free(self.abnum_list)
        PyMem_Free(self.ab_list)

    # --- probing -------------------------------------------------------------------------------

    cdef inline int32_t _lookup(self, int32_t tag, const unsigned char* p, Py_ssize_t n) noexcept nogil:
        # The local list of key p[0:n] in the structure `tag`, or -1.
        cdef uint64_t h = _key_hash(tag, p, n)
        cdef Py_ssize_t slot = h & self.mask  # mask = size - 1: slot < size
        cdef int32_t e
        cdef const unsigned char* kp = self.key_data
        while True:  # the table is at most half full: the run ends at an empty slot
            e = self.slot_ent[slot]
            if e < 0:
                return -1
            # e < n_ent (the build stored only entry numbers); its key lies inside self.keys
            if (self.ent_hash[e] == h and self.ent_tag[e] == tag and self.ent_len[e] == n
                    and memcmp(kp + self.ent_off[e], p, n) == 0):
                return self.ent_list[e]
            slot = (slot + 1) & self.mask

    cdef inline int _push_list(self, int32_t j, IntBuf* out) noexcept nogil:
        # Appends the ints of local list j (0 <= j < n_lists: the build stored only such j);
        # list_off has n_lists + 1 entries, so list_off[j + 1] is in bounds, and the items
        # between two offsets were written by the build.
        cdef Py_ssize_t i
        for i in range(self.list_off[j], self.list_off[j + 1]):
            if intbuf_push(out, self.list_items[i]) < 0:
                return -1
        return 0

    cdef inline int _affixes(self, int32_t tag, const unsigned char* p, Py_ssize_t n, bint suffix,
                             IntBuf* out) noexcept nogil:
        # `_affixes` of the pure twin over bytes: the lists of the keys of `tag` that p[0:n]
        # starts (ends) with. Only lengths L <= n are tried, so p[0:L] and p[n - L:n] are in p.
        cdef Py_ssize_t i, length
        cdef int32_t j
        for i in range(self.lens_start[tag], self.lens_end[tag]):
            length = self.lens[i]
            if length > n:  # ascending: no longer key fits either
                return 0
            j = self._lookup(tag, p + (n - length) if suffix else p, length)
            if j >= 0 and self._push_list(j, out) < 0:
                return -1
        return 0

    cdef inline bint _has(self, int32_t tag) noexcept nogil:
        return (self.tags >> tag) & 1

    cdef int probe(self, const CValue* v, IntBuf* out) noexcept nogil:
        """Append the target states `fire` gives for v; 0, or 1 (Python's value), or -1 (memory)."""
        cdef unsigned char small[FOLD_STACK]
        cdef unsigned char* folded = NULL
        cdef Py_ssize_t i
        cdef unsigned char c
        cdef int r
        if v.kind != V_STR:
            return self._probe(v, NULL, out)
        if self.str_python:
            return 1
        if self.needs_fold:
            if not v.ascii:
                return 1  # full Unicode casefolding: Python's
            # (small[0] is set only so that gcc sees the buffer written: an empty value reads none)
            small[0] = 0
            folded = &small[0] if v.n <= FOLD_STACK else <unsigned char*>malloc(v.n)
            if folded == NULL:
                return -1
            # An ASCII string's casefold() is its ASCII lowercase: 'A'..'Z' -> 'a'..'z'.
            # i < v.n: inside the value and inside the buffer (FOLD_STACK or v.n bytes long).
            for i in range(v.n):
                c = v.s[i]
                folded[i] = c + 32 if 65 <= c <= 90 else c  # 65..90: 'A'..'Z'; +32: lowercase
        r = self._probe(v, folded, out)
        if folded != NULL and folded != &small[0]:
            free(folded)
        return r

    cdef int _probe(self, const CValue* v, const unsigned char* folded, IntBuf* out) noexcept nogil:
        # `fire` for one value; `folded` is the casefolded string (v.n bytes) when needs_fold.
        cdef Py_ssize_t base = out.n, xb, xe, i, e, m
        cdef int32_t j
        cdef uint64_t key
        cdef int kind = v.kind
        cdef const unsigned char* s = v.s
        cdef Py_ssize_t n = v.n
        cdef const unsigned char* fs = folded if folded != NULL else s
        # --- what the value hits ---
        if kind == V_STR:
            if self._has(T_EXACT):
                j = self._lookup(T_EXACT, s, n)
                if j >= 0 and self._push_list(j, out) < 0:
                    out.n = base
                    return -1
            if self._has(T_FOLDED):
                j = self._lookup(T_FOLDED, fs, n)
                if j >= 0 and self._push_list(j, out) < 0:
                    out.n = base
                    return -1
            if ((self._has(T_PREFIX) and self._affixes(T_PREFIX, s, n, False, out) < 0)
                    or (self._has(T_PREFIX_CI) and self._affixes(T_PREFIX_CI, fs, n, False, out) < 0)
                    or (self._has(T_SUFFIX) and self._affixes(T_SUFFIX, s, n, True, out) < 0)
                    or (self._has(T_SUFFIX_CI) and self._affixes(T_SUFFIX_CI, fs, n, True, out) < 0)):
                out.n = base
                return -1
        elif kind == V_NUM:
            if self.n_num:
                key = _number_key(v.d)
                i = _lower_bound(self.num_keys, self.n_num, key)
                # i <= n_num, so the slot 2i or 2i + 1 (only when i < n_num) is below 2 n_num + 1
                j = self.num_slots[2 * i + 1 if i < self.n_num and self.num_keys[i] == key else 2 * i]
                if j >= 0 and self._push_list(j, out) < 0:
                    out.n = base
                    return -1
        elif kind == V_TRUE or kind == V_FALSE or kind == V_NULL:
            # literal: [false, true, null]
            j = self.literal[0 if kind == V_FALSE else 1 if kind == V_TRUE else 2]
            if j >= 0 and self._push_list(j, out) < 0:
                out.n = base
                return -1
        # V_BIG: present, but comparable with nothing: only exists and anything-but below
        if self.exists >= 0 and self._push_list(self.exists, out) < 0:
            out.n = base
            return -1
        if (self.exists_value >= 0 and kind != V_NULL and not (kind == V_STR and n == 0)
                and self._push_list(self.exists_value, out) < 0):
            out.n = base
            return -1
        if self.n_ab < 0:
            return 0
        # --- anything-but: the excluded operand numbers go to out[xb:xe] as scratch space (it
        # grows through intbuf_push as far as a value needs: no cap), sorted, then every
        # operand not among them appends its targets after them, and the scratch is closed ---
        xb = out.n
        if kind == V_STR:
            if self._has(T_AB_STR):
                j = self._lookup(T_AB_STR, s, n)
                if j >= 0 and self._push_list(j, out) < 0:
                    out.n = base
                    return -1
            if self._has(T_AB_FOLDED):
                j = self._lookup(T_AB_FOLDED, fs, n)
                if j >= 0 and self._push_list(j, out) < 0:
                    out.n = base
                    return -1
            # as `fire` does: anything-but prefix and suffix read the value as it is, not folded
            if ((self._has(T_AB_PREFIX) and self._affixes(T_AB_PREFIX, s, n, False, out) < 0)
                    or (self._has(T_AB_SUFFIX) and self._affixes(T_AB_SUFFIX, s, n, True, out) < 0)):
                out.n = base
                return -1
        elif kind == V_NUM and self.n_abnum and v.d == v.d:  # v.d != v.d: NaN equals no number
            key = _number_key(v.d)
            i = _lower_bound(self.abnum_keys, self.n_abnum, key)
            if i < self.n_abnum and self.abnum_keys[i] == key:  # i < n_abnum: in bounds
                if self._push_list(self.abnum_list[i], out) < 0:
                    out.n = base
                    return -1
        xe = out.n
        m = xe - xb
        if m > 1:
            # One hit's list comes sorted (the machine's lists are); several hits are sorted here.
            # out.p[xb:xe] lies inside the buffer: those ints were just pushed there.
            for e in range(xb + 1, xe):
                if out.p[e - 1] > out.p[e]:
                    qsort(out.p + xb, m, sizeof(int32_t), _cmp_int32)
                    break
        e = xb
        for i in range(self.n_ab):
            # out.p is read afresh each time: a push may have moved the buffer; e < xe <= out.n
            while e < xe and out.p[e] < i:
                e += 1
            if e < xe and out.p[e] == i:
                continue  # operand i excluded
            if self._push_list(self.ab_list[i], out) < 0:  # i < n_ab: ab_list[i] was written
                out.n = base
                return -1
        if m:
            # close the scratch: the targets out[xe:out.n] move down to xb (overlapping: memmove)
            memmove(out.p + xb, out.p + xe, (out.n - xe) * sizeof(int32_t))
            out.n -= m
        return 0


def compile_index(vi, lists) -> CIndex:
    """Copy one published value index into C arrays a probe reads without the GIL.

    Args:
        vi: a `patterns.automaton.ValueIndex`, published (never written again).
        lists: list id -> the tuple of ints of that list (the machine's lists, `tables.walk[1]`),
            for at least every list id `vi` names.

    Returns:
        An immutable `CIndex`, safe to probe from any number of threads at once.

    Raises:
        MemoryError: the arrays could not be allocated.
        OverflowError: a state or operand number beyond 32 bits.
    """
    return CIndex(vi, lists)


def probe_value(CIndex ci not None, value):
    """What `ci.probe` appends for one Python scalar (test hook).

    Args:
        ci: the index.
        value: an event scalar: str, int, float, bool, None or `patterns.events.BigNumber`.

    Returns:
        The target states appended (in probe order), or None when the probe leaves this value
        to Python (it returned 1) or the string has no UTF-8 form (a lone surrogate).

    Raises:
        MemoryError: the probe ran out of memory.
        TypeError: not an event scalar.
    """
    cdef CValue v
    cdef IntBuf out
    cdef bytes encoded
    cdef int r
    memset(&v, 0, sizeof(CValue))
    t = type(value)
    if t is str:
        try:
            encoded = (<str>value).encode("utf-8")
        except UnicodeEncodeError:
            return None
        v.kind = V_STR
        v.s = encoded
        v.n = len(encoded)
        v.ascii = (<str>value).isascii()
    elif t is bool:
        v.kind = V_TRUE if value else V_FALSE
    elif value is None:
        v.kind = V_NULL
    elif t is BigNumber:
        v.kind = V_BIG
    elif t is int or t is float:
        v.kind = V_NUM
        v.d = as_double(value)
    else:
        raise TypeError(f"Expected an event scalar, got `{t.__name__}`")
    out.p = NULL
    out.n = 0
    out.cap = 0
    try:
        with nogil:
            r = ci.probe(&v, &out)
        if r < 0:
            raise MemoryError()
        if r == 1:
            return None
        return [out.p[i] for i in range(out.n)]
    finally:
        free(out.p)
