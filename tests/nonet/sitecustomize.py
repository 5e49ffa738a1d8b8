"""Networking off, for tests that prove a command needs no network (``tests/test_warc_e2e.py``).

Put this folder first on ``PYTHONPATH`` and every Python process started with it (and the
worker processes it spawns, which inherit the environment) cannot open an internet socket or
resolve a name: ``connect`` on AF_INET/AF_INET6 sockets and ``getaddrinfo`` raise
``OSError``. Unix sockets and pipes (multiprocessing) still work.
"""

import socket

_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_INET = (socket.AF_INET, socket.AF_INET6)


class NetworkBlocked(OSError):
    pass


def _guard(self, *args, **kwargs):
    if self.family in _INET:
        raise NetworkBlocked("network access blocked (tests/nonet/sitecustomize.py)")


def connect(self, address):
    _guard(self)
    return _connect(self, address)


def connect_ex(self, address):
    _guard(self)
    return _connect_ex(self, address)


def getaddrinfo(*args, **kwargs):
    raise NetworkBlocked("name resolution blocked (tests/nonet/sitecustomize.py)")


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.getaddrinfo = getaddrinfo
