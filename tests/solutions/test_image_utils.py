"""image_from_url against real servers on 127.0.0.1 and files on disk."""

import io
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from PIL import Image

from solutions.image_utils import image_from_url

PIXELS = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]],
                   [[0, 0, 0], [255, 255, 255], [12, 34, 56]]], dtype=np.uint8)


def png_bytes(pixels):
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def no_proxy_for_localhost(monkeypatch):
    """A proxy configured on the machine must not intercept the local servers."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(scope="module")
def server():
    """An http.server on 127.0.0.1 serving /image.png and /text.html; 404 elsewhere."""
    routes = {"/image.png": ("image/png", png_bytes(PIXELS)),
              "/text.html": ("text/html", b"<html><body>not an image</body></html>")}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path not in routes:
                self.send_error(404)
                return
            content_type, body = routes[self.path]
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_png_over_http(server):
    image = image_from_url(f"{server}/image.png", timeout=5)
    assert image.dtype == np.uint8
    np.testing.assert_array_equal(image, PIXELS)


def test_file_url(tmp_path):
    path = tmp_path / "dir with space" / "image.png"
    path.parent.mkdir()
    path.write_bytes(png_bytes(PIXELS))
    image = image_from_url(path.as_uri())
    assert image.dtype == np.uint8
    np.testing.assert_array_equal(image, PIXELS)


def assert_none_with_reason(url, capsys, **kwargs):
    assert image_from_url(url, **kwargs) is None
    out = capsys.readouterr().out
    assert url in out, f"the printed reason should name the URL; printed: {out!r}"
    return out


def test_non_image_gives_none_and_a_reason(server, capsys):
    out = assert_none_with_reason(f"{server}/text.html", capsys, timeout=5)
    assert "not an image" in out


def test_http_error_gives_none_and_a_reason(server, capsys):
    out = assert_none_with_reason(f"{server}/missing.png", capsys, timeout=5)
    assert "404" in out


def test_closed_port_gives_none_and_a_reason(capsys):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The socket is closed without listening: nothing accepts on that port.
    assert_none_with_reason(f"http://127.0.0.1:{port}/image.png", capsys, timeout=5)


def test_silent_server_times_out_with_none_and_a_reason(capsys):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # the kernel completes the connection; nobody ever answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/image.png"
        started = time.monotonic()
        assert_none_with_reason(url, capsys, timeout=0.3)
        assert time.monotonic() - started < 5, "the timeout was not honoured"


def test_missing_file_gives_none_and_a_reason(tmp_path, capsys):
    assert_none_with_reason((tmp_path / "absent.png").as_uri(), capsys)


def test_unsupported_scheme_gives_none_and_a_reason(capsys):
    assert_none_with_reason("ftp://127.0.0.1/image.png", capsys)
