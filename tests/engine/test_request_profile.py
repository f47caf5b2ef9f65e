"""The per-request profile's parsing of callgrind_annotate output (valgrind itself not needed)."""
from benchmarks.request_profile import by_c_line, by_function, to_sources

FUNCTIONS = """\
--------------------------------------------------------------------------------
Ir                     file:function
--------------------------------------------------------------------------------
1,200 (40.00%)  engine/_loop.c:__pyx_f_6engine_5_loop__run [/x/engine/_loop.so]
  300 (10.00%)  ./math/e_log.c:__ieee754_log_fma [/usr/lib/libm.so.6]
  900 (30.00%)  => engine/_loop.c:__pyx_f_6engine_5_loop__send (3x)
"""

ANNOTATED = """\
-- Auto-annotated source: engine/_other.c
-- line 4 ----------------------------------------
  999 ( 1.00%)  x = 1;
-- Auto-annotated source: engine/_loop.c
--------------------------------------------------------------------------------
Ir
-- line 3 ----------------------------------------
   10 ( 0.10%)    a += 1;
   70 ( 0.70%)  => engine/_loop.c:callee (7x)
-- line 3 ----------------------------------------
-- line 7 ----------------------------------------
    5 ( 0.05%)    b += 1;
-- line 7 ----------------------------------------
-- Auto-annotated source: engine/_core.c
-- line 3 ----------------------------------------
  500 ( 5.00%)  y = 2;
"""

C_SOURCE = """\
/* "engine/_loop.pyx":40
 *     a += 1
 */
  a += 1;
/* "engine/_metrics.pxd":12
 *     b += 1
 */
  b += 1;
"""


def test_functions_are_exclusive_and_named_without_their_file():
    assert by_function(FUNCTIONS) == {"__pyx_f_6engine_5_loop__run": 1200, "__ieee754_log_fma": 300}


def test_lines_of_one_file_leave_out_calls_and_other_files():
    assert by_c_line(ANNOTATED, "engine/_loop.c") == {3: 10, 7: 5}
    assert by_c_line(ANNOTATED, "engine/_missing.c") == {}


def test_c_lines_fold_into_the_source_line_they_came_from():
    counts = to_sources(by_c_line(ANNOTATED, "engine/_loop.c"), C_SOURCE)
    assert counts == {("engine/_loop.pyx", 40): 10, ("engine/_metrics.pxd", 12): 5}
