# Value indexes in C: included by _match_c.pyx (after CValue, IntBuf and _key_hash are defined).
#
# Contract (the walker in _match_c.pyx relies on exactly this):
#
#   compile_index(vi, lists) -> CIndex      vi: a patterns.machine.ValueIndex (published, immutable);
#                                           lists: list id -> tuple of ints (the machine's lists)
#   CIndex.probe(const CValue* v, IntBuf* out) noexcept nogil -> int
#       appends to `out` the target *states* that `fire(vi, value, lists)` of the pure twin sends
#       the walk to (each list id it gives resolved through `lists`; repeats allowed), and returns 0;
#       returns 1, appending nothing, when this value needs the Python probe; -1 when memory ran out.
#   probe_value(CIndex ci, value) -> list[int] | None      test hook: the same for a Python scalar


cdef class CIndex:
    cdef int probe(self, const CValue* v, IntBuf* out) noexcept nogil:
        return 1


def compile_index(vi, lists) -> CIndex:
    return CIndex()
