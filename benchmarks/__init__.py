"""Speed and memory benchmarks: figures and ratios, not pass/fail tests (``make bench``)."""
