"""The real-data downloader, against a real HTTP server on 127.0.0.1.

The server serves a tiny but complete coco_captioning zip, honours Range
requests, and can be told to misbehave: drop the connection, ignore Range,
stall, or answer an error status.
"""

import contextlib
import fcntl
import os
import pty
import re
import shutil
import socket
import struct
import subprocess
import sys
import termios
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fake_coco import write_coco_folder, zip_folder

from captiondata import layout
from captiondata.download import DownloadError, download, zip_path
from captiondata.fetch import CHUNK_SIZE, part_path
from captiondata.progress import byte_progress, size_text
from solutions.coco_utils import load_coco_data

REPO_ROOT = Path(__file__).resolve().parents[2]
ZIP_URL_PATH = "/coco_captioning.zip"
SHORT_TIMEOUT = 0.5  # seconds, for the stalled-server test
STALL_LIMIT = 5  # seconds a stalled handler waits before giving up by itself
POLL_INTERVAL = 0.02  # seconds between the server's checks for shutdown


class ServerState:
    """What the test server serves, how it misbehaves, and the requests it saw."""

    def __init__(self, port):
        self.port = port
        self.files = {}
        self.ranges = []  # the Range header of every request, None when absent
        self.status = None  # answer every request with this error status
        self.drop_after = None  # send only this many body bytes once, then hang up
        self.ignore_range = False
        self.omit_length = False  # send no Content-Length: the size is unknown until the end
        self.stall = False
        self.release = threading.Event()

    def url(self, path=ZIP_URL_PATH):
        """The address of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"


class Handler(BaseHTTPRequestHandler):
    """Serve ``state.files`` with Range support, misbehaving as ``state`` says."""

    def do_GET(self):
        state = self.server.state
        state.ranges.append(self.headers.get("Range"))
        if state.stall:
            state.release.wait(STALL_LIMIT)
            return
        body = state.files.get(self.path)
        if state.status or body is None:
            self.send_error(state.status or 404)
            return
        start = self._range_start(state, len(body))
        if start is None:
            return
        payload = body[start:]
        if state.drop_after is not None:
            payload, state.drop_after = payload[:state.drop_after], None
        self.wfile.write(payload)

    def _range_start(self, state, size):
        """Send the headers for the requested part; return its start, None after a 416."""
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        start = int(match.group(1)) if match and not state.ignore_range else 0
        if start >= size > 0:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        if not state.omit_length:
            self.send_header("Content-Length", str(size - start))
        self.end_headers()
        return start

    def log_message(self, *args):
        """Keep the test output quiet."""


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A tiny complete coco_captioning folder and the bytes of its zip."""
    folder = write_coco_folder(tmp_path_factory.mktemp("source") / "coco_captioning")
    return folder, zip_folder(folder)


@pytest.fixture
def server(source):
    """A running server that serves the tiny zip at ZIP_URL_PATH."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.state = ServerState(httpd.server_address[1])
    httpd.state.files[ZIP_URL_PATH] = source[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(POLL_INTERVAL,), daemon=True)
    thread.start()
    yield httpd.state
    httpd.state.release.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def dest(tmp_path):
    """The folder to download into; its parent starts empty."""
    return tmp_path / "coco_captioning"


def assert_same_files(folder, expected):
    """``folder`` holds exactly ``expected``'s files, byte for byte."""
    names = sorted(path.name for path in folder.iterdir())
    assert names == sorted(path.name for path in expected.iterdir())
    for name in names:
        assert (folder / name).read_bytes() == (expected / name).read_bytes(), name


def assert_nothing_accepted(dest):
    """No folder at ``dest`` that the loader would accept, and no temporary folder beside it."""
    with pytest.raises(layout.LayoutError):
        layout.check_layout(dest)
    assert not list(dest.parent.glob(f".{dest.name}.unpack-*"))


def test_clean_download_can_be_loaded(server, source, dest):
    download(server.url(), dest, full_set=False)
    data = load_coco_data(base_dir=dest)
    assert data["train_features"].shape == (4, 512)
    assert data["val_captions"].shape[1] == layout.CAPTION_LENGTH
    assert data["idx_to_word"][:4] == list(layout.SPECIAL_TOKENS)
    assert_same_files(dest, source[0])
    assert sorted(path.name for path in dest.parent.iterdir()) == [dest.name]
    assert server.ranges == [None]


def test_an_interrupted_download_resumes_where_it_stopped(server, source, dest):
    stop_at = CHUNK_SIZE + len(source[1]) // 4  # past the first chunk, short of the end
    server.drop_after = stop_at
    with pytest.raises(DownloadError, match="stopped after .* Run the same command again to resume"):
        download(server.url(), dest, full_set=False)
    kept = part_path(zip_path(dest)).stat().st_size
    assert stop_at - CHUNK_SIZE < kept <= stop_at
    assert not dest.exists()

    download(server.url(), dest, full_set=False)
    assert server.ranges == [None, f"bytes={kept}-"]
    assert_same_files(dest, source[0])


def test_a_server_ignoring_range_makes_the_download_start_over(server, source, dest):
    part_path(zip_path(dest)).write_bytes(b"stale bytes of some other file")
    server.ignore_range = True
    download(server.url(), dest, full_set=False)
    assert server.ranges == ["bytes=30-"]
    assert_same_files(dest, source[0])


def test_a_complete_partial_download_is_used_after_a_416(server, source, dest):
    part_path(zip_path(dest)).write_bytes(source[1])
    download(server.url(), dest, full_set=False)
    assert server.ranges == [f"bytes={len(source[1])}-"]
    assert_same_files(dest, source[0])


def corrupted(data):
    """``data`` with a run of bytes in its middle flipped."""
    middle = len(data) // 2
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle:middle + 64]) + data[middle + 64:]


@pytest.mark.parametrize("damage", [lambda data: data[: len(data) // 2], corrupted],
                         ids=["truncated", "corrupt"])
def test_a_truncated_or_corrupt_zip_is_rejected(server, source, dest, damage):
    server.files[ZIP_URL_PATH] = damage(source[1])
    with pytest.raises(DownloadError, match="not a valid zip: it is truncated or corrupt"):
        download(server.url(), dest, full_set=False)
    assert_nothing_accepted(dest)
    assert not zip_path(dest).exists()
    assert not part_path(zip_path(dest)).exists()


def test_a_zip_with_a_missing_file_is_rejected_naming_it(server, source, dest):
    server.files[ZIP_URL_PATH] = zip_folder(source[0], omit=["val2014_urls.txt"])
    with pytest.raises(DownloadError, match="does not hold a usable .* missing val2014_urls.txt"):
        download(server.url(), dest, full_set=False)
    assert_nothing_accepted(dest)


def test_a_zip_with_an_escaping_entry_is_not_unpacked(server, source, dest):
    server.files[ZIP_URL_PATH] = zip_folder(source[0], extra={"../escaped.txt": b"x"})
    with pytest.raises(DownloadError, match="unsafe entry '../escaped.txt'"):
        download(server.url(), dest, full_set=False)
    assert not (dest.parent.parent / "escaped.txt").exists()
    assert_nothing_accepted(dest)


def test_the_full_set_is_required_by_default(server, dest):
    with pytest.raises(DownloadError, match="train_captions has 8 rows, not 400135"):
        download(server.url(), dest)
    assert_nothing_accepted(dest)


def closed_port():
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_refused_connection_gives_a_clear_error(dest):
    with pytest.raises(DownloadError, match="refused the connection. Check your network"):
        download(f"http://127.0.0.1:{closed_port()}{ZIP_URL_PATH}", dest, full_set=False)
    assert not dest.exists()


def test_an_unknown_host_gives_a_clear_error(dest):
    with pytest.raises(DownloadError, match="cannot be resolved"):
        download("http://coco-captioning.invalid/coco_captioning.zip", dest, full_set=False)


def test_a_stalled_server_times_out(server, dest):
    server.stall = True
    with pytest.raises(DownloadError, match="did not answer in time"):
        download(server.url(), dest, full_set=False, timeout=SHORT_TIMEOUT)


@pytest.mark.parametrize("status, advice", [(404, "Check that --url"), (500, "try again later")])
def test_an_http_error_status_gives_a_clear_error(server, dest, status, advice):
    server.status = status
    with pytest.raises(DownloadError, match=f"answered {status} .*{advice}"):
        download(server.url(), dest, full_set=False)
    assert_nothing_accepted(dest)


def test_a_complete_folder_is_not_downloaded_again(server, dest, capsys):
    download(server.url(), dest, full_set=False)
    download(server.url(), dest, full_set=False)
    assert "already holds the complete data set" in capsys.readouterr().out
    assert len(server.ranges) == 1
    download(server.url(), dest, full_set=False, force=True)
    assert len(server.ranges) == 2


def test_an_incomplete_folder_is_replaced(server, source, dest):
    dest.mkdir()
    (dest / layout.VOCAB_FILE).write_text("{}", encoding="utf-8")
    download(server.url(), dest, full_set=False)
    assert_same_files(dest, source[0])


def test_a_folder_with_other_files_is_left_alone(server, dest):
    dest.mkdir()
    (dest / "thesis.tex").write_text("precious", encoding="utf-8")
    with pytest.raises(DownloadError, match=r"not part of the data set \(thesis.tex\)"):
        download(server.url(), dest, full_set=False)
    assert (dest / "thesis.tex").read_text(encoding="utf-8") == "precious"
    assert server.ranges == []


def run_cli(*args, stderr=subprocess.PIPE):
    """Run ``python -m captiondata download ARGS``; return the finished process."""
    return subprocess.run([sys.executable, "-m", "captiondata", "download", *args],
                          cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True,
                          timeout=60)


def test_the_command_downloads_and_reports_the_counts(server, dest):
    done = run_cli("--url", server.url(), "--dest", str(dest), "--any-size")
    assert done.returncode == 0, done.stderr
    assert f"{dest}: complete (4 train and 3 val images, 10 words)" in done.stdout
    layout.check_layout(dest)


def progress_shares(stderr, task):
    """The percentages of the plain progress lines of ``task`` in ``stderr``, in order."""
    line = re.compile(rf"{task}: [\d.]+[kMG]?B of [\d.]+[kMG]?B \((\d+)%\), [\d.]+[kMG]?B/s")
    return [int(match[1]) for match in map(line.fullmatch, stderr.splitlines()) if match]


def test_the_command_shows_progress_on_stderr_a_line_per_tenth(server, source, dest):
    done = run_cli("--url", server.url(), "--dest", str(dest), "--any-size")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == f"Downloading {server.url()} to {zip_path(dest)}"
    assert f"Unpacking {zip_path(dest)}" in lines
    shares = {task: progress_shares(done.stderr, f"{task} {zip_path(dest).name}")
              for task in ("downloading", "unpacking")}
    for task_shares in shares.values():
        assert task_shares and task_shares[-1] == 100, done.stderr
        assert task_shares == sorted(set(task_shares)) and len(task_shares) <= 10, done.stderr
    assert len(shares["downloading"]) <= len(source[1]) // CHUNK_SIZE + 1
    assert "\r" not in done.stderr
    assert len(lines) == 2 + sum(map(len, shares.values())), done.stderr


def test_plain_progress_prints_a_line_per_tenth_and_none_when_disabled(capsys):
    with byte_progress("copying", total=1000, done=250) as bar:
        for _ in range(750):
            bar.update(1)
    shares = progress_shares(capsys.readouterr().err, "copying")
    assert shares == [30, 40, 50, 60, 70, 80, 90, 100]
    with byte_progress("copying", total=1000, enabled=False) as bar:
        bar.update(1000)
    assert capsys.readouterr().err == ""


def test_a_download_of_unknown_size_shows_the_bytes_received(server, source, dest):
    server.omit_length = True
    done = run_cli("--url", server.url(), "--dest", str(dest), "--any-size")
    assert done.returncode == 0, done.stderr
    task = f"downloading {zip_path(dest).name}"
    lines = [line for line in done.stderr.splitlines() if line.startswith(task)]
    assert len(lines) == 1 and re.fullmatch(rf"{task}: [\d.]+kB, [\d.]+[kMG]?B/s", lines[0]), lines
    assert size_text(len(source[1])) in lines[0]


def test_the_command_is_quiet_with_quiet(server, dest):
    done = run_cli("--url", server.url(), "--dest", str(dest), "--any-size", "--quiet")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert f"{dest}: complete" in done.stdout


def test_a_resumed_download_counts_from_the_bytes_it_had(server, source, dest):
    server.drop_after = CHUNK_SIZE + len(source[1]) // 4
    assert run_cli("--url", server.url(), "--dest", str(dest), "--any-size").returncode == 1
    kept = part_path(zip_path(dest)).stat().st_size
    done = run_cli("--url", server.url(), "--dest", str(dest), "--any-size")
    assert done.returncode == 0, done.stderr
    shares = progress_shares(done.stderr, f"downloading {zip_path(dest).name}")
    assert shares[0] > 100 * kept // len(source[1]) and shares[-1] == 100, done.stderr


def test_a_terminal_gets_a_progress_bar(server, dest):
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # rows, columns
    with os.fdopen(terminal, "w") as stderr:
        done = run_cli("--url", server.url(), "--dest", str(dest), "--any-size", stderr=stderr)
    shown = b""
    with os.fdopen(controller, "rb") as screen:
        with contextlib.suppress(OSError):  # EIO once the terminal is closed and read to its end
            while chunk := screen.read1(CHUNK_SIZE):
                shown += chunk
    assert done.returncode == 0, shown
    for task in ("downloading", "unpacking"):  # redrawn in place, ending full
        assert re.search(rf"\r{task} {zip_path(dest).name}: +0%\|.*"
                         rf"\r{task} {zip_path(dest).name}: 100%\|".encode(), shown), shown
        assert not progress_shares(shown.decode(), f"{task} {zip_path(dest).name}"), shown


@pytest.mark.parametrize("options, status, message", [
    (["--any-size"], 404, "error: The server answered 404 Not Found"),
    ([], None, "error: The zip does not hold a usable coco_captioning folder: train_captions has 8"),
], ids=["404", "not-the-full-set"])
def test_the_command_fails_with_one_line_and_no_traceback(server, dest, options, status, message):
    server.status = status
    done = run_cli("--url", server.url(), "--dest", str(dest), *options)
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(message), done.stderr
    assert "Traceback" not in done.stderr
    assert_nothing_accepted(dest)


SMALL_DISK_SCRIPT = """
mount -t tmpfs -o size="$2"k tmpfs "$1" || exit 99
"$3" -m captiondata download --url "$4" --dest "$1/coco_captioning" --any-size
echo "exit code: $?"
echo "left: $(ls -A "$1")"
"$3" -c 'import sys; from captiondata import layout; layout.check_layout(sys.argv[1])' \
    "$1/coco_captioning" 2>/dev/null && echo "accepted: yes" || echo "accepted: no"
"""


@pytest.mark.parametrize("stage, left", [("download", "coco_captioning.zip.part"),
                                         ("unpack", "coco_captioning.zip")])
def test_a_full_disk_gives_a_clear_error_and_leaves_no_folder(server, source, tmp_path, stage,
                                                              left):
    if shutil.which("unshare") is None:
        pytest.skip("util-linux `unshare` is not installed, so no small disk can be mounted")
    zip_kb = len(source[1]) // 1024
    size_kb = zip_kb // 2 if stage == "download" else zip_kb + 16
    small_disk = tmp_path / "small_disk"
    small_disk.mkdir()
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", SMALL_DISK_SCRIPT, "sh",
         str(small_disk), str(size_kb), sys.executable, server.url()],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )
    if done.returncode == 99 or "exit code" not in done.stdout:
        pytest.skip(f"cannot mount a small tmpfs in a user namespace here: {done.stderr.strip()}")
    assert "exit code: 1" in done.stdout, done.stderr
    assert re.search(r"error: The disk holding \S+ is full. Free at least", done.stderr)
    assert "Traceback" not in done.stderr
    assert f"left: {left}\n" in done.stdout
    assert "accepted: no" in done.stdout
