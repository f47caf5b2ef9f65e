# Random streams (xoshiro256** seeded through splitmix64, one per component, link and fault)
# and the draws of the distribution table. Exponentials, the draw a queueing model makes most
# (a Poisson client's gaps, a service's work), and normals (a log-normal's logarithm) come
# from ziggurats (Marsaglia and Tsang, "The Ziggurat Method for Generating Random
# Variables", 2000): one number of the stream, a table read and a multiply 99 times in 100,
# where inverting the exponential took a log, and a normal a log, a square root and a cosine.
from libc.stdint cimport uint64_t, int64_t
from libc.math cimport log, exp, sqrt

from engine._codes cimport *
from engine._state cimport Sim
from engine._structs cimport Rng, ZigLayer
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




cdef extern from *:
    """
    /* The ziggurat of 256 layers of equal area under exp(-x): the widest ends at R, where the
       tail begins, and each holds AREA (the constants of the paper for 256 layers). A draw's
       53 high bits are its place across a layer, in SCALE-ths of the layer's width. */
    #define FAULTLINE_ZIG_R 7.69711747013104972
    #define FAULTLINE_ZIG_AREA 3.9496598225815571993e-3
    #define FAULTLINE_ZIG_SCALE 9007199254740992.0
    /* The same for the normal's half, exp(-x * x / 2), of 256 layers */
    #define FAULTLINE_ZIG_NR 3.6541528853610088
    #define FAULTLINE_ZIG_NAREA 4.928673233974658e-3
    /* A draw's edge (one in a hundred) is a call, so that the steps that draw inline only the
       rectangle's test: inlined, it made them larger and slower to no gain. */
    #if defined(_MSC_VER)
    #define FAULTLINE_ZIG_EDGE __declspec(noinline)
    #else
    #define FAULTLINE_ZIG_EDGE __attribute__((noinline))
    #endif
    struct __pyx_t_6engine_8_structs_Rng;
    struct __pyx_t_6engine_8_structs_ZigLayer;
    static FAULTLINE_ZIG_EDGE double __pyx_f_6engine_7_random__zig_edge(struct __pyx_t_6engine_8_structs_Rng *, struct __pyx_t_6engine_8_structs_ZigLayer *, double *, int, uint64_t, int);
    """
    const double ZIG_R "FAULTLINE_ZIG_R"
    const double ZIG_AREA "FAULTLINE_ZIG_AREA"
    const double ZIG_SCALE "FAULTLINE_ZIG_SCALE"
    const double ZIG_NR "FAULTLINE_ZIG_NR"
    const double ZIG_NAREA "FAULTLINE_ZIG_NAREA"


cdef inline double _zig_curve(double x, bint normal) noexcept nogil:
    """The curve a ziggurat covers: exp(-x), or the normal's half exp(-x * x / 2)."""
    return exp(-0.5 * x * x) if normal else exp(-x)


cdef inline void _zig_layers(ZigLayer* layers, double* f, double r, double area, bint normal) noexcept nogil:
    """The layers, from the widest (255, whose width is ``r``) to the narrowest (1); layer 0
    is the base, a rectangle of height curve(r) with the tail beyond it, given the width its
    area would have as a rectangle. A layer's k is where its rectangle leaves the curve: the
    width of the layer above it, in 2 ** -53 of its own. ``f``: the curve at each edge."""
    cdef double x = r, wider = r
    cdef double base = area / _zig_curve(r, normal)
    cdef int i
    layers[0].k = <uint64_t>((r / base) * ZIG_SCALE)
    layers[0].w = base / ZIG_SCALE
    layers[1].k = 0
    layers[255].w = r / ZIG_SCALE
    f[0] = 1.0
    f[255] = _zig_curve(r, normal)
    for i in range(254, 0, -1):
        # the curve's inverse at the height where the layer above ends
        if normal:
            x = sqrt(-2.0 * log(area / x + _zig_curve(x, normal)))
        else:
            x = -log(area / x + _zig_curve(x, normal))
        layers[i + 1].k = <uint64_t>((x / wider) * ZIG_SCALE)
        wider = x
        f[i] = _zig_curve(x, normal)
        layers[i].w = x / ZIG_SCALE


cdef inline void _zig_build(Sim* s) noexcept nogil:
    """The exponential's and the normal's ziggurats, built with the run."""
    _zig_layers(s.zig, s.zig_f, ZIG_R, ZIG_AREA, 0)
    _zig_layers(s.zig_n, s.zig_nf, ZIG_NR, ZIG_NAREA, 1)


cdef inline double _zig_edge(Rng* r, ZigLayer* layers, double* f, int i, uint64_t place, bint normal) noexcept nogil:
    """A draw that fell outside its layer's rectangle: in the tail, or in the wedge between
    the rectangle and the curve, kept if under it; else the ziggurat is drawn again. The
    exponential's tail beyond ZIG_R is the exponential again (memoryless); the normal's
    beyond ZIG_NR is Marsaglia's (an exponential x over ZIG_NR, kept if another, doubled,
    passes x squared)."""
    cdef double x, y
    cdef uint64_t u
    while True:
        if i == 0:
            if not normal:
                return ZIG_R - log(1.0 - _uniform(r))
            while True:
                x = -log(1.0 - _uniform(r)) / ZIG_NR
                y = -log(1.0 - _uniform(r))
                if y + y >= x * x:
                    return ZIG_NR + x
        x = <double>place * layers[i].w
        if f[i] + _uniform(r) * (f[i - 1] - f[i]) < _zig_curve(x, normal):
            return x
        u = _next(r)
        i = <int>(u & 255)
        place = u >> 11
        if place < layers[i].k:
            return <double>place * layers[i].w


cdef inline double _normal(Sim* s, Rng* r) noexcept nogil:
    """A standard normal variate: the layer is the draw's low 8 bits, its sign the next and
    the place across the layer the high 53."""
    cdef uint64_t u = _next(r)
    cdef ZigLayer* layer = &s.zig_n[u & 255]
    cdef double x
    if (u >> 11) < layer.k:
        x = <double>(u >> 11) * layer.w
    else:
        x = _zig_edge(r, s.zig_n, s.zig_nf, <int>(u & 255), u >> 11, 1)
    return -x if (u >> 8) & 1 else x


cdef inline double _expo(Sim* s, Rng* r, double mean) noexcept nogil:
    """An exponential variate of ``mean``. The layer is the draw's low 8 bits and the place
    across it the high 53, apart, so that neither biases the other."""
    cdef uint64_t u = _next(r)
    cdef ZigLayer* layer = &s.zig[u & 255]
    if (u >> 11) < layer.k:
        return <double>(u >> 11) * layer.w * mean
    return _zig_edge(r, s.zig, s.zig_f, <int>(u & 255), u >> 11, 0) * mean


cdef inline double _draw(Sim* s, int d, Rng* r) noexcept nogil:
    # The common kinds are drawn in place; the rest in a call, which keeps this small enough
    # to be inlined into every step that draws.
    cdef DistRow* row = &s.dists[d]
    if row.kind == D_CONSTANT:
        return row.value
    if row.kind == D_EXPONENTIAL:
        return _expo(s, r, row.mean)
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
            x = row.mean + row.std * _normal(s, r)
            if x >= 0:
                return x
        return 0.0
    if row.kind == D_LOGNORMAL:
        return exp(row.mu + row.sigma * _normal(s, r))
    return s.d_points[row.first + <int64_t>(_uniform(r) * row.count)]
