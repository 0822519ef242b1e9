#!/usr/bin/env python3
"""Load on `typetune serve`: pages polling a study that workers are writing.

A study of --prefill trials (10,000) is written to an SQLite file. Then --workers worker
processes (2) run trials of --trial-ms milliseconds for --seconds (30) three times: unwatched,
watched by --clients pages (20) that each ask the JSON endpoint for what changed every
--interval seconds (0.1) the way the live page does (since, plots and columns of their last
answer), and unwatched again. It prints the workers' trial rate in each run, the watched rate
over the mean of the unwatched ones, the requests and how many failed, and the server's
response times (median, 90th and 99th percentile), bytes and CPU time.
    serve_load.py --typetune build/release/src/cli/typetune \
                  --writer build/release/tests/typetune_make_stored_study [--work /tmp/serve-load]
"""
import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--typetune", required=True)
ap.add_argument("--writer", required=True, help="tests' make_stored_study (its 'stream' mode is one worker)")
ap.add_argument("--work", default="/tmp/typetune-serve-load")
ap.add_argument("--prefill", type=int, default=10000)
ap.add_argument("--workers", type=int, default=2)
ap.add_argument("--trial-ms", type=int, default=20)
ap.add_argument("--seconds", type=float, default=30)
ap.add_argument("--clients", type=int, default=20)
ap.add_argument("--interval", type=float, default=0.1)
args = ap.parse_args()

shutil.rmtree(args.work, ignore_errors=True)
os.makedirs(args.work)
url = "sqlite://" + os.path.join(os.path.abspath(args.work), "load.db")


def stream(trials, ms, seconds):
    return subprocess.Popen([args.writer, url, "stream", str(trials), str(ms), str(seconds)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def workers_run():
    """Runs the workers for --seconds; their trials and summed rate (trials/s)."""
    procs = [stream(10**9, args.trial_ms, args.seconds) for _ in range(args.workers)]
    trials, rate = 0, 0.0
    for p in procs:
        out, _ = p.communicate()
        m = re.search(r"stream: (\d+) trials in ([\d.]+) s: ([\d.]+) trials/s", out)
        if p.returncode != 0 or not m:
            sys.exit("a worker failed:\n" + out)
        trials += int(m.group(1))
        rate += float(m.group(3))
    return trials, rate


start = time.time()
p = stream(args.prefill, 0, 3600)
p.communicate()
print("prefill: %d trials in %.1f s" % (args.prefill, time.time() - start), flush=True)

server = subprocess.Popen([args.typetune, "serve", url, "--port", "0"], stderr=subprocess.PIPE, text=True)
port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", server.stderr.readline()).group(1))

stop = threading.Event()
lock = threading.Lock()
latencies, failures, sizes = [], [], []
version_re = re.compile(rb'^\{"version":(\d+),"plots_version":(\d+),"columns":"((?:[^"\\]|\\.)*)"')


def page():
    """One page: asks for changes since its version every --interval, as the live page does.
    Only the head of each answer is parsed (the page's versions), not the drawn sections."""
    since, plots, columns = 0, 0, ""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not stop.is_set():
        q = urllib.parse.urlencode({"name": "stream", "since": since, "plots": plots, "columns": columns})
        t0 = time.perf_counter()
        try:
            conn.request("GET", "/api/study?" + q)
            r = conn.getresponse()
            body = r.read()
            took = time.perf_counter() - t0
            if r.status != 200:
                raise RuntimeError("status %d: %s" % (r.status, body[:100]))
            m = version_re.match(body)
            since, plots = int(m.group(1)), int(m.group(2))
            columns = json.loads(b'"' + m.group(3) + b'"')
            with lock:
                latencies.append(took)
                sizes.append(len(body))
        except Exception as e:  # noqa: BLE001 - every failure is counted and shown
            with lock:
                failures.append(repr(e))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        stop.wait(args.interval)
    conn.close()


def server_cpu():
    """The server's CPU time so far, in seconds (user + system, from /proc)."""
    fields = open("/proc/%d/stat" % server.pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


runs = []
trials, rate = workers_run()
runs.append(("unwatched", trials, rate))
print("unwatched: %d trials, %.2f trials/s" % (trials, rate), flush=True)

pages = [threading.Thread(target=page) for _ in range(args.clients)]
for t in pages:
    t.start()
time.sleep(1)  # the pages' first answers (every row and plot) before the workers start
with lock:
    latencies.clear()
    sizes.clear()
cpu_before = server_cpu()
trials, rate = workers_run()
cpu_watched = server_cpu() - cpu_before
stop.set()
for t in pages:
    t.join()
runs.append(("watched", trials, rate))
print("watched by %d pages: %d trials, %.2f trials/s" % (args.clients, trials, rate), flush=True)

trials, rate = workers_run()
runs.append(("unwatched again", trials, rate))
print("unwatched again: %d trials, %.2f trials/s" % (trials, rate), flush=True)
server.terminate()
server.wait()

unwatched = (runs[0][2] + runs[2][2]) / 2
lat = sorted(latencies)
q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))] * 1000
print("\nworkers' trial rate watched / unwatched (mean of the runs before and after): %.3f" % (runs[1][2] / unwatched))
print("requests: %d, failed: %d%s" % (len(lat) + len(failures), len(failures),
                                      (" (first: %s)" % failures[0]) if failures else ""))
print("response time: median %.1f ms, p90 %.1f ms, p99 %.1f ms" % (q(0.5), q(0.9), q(0.99)))
print("response size: median %.0f bytes, largest %.1f MB" % (statistics.median(sizes), max(sizes) / 1e6))
print("server CPU while watched: %.1f s in %.0f s (%.0f %% of one core)"
      % (cpu_watched, args.seconds, 100 * cpu_watched / args.seconds))
sys.exit(1 if failures else 0)
