#!/usr/bin/env python3
"""Requests every object of the working set once: GET /many/00000.bin .. /many/N-1.bin on
127.0.0.1:PORT over C keep-alive connections (threads). Prints one JSON line:
{"requests", "ok", "non200", "errors", "bytes", "ms"}.
Usage: fill.py PORT N [C]
"""
import http.client, json, sys, threading, time

port, n = int(sys.argv[1]), int(sys.argv[2])
conc = int(sys.argv[3]) if len(sys.argv) > 3 else 8
lock = threading.Lock()
state = {"next": 0, "ok": 0, "non200": 0, "errors": 0, "bytes": 0}


def take():
    with lock:
        i = state["next"]
        state["next"] += 1
        return i


def worker():
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while True:
        i = take()
        if i >= n:
            break
        try:
            conn.request("GET", "/many/%05d.bin" % i)
            r = conn.getresponse()
            b = r.read()
            with lock:
                state["ok" if r.status == 200 else "non200"] += 1
                state["bytes"] += len(b)
        except (OSError, http.client.HTTPException):
            with lock:
                state["errors"] += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.close()


t0 = time.monotonic()
ts = [threading.Thread(target=worker) for _ in range(conc)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print(json.dumps({"requests": n, "ok": state["ok"], "non200": state["non200"], "errors": state["errors"],
                  "bytes": state["bytes"], "ms": round((time.monotonic() - t0) * 1000)}))
