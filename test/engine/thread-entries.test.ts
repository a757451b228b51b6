/**
 * What runs on another thread: the entries the model finds, by kind. Each case lists
 * `how name:line` for every entry (threads proper and callbacks), plus `many` / `fresh`.
 */
import { SemanticModel } from '../../src/engine/model/model.js';
import { isParallel, type ThreadEntry } from '../../src/engine/model/threads.js';
import { parse } from '../../src/engine/tree/index.js';
import { functionName } from '../../src/rules/support/locking.js';
import { py } from '../helpers/lint.js';

async function modelOf(source: string, path = 'pkg/mod.py'): Promise<SemanticModel> {
  const parsed = await parse(source);
  if (!parsed.ok) throw new Error(parsed.fault);
  return new SemanticModel(parsed.tree, path);
}

function show(e: ThreadEntry): string {
  const flags = [e.many ? 'many' : '', e.freshSelf ? 'fresh' : ''].filter(Boolean).join(' ');
  return `${e.how} ${functionName(e.fn)}:${e.fn.startPosition.row + 1}${flags ? ` ${flags}` : ''}`;
}

async function entries(source: string): Promise<string[]> {
  return (await modelOf(source)).threads.allEntries().map(show);
}

describe('bound methods of instances', () => {
  test('a local instance and a module instance (two `self`s at once), and `self.poller` assigned in another method', async () => {
    const source = py`
      import threading
      class Poller:
          def poll(self):
              pass
      watcher = Poller()
      def main():
          p = Poller()
          threading.Thread(target=p.poll).start()
          threading.Thread(target=watcher.poll, daemon=True).start()
      class Service:
          def __init__(self):
              self.poller = None
          def open(self):
              self.poller = Poller()
          def start(self):
              threading.Thread(target=self.poller.poll).start()
    `;
    expect(await entries(source)).toEqual(['thread poll:3 many fresh', 'thread poll:3 many fresh', 'thread poll:3']);
  });

  test('an instance made in the loop that starts it has its own `self`', async () => {
    const source = py`
      import threading
      class Poller:
          def poll(self):
              pass
      def main(hosts):
          shared = Poller()
          for host in hosts:
              p = Poller()
              threading.Thread(target=p.poll).start()
              threading.Thread(target=shared.poll).start()
    `;
    expect(await entries(source)).toEqual(['thread poll:3 many fresh', 'thread poll:3 many']);
  });

  test('not resolved: an instance of two classes, of an unknown call, a parameter', async () => {
    const source = py`
      import threading
      class A:
          def poll(self): pass
      class B:
          def poll(self): pass
      def main(flag, given, make):
          x = A()
          if flag:
              x = B()
          y = make()
          threading.Thread(target=x.poll).start()
          threading.Thread(target=y.poll).start()
          threading.Thread(target=given.poll).start()
    `;
    expect(await entries(source)).toEqual([]);
  });
});

describe('callables passed on through a parameter', () => {
  test('one level, for functions and for methods called on self', async () => {
    const source = py`
      import threading
      def spawn(fn, name):
          t = threading.Thread(target=fn, name=name, daemon=True)
          t.start()
          return t
      def drain():
          pass
      def flush():
          pass
      class Pool:
          def _start(self, job):
              threading.Thread(target=job).start()
          def run(self):
              self._start(self.tick)
          def tick(self):
              pass
      def main():
          spawn(drain, "drain")
          spawn(fn=flush, name="flush")
    `;
    expect(await entries(source)).toEqual(['thread drain:6', 'thread flush:8', 'thread tick:15']);
  });

  test('passed twice by one function: several threads at once', async () => {
    const source = py`
      import threading
      def spawn(fn):
          threading.Thread(target=fn).start()
      def work():
          pass
      def main():
          spawn(work)
          spawn(work)
    `;
    expect(await entries(source)).toEqual(['thread work:4 many', 'thread work:4 many']);
  });
});

describe('callbacks', () => {
  test('Future.add_done_callback on a proven future; not on an unknown receiver', async () => {
    const source = py`
      from concurrent.futures import ThreadPoolExecutor
      completed = 0
      def on_done(fut):
          global completed
          completed += 1
      def fetch(url):
          return url
      def main(urls, other):
          with ThreadPoolExecutor() as pool:
              for url in urls:
                  fut = pool.submit(fetch, url)
                  fut.add_done_callback(on_done)
          other.add_done_callback(on_done)
    `;
    expect(await entries(source)).toEqual(['executor fetch:6 many', 'done-callback on_done:3 many']);
  });

  test('socketserver and http.server request handlers, one instance per request', async () => {
    const source = py`
      import socketserver
      from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer, HTTPServer
      class Echo(socketserver.BaseRequestHandler):
          def handle(self):
              pass
          def _helper(self):
              pass
      class Api(BaseHTTPRequestHandler):
          def do_GET(self):
              pass
          def do_POST(self):
              pass
          def log_message(self, fmt, *args):
              pass
      class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
          daemon_threads = True
      class Plain(BaseHTTPRequestHandler):
          def do_GET(self):
              pass
      def main():
          Server(("", 9000), Echo).serve_forever()
          ThreadingHTTPServer(("", 8000), Api).serve_forever()
          HTTPServer(("", 8001), Plain).serve_forever()
    `;
    expect(await entries(source)).toEqual([
      'request-handler handle:4 many fresh',
      'request-handler do_GET:9 many fresh',
      'request-handler do_POST:11 many fresh',
    ]);
  });

  test('logging.Handler.emit, signal handlers, finalizers', async () => {
    const source = py`
      import logging, logging.handlers, signal, weakref
      from signal import signal as on_signal, SIGTERM
      class Buffered(logging.Handler):
          def emit(self, record):
              pass
      class Rotating(logging.handlers.RotatingFileHandler):
          def emit(self, record):
              pass
      class Sub(Buffered):
          def emit(self, record):
              pass
      class Plain:
          def emit(self, record):
              pass
          def __del__(self):
              pass
      def reload(signum, frame):
          pass
      def stop(signum, frame):
          pass
      def cleanup(path):
          pass
      signal.signal(signal.SIGHUP, reload)
      on_signal(SIGTERM, stop)
      weakref.finalize(object(), cleanup, "/tmp/x")
    `;
    expect(await entries(source)).toEqual([
      'signal reload:17',
      'signal stop:19',
      'finalizer cleanup:21',
      'log-handler emit:4',
      'log-handler emit:7',
      'log-handler emit:10',
      'finalizer __del__:15',
    ]);
  });

  test('look-alikes: str.join, a `signal` of another library, a local `signal` function', async () => {
    const source = py`
      import threading
      from blinker import signal
      def handler(sender):
          pass
      def main(parts, dispatcher):
          ", ".join(parts)
          signal("ready").connect(handler)
          dispatcher.signal(15, handler)
          t = threading.Thread(target=None)
          t.join()
      def other():
          def signal(n, fn):
              pass
          signal(1, handler)
    `;
    expect(await entries(source)).toEqual([]);
  });

  test('which entries are threads proper, and which run in parallel', async () => {
    const model = await modelOf(py`
      import signal, threading
      from concurrent.futures import ThreadPoolExecutor
      def work(): pass
      def done(f): pass
      def on_hup(n, f): pass
      threading.Thread(target=work).start()
      with ThreadPoolExecutor() as pool:
          pool.submit(work).add_done_callback(done)
      signal.signal(signal.SIGHUP, on_hup)
    `);
    expect(model.threads.entries().map(show)).toEqual(['thread work:3', 'executor work:3 many']);
    expect(model.threads.callbackEntries().map((e) => `${show(e)} ${isParallel(e)}`)).toEqual(['done-callback done:4 true', 'signal on_hup:5 false']);
  });
});

describe('callables another file defines', () => {
  test('imported functions and methods of imported classes, absolute and relative', async () => {
    const model = await modelOf(py`
      import threading
      from concurrent.futures import ThreadPoolExecutor
      from . import helpers
      from .workers import drain
      from .poller import Poller
      import pkg.jobs as jobs
      def main(items):
          p = Poller()
          threading.Thread(target=drain).start()
          threading.Thread(target=helpers.worker, args=(1,)).start()
          threading.Thread(target=p.poll).start()
          with ThreadPoolExecutor() as pool:
              for item in items:
                  pool.submit(jobs.process, item)
          threading.Thread(target=print).start()
    `, 'pkg/app.py');
    expect(model.threads.externalEntries().map((e) => `${e.how} ${e.name}${e.many ? ' many' : ''}`)).toEqual([
      'thread pkg.workers.drain',
      'thread pkg.helpers.worker',
      'thread pkg.poller.Poller.poll',
      'executor pkg.jobs.process many',
    ]);
  });
});
