"""Load benchmark: concurrent sessions changing filters and pages while an ingest runs.

    python bench/bench_load.py [--db bench/out/contacts_10M.duckdb | --rows N]
                               [--sessions 25] [--seconds 120] [--ingest-rows 100000]
                               [--servers 1] [--think 5 20]
    python bench/bench_load.py --short          # 3 sessions, 10 s, a 20 000-contact sample

Starts `kontaktcenter serve` (one process per `--servers`) on the store, then drives each session
with a small client of Streamlit's own websocket protocol (the protobuf messages in the installed
streamlit package, `/_stcore/stream`), so 25 sessions cost one Python process instead of 25
browsers on a 2-core machine. Each session behaves like a person: it opens Översikt, and after a
think time changes the förvaltning, the period, the comparison or the channel filter, or opens
another page, and waits until the page has been drawn again. A while in, an ingest of
`--ingest-rows` telephony rows (dated at the store's end, so figures change) runs through the CLI.

Printed, never asserted (a measurement, not a test):
  errors       exceptions, error boxes, "busy" messages, lost connections, runs over 60 s (goal 0)
  latency      from sending a filter change (or page switch) until the run has finished and every
               figure of the page is in: median and 95th percentile (goal: p95 under 2 s)
  memory       each server process's peak resident memory (VmHWM; goal under 1 GB), and the
               ingest's
  the load average at the start and the end (the machine is shared: timings are noisy).

The store is written by the ingest: run it on a copy (bench/out/), never on a shared file.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "tests"))   # the test fixtures' export writer and serve helpers

from browser_support import free_port  # noqa: E402
from deploy_support import KONTAKTCENTER, children, serving  # noqa: E402
RUN_TIMEOUT_S = 60.0
# What a viewer must never see: the busy messages of a store being written.
BUSY = ("uppdateras just nu", "byggs just nu")
FIGURES = ("metric", "plotly_chart", "dataframe", "table")
# A person's actions and how often (relative weights): mostly the shared filters, sometimes a page.
ACTIONS = {"förvaltning": 4, "period": 3, "jämförelse": 1, "kanal": 1, "sida": 3}
FILTER_KEYS = {"förvaltning": "flt_department", "period": "flt_preset", "jämförelse": "flt_compare",
               "kanal": "flt_channel"}
SKIP_OPTIONS = ("Egen period",)   # opens a date range picker: a person then picks two dates


# ---------------------------------------------------------------- the protocol client

@dataclasses.dataclass
class Widget:
    id: str
    kind: str           # selectbox, radio, multiselect
    options: list[str]
    value: object       # str, or list[str] for a multiselect

    @property
    def key(self) -> str:
        return self.id.rsplit("-", 1)[-1]   # "$$ID-<hash>-flt_department" -> "flt_department"


@dataclasses.dataclass
class Run:
    session: int
    action: str
    page: str
    started: float      # time.monotonic() when the message was sent
    seconds: float
    metrics: int = 0
    charts: int = 0
    query: str = ""     # the address's query string after the run (the filters in force)
    errors: list[str] = dataclasses.field(default_factory=list)


class Session:
    """One viewer's websocket session: send what the browser sends, read what it would draw."""

    def __init__(self, base_url: str, index: int):
        self.url = base_url.replace("http://", "ws://").replace("https://", "wss://") + "/_stcore/stream"
        self.base_url = base_url
        self.index = index
        self.ws = None
        self.query = ""
        self.pages: dict[str, str] = {}     # page name -> page_script_hash
        self.page = ""                      # the current page's name
        self.page_hash = ""
        self.widgets: dict[str, Widget] = {}

    async def connect(self) -> None:
        import websockets

        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None,
                                           open_timeout=RUN_TIMEOUT_S, ping_interval=None)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def open(self) -> Run:
        """The first visit: Översikt, no filters chosen."""
        await self.connect()
        return await self._rerun("öppna")

    async def act(self, action: str, rng: random.Random) -> Run | None:
        if action == "sida":
            others = [name for name in self.pages if name != self.page]
            if not others:
                return None
            target = rng.choice(others)
            # A page switch drops the query string (Streamlit's own rule; the app carries the
            # filters over itself).
            self.query = ""
            return await self._rerun(f"sida {target}", page_hash=self.pages[target])
        widget = next((w for w in self.widgets.values() if w.key == FILTER_KEYS[action]), None)
        if widget is None:
            return None
        if widget.kind == "multiselect":   # toggle one value, at most two chosen
            chosen = list(widget.value)
            pick = rng.choice(widget.options)
            value = [v for v in chosen if v != pick] if pick in chosen else (chosen + [pick])[-2:]
        else:
            choices = [o for o in widget.options if o != widget.value and o not in SKIP_OPTIONS]
            if not choices:
                return None
            value = rng.choice(choices)
        return await self._rerun(action, change=(widget.id, value))

    async def _rerun(self, action: str, page_hash: str | None = None,
                     change: tuple[str, object] | None = None) -> Run:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
        from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates

        states = []
        for w in self.widgets.values():
            value = change[1] if change and change[0] == w.id else w.value
            state = WidgetState(id=w.id)
            if w.kind == "multiselect":
                state.string_array_value.data.extend(value)
            elif value is not None:
                state.string_value = value
            states.append(state)
        if change and change[0] in self.widgets:   # the browser keeps what it sent
            self.widgets[change[0]].value = change[1]
        if page_hash is not None:
            self.page_hash = page_hash
        msg = BackMsg(rerun_script=ClientState(
            query_string=self.query, page_script_hash=self.page_hash,
            widget_states=WidgetStates(widgets=states),
            context_info=ContextInfo(timezone="Europe/Stockholm", timezone_offset=-60,
                                     locale="sv-SE", url=self.base_url + "/")))
        started = time.monotonic()
        await self.ws.send(msg.SerializeToString())
        run = Run(self.index, action.split()[0], "", started, 0.0)
        try:
            await asyncio.wait_for(self._read_run(run), RUN_TIMEOUT_S)
        except asyncio.TimeoutError:
            run.errors.append(f"ingen färdig körning inom {RUN_TIMEOUT_S:.0f} s")
        except Exception as exc:   # a lost connection is an error the viewer would see
            run.errors.append(f"anslutningen bröts: {type(exc).__name__}: {exc}")
        run.seconds = time.monotonic() - started
        run.page = self.page
        run.query = self.query
        return run

    async def _read_run(self, run: Run) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        widgets: dict[str, Widget] = {}
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await self.ws.recv())
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._element(msg.delta.new_element, run, widgets)
            elif kind == "navigation":
                # the pages a person can click to (not the start page's unlisted twin, /oversikt)
                self.pages = {p.page_name: p.page_script_hash for p in msg.navigation.app_pages
                              if not p.is_hidden}
                by_hash = {h: n for n, h in self.pages.items()}
                self.page_hash = msg.navigation.page_script_hash or self.page_hash
                self.page = by_hash.get(self.page_hash, self.page)
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "page_not_found":
                run.errors.append(f"sidan finns inte: {msg.page_not_found.page_name}")
            elif kind == "script_finished":
                status = msg.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue   # the app asked for another run: the figures come with that one
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    run.errors.append("skriptet kunde inte köras (kompileringsfel)")
                if widgets:
                    self.widgets = widgets
                return

    def _element(self, element, run: Run, widgets: dict[str, Widget]) -> None:
        kind = element.WhichOneof("type")
        if kind == "metric":
            run.metrics += 1
        elif kind in FIGURES:
            run.charts += 1
        elif kind == "exception":
            run.errors.append(f"undantag: {element.exception.type}: {element.exception.message[:200]}")
        elif kind == "alert":
            body = element.alert.body
            if element.alert.format == 1:   # Alert.Format.ERROR
                run.errors.append(f"felruta: {body[:200]}")
            elif any(b in body for b in BUSY):
                run.errors.append(f"upptagen: {body[:200]}")
        elif kind == "markdown" and any(b in element.markdown.body for b in BUSY):
            run.errors.append(f"upptagen: {element.markdown.body[:200]}")
        elif kind in ("selectbox", "radio", "multiselect"):
            # As the browser: a value the app set (set_value) wins, else the one this client
            # chose last, else the widget's default.
            w = getattr(element, kind)
            options = list(w.options)
            known = self.widgets.get(w.id)
            if kind == "multiselect":
                default = [options[i] for i in w.default]
                value = list(w.raw_values) if w.set_value else known.value if known else default
            else:
                default = options[w.default] if options else None
                value = w.raw_value if w.set_value else known.value if known else default
            widgets[w.id] = Widget(w.id, kind, options, value)


async def _person(base_url: str, index: int, deadline: list[float], think: tuple[float, float],
                  runs: list[Run], seed: int) -> None:
    rng = random.Random(seed * 1000 + index)
    session = Session(base_url, index)
    try:
        await asyncio.sleep(rng.uniform(0, min(think)))   # people do not arrive on the same ms
        runs.append(await session.open())
        actions, weights = zip(*ACTIONS.items())
        while time.monotonic() < deadline[0]:
            await asyncio.sleep(rng.uniform(*think))
            if time.monotonic() >= deadline[0]:
                break
            run = await session.act(rng.choices(actions, weights)[0], rng)
            if run is not None:
                runs.append(run)
                if any(e.startswith("anslutningen") for e in run.errors):   # reconnect, as a browser does
                    await session.close()
                    runs.append(await session.open())
    except Exception as exc:
        runs.append(Run(index, "öppna", session.page, time.monotonic(), 0.0,
                        errors=[f"anslutningen misslyckades: {type(exc).__name__}: {exc}"]))
    finally:
        await session.close()


async def drive_async(urls: list[str], sessions: int, seconds: float, think=(5.0, 20.0),
                      seed: int = 1, deadline: list[float] | None = None) -> list[Run]:
    """Run `sessions` people spread over `urls` for `seconds` (or until deadline[0], which the
    caller may move while it runs); returns every run."""
    deadline = deadline if deadline is not None else [time.monotonic() + seconds]
    runs: list[Run] = []
    await asyncio.gather(*(_person(urls[i % len(urls)], i, deadline, think, runs, seed)
                           for i in range(sessions)))
    return runs


def drive(urls: list[str], sessions: int, seconds: float, think=(5.0, 20.0), seed: int = 1) -> list[Run]:
    return asyncio.run(drive_async(urls, sessions, seconds, think, seed))


# ---------------------------------------------------------------- servers, ingest, memory

def process_tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += children(p)
    return pids


def status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def command(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        return " ".join(a.decode(errors="replace") for a in argv[1:4])
    except OSError:
        return "?"


def server_peaks(servers: list[subprocess.Popen]) -> list[tuple[int, str, float]]:
    """(pid, command, peak MiB) of every process of every server: the kernel's high-water mark."""
    return [(pid, command(pid), status_kib(pid, "VmHWM") / 1024)
            for s in servers for pid in process_tree(s.pid)]


def ingest_file(db: Path, rows: int, directory: Path, seed: int = 1) -> tuple[Path, Path]:
    """A telephony export of `rows` rows starting three days before the store's last contact,
    and its profile (the test fixtures' writer: Swedish headers, ';', CRLF, free text)."""
    import datetime as dt

    import duckdb
    from ingest_fixtures import TELEPHONY_PROFILE, telephony_frame, write_csv_fast

    con = duckdb.connect(str(db), read_only=True)
    (last,) = con.execute("select max(started_at) from contacts").fetchall()[0]
    con.close()
    start = (last or dt.datetime(2025, 1, 1)) - dt.timedelta(days=3)
    directory.mkdir(parents=True, exist_ok=True)
    csv = write_csv_fast(telephony_frame(rows, seed=30 + seed, start=start),
                          directory / f"load-{rows}-{seed}.csv")
    profile = directory / "load-profil.toml"
    profile.write_text(TELEPHONY_PROFILE.format(batch_rows=50_000), encoding="utf-8")
    return csv, profile


class Ingest(threading.Thread):
    """The ingest as a separate CLI process; its own peak memory from wait4."""

    def __init__(self, db: Path, csv: Path, profile: Path, delay_s: float):
        super().__init__(daemon=True)
        self.args = [*KONTAKTCENTER, "--db", str(db), "ingest", str(csv), "--profile", str(profile),
                     "-q", "--max-quarantine-share", "1"]
        self.delay_s = delay_s
        self.started_at = self.finished_at = None
        self.returncode = None
        self.peak_mib = 0.0
        self.stderr = ""

    def run(self) -> None:
        from ingest_fixtures import KEY

        time.sleep(self.delay_s)
        env = {**os.environ, "KONTAKTCENTER_KEY": KEY.hex()}
        self.started_at = time.monotonic()
        proc = subprocess.Popen(self.args, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, cwd=ROOT)
        reader = threading.Thread(target=lambda: setattr(self, "stderr", proc.stderr.read()),
                                  daemon=True)
        reader.start()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        reader.join()
        self.finished_at = time.monotonic()
        self.returncode = proc.returncode
        self.peak_mib = usage.ru_maxrss / 1024


# ---------------------------------------------------------------- report

def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def summarise(runs: list[Run]) -> dict:
    changes = [r for r in runs if r.action != "öppna" and not r.errors]
    opens = [r for r in runs if r.action == "öppna" and not r.errors]
    errors = [(r.session, r.action, r.page, e) for r in runs for e in r.errors]
    lat = [r.seconds for r in changes]
    per_action = {}
    for action in sorted({r.action for r in changes}):
        xs = [r.seconds for r in changes if r.action == action]
        per_action[action] = (len(xs), statistics.median(xs), percentile(xs, 95))
    return {
        "runs": len(runs), "changes": len(changes), "errors": errors,
        "median_s": statistics.median(lat) if lat else None,
        "p95_s": percentile(lat, 95) if lat else None,
        "open_median_s": statistics.median([r.seconds for r in opens]) if opens else None,
        "metrics": sum(r.metrics for r in runs), "charts": sum(r.charts for r in runs),
        "per_action": per_action,
        "filtered": sum(1 for r in changes if r.query),   # runs with a filter in the address
        "pages": sorted({r.page for r in runs if r.page}),
    }


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _store(args) -> Path:
    if args.db:
        db = Path(args.db)
        if not db.exists():
            raise SystemExit(f"{db} finns inte. Kopiera en databas dit eller ange --rows N.")
        return db
    db = OUT / f"contacts_{args.rows}.duckdb"
    if not db.exists():
        print(f"bygger exempeldatabasen {db} ({args.rows} kontakter) …", flush=True)
        subprocess.run([*KONTAKTCENTER, "--db", str(db), "sample", "--rows", str(args.rows)],
                       check=True, cwd=ROOT)
    return db


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", help="the store to serve and ingest into (a copy: it is written)")
    p.add_argument("--rows", type=int, default=10_000_000,
                   help="without --db: a sample store of this size in bench/out/ (built if missing)")
    p.add_argument("--sessions", type=int, default=25)
    p.add_argument("--seconds", type=float, default=120.0)
    p.add_argument("--ingest-rows", type=int, default=100_000)
    p.add_argument("--ingest-after", type=float, default=10.0, help="seconds into the run")
    p.add_argument("--servers", type=int, default=1, help="dashboard processes (sessions spread)")
    p.add_argument("--think", type=float, nargs=2, default=(5.0, 20.0), metavar=("MIN", "MAX"),
                   help="a person's pause between actions, seconds (uniform)")
    p.add_argument("--seed", type=int, default=1,
                   help="the sessions' choices and the ingest file (another seed: new contacts)")
    p.add_argument("--short", action="store_true",
                   help="3 sessions for 10 s on a 20 000-contact sample, 2 000 rows ingested")
    p.add_argument("--json", help="also write the figures to this file")
    p.add_argument("--work", default=str(OUT / "load"),
                   help="directory for the ingest file and the servers' logs")
    args = p.parse_args(argv)
    if args.short:
        args.sessions, args.seconds, args.ingest_rows, args.think = 3, 10.0, 2_000, (1.0, 3.0)
        args.ingest_after = 2.0
        if not args.db:
            args.rows = 20_000
    db = _store(args)
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    csv, profile = ingest_file(db, args.ingest_rows, work, args.seed)
    load_start = load_average()
    servers, urls = [], []
    env = {k: v for k, v in os.environ.items() if k != "KONTAKTCENTER_KEY"}
    with ExitStack() as stack:
        for i in range(args.servers):
            port = free_port()
            # A first start on a store without a snapshot publishes one: minutes at 10M.
            servers.append(stack.enter_context(serving(
                db, ["--port", str(port), "--address", "127.0.0.1"], env,
                work / f"serve-{i}.log", port, timeout_s=900)))
            urls.append(f"http://127.0.0.1:{port}")
        print(f"{args.sessions} sessioner mot {len(urls)} server(ar) i {args.seconds:.0f} s, "
              f"inläsning av {args.ingest_rows} rader efter {args.ingest_after:.0f} s; "
              f"databas {db.name}; belastning {load_start}", flush=True)
        ingest = Ingest(db, csv, profile, args.ingest_after)
        deadline = [time.monotonic() + args.seconds]
        began = time.monotonic()
        ingest.start()

        async def run_all() -> list[Run]:
            task = asyncio.ensure_future(drive_async(urls, args.sessions, args.seconds, tuple(args.think),
                                                     args.seed, deadline))
            # Sessions go on until the ingest has finished (and 15 s after, to see its data),
            # so the whole ingest runs under load.
            while not task.done():
                if ingest.finished_at is None and ingest.is_alive():
                    deadline[0] = max(deadline[0], time.monotonic() + 15)
                await asyncio.sleep(0.5)
            return task.result()

        runs = asyncio.run(run_all())
        elapsed = time.monotonic() - began
        ingest.join()
        peaks = server_peaks(servers)   # before the servers stop
    load_end = load_average()
    s = summarise(runs)
    print(f"\nkörtid {elapsed:.0f} s, {s['runs']} körningar ({s['changes']} ändringar utan fel), "
          f"{s['metrics']} nyckeltal och {s['charts']} diagram/tabeller mottagna")
    print(f"fel: {len(s['errors'])} (mål 0)")
    for session, action, page, error in s["errors"][:20]:
        print(f"  session {session} {action} på {page or '?'}: {error}")
    if s["median_s"] is not None:
        print(f"filterändring till uppdaterade siffror: median {s['median_s']:.2f} s, "
              f"p95 {s['p95_s']:.2f} s (mål p95 < 2 s); första sidvisning median "
              f"{(s['open_median_s'] or 0):.2f} s")
        for action, (n, med, p95) in s["per_action"].items():
            print(f"  {action:12s} {n:4d} st  median {med:5.2f} s  p95 {p95:5.2f} s")
    for pid, cmd, mib in peaks:
        print(f"server pid {pid} ({cmd}): topp {mib:.0f} MiB (mål < 1024)")
    if ingest.started_at is not None:
        took = (ingest.finished_at or time.monotonic()) - ingest.started_at
        print(f"inläsning: {args.ingest_rows} rader, kod {ingest.returncode}, {took:.1f} s, "
              f"topp {ingest.peak_mib:.0f} MiB")
        if ingest.returncode:
            print(ingest.stderr[-2000:])
    print(f"belastning (1, 5, 15 min): start {load_start}, slut {load_end}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            **{k: v for k, v in s.items() if k != "errors"},
            "errors": [f"session {i} {a} på {p}: {e}" for i, a, p, e in s["errors"]],
            "elapsed_s": elapsed, "servers": [{"pid": p, "cmd": c, "peak_mib": m} for p, c, m in peaks],
            "ingest": {"rows": args.ingest_rows, "returncode": ingest.returncode,
                       "peak_mib": ingest.peak_mib}, "load": [load_start, load_end],
        }, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
