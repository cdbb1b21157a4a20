"""Start a real `streamlit run` on a free local port and read its CPU time and memory.

Used by the benchmarks (server CPU per rerun, memory per session, cold start).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitServer:
    """``with StreamlitServer(script, env=…) as srv: srv.url …``"""

    def __init__(
        self,
        script: Path | str,
        *,
        env: dict[str, str] | None = None,
        extra_args: tuple[str, ...] = (),
    ):
        self.script = str(script)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {})}
        self.extra_args = extra_args
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0

    def __enter__(self) -> StreamlitServer:
        cmd = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            self.script,
            "--server.headless",
            "true",
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
            *self.extra_args,
        ]
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.wait_healthy()
        return self

    def wait_healthy(self, timeout: float = 60) -> float:
        """Seconds from start until /_stcore/health answers ok."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc and self.proc.poll() is not None:
                err = self.proc.stderr.read() if self.proc.stderr else ""
                raise RuntimeError(f"streamlit exited early: {err[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - self.started_at
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"streamlit not healthy on {self.url} after {timeout}s")

    def cpu_seconds(self) -> float:
        """User + system CPU seconds consumed so far by the server process."""
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS

    def rss_kb(self) -> int:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
