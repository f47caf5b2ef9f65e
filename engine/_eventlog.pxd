# The run's event log: the state changes an engineer would look for in production logs.
from libc.stdint cimport int64_t
from libc.math cimport log

from engine._codes cimport *
from engine._state cimport Sim


cdef inline void _log(Sim* s, int kind, int comp, int link, int fault, int inst, double v1, double v2) noexcept nogil:
    cdef int64_t n = s.log_n
    if n >= s.log_cap:
        s.log_dropped += 1
        return
    s.lg_t[n] = s.now
    s.lg_kind[n] = kind
    s.lg_comp[n] = comp
    s.lg_link[n] = link
    s.lg_fault[n] = fault
    s.lg_inst[n] = inst
    s.lg_v1[n] = v1
    s.lg_v2[n] = v2
    s.log_n += 1
