"""Serving plumbing for notebook 12 and its tests: server processes, and a stand-in of AWS Lambda's Runtime API.

- :class:`ServerProcess`: start a server (Gradio, uvicorn, ``transformers serve``, a Lambda
  runtime) in its own process group with one torch thread, wait until it answers, time that
  (the cold start), and stop it, whole process group included, also when something fails;
- :func:`http_ok` and :func:`free_port` (from :mod:`utils.net`): a readiness check and a port;
- :func:`one_torch_thread`: time an in-process baseline with the servers' one thread;
- :class:`LambdaRuntimeStandIn`: a local HTTP server that speaks the
  Lambda Runtime API, so that ``awslambdaric`` runs a handler as Lambda would. It checks the
  contract between a function and Lambda's runtime (events in, responses and errors out), not
  AWS itself: no IAM, no API Gateway, no timeouts enforced, no scaling.

Every server binds 127.0.0.1 only. Two torch processes with their default threads on a
2-core machine slow each other down 10-50x, so a server started here gets one thread
(:data:`ONE_THREAD`), and the notebook's kernel stays idle while it waits for answers.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path

from utils.errors import CourseError
from utils.net import LocalServer, QuietHandler, free_port, http_ok

__all__ = ["ONE_THREAD", "LambdaRuntimeStandIn", "ServerProcess", "free_port", "http_ok", "one_torch_thread"]

#: The environment of a server started beside a notebook's kernel: one thread for torch and
#: the tokenizers, and no analytics or update checks that would reach the network.
ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_DISABLE_UPDATE_CHECK": "1",
    "PYTHONUNBUFFERED": "1",
}

class ServerProcess:
    """A server in its own process group: started, awaited, timed, stopped.

    ``ready`` is called every 0.1 s until it returns a true value (it may raise while the
    server is starting); :attr:`cold_start_s` is the time from starting the process to that
    first success. Use it as a context manager, or call :meth:`stop` in a ``finally``::

        with ServerProcess(["python", "app.py"], ready=lambda: http_ok(url)) as server:
            ...
        print(server.cold_start_s)

    The process gets :data:`ONE_THREAD` on top of this environment and ``env``; its output
    goes to a temporary log, whose last lines end any error message.
    """

    def __init__(self, command: Sequence[str], *, ready: Callable[[], object], cwd: str | os.PathLike | None = None,
                 env: dict | None = None, timeout: float = 120.0, name: str | None = None):
        if isinstance(command, str) or not command:
            raise CourseError("ServerProcess needs the command as a list of arguments, e.g. ['python', 'app.py'].")
        self.command = [str(part) for part in command]
        self.ready, self.cwd, self.timeout = ready, cwd, timeout
        self.env = {**os.environ, **ONE_THREAD, **{k: str(v) for k, v in (env or {}).items()}}
        self.name = name or Path(self.command[0]).name
        self.process: subprocess.Popen | None = None
        self.cold_start_s: float | None = None
        self._log = None

    def start(self) -> ServerProcess:
        """Start the process and wait until ``ready`` succeeds; on failure, stop it and raise CourseError."""
        self._log = tempfile.NamedTemporaryFile(prefix=f"course-{self.name}-", suffix=".log", delete=False)
        start = time.perf_counter()
        self.process = subprocess.Popen(self.command, cwd=self.cwd, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            while time.perf_counter() - start < self.timeout:
                if self.process.poll() is not None:
                    raise CourseError(f"{self.name} exited with code {self.process.returncode} before it answered; "
                                      f"its last lines:\n{self.log_tail()}")
                try:
                    if self.ready():
                        self.cold_start_s = time.perf_counter() - start
                        return self
                except Exception:  # not ready yet: refused, reset, 503...
                    pass
                time.sleep(0.1)
            raise CourseError(f"{self.name} did not answer within {self.timeout:.0f} s; its last lines:\n{self.log_tail()}")
        except BaseException:
            self.stop()
            raise

    def log_tail(self, lines: int = 20) -> str:
        """The last lines the process printed."""
        if self._log is None:
            return ""
        text = Path(self._log.name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, grace: float = 10.0) -> None:
        """Stop the whole process group: SIGTERM, then SIGKILL after ``grace`` seconds. Safe to call twice."""
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(grace)
            except ProcessLookupError:
                pass
        if self._log is not None:
            self._log.close()
            Path(self._log.name).unlink(missing_ok=True)
            self._log = None

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class LambdaRuntimeStandIn(LocalServer):
    """A local stand-in of the AWS Lambda Runtime API, for ``awslambdaric`` (or any runtime client).

    The runtime asks ``GET /2018-06-01/runtime/invocation/next`` for an event (the call waits
    until there is one) and posts the handler's result to ``.../invocation/<id>/response``,
    or its error to ``.../invocation/<id>/error``; an import failure goes to ``.../init/error``.
    :meth:`invoke` queues an event and returns the handler's result (a function error is
    raised as a CourseError). Start a runtime with ``AWS_LAMBDA_RUNTIME_API`` set to
    :attr:`address`.
    """

    PREFIX = "/2018-06-01/runtime"
    thread_name = "lambda-runtime-api"

    def __init__(self, function_name: str = "sentiment", timeout_ms: int = 30_000):
        self.function_arn = f"arn:aws:lambda:us-east-1:000000000000:function:{function_name}"
        self.timeout_ms = timeout_ms
        self.init_error: dict | None = None
        self._events: queue.Queue = queue.Queue()
        self._results: dict[str, tuple[str, object]] = {}
        self._finished: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._polling = 0
        super().__init__()

    @property
    def polling(self) -> bool:
        """Whether a runtime waits for an event: its initialisation (imports, model loading) is done."""
        return self._polling > 0

    def stop(self) -> None:
        """Stop answering; a runtime still waiting for an event gets an error and should be stopped first."""
        self._stopping.set()
        super().stop()

    def invoke(self, event: dict, timeout: float = 60.0):
        """Send ``event`` to the function and return its result (parsed JSON).

        Raises:
            CourseError: the handler raised (its errorType and errorMessage), the runtime failed
                to start (init error), or no result came within ``timeout`` seconds.
        """
        request_id = str(uuid.uuid4())
        finished = threading.Event()
        with self._lock:
            self._finished[request_id] = finished
        self._events.put((request_id, json.dumps(event).encode()))
        deadline = time.perf_counter() + timeout
        while not finished.wait(0.05):
            if self.init_error is not None:
                raise CourseError(f"the function failed to start: {self.init_error.get('errorType')}: "
                                  f"{self.init_error.get('errorMessage')}")
            if time.perf_counter() > deadline:
                with self._lock:
                    self._finished.pop(request_id, None)
                raise CourseError(f"no result for request {request_id} within {timeout:.0f} s: is the runtime running?")
        with self._lock:
            kind, payload = self._results.pop(request_id)
            del self._finished[request_id]
        if kind == "error":
            raise CourseError(f"the function raised {payload.get('errorType')}: {payload.get('errorMessage')}")
        return payload

    def handler_class(self):
        stand_in = self

        class Handler(QuietHandler):
            def _answer(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
                self.reply(status, body, {**(headers or {}), "Content-Type": "application/json"})

            def do_GET(self):
                if self.path != f"{stand_in.PREFIX}/invocation/next":
                    return self._answer(404, b'{"errorMessage": "unknown path"}')
                with stand_in._lock:
                    stand_in._polling += 1
                try:
                    while not stand_in._stopping.is_set():
                        try:
                            request_id, body = stand_in._events.get(timeout=0.2)
                            break
                        except queue.Empty:
                            continue
                    else:
                        return self._answer(500, b'{"errorMessage": "the stand-in is stopping"}')
                finally:
                    with stand_in._lock:
                        stand_in._polling -= 1
                deadline = int(time.time() * 1000) + stand_in.timeout_ms
                self._answer(200, body, {
                    "Lambda-Runtime-Aws-Request-Id": request_id,
                    "Lambda-Runtime-Deadline-Ms": str(deadline),
                    "Lambda-Runtime-Invoked-Function-Arn": stand_in.function_arn,
                    "Lambda-Runtime-Trace-Id": f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]};Sampled=0",
                })

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = self.path.removeprefix(stand_in.PREFIX).strip("/").split("/")
                if parts == ["init", "error"]:
                    stand_in.init_error = json.loads(body or b"{}")
                    return self._answer(202, b'{"status": "OK"}')
                if len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                    with stand_in._lock:
                        finished = stand_in._finished.get(parts[1])
                        if finished is None:
                            return self._answer(400, b'{"errorMessage": "unknown request id"}')
                        stand_in._results[parts[1]] = (parts[2], json.loads(body or b"null"))
                    finished.set()
                    return self._answer(202, b'{"status": "OK"}')
                return self._answer(404, b'{"errorMessage": "unknown path"}')

        return Handler


@contextmanager
def one_torch_thread():
    """Run a block with one torch thread (what each server here gets), then restore the previous count."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
