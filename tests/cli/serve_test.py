#!/usr/bin/env python3
"""`typetune serve` against a real SQLite file while a worker writes to it.

Checks what the pages and the JSON endpoint answer (the studies, the trials changed since a
version and nothing more, the plots only when the page's are stale), that storage is left as it
was (read-only), that malformed requests each get a 4xx with a short message and leave the server
serving, and that SIGTERM stops it with status 0.
    serve_test.py <typetune> <make_stored_study> <work dir> [--postgres URL_FILE]
With --postgres, the study is written to the PostgreSQL server whose URL the file holds, and
the server is checked on it: its studies, the rows a worker adds, a bad request.
"""
import atexit
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

typetune, make_study, work = sys.argv[1:4]
postgres = sys.argv[5] if len(sys.argv) == 6 and sys.argv[4] == "--postgres" else None
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
db = os.path.join(work, "studies.db")
url = open(postgres).read().strip() if postgres else "sqlite://" + db
failures = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what, flush=True)
    if not ok:
        failures.append(what)


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


if not postgres:
    run(make_study, url)
run(make_study, url, "stream", "30", "0", "60")
listing = run(typetune, "studies", url)
counts = {line.split()[0]: int(line.split()[2]) for line in listing.splitlines()[1:]}
if not postgres:
    check(counts == {"demo": 40, "other": 5, "stream": 30}, "the database holds demo, other and stream: %s" % counts)

before = None if postgres else open(db, "rb").read()
server = subprocess.Popen([typetune, "serve", url, "--port", "0"], stderr=subprocess.PIPE, text=True)
banner = server.stderr.readline()
match = re.search(r"http://127\.0\.0\.1:(\d+)/", banner)
check(match is not None, "serve prints where it listens on loopback: " + banner.strip())
if match is None:
    server.kill()
    sys.exit(1)
port = int(match.group(1))
atexit.register(lambda: server.poll() is None and server.kill())  # never left running, whatever fails


def get(path, method="GET", raw=False):
    """(status, body) of one request; `raw` sends the path's bytes as they are."""
    if raw:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(method.encode() + b" " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split(b" ")[1]), body.decode("utf-8", "replace")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path)
    r = conn.getresponse()
    body = r.read().decode("utf-8", "replace")
    conn.close()
    return r.status, body


def updates(name, since=0, plots=0, columns=""):
    q = urllib.parse.urlencode({"name": name, "since": since, "plots": plots, "columns": columns})
    status, body = get("/api/study?" + q)
    check(status == 200, "GET /api/study?%s answers 200 (%d %s)" % (q, status, body[:80]))
    return json.loads(body) if status == 200 else {}


def stop_server():
    server.send_signal(signal.SIGTERM)
    try:
        rc = server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        rc = None
    rest = server.stderr.read()
    check(rc == 0 and "stopped serving" in rest, "SIGTERM stops the server with status 0 (%s)" % rc)


def finish():
    if failures:
        print("%d serve checks failed" % len(failures))
        sys.exit(1)
    print("all serve checks passed")
    sys.exit(0)


if postgres:
    # The same server on PostgreSQL (read-only transactions): the study, then what a worker adds.
    status, body = get("/api/studies")
    listed = {s["name"]: s for s in json.loads(body)} if status == 200 else {}
    n0 = listed.get("stream", {}).get("trials", 0)
    check(n0 >= 30, "/api/studies on PostgreSQL lists stream with its %d trials" % n0)
    s0 = updates("stream")
    check(len(s0.get("rows", [])) == n0 and "sections" in s0, "since=0 gives its %d rows and the plots" % n0)
    run(make_study, url, "stream", str(n0 + 10), "0", "60")
    time.sleep(1.1)
    s1 = updates("stream", since=s0["version"], plots=s0["plots_version"], columns=s0["columns"])
    numbers = sorted(r[0] for r in s1.get("rows", []))
    # (Past trial 50 a new metric column comes with every row: a database used before.)
    expected = list(range(n0, n0 + 10)) if "thead" not in s1 else list(range(n0 + 10))
    check(numbers == expected, "10 more trials: since=the old version gives those alone: %s" % numbers)
    status, body = get("/api/study?name=stream&since=-1")
    check(status == 400 and "not a whole number" in body, "a negative since is a 400 (%d)" % status)
    stop_server()
    finish()

status, page = get("/")
check(status == 200 and all('data-study="%s"' % n in page for n in counts), "/ lists every study")
status, body = get("/api/studies")
listed = {s["name"]: s for s in json.loads(body)}
check({n: s["trials"] for n, s in listed.items()} == counts, "/api/studies gives each study's trial count")
check(listed["demo"]["states"] == {"complete": 22, "failed": 4, "pruned": 14},
      "/api/studies counts demo's trials by state: %s" % listed["demo"]["states"])
check(listed["other"]["best"]["trial"] == 1, "/api/studies gives other's best trial")

status, page = get("/study?name=demo")
check(status == 200 and page.count("<tr data-trial=") == 40, "the study page of demo holds its 40 rows")
for section in ["summary", "history", "parallel", "importance", "curves", "timeline", "slices", "space"]:
    check('id="sec-%s"' % section in page, "the study page has its %s section" % section)
check("data-live=\"/api/study?name=demo\"" in page, "the study page asks /api/study for changes")
version = int(re.search(r'data-version="(\d+)"', page).group(1))
columns = re.search(r'data-columns="([^"]*)"', page).group(1)

first = updates("demo")
check(first["version"] == version and len(first["rows"]) == 40 and "sections" in first and "thead" in first,
      "since=0 from a new page: every row, the plots and the table head")
same = updates("demo", since=version, plots=version, columns=columns)
check(same["rows"] == [] and "sections" not in same and "thead" not in same,
      "since=the page's version: no row, no plots, no head (nothing changed)")
status, md = get("/api/space.md?name=demo")
check(status == 200 and "| dense_bot |" in md.replace("`", ""), "/api/space.md is the space's Markdown table")
status, dot = get("/api/space.dot?name=demo")
check(status == 200 and dot.startswith("digraph ") and "dense_bot" in dot, "/api/space.dot is the space's Graphviz graph")

check(open(db, "rb").read() == before, "serving changed nothing in the database file")

# A worker adds 20 trials to stream while the server runs: the endpoint gives those and no others.
s0 = updates("stream")
run(make_study, url, "stream", "50", "0", "60")
time.sleep(1.1)  # past the server's refresh (250 ms) and redraw (1 s) intervals
s1 = updates("stream", since=s0["version"], plots=s0["plots_version"], columns=s0["columns"])
numbers = sorted(r[0] for r in s1["rows"])
check(numbers == list(range(30, 50)), "after 20 more trials, since=the old version gives trials 30-49 alone: %s"
      % (numbers[:3] + ["..."] + numbers[-3:] if len(numbers) > 6 else numbers))
check(s1["version"] > s0["version"], "the version grew (%d -> %d)" % (s0["version"], s1["version"]))
check("sections" in s1 and 'data-trial="49"' in s1["sections"]["history"], "the plots were drawn again with trial 49")
check(all('class="state-complete"' in r[1] for r in s1["rows"]), "the new rows are complete trials")
check("thead" not in s1, "no new column: no table head")

# From trial 50 on the trials record a metric: the table gains a column, and the page gets the
# new head with every row drawn for it.
run(make_study, url, "stream", "55", "0", "60")
time.sleep(0.4)
s2 = updates("stream", since=s1["version"], plots=s1["plots_version"], columns=s1["columns"])
check("late_metric" in s2.get("thead", "") and "late_metric" in s2["columns"],
      "a new metric: the answer has the new head and columns")
check(sorted(r[0] for r in s2["rows"]) == list(range(55)), "with the new head, every row (%d)" % len(s2["rows"]))
heads = s2.get("thead", "").count("<th")
check(all(r[1].count("<td") == heads for r in s2["rows"]), "every row has a cell per heading (%d)" % heads)

# Pages asking at once while a worker writes: every answer a 200 whose rows fit its version.
# Half of them ask for "other", which nobody asked for yet: they meet at its first drawing.
def poller(results, name):
    since, plots, cols = 0, 0, ""
    for _ in range(15):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        q = urllib.parse.urlencode({"name": name, "since": since, "plots": plots, "columns": cols})
        conn.request("GET", "/api/study?" + q)
        r = conn.getresponse()
        body = r.read()
        conn.close()
        if r.status != 200:
            results.append("status %d: %s" % (r.status, body[:80]))
            return
        u = json.loads(body)
        if u["version"] < since:
            results.append("version went back from %d to %d" % (since, u["version"]))
        since, plots, cols = u["version"], u["plots_version"], u["columns"]
        time.sleep(0.05)
    results.append("ok")


results = []
writer = subprocess.Popen([make_study, url, "stream", "120", "5", "60"], stdout=subprocess.PIPE, text=True)
pollers = [threading.Thread(target=poller, args=(results, "stream" if i % 2 else "other")) for i in range(8)]
for p in pollers:
    p.start()
for p in pollers:
    p.join()
writer.wait()
check(results == ["ok"] * 8, "8 pages asking at once while a worker writes: every answer 200 (%s)" % set(results))

# Bad requests: each a 4xx with a short message, none a crash.
bad = [
    (b"/../../../../etc/passwd", True, 404),
    (b"/study/../../etc/passwd", True, 404),
    (b"/api/study?name=demo&since=-1", False, 400),
    (b"/api/study?name=demo&since=99999999999999999999999999", False, 400),
    (b"/api/study?name=demo&since=18446744073709551615", False, 400),
    (b"/api/study?name=demo&since=1e3", False, 400),
    (b"/api/study?name=demo&since=", False, 400),
    (b"/api/study?name=demo&plots=abc", False, 400),
    (b"/api/study?name=no-such-study", False, 404),
    (b"/api/study", False, 400),
    (b"/study?name=%ff%fe", False, 400),
    (b"/study?name=%00", False, 404),
    (b"/study?name=demo&interval=5", False, 400),
    (b"/\xff\xfe\xfd", True, 404),
    (b"/study?name=\xff", True, 400),
    (b"/api/space.md", False, 400),
    (b"/" + b"a" * 20000, True, 414),
]
for path, raw, expected in bad:
    status, body = get(path, raw=True) if raw else get(path.decode())
    shown = path[:60].decode("ascii", "backslashreplace")
    check(status == expected and 0 < len(body) < 300,
          "GET %s answers %d with a short message (%d: %s)" % (shown, expected, status, body.strip()[:100]))
for method in ["POST", "PUT", "DELETE"]:
    status, body = get(b"/api/study?name=demo", method=method, raw=True)
    check(status in (400, 405) and "only GET" in body, "%s is refused with a 4xx (%d)" % (method, status))
status, _ = get("/")
check(status == 200 and server.poll() is None, "the server still serves after the bad requests")

# The command's own errors and warnings: a missing database, a file that is not a URL, a port
# in use, and a server reachable beyond loopback.
def command(*extra):
    p = subprocess.run([typetune, "serve", *extra], capture_output=True, text=True, timeout=30)
    return p.returncode, p.stderr


rc, err = command("sqlite://" + os.path.join(work, "missing.db"), "--port", "0")
check(rc == 1 and "missing.db" in err and not os.path.exists(os.path.join(work, "missing.db")),
      "a missing database is an error naming it, and is not created: " + err.strip()[:120])
rc, err = command(db, "--port", "0")
check(rc == 1 and "not a storage URL" in err, "a path that is not a URL is refused: " + err.strip()[:120])
rc, err = command(url, "--port", str(port))
check(rc == 1 and "cannot listen on 127.0.0.1:%d" % port in err, "a port in use is an error: " + err.strip()[:120])
wide = subprocess.Popen([typetune, "serve", url, "--host", "0.0.0.0", "--port", "0"], stderr=subprocess.PIPE,
                        text=True)
banner, warning = wide.stderr.readline(), wide.stderr.readline()
wide.terminate()
wide.wait(timeout=10)
check("warning: listening on 0.0.0.0, not loopback" in warning, "--host 0.0.0.0 warns: " + warning.strip())
status, page = get("/")
check('<meta http-equiv="refresh"' in page, "the list of studies reloads itself")

stop_server()
finish()
