"""A small download service with the threading mistakes threadlint looks for."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

counter = 0
stats_lock = threading.Lock()
ready = False


def fetch(url):
    global counter
    counter += 1
    return url.upper()


def fetch_all(urls):
    pool = ThreadPoolExecutor(max_workers=8)
    futures = [pool.submit(fetch, u) for u in urls]
    results = [f.result() for f in futures]
    pool.shutdown(wait=False)
    return results


class Cache:
    def __init__(self):
        self._lock = threading.Lock()
        self._data = {}

    def get(self, key):
        with self._lock:
            if key not in self._data:
                self._data[key] = self._load(key)
            return self._data[key]

    def _load(self, key):
        with self._lock:
            return key * 2


def wait_until_ready():
    while not ready:
        time.sleep(0.1)


def start_background(job):
    worker = threading.Thread(job)
    worker.run()
    stats_lock.acquire()
    print("started")
    stats_lock.release()
