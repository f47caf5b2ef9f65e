# Random streams (xoshiro256** seeded through splitmix64, one per component, link and fault)
# and the draws of the distribution table.
from libc.stdint cimport uint64_t, int64_t
from libc.math cimport log, exp, sqrt, cos

from engine._codes cimport *
from engine._state cimport Sim
from engine._structs cimport Rng
from engine._tables cimport DistRow


cdef inline uint64_t _rotl(uint64_t x, int k) noexcept nogil:
    return (x << k) | (x >> (64 - k))


cdef inline uint64_t _next(Rng* r) noexcept nogil:
    cdef uint64_t result = _rotl(r.s1 * 5, 7) * 9
    cdef uint64_t t = r.s1 << 17
    r.s2 ^= r.s0
    r.s3 ^= r.s1
    r.s1 ^= r.s2
    r.s0 ^= r.s3
    r.s2 ^= t
    r.s3 = _rotl(r.s3, 45)
    return result


cdef inline double _uniform(Rng* r) noexcept nogil:
    return <double>(_next(r) >> 11) * (1.0 / 9007199254740992.0)


cdef inline uint64_t _splitmix(uint64_t* x) noexcept nogil:
    x[0] += <uint64_t>0x9E3779B97F4A7C15
    cdef uint64_t z = x[0]
    z = (z ^ (z >> 30)) * <uint64_t>0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) * <uint64_t>0x94D049BB133111EB
    return z ^ (z >> 31)


cdef inline void _seed(Rng* r, uint64_t seed) noexcept nogil:
    cdef uint64_t x = seed
    r.s0 = _splitmix(&x)
    r.s1 = _splitmix(&x)
    r.s2 = _splitmix(&x)
    r.s3 = _splitmix(&x)


cdef inline double _normal(Rng* r) noexcept nogil:
    cdef double u1 = 1.0 - _uniform(r)
    cdef double u2 = _uniform(r)
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2)


cdef inline double _expo(Rng* r, double mean) noexcept nogil:
    return -log(1.0 - _uniform(r)) * mean


cdef inline double _draw(Sim* s, int d, Rng* r) noexcept nogil:
    # The common kinds are drawn in place; the rest in a call, which keeps this small enough
    # to be inlined into every step that draws.
    cdef DistRow* row = &s.dists[d]
    if row.kind == D_CONSTANT:
        return row.value
    if row.kind == D_EXPONENTIAL:
        return _expo(r, row.mean)
    return _draw_other(s, row, r)


cdef inline double _draw_other(Sim* s, DistRow* row, Rng* r) noexcept nogil:
    cdef double x
    cdef int tries
    if row.kind == D_UNIFORM:
        return row.low + (row.high - row.low) * _uniform(r)
    if row.kind == D_NORMAL:
        if row.std <= 0:
            return row.mean
        for tries in range(1000):
            x = row.mean + row.std * _normal(r)
            if x >= 0:
                return x
        return 0.0
    if row.kind == D_LOGNORMAL:
        return exp(row.mu + row.sigma * _normal(r))
    return s.d_points[row.first + <int64_t>(_uniform(r) * row.count)]
