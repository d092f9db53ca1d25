"""Sign-in flood from many addresses: THREADS threads, each from its own loopback address
(127.0.N.M), POST /api/v1/auth/login with a wrong password for SECONDS seconds.
Prints the answers by status.  python3 bench/flood.py PORT [THREADS] [SECONDS]"""
import collections
import http.client
import json
import sys
import threading
import time

port = int(sys.argv[1])
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 32
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 10
counts = collections.Counter()
lock = threading.Lock()


def flood(n):
    deadline = time.time() + seconds
    attempt = 0
    while time.time() < deadline:
        # A new address every 4 attempts: neither per-address limit (5 per name, 20 in all) engages.
        source = f"127.{1 + n}.{(attempt // 4) % 250}.{1 + (attempt // 1000) % 250}"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
        for _ in range(4):
            body = json.dumps({"username": f"nobody{n}", "password": "wrong password " + str(attempt)})
            try:
                conn.request("POST", "/api/v1/auth/login", body, {"content-type": "application/json"})
                status = conn.getresponse()
                status.read()
                status = status.status
            except OSError as e:
                status = type(e).__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
            with lock:
                counts[status] += 1
            attempt += 1
        conn.close()


workers = [threading.Thread(target=flood, args=(n,)) for n in range(threads)]
for w in workers:
    w.start()
for w in workers:
    w.join()
print("login flood:", dict(counts), f"({sum(counts.values()) / seconds:.0f}/s)")
