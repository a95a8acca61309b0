"""One child process seen from the grader: its pipes, its deadline-bound exchanges, its end.

The child gets three pipes: requests (it reads), replies (it writes) and output (its
stdout and stderr together). The grader writes and reads without blocking past a
deadline, and keeps draining the output while it waits (so a chatty child never stalls).
The command runs under ``reaper.py``, a child subreaper that holds a fourth pipe, the
lifeline: when the grader is done with the child it closes the lifeline (as the kernel
does when the grader itself ends, however), and the reaper kills the command and every
process it started, daemons and the jail's PID namespace included, before it exits.
"""

import fcntl
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from ..text import KeptBytes
from . import protocol

PIPE_BYTES = 1 << 20
POLL_INTERVAL = 0.1
EXIT_GRACE_SECONDS = 0.5
REAP_SECONDS = 10.0
REAPER = Path(__file__).with_name("reaper.py")
SIGNAL_NOTES = {
    signal.SIGKILL: "killed: out of memory, or stopped from outside",
    signal.SIGXCPU: "over its CPU time limit",
    signal.SIGXFSZ: "wrote a file over the size limit",
    signal.SIGSEGV: "segmentation fault",
}


class Timeout(Exception):
    """The deadline passed before the exchange completed."""


class Gone(Exception):
    """The child ended, or closed its reply pipe, before the exchange completed."""


class Child:
    """Start a child process with its pipes.

    Parameters
    ----------
    build : callable
        ``build((request_fd, reply_fd)) -> (argv, env, cwd)``, given the descriptors
        as the child will see them.
    output_limit : int
        Bytes of output kept between two ``take_output`` calls (``limits.output_bytes``);
        the rest is counted, not stored.
    """

    def __init__(self, build, output_limit):
        request_read, self._request = os.pipe()
        self._reply, reply_write = os.pipe()
        self._output, output_write = os.pipe()
        lifeline_read, self._lifeline = os.pipe()
        try:
            argv, env, cwd = build((request_read, reply_write))
            reaper = [sys.executable, "-I", "-S", "-B", str(REAPER), str(lifeline_read), "--"]
            self.process = subprocess.Popen(
                reaper + argv, stdin=subprocess.DEVNULL, stdout=output_write,
                stderr=output_write, pass_fds=(request_read, reply_write, lifeline_read),
                start_new_session=True, env=env, cwd=cwd)
        except BaseException:
            for fd in (self._request, self._reply, self._output, self._lifeline):
                os.close(fd)
            raise
        finally:
            for fd in (request_read, reply_write, output_write, lifeline_read):
                os.close(fd)
        for fd in (self._request, self._reply, self._output):
            os.set_blocking(fd, False)
        for fd in (self._request, self._reply):
            _enlarge(fd)
        self._pidfd = _pidfd(self.process.pid)
        self._poller = select.poll()
        for fd in (self._reply, self._output, self._pidfd):
            if fd is not None:
                self._poller.register(fd, select.POLLIN)
        self._exited = False
        self._captured = KeptBytes(output_limit)

    def exchange(self, buffers, deadline, caps):
        """Send one message and receive the reply.

        Parameters
        ----------
        buffers : list of bytes-like
            From ``protocol.dumps``.
        deadline : float
            ``time.monotonic()`` value.
        caps : protocol.Caps
            What the reply may hold.

        Returns
        -------
        object
            The decoded reply.

        Raises
        ------
        Timeout, Gone, protocol.ProtocolError
        """
        views = protocol.byte_views(buffers)
        while views:
            views = protocol.advance(views, self._write(views[:protocol.WRITEV_BATCH], deadline))
        return self.receive(deadline, caps)

    def receive(self, deadline, caps):
        """Receive one message (e.g. the hello the child sends first).

        Parameters
        ----------
        deadline : float
        caps : protocol.Caps

        Returns
        -------
        object

        Raises
        ------
        Timeout, Gone, protocol.ProtocolError
        """
        preamble = self._read(protocol.PREAMBLE.size, deadline)
        header_length, payload_length = protocol.parse_preamble(preamble, caps)
        header = protocol.parse_header(self._read(header_length, deadline), payload_length, caps)
        payload = self._read(payload_length, deadline)
        return protocol.build(header, payload, caps)

    def take_output(self):
        """What the child printed since the last call, decoded, cut to the output limit.

        Returns
        -------
        str
        """
        self._drain()
        return self._captured.take()

    def kill(self):
        """Kill the child and everything it started, reap it, close the pipes.

        Closing the lifeline makes the reaper kill the command (``unshare`` first, so
        it prints no complaint of its own into the student's output) and every process
        below it; it exits once none is left. Should the reaper itself be gone or stuck,
        its process group is killed instead.

        Returns
        -------
        str
            How the child had ended, e.g. ``"killed by SIGSEGV (segmentation fault)"``,
            or ``"still running (stopped by the grader)"``.
        """
        try:
            code = self.process.wait(EXIT_GRACE_SECONDS if self._exited else 0)
            fate = describe_exit(code)
        except subprocess.TimeoutExpired:
            fate = "still running (stopped by the grader)"
        os.close(self._lifeline)
        try:
            self.process.wait(REAP_SECONDS)
        except subprocess.TimeoutExpired:
            _kill(os.killpg, self.process.pid)
            self.process.wait()
        self._drain()
        for fd in (self._request, self._reply, self._output, self._pidfd):
            if fd is not None:
                os.close(fd)
        return fate

    def _write(self, views, deadline):
        while True:
            try:
                return os.writev(self._request, views)
            except BlockingIOError:
                if self._exited:
                    raise Gone() from None
                self._wait(deadline, select.POLLOUT)
            except BrokenPipeError:
                raise Gone() from None

    def _read(self, size, deadline):
        view = memoryview(bytearray(size))
        got = 0
        while got < size:
            try:
                count = os.readv(self._reply, [view[got:]])
            except BlockingIOError:
                if self._exited:
                    raise Gone() from None
                self._wait(deadline, select.POLLIN)
                continue
            if count == 0:
                self._exited = True
                raise Gone()
            got += count
        return view

    def _wait(self, deadline, event):
        """Until the request pipe is writable (POLLOUT) or the reply pipe readable (POLLIN)."""
        poller = self._poller
        if event == select.POLLOUT:
            poller = select.poll()
            poller.register(self._request, select.POLLOUT)
            for fd in (self._output, self._pidfd):
                if fd is not None:
                    poller.register(fd, select.POLLIN)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Timeout()
            if self._pidfd is None:
                remaining = min(remaining, POLL_INTERVAL)
            ready = poller.poll(remaining * 1000)
            if self._pidfd is None and self.process.poll() is not None:
                self._exited = True
            for fd, _ in ready:
                if fd == self._output:
                    self._drain()
                elif fd == self._pidfd:
                    self._exited = True
                    poller.unregister(fd)
                else:
                    return
            if self._exited:
                return

    def _drain(self):
        """Read all pending output without blocking, keeping the first output_limit bytes."""
        while True:
            try:
                chunk = os.read(self._output, 1 << 16)
            except (BlockingIOError, OSError):
                return
            if not chunk:
                try:
                    self._poller.unregister(self._output)
                except KeyError:
                    pass
                return
            self._captured.add(chunk)


def describe_exit(code):
    """How a child ended, from its return code.

    Parameters
    ----------
    code : int
        ``Popen.returncode``; above 128 means the jail's PID 1 saw signal ``code - 128``.

    Returns
    -------
    str
    """
    number = -code if code < 0 else code - 128 if code > 128 else 0
    try:
        sig = signal.Signals(number)
    except ValueError:
        return f"exited with status {code}"
    note = SIGNAL_NOTES.get(sig)
    return f"killed by {sig.name}" + (f" ({note})" if note else "")


def _enlarge(fd):
    """Give a pipe a larger buffer (fewer context switches for big arrays), if allowed."""
    try:
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (AttributeError, OSError):
        pass


def _kill(kill, pid):
    try:
        kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _pidfd(pid):
    """A descriptor that becomes readable when ``pid`` ends, or None where unsupported."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


