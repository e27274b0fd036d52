#!/usr/bin/env python3
"""Rounds' route solver against PyVRP and VROOM on the vendored benchmark instances (bench/route/instances).

Run through ``bench/route/run`` (it makes the virtualenv and builds the binaries).
Every route, whoever found it, is re-checked by one referee: the
``check_route`` example of ``rounds-route`` (``rounds_route::check``). Prize and
distance in the table are the checker's figures, not the solvers' own.

Instances (see ``bench/route/instances/README.md``):

* Solomon files read as a one-rep orienteering day (OPTW): the depot and the first N
  customers (N = 25, 50, 100), one vehicle, no capacity, travel time = distance =
  floor(10 x Euclidean), ready/due/service x10 floored, every customer optional with
  prize = demand; objective: maximise prize, then minimise distance.
* Gehring-Homberger files (``--hg DIR``, or ``hg/`` beside ``solomon/``): the same
  Solomon format and derivation, over every customer in the file (200, 400).
* Dumas TSPTW files in LKH-3 format: every customer required, minimise distance.

How the external solvers are modelled (also printed under the table):

* PyVRP: one vehicle type with one vehicle, no capacity, shift [depot ready, depot
  due], explicit edges (distance = duration = the matrix). Solomon customers are
  optional clients with ``prize = demand x W`` where ``W = depot due - depot ready + 1``
  (in x10 units). Because travel time equals distance and every route must be back by
  the depot's due time, every feasible route drives less than ``W``; PyVRP minimises
  ``distance + uncollected prizes``, so one unit of prize outweighs any difference in
  distance and PyVRP's objective orders routes exactly as (max prize, min distance).
  TSPTW clients are required with prize 0. Stopped by ``MaxRuntime`` (10 s, 1 s with
  ``--quick``), seed 1.
* VROOM: one vehicle from and to the depot with ``time_window`` [depot ready, depot
  due], the duration matrix (cost = travel time = distance), jobs with their window
  and service. Solomon jobs get ``priority = demand`` (VROOM allows 0..100; every
  Solomon demand fits, otherwise the script stops). VROOM's objective is
  lexicographic too, but (max priority sum, then max *number of jobs*, then min
  cost): among routes of equal prize it prefers more visits to less distance, so it
  cannot express our second criterion exactly. Every VROOM job is optional, so TSPTW
  "required" cannot be expressed either: all jobs get the same priority, VROOM
  maximises the number assigned, and a route that leaves a node out is reported as
  not valid. No time limit: exploration level 5, 2 threads.
* Rounds: the ``solve_route`` example of rounds-route, the same call as ``rounds route
  solve``, with its defaults (3000 iterations per start, 1.2x on days of more than 128
  candidates, 4 starts from seed 1 on the 2 cores, best kept); time is the solver's own
  ``solve_seconds`` (parsing, checking and process start excluded).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import math
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


# ---------------------------------------------------------------- instances


@dataclass
class Instance:
    label: str  # "C101-25", "n20w20.001"
    path: Path
    kind: str  # "solomon" or "tsptw"
    customers: int  # N (Solomon) or candidates (TSPTW)
    matrix: list[list[int]]
    depot: int  # row of the depot in the matrix
    ids: list[int]  # candidate ids, matrix rows in `rows` order
    rows: list[int]  # matrix row of each candidate
    windows: list[tuple[int, int]]  # per candidate
    service: list[int]  # per candidate
    prize: list[int]  # per candidate
    start: int
    end: int
    best_known: int | None = None
    coords: list[tuple[float, float]] | None = None  # per matrix row (Solomon only)
    reference: str = ""  # "prize/distance" proven optimal, from the folder's README


def solomon_rows(path: Path) -> list[list[float]]:
    rows = []
    for line in path.read_text().splitlines():
        f = line.split()
        if len(f) == 7 and f[0].isdigit():
            rows.append([float(x) for x in f])
    return rows


def read_solomon(path: Path, n: int | None = None) -> Instance:
    """The depot and the first ``n`` customers (every customer when ``n`` is None)."""
    rows = solomon_rows(path)
    n = len(rows) - 1 if n is None else n
    rows = rows[: n + 1]
    if len(rows) != n + 1:
        raise SystemExit(f"{path}: fewer than {n} customers")

    def sc(v: float) -> int:
        return math.floor(v * 10)

    matrix = [
        [math.floor(10 * math.hypot(a[1] - b[1], a[2] - b[2])) for b in rows]
        for a in rows
    ]
    return Instance(
        label=f"{path.stem}-{n}",
        path=path,
        kind="solomon",
        customers=n,
        matrix=matrix,
        depot=0,
        ids=[int(r[0]) for r in rows[1:]],
        rows=list(range(1, n + 1)),
        windows=[(sc(r[4]), sc(r[5])) for r in rows[1:]],
        service=[sc(r[6]) for r in rows[1:]],
        prize=[int(r[3]) for r in rows[1:]],
        start=sc(rows[0][4]),
        end=sc(rows[0][5]),
        coords=[(r[1], r[2]) for r in rows],
    )


def read_tsptw(path: Path) -> Instance:
    lines = path.read_text().splitlines()
    dim = None
    matrix: list[list[int]] = []
    windows: dict[int, tuple[int, int]] = {}
    depot = 1
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        key = line.split(":")[0].strip().upper()
        if key == "DIMENSION":
            dim = int(line.split(":")[1])
        elif key == "EDGE_WEIGHT_SECTION":
            values: list[int] = []
            while len(values) < dim * dim:
                values += [int(t) for t in lines[i].split()]
                i += 1
            matrix = [values[r * dim : (r + 1) * dim] for r in range(dim)]
        elif key == "TIME_WINDOW_SECTION":
            while len(windows) < dim:
                f = lines[i].split()
                i += 1
                if f:
                    windows[int(f[0])] = (int(f[1]), int(f[2]))
        elif key == "DEPOT_SECTION":
            depot = int(lines[i].split()[0])
            i += 1
    assert dim and matrix and len(windows) == dim, f"{path}: not a TSPTW file"
    nodes = [v for v in range(1, dim + 1) if v != depot]
    m = re.match(r"(.+)\.tsptw$", path.name)
    best = None
    for tour in path.parent.glob(f"{m.group(1)}.*.tour"):
        tail = tour.name[len(m.group(1)) + 1 : -len(".tour")]
        if tail.isdigit():
            best = int(tail)
    return Instance(
        label=m.group(1),
        path=path,
        kind="tsptw",
        customers=len(nodes),
        matrix=matrix,
        depot=depot - 1,
        ids=nodes,
        rows=[v - 1 for v in nodes],
        windows=[windows[v] for v in nodes],
        service=[0] * len(nodes),
        prize=[0] * len(nodes),
        start=windows[depot][0],
        end=windows[depot][1],
        best_known=best,
    )


# ---------------------------------------------------------------- solvers


@dataclass
class Run:
    order: list[int] | None  # candidate ids; None if the solver gave no route
    seconds: float
    note: str = ""
    cpu: float = math.nan  # CPU seconds of the whole process, every thread (Rounds only)
    check: dict = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        c = self.check
        return bool(c.get("feasible")) and not c.get("missing_required")


def run_rounds(inst: Instance, binary: Path, iterations: int, seed: int) -> Run:
    # The `solve_route` example of rounds-route takes the same arguments as
    # `rounds route solve` and makes the same call; the full binary needs the subcommand.
    sub = [] if binary.name.startswith("solve_route") else ["route", "solve"]
    cmd = [str(binary), *sub, str(inst.path), "--format", inst.kind]
    if inst.kind == "solomon":
        cmd += ["--customers", str(inst.customers)]
    cmd += ["--iterations", str(iterations), "--seed", str(seed)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if out.returncode != 0:
        return Run(None, math.nan, note=out.stderr.strip().splitlines()[-1])
    j = json.loads(out.stdout)
    return Run(j["order"], j["solve_seconds"], cpu=cpu)


def run_pyvrp(inst: Instance, seconds: float, seed: int) -> Run:
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    m = Model()
    xy = inst.coords or [(0.0, 0.0)] * len(inst.matrix)
    locs = [m.add_location(x, y) for x, y in xy]
    depot = m.add_depot(locs[inst.depot], tw_early=inst.start, tw_late=inst.end)
    m.add_vehicle_type(
        1, start_depot=depot, end_depot=depot, tw_early=inst.start, tw_late=inst.end
    )
    w = inst.end - inst.start + 1  # > any feasible route's distance (see the docstring)
    for k, row in enumerate(inst.rows):
        m.add_client(
            locs[row],
            service_duration=inst.service[k],
            tw_early=inst.windows[k][0],
            tw_late=inst.windows[k][1],
            prize=inst.prize[k] * w,
            required=inst.kind == "tsptw",
        )
    for i, a in enumerate(locs):
        for j, b in enumerate(locs):
            d = inst.matrix[i][j]
            m.add_edge(a, b, distance=d, duration=d)
    started = time.perf_counter()
    res = m.solve(MaxRuntime(seconds), seed=seed, display=False)
    took = time.perf_counter() - started
    routes = res.best.routes()
    order = []
    for r in routes:
        order += [inst.ids[a.idx] for a in r.schedule() if a.is_client()]
    note = "" if res.is_feasible() else "PyVRP: infeasible"
    return Run(order, took, note=note)


def run_vroom(inst: Instance, seed: int) -> Run:
    import vroom

    del seed  # VROOM is deterministic
    inp = vroom.Input()
    inp.set_durations_matrix(profile="car", matrix_input=inst.matrix)
    inp.add_vehicle(
        vroom.Vehicle(
            1,
            start=inst.depot,
            end=inst.depot,
            time_window=vroom.TimeWindow(inst.start, inst.end),
        )
    )
    for k, row in enumerate(inst.rows):
        priority = inst.prize[k]
        if not 0 <= priority <= 100:
            raise SystemExit(f"{inst.label}: prize {priority} does not fit VROOM's 0..100")
        inp.add_job(
            vroom.Job(
                inst.ids[k],
                location=row,
                default_service=inst.service[k],
                priority=priority,
                time_windows=[vroom.TimeWindow(*inst.windows[k])],
            )
        )
    started = time.perf_counter()
    sol = inp.solve(exploration_level=5, nb_threads=2)
    took = time.perf_counter() - started
    steps = sol.routes
    order = [int(x) for x in steps[steps["type"] == "job"]["id"]]
    return Run(order, took)


def check(inst: Instance, checker: Path, run: Run) -> None:
    if run.order is None:
        run.check = {"feasible": False, "violation": run.note or "no route"}
        return
    cmd = [str(checker), str(inst.path), "--format", inst.kind]
    if inst.kind == "solomon":
        cmd += ["--customers", str(inst.customers)]
    cmd += ["--order", json.dumps(run.order)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"check_route failed on {inst.label}: {out.stderr}")
    run.check = json.loads(out.stdout)


# ---------------------------------------------------------------- report


def fmt_run(inst: Instance, r: Run) -> list[str]:
    c = r.check
    t = "-" if math.isnan(r.seconds) else f"{r.seconds:.3f}"
    if not c.get("feasible"):
        return ["-", "-", t, "NO: " + str(c.get("violation"))[:40]]
    ok = "yes"
    if c.get("missing_required"):
        ok = f"NO: {len(c['missing_required'])} left out"
    dist = c["distance_units"] / (10 if inst.kind == "solomon" else 1)
    prize = str(c["prize"]) if inst.kind == "solomon" else "-"
    return [prize, f"{dist:.1f}" if inst.kind == "solomon" else f"{dist:.0f}", t, ok]


def ratio(a: Run, b: Run) -> tuple[str, float | None]:
    """Rounds (a) against another solver (b): prize ratio, or distance ratio on a tie."""
    if not (a.valid and b.valid):
        return "n/a", None
    pa, pb = a.check["prize"], b.check["prize"]
    da, db = a.check["distance_units"], b.check["distance_units"]
    if pa != pb:
        return f"prize {pa / pb:.3f}" if pb else "prize +inf", None
    r = da / db if db else 1.0
    return f"dist {r:.3f}", r


def size_table(results: list[tuple[Instance, dict[str, Run]]], solvers: list[str]) -> str:
    """Per size class: Rounds' median and max time, and Rounds / other as the geometric
    mean of the prize ratio (Solomon) or of the inverse distance ratio (TSPTW), so that
    above 1 always means Rounds did better; with the worst single ratio."""
    classes: dict[str, list[tuple[Instance, dict[str, Run]]]] = {}
    for inst, runs in results:
        key = f"{'TSPTW' if inst.kind == 'tsptw' else 'OPTW'} {inst.customers}"
        classes.setdefault(key, []).append((inst, runs))
    head = [
        "size class",
        "instances",
        "Rounds median s",
        "Rounds max s",
        "Rounds median CPU s",
        "Rounds max CPU s",
    ]
    for s in solvers[1:]:
        head += [f"vs {s} geo-mean", f"vs {s} worst", f"better/equal/worse vs {s}"]
    lines = [
        "Per size class (ratio = Rounds prize / other's prize for OPTW, other's distance / "
        "Rounds distance for TSPTW; above 1 = Rounds better; CPU s = user + system time of "
        "the whole Rounds process over all its threads, parsing and checking included: "
        "less sensitive than the wall time to other work on the machine, and about twice "
        "the wall time on an idle 2-core machine):\n",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]

    def key_of(inst: Instance) -> tuple[int, str]:
        kind, n = inst.kind, inst.customers
        return (n, kind)

    for name, group in sorted(classes.items(), key=lambda kv: key_of(kv[1][0][0])):
        times = [r["Rounds"].seconds for _, r in group if not math.isnan(r["Rounds"].seconds)]
        cpus = [r["Rounds"].cpu for _, r in group if not math.isnan(r["Rounds"].cpu)]
        row = [
            name,
            str(len(group)),
            f"{statistics.median(times):.3f}" if times else "-",
            f"{max(times):.3f}" if times else "-",
            f"{statistics.median(cpus):.3f}" if cpus else "-",
            f"{max(cpus):.3f}" if cpus else "-",
        ]
        for s in solvers[1:]:
            ratios = []
            tally = [0, 0, 0]
            for inst, runs in group:
                mine, other = runs["Rounds"], runs[s]
                if not (mine.valid and other.valid):
                    continue
                if inst.kind == "tsptw":
                    x = other.check["distance_units"] / max(mine.check["distance_units"], 1)
                else:
                    x = mine.check["prize"] / max(other.check["prize"], 1)
                ratios.append(x)
                km = (-mine.check["prize"], mine.check["distance_units"])
                ko = (-other.check["prize"], other.check["distance_units"])
                tally[0 if km < ko else 1 if km == ko else 2] += 1
            geo = math.exp(sum(math.log(x) for x in ratios) / len(ratios)) if ratios else math.nan
            row += [
                f"{geo:.4f}",
                f"{min(ratios):.4f}" if ratios else "-",
                "/".join(map(str, tally)),
            ]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def version(pkg: str) -> str:
    try:
        return importlib.metadata.version(pkg)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc {os.sched_getaffinity(0).__len__()}), {model}, {platform.system()} {platform.release()}"


def git_describe(root: Path) -> str:
    def git(*a: str) -> str:
        return subprocess.run(
            ["git", "-C", str(root), *a], capture_output=True, text=True
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "?"
    dirty = " (with uncommitted changes)" if git("status", "--porcelain") else ""
    return head + dirty


def main() -> int:
    root = Path(__file__).resolve().parents[2]
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("instances", nargs="?", default=str(root / "bench/route/instances"))
    p.add_argument("--rounds", default="target/release/rounds")
    p.add_argument("--checker", default="target/release/examples/check_route")
    p.add_argument("--quick", action="store_true", help="PyVRP 1 s instead of 10 s")
    p.add_argument("--pyvrp-seconds", type=float, default=None)
    p.add_argument("--filter", default="", help="regex on labels such as C101-25, n20w20.001")
    p.add_argument("--sizes", default="25,50,100", help="Solomon N values (solomon/ only)")
    p.add_argument(
        "--hg",
        default=None,
        help="folder of Gehring-Homberger files (Solomon format, every customer used); "
        "default: INSTANCES/hg if it exists",
    )
    p.add_argument("--iterations", type=int, default=3000, help="Rounds' iterations")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--skip", default="", help="comma list of solvers to skip: pyvrp,vroom")
    p.add_argument("--results", default=None, help="also write the report here (Markdown)")
    a = p.parse_args()
    seconds = a.pyvrp_seconds or (1.0 if a.quick else 10.0)
    skip = {s for s in a.skip.split(",") if s}
    folder = Path(a.instances).resolve()
    rounds, checker = Path(a.rounds), Path(a.checker)
    for b in (rounds, checker):
        if not b.exists():
            raise SystemExit(f"{b} not found: build it first (bench/route/run does)")

    insts: list[Instance] = []
    sizes = [int(s) for s in a.sizes.split(",") if s]
    pattern = re.compile(a.filter) if a.filter else None
    for f in sorted((folder / "solomon").glob("*.txt")):
        for n in sizes:
            if pattern is None or pattern.search(f"{f.stem}-{n}"):
                insts.append(read_solomon(f, n))
    hg = Path(a.hg).resolve() if a.hg else folder / "hg"
    if a.hg and not hg.is_dir():
        raise SystemExit(f"{hg}: not a folder")
    hg_files = sorted(hg.glob("*.txt")) if hg.is_dir() else []
    # Gehring-Homberger files: one instance each over all its customers (200, 400, ...).
    for f in sorted(hg_files, key=lambda f: (len(solomon_rows(f)), f.stem)):
        inst = read_solomon(f)
        if pattern is None or pattern.search(inst.label):
            insts.append(inst)
    for f in sorted((folder / "tsptw").glob("*.tsptw")):
        if pattern is None or pattern.search(f.name[: -len(".tsptw")]):
            insts.append(read_tsptw(f))
    if not insts:
        raise SystemExit(f"no instance in {folder} matches")
    # The README beside the instances quotes MIP-proven optima ("C101-25 250/164.6").
    readme = folder / "README.md"
    if readme.exists():
        refs = dict(re.findall(r"\b([A-Z]+\d+-\d+) (\d+/\d+\.\d)\b", readme.read_text()))
        for inst in insts:
            if inst.label in refs:
                inst.reference = refs[inst.label]

    solvers = ["Rounds"] + [s for s in ("PyVRP", "VROOM") if s.lower() not in skip]
    results: list[tuple[Instance, dict[str, Run]]] = []
    for inst in insts:
        runs: dict[str, Run] = {}
        runs["Rounds"] = run_rounds(inst, rounds, a.iterations, a.seed)
        if "PyVRP" in solvers:
            runs["PyVRP"] = run_pyvrp(inst, seconds, a.seed)
        if "VROOM" in solvers:
            runs["VROOM"] = run_vroom(inst, a.seed)
        for r in runs.values():
            check(inst, checker, r)
        results.append((inst, runs))
        brief = "  ".join(
            f"{s} {r.check.get('prize', '-')}/{r.check.get('distance', '-')}"
            f"{'' if r.valid else ' (NOT VALID)'}"
            for s, r in runs.items()
        )
        print(f"# {inst.label}: {brief}", file=sys.stderr, flush=True)

    out: list[str] = []
    out.append(f"# Route benchmark: Rounds vs PyVRP vs VROOM\n")
    out.append(f"- date: {dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}")
    out.append(f"- machine: {machine()}")
    out.append(
        f"- versions: rounds {git_describe(root)}, pyvrp {version('pyvrp')}, "
        f"pyvroom {version('pyvroom')}, Python {platform.python_version()}, "
        f"{subprocess.run(['rustc', '--version'], capture_output=True, text=True).stdout.strip()}"
    )
    out.append(
        f"- settings: Rounds {a.iterations} iterations, seed {a.seed}; PyVRP MaxRuntime "
        f"{seconds:g} s, seed {a.seed}; VROOM exploration 5, 2 threads"
    )
    out.append(f"- instances: {folder}" + (f", Gehring-Homberger: {hg}" if hg_files else ""))
    out.append(
        "- prize and distance are the checker's (check_route); Solomon distance in the "
        "file's units (x10 units / 10); time in seconds; ok = checker says feasible and no "
        "required node left out; vs X = Rounds / X: prize ratio when prizes differ, "
        "else distance ratio (< 1 = Rounds shorter); best known = the TSPTW length in the "
        "`.tour` file name, or the Solomon prize/distance the instances' README quotes as "
        "proven optimal by a MIP\n"
    )
    head = ["instance"]
    for s in solvers:
        head += [f"{s} prize", f"{s} dist", f"{s} s", f"{s} ok"]
    head += ["best known"] + [f"vs {s}" for s in solvers[1:]]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    tie_ratios: dict[str, list[float]] = {s: [] for s in solvers[1:]}
    tally: dict[str, dict[str, int]] = {
        s: {"better": 0, "equal": 0, "worse": 0, "n/a": 0} for s in solvers[1:]
    }
    for inst, runs in results:
        row = [inst.label]
        for s in solvers:
            row += fmt_run(inst, runs[s])
        row.append(str(inst.best_known) if inst.best_known is not None else inst.reference)
        mine = runs["Rounds"]
        for s in solvers[1:]:
            text, r = ratio(mine, runs[s])
            row.append(text)
            if r is not None:
                tie_ratios[s].append(r)
            other = runs[s]
            if not mine.valid and not other.valid:
                tally[s]["n/a"] += 1
            elif not other.valid:
                tally[s]["better"] += 1
            elif not mine.valid:
                tally[s]["worse"] += 1
            else:
                km = (-mine.check["prize"], mine.check["distance_units"])
                ko = (-other.check["prize"], other.check["distance_units"])
                tally[s]["better" if km < ko else "equal" if km == ko else "worse"] += 1
        out.append("| " + " | ".join(row) + " |")
    times = [r["Rounds"].seconds for _, r in results if not math.isnan(r["Rounds"].seconds)]
    out.append("")
    out.append(
        f"- Rounds solve time: median {statistics.median(times):.3f} s, "
        f"max {max(times):.3f} s over {len(times)} instances"
    )
    out.append(f"- load average when the report was written: {os.getloadavg()[0]:.2f}")
    valid = sum(r["Rounds"].valid for _, r in results)
    out.append(f"- Rounds routes valid by the checker: {valid}/{len(results)}")
    for s in solvers[1:]:
        t = tally[s]
        rs = tie_ratios[s]
        geo = math.exp(sum(math.log(x) for x in rs) / len(rs)) if rs else math.nan
        out.append(
            f"- Rounds vs {s} (lexicographic prize, then distance): better {t['better']}, "
            f"equal {t['equal']}, worse {t['worse']}, both invalid {t['n/a']}; "
            f"distance ratio where prizes tie: geometric mean {geo:.4f} over {len(rs)}"
        )
        st = [r[s].seconds for _, r in results]
        out.append(f"- {s} time: median {statistics.median(st):.3f} s")
    bk = [
        (inst, runs["Rounds"])
        for inst, runs in results
        if inst.best_known is not None and runs["Rounds"].valid
    ]
    if bk:
        hit = sum(r.check["distance_units"] == inst.best_known for inst, r in bk)
        out.append(f"- Rounds equals the TSPTW best-known length on {hit}/{len(bk)}")
    opt = [(inst, runs["Rounds"]) for inst, runs in results if inst.reference]
    if opt:
        hit = sum(
            r.valid and f"{r.check['prize']}/{r.check['distance_units'] / 10:.1f}" == inst.reference
            for inst, r in opt
        )
        out.append(f"- Rounds equals the README's proven Solomon optimum on {hit}/{len(opt)}")
    out.append("")
    out.append(size_table(results, solvers))
    out.append("")
    out.append("## How each solver was modelled\n")
    out.append(__doc__.split("How the external solvers are modelled (also printed under the table):")[1].strip())
    report = "\n".join(out) + "\n"
    print(report)
    if a.results:
        Path(a.results).write_text(report)
        print(f"written to {a.results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
