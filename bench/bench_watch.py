"""Time of `materiel watch --once` over N feeds served on loopback (the test site of
tests/integration/test_feeds.py; 44 distinct article pages), run twice: the second run finds nothing new.
Run from the repository root: PYTHONPATH=src python bench/bench_watch.py 10"""
import sys, time, threading, subprocess, os
sys.path.insert(0, "tests"); sys.path.insert(0, "tests/integration")
import test_feeds as t
from http.server import ThreadingHTTPServer
news = t.News()
class H(t.Handler):
    news = news
    def do_GET(self):
        self.path = self.path.split("?")[0]
        t.Handler.do_GET(self)
N = int(sys.argv[1])
news.rss_paths = [f"/a/{i}.html" for i in range(0, 44, 2)]
news.atom_paths = [f"/a/{i}.html" for i in range(1, 44, 2)]
srv = ThreadingHTTPServer(("127.0.0.1", 0), H); srv.daemon_threads = True
news.base = f"http://127.0.0.1:{srv.server_address[1]}"
threading.Thread(target=srv.serve_forever, daemon=True).start()
feeds = [f"{news.base}/feed.{'rss' if i % 2 == 0 else 'atom'}?n={i}" for i in range(N)]
db = "/tmp/h11_bench.db"
if os.path.exists(db): os.remove(db)
env = dict(os.environ, PYTHONPATH=os.path.abspath("src"))
for run in (1, 2):
    began = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "materiel", "watch", *feeds, "--db", db, "--once"], capture_output=True, text=True, env=env)
    print(f"run {run}: {time.monotonic() - began:.1f} s, exit {p.returncode}: {p.stderr.strip().splitlines()[-1]}")
print("page requests:", sum(n for k, n in news.hits.items() if k.startswith("/a/")), "conditional:", len(news.conditional))
