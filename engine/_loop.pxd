# What the Core calls of the event loop (engine/_loop.pyx).
from libc.stdint cimport int64_t

from engine._state cimport Sim

cdef void _run(Sim* s, double until, int64_t max_events) noexcept nogil
cdef double _next_arrival(Sim* s, int c, double t, bint first) noexcept nogil
