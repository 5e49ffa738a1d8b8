"""Long work shows how far it went: a bar on a terminal, lines in a log (crawler/progress.py)."""

import io
import os
import pty

from crawler.progress import progress


def test_off_a_terminal_progress_is_log_lines_with_count_rate_and_estimate():
    out = io.StringIO()
    with progress(total=10, desc="Trích xuất lại", stream=out, interval=0.0) as bar:
        for _ in range(10):
            bar.update()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert len(lines) == 11  # one per update at interval 0, and the last one at the end
    assert lines[-1].startswith("Trích xuất lại") and "10/10" in lines[-1] and "bài/s" in lines[-1]


def test_on_a_terminal_progress_is_a_bar():
    leader, follower = pty.openpty()
    with os.fdopen(follower, "w") as tty:
        with progress(total=4, desc="Câu chuyện", unit="bài", stream=tty) as bar:
            bar.update(4)
    os.set_blocking(leader, False)
    shown = os.read(leader, 65536).decode("utf-8", "replace")
    os.close(leader)
    assert "\r" in shown and "4/4" in shown and "100%" in shown
