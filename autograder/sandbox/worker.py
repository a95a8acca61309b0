"""The child's main loop: read a request, carry it out, write the reply, until end of input.

Runs inside the sandbox as a copy in the package ``gradersandbox`` (next to copies of
``protocol`` and ``dispatch``), started by ``isolation.worker_argv``::

    python -I -S -B -c BOOT LIB_DIR CONFIG_JSON

It first lowers its resource limits, then extends ``sys.path`` (standard library
first, then the student's package, then the site folders), then imports numpy. Requests
arrive on one inherited pipe and replies leave on another; stdout and stderr are a
separate capture read by the grader, so nothing the student prints can pass for a reply.
"""

import json
import os
import resource
import shutil
import sys

BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); "
        "from gradersandbox import worker; worker.main(sys.argv[2])")


def main(config_text):
    """Serve the grader until it closes the request pipe.

    Parameters
    ----------
    config_text : str
        JSON with ``rlimits`` ({RLIMIT_* name: value}), ``path`` (folders appended
        to ``sys.path``), ``seeds`` ([folder, scratch folder] pairs: files to copy
        into the scratch, e.g. matplotlib's prepared font cache), ``limits``
        (``max_message_mib``, ``max_array_elements``), ``request_fd`` and ``reply_fd``.
    """
    config = json.loads(config_text)
    limit_resources(config["rlimits"])
    for source, target in config["seeds"]:
        shutil.copytree(source, target, dirs_exist_ok=True)
    sys.path.extend(config["path"])
    # numpy is imported only now, under the limits and from the given path.
    from . import dispatch, protocol

    serve(config, dispatch, protocol)


def limit_resources(rlimits):
    """Set soft and hard resource limits, never above the current hard limit.

    Parameters
    ----------
    rlimits : dict
        ``{"RLIMIT_AS": bytes, ...}``: one value for both limits, or ``[soft, hard]``.
    """
    for name, value in rlimits.items():
        which = getattr(resource, name)
        wanted = value if type(value) is list else [value, value]
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            wanted = [min(limit, hard) for limit in wanted]
        resource.setrlimit(which, tuple(wanted))


def serve(config, dispatch, protocol):
    """Send the hello message, then answer requests one by one.

    Parameters
    ----------
    config : dict
        As in ``main``.
    dispatch, protocol : module
        This package's modules.
    """
    requests = open(config["request_fd"], "rb", buffering=0)
    reply_fd = config["reply_fd"]
    os.set_inheritable(requests.fileno(), False)
    os.set_inheritable(reply_fd, False)
    request_caps = protocol.Caps.from_limits(config["limits"], protocol.REQUEST_KINDS)
    reply_caps = protocol.Caps.from_limits(config["limits"], protocol.RESULT_KINDS)
    dispatcher = dispatch.Dispatcher(reply_caps, config["limits"]["output_bytes"])
    protocol.write_message(reply_fd, protocol.dumps(dispatch.environment(), reply_caps))
    while True:
        request = protocol.read_message(requests, request_caps)
        if request is None:
            return
        buffers = dispatcher.respond(request)
        _flush_output()
        protocol.write_message(reply_fd, buffers)


def _flush_output():
    """Push what the student printed into the capture before the reply is sent."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except BaseException:  # the student may have replaced or closed the stream
            pass
