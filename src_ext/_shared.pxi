# What the stages of the compiled twin share, included by _match_c.pyx before them, so each stage
# (`_scan.pxi`, `_values.pxi`, `_walk.pxi`, `_dict.pxi`, `_publication.pxi`, `_sns.pxi`) reads on
# its own:
#
#   what C reads of the C library, CPython and the C headers (bits.h, key_table.h,
#       quote_index.h, number_parse.h: the self-contained algorithms);
#   the constants more than one stage reads;
#   the C types one stage hands the next: CValue (an event scalar), IntBuf (a growable int32
#       array, its inline functions and the out-of-line `intbuf_grow`), CLeaf and ScanOut (what
#       a scan found), Walk (what one match reads).
#
# A type one stage alone uses is declared in that stage, and each cdef class with its fields.
# Why an included file and not the module's .pxd: Cython reads a module's own .pxd by the module's
# full name (patterns/_match_c.pxd, or the deprecated patterns._match_c.pxd), so a _match_c.pxd
# beside src_ext/_match_c.pyx would never be read. Declarations only (and IntBuf's functions): no
# Python object is made here; the module's Python imports are in `_match_c.pyx`.

cimport cython
from cpython cimport array
from cpython.buffer cimport PyBUF_SIMPLE, PyBuffer_Release, PyObject_GetBuffer
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.dict cimport PyDict_Next
from cpython.float cimport PyFloat_AS_DOUBLE
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE, PyList_New, PyList_SET_ITEM
from cpython.long cimport PyLong_AsDouble
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.object cimport PyObject
from cpython.ref cimport Py_DECREF, Py_INCREF
from cpython.unicode cimport PyUnicode_GET_LENGTH
from libc.stdint cimport INT32_MAX, INT32_MIN, int32_t, int64_t, uint32_t, uint64_t, uintptr_t
from libc.stdlib cimport free, malloc, qsort, realloc
from libc.string cimport memchr, memcmp, memcpy, memmove, memset


# --- CPython and the C library ---------------------------------------------------------------------

cdef extern from "Python.h":
    double PyOS_string_to_double(const char* s, char** endptr, PyObject* overflow_exception) except? -1.0
    const char* PyUnicode_AsUTF8AndSize(object unicode, Py_ssize_t* size) except NULL
    object PyUnicode_DecodeUTF8(const char* s, Py_ssize_t size, const char* errors)
    object PyLong_FromString(const char* s, char** pend, int base)
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    void* PyUnicode_DATA(object o)
    bint PyUnicode_IS_ASCII(object o)
    ctypedef struct PyListObject:
        PyObject** ob_item
    # borrowed references, as the C API gives them (Cython's own declarations return objects)
    PyObject* _list_item "PyList_GET_ITEM" (object o, Py_ssize_t i)
    PyObject* _tuple_item "PyTuple_GET_ITEM" (object o, Py_ssize_t i)

cdef extern from "math.h":
    bint isinf(double x) nogil


# --- The C headers ---------------------------------------------------------------------------------

cdef extern from "bits.h":
    const uint64_t ONES "PATTERNS_ONES"    # 0x01 in every byte of a word
    const uint64_t HIGHS "PATTERNS_HIGHS"  # the high bit of every byte
    int patterns_ctz64(unsigned long long x) nogil
    int patterns_first_byte(unsigned long long x) nogil

cdef extern from "key_table.h":
    ctypedef struct KeySlot "patterns_key_slot":
        # one slot of a `KeyTable` (see key_table.h)
        uint64_t a
        uint64_t b
        int32_t tag
        int32_t len
        int32_t off
        int32_t value
    ctypedef struct KeyTable "patterns_key_table":
        # (tag, key bytes) -> int32 by open addressing (linear probing, at most half full),
        # built once by `_keys_build`, then only read, by any number of threads, without the
        # GIL. The scanner's field names (tag: the parent node) and a CIndex's strings (tag:
        # the structure) are such tables.
        KeySlot* slots
        void* mem
        Py_ssize_t mask
        const unsigned char* key_data
    uint64_t _key_hash "patterns_key_hash"(int32_t tag, const unsigned char* p, Py_ssize_t n,
                                            uint64_t* a, uint64_t* b) noexcept nogil
    int32_t _keys_find "patterns_keys_find"(const KeyTable* t, int32_t tag, const unsigned char* p,
                                            Py_ssize_t n) noexcept nogil
    int32_t _keys_find_call "patterns_keys_find_call"(const KeyTable* t, int32_t tag,
                                                      const unsigned char* p, Py_ssize_t n) noexcept nogil

cdef extern from "quote_index.h":
    bint HAVE_QUOTE_INDEX "PATTERNS_HAVE_QUOTE_INDEX"
    int patterns_quote_index(const unsigned char* buf, Py_ssize_t n, uint64_t* bits, Py_ssize_t i) nogil
    int patterns_quote_index_sse2(const unsigned char* buf, Py_ssize_t n, uint64_t* bits, Py_ssize_t i) nogil
    int patterns_quote_index_avx2(const unsigned char* buf, Py_ssize_t n, uint64_t* bits, Py_ssize_t i) nogil
    int patterns_quote_index_avx512(const unsigned char* buf, Py_ssize_t n, uint64_t* bits, Py_ssize_t i) nogil
    void patterns_detect_cpu() nogil
    const int patterns_simd

cdef extern from "number_parse.h":
    void patterns_init_c_locale() nogil
    Py_ssize_t _digits_end "patterns_digits_end"(const unsigned char* buf, Py_ssize_t n,
                                                 Py_ssize_t i) noexcept nogil
    bint _fast_double "patterns_fast_double"(const unsigned char* buf, Py_ssize_t i, Py_ssize_t end,
                                             double* out) noexcept nogil
    bint _c_double "patterns_c_double"(const unsigned char* buf, Py_ssize_t start, Py_ssize_t end,
                                       double* out) noexcept nogil


# --- Constants more than one stage reads -----------------------------------------------------------

cdef enum:
    # orjson refuses a document nested deeper than 1,024 containers (measured on orjson 3.13:
    # 1,024 levels load, 1,025 raise); the scanner bails out there, so its frame stack holds.
    MAX_DEPTH = 1024
    # What of those the C stack holds (the rest moves to the heap when an event needs it)
    SMALL_DEPTH = 48
    # what `_string_end` met in a string
    STR_ESCAPED = 1
    STR_NON_ASCII = 2

cdef enum:
    # CValue.kind
    V_STR = 0
    V_NUM = 1
    V_TRUE = 2
    V_FALSE = 3
    V_NULL = 4
    V_BIG = 5  # a number beyond a double's range (`events.BigNumber`): present, compares with nothing

cdef enum:
    # CLeaf.flags of a number
    NUM_INT = 1       # no fraction, no exponent
    NUM_NEG = 2       # a leading '-'
    NUM_MAY_BIG = 4   # may be beyond a double's range (`_may_overflow`): read it to know
    # Leaves the scanner keeps on the C stack before it moves them to the heap
    SMALL_LEAVES = 32
    # Numbers off rule paths that may overflow a double, kept to be read after the scan
    MAX_BIG_CANDIDATES = 16

cdef enum:
    # what `_event_bytes` found
    EVENT_NONE = 0     # not JSON text the scanner reads: the slow road decides
    EVENT_BORROWED = 1 # str (its UTF-8) or bytes: the object's own memory, nothing to release
    EVENT_VIEW = 2     # bytearray or memoryview: a buffer view the caller releases

cdef enum:
    SMALL_FOUND = 32  # terminal states (and rules) a match keeps on the C stack before the heap
    SMALL_STACK = 64  # states pending (and hits of one leaf) likewise
    SMALL_SEEN = 64   # states a walk marks before its set moves to the heap
    SMALL_PIDS = 128  # path ids whose chains live on the C stack


# --- What the scanner hands the walk, and the growable int buffer ----------------------------------

cdef struct CValue:
    # One event scalar on a rule path, as C reads it: no Python object.
    int kind
    const unsigned char* s  # V_STR: the decoded string's UTF-8 (escapes resolved; valid UTF-8)
    Py_ssize_t n            # V_STR: its length in bytes
    bint ascii              # V_STR: every byte below 0x80
    double d                # V_NUM: the number as the double AWS compares (`numbers.as_double`)


cdef struct IntBuf:
    # A growable array of int32: p NULL until the first push (all fields zero), or first the
    # caller's own storage (`intbuf_on`, often on the C stack); once it grows, heap memory
    # (on_heap), which `intbuf_free` releases.
    int32_t* p
    Py_ssize_t n
    Py_ssize_t cap
    bint on_heap


cdef inline void intbuf_on(IntBuf* b, int32_t* storage, Py_ssize_t cap) noexcept nogil:
    b.p = storage
    b.n = 0
    b.cap = cap
    b.on_heap = False


cdef inline void intbuf_free(IntBuf* b) noexcept nogil:
    if b.on_heap:
        free(b.p)
    b.p = NULL
    b.n = b.cap = 0
    b.on_heap = False


cdef int intbuf_grow(IntBuf* b) noexcept nogil:
    # Doubles b's room (out of line: `intbuf_push`'s rare branch); -1 when memory runs out
    # (b unchanged).
    cdef Py_ssize_t cap = b.cap * 2 if b.cap else 16
    cdef int32_t* p
    if b.on_heap:
        p = <int32_t*>realloc(b.p, cap * sizeof(int32_t))
    else:  # NULL or the caller's storage: moves to the heap
        p = <int32_t*>malloc(cap * sizeof(int32_t))
        if p != NULL and b.n:
            memcpy(p, b.p, b.n * sizeof(int32_t))
    if p == NULL:
        return -1
    b.p = p
    b.cap = cap
    b.on_heap = True
    return 0


cdef inline int intbuf_push(IntBuf* b, int32_t x) noexcept nogil:
    # Appends x; -1 when memory runs out (b unchanged). Small enough to inline everywhere (the
    # walk pushes a state or a context per edge taken): the growing is `intbuf_grow`'s.
    if b.n == b.cap and intbuf_grow(b) < 0:
        return -1
    b.p[b.n] = x
    b.n += 1
    return 0


cdef struct CLeaf:
    # One value on a rule path, as the scanner found it (no Python object).
    int32_t pid       # its path id
    int32_t ctx       # its context (0: the event itself; see `ScanOut.ctx_*`)
    int32_t next      # the walk chains the leaves of one path id; -1 ends a chain
    int32_t flags     # V_STR: STR_* flags; V_NUM: NUM_* flags
    int kind          # V_STR, V_NUM, V_TRUE, V_FALSE or V_NULL (V_BIG: set by a reader)
    Py_ssize_t start  # V_STR: the body's first byte (after the quote); V_NUM: the text's first
    Py_ssize_t end    # V_STR: the closing quote; V_NUM: just after the text


cdef struct ScanOut:
    # What one scan found. `leaves` is `small` until more are needed, then heap memory.
    CLeaf* leaves
    Py_ssize_t n_leaves
    Py_ssize_t cap_leaves
    bint leaves_on_heap
    # context c >= 1 opened by an element of a walked array, at index c - 1:
    IntBuf ctx_parent  # the context it sits in
    IntBuf ctx_array   # the number of its array
    IntBuf ctx_node    # the path node of its array
    bint any_leaf_ctx  # some leaf sits in a context other than 0
    Py_ssize_t max_sp  # the deepest nesting met
    # Numbers off rule paths whose magnitude may pass a double's (start, end); beyond
    # MAX_BIG_CANDIDATES of them, `too_many_big` (the caller then takes the slow road).
    Py_ssize_t big_start[MAX_BIG_CANDIDATES]
    Py_ssize_t big_end[MAX_BIG_CANDIDATES]
    int n_big
    bint too_many_big


cdef struct Walk:
    # What one match reads, as borrowed pointers into a published `Tables` (kept alive by the
    # caller's reference to it), so the scan and the walk can run without the GIL.
    PyObject* tables     # the Tables itself (the Python fallbacks read it with the GIL)
    PyObject* scan       # its ScanTable
    PyObject** pages     # its csteps' page directory (`Paged.pages`): state s is item
                         # s & PAGE_MASK of page s >> PAGE_BITS (`_cstep`)
    Py_ssize_t n_pids
    bint any_absent
    PyObject** objs      # dict events: leaf.start -> the leaf's Python value (borrowed); else NULL
