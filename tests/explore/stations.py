"""The small design the sweep tests run: a client and a two-worker server, optionally with an outage."""
import engine.model as m


def station(with_outage: bool = False) -> m.Design:
    outage = [m.Experiment(name="outage", faults=[m.CrashFault(target="server", start=2, duration=3)])]
    return m.Design(
        name="station",
        components=[m.Client(name="users", workload=m.OpenLoop(rate=50)),
                    m.Service(name="server", workers=2, service_time=m.Exponential(mean=0.02))],
        links=[m.Link(source="users", target="server", latency=m.Constant(value=0.0))],
        experiments=outage if with_outage else [],
    )
