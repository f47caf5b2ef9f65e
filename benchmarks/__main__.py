"""Run every benchmark that is present and print its figures."""
import importlib
import sys

SUITES = ("bench_startup", "bench_memory", "bench_engine", "bench_peers", "bench_balancer", "bench_store",
          "bench_canvas", "bench_canvas_edits", "bench_time_slider", "bench_save", "bench_gui", "bench_event_log",
          "bench_sweep", "bench_traces")


def main() -> int:
    for name in SUITES:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"benchmarks.{name}":
                continue
            raise
        print(f"\n== {name.removeprefix('bench_')} ==")
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
