# The engine's clock: integer nanoseconds.
#
# Every event is due at a whole nanosecond (its time is rounded once, when it is pushed), and
# the clock `now_ns` only takes those values, so events that fall on the same instant tie
# exactly whatever arithmetic led to them. The loop's steps still read `now` in seconds: it is
# always `now_ns / 1e9`, the double nearest that instant, which is also the double a decimal
# setting with up to nine decimals (a warm-up, a fault's start) parses to, so `now >= warmup`
# compares instants exactly. Boundaries that come from sums or quotients (a breaker's open
# wait, a rate limiter's cycle, a deadline) are compared in nanoseconds: `_ns` of a sum of
# such seconds lands on the exact instant, the rounding of the sum being far below 0.5 ns for
# times under about 100 days (the longest run allowed is 116 days: its last days compare to
# within a few nanoseconds).
from libc.stdint cimport int64_t

cdef enum:
    NS_PER_S = 1000000000

cdef extern from *:
    """
    #if defined(_MSC_VER)
    #define FAULTLINE_NOINLINE __declspec(noinline)
    #else
    #define FAULTLINE_NOINLINE __attribute__((noinline))
    #endif
    /* _ns of a negative, infinite, NaN or far-off time: kept out of line, so that _ns stays
       small enough for the compiler to inline it at each of its dozens of uses */
    static FAULTLINE_NOINLINE int64_t faultline_ns_far(double seconds) {
        double x = seconds * 1e9;
        int64_t n;
        if (!(seconds < 1e9)) return 1000000000000000000LL;   /* "never", also NaN */
        if (seconds <= -1e9) return -1000000000000000000LL;
        /* llround (halves away from zero) without the library call, which cost more than
           the rest of scheduling an event: x - n is exact, so the comparison with 0.5 is too */
        n = (int64_t)x;
        if (x >= 0) {
            if (x - n >= 0.5) n += 1;
        } else if (n - x >= 0.5) {
            n -= 1;
        }
        return n;
    }
    """
    int64_t _ns_far "faultline_ns_far"(double seconds) noexcept nogil


cdef inline int64_t _never_ns() noexcept nogil:
    """An instant past any run (about 31 years), for "never" and infinite times."""
    return 1000000000000000000


cdef inline int64_t _ns(double seconds) noexcept nogil:
    """The nearest whole nanosecond of a time or duration in seconds; infinite, NaN and
    times past 31 years are "never". (Past 2**53 ns, about 104 days, `now` in seconds can no
    longer tell neighbouring nanoseconds apart, but the clock itself still can.)"""
    cdef double x = seconds * 1e9
    cdef int64_t n
    if 0.0 <= seconds < 1e9:
        # the common case, a time in the run or a delay, without a branch on the rounding;
        # the rest in a call of its own, so that this stays small enough for the compiler to
        # inline at every one of its dozens of uses (it did not, and each paid a call)
        n = <int64_t>x
        return n + <int64_t>(x - n >= 0.5)
    return _ns_far(seconds)


cdef inline double _seconds(int64_t ns) noexcept nogil:
    return ns / 1e9


cdef inline int64_t _ns_after(int64_t now_ns, double now, double delay) noexcept nogil:
    """_ns(now + delay), ``now`` being the clock's `now_ns / 1e9`: for no delay (a hop without
    latency) the clock's own instant, without rounding it back. Below 2**51 ns (26 days)
    `now * 1e9` lies within half a nanosecond of `now_ns` (two roundings of at most 2**-53
    each), so that is exactly what _ns(now) gives there."""
    if delay == 0.0 and now_ns < (<int64_t>1) << 51:
        return now_ns
    return _ns(now + delay)
