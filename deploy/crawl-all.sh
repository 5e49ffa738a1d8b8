#!/usr/bin/env bash
# The scheduled crawl: `python -m crawler crawl-all` under a lock, one log file per day, and a
# JOBDIR per spider so an interrupted run resumes. deploy/archive-crawl.service (systemd) and
# deploy/crontab run it; see docs/operations.md.
#
#   deploy/crawl-all.sh [crawl-all options]      e.g. deploy/crawl-all.sh --province 'Ca Mau'
#
# Environment, all optional (paths default to the checkout this script belongs to):
#   ARCHIVE_HOME   the checkout                     default: this script's parent folder
#   PYTHON         interpreter                      default: $ARCHIVE_HOME/.venv/bin/python
#   ARCHIVE_DB     the archive                      default: the ARCHIVE_DB setting ($ARCHIVE_HOME/archive.db)
#   LOG_DIR        day logs, YYYY-MM-DD.log         default: $ARCHIVE_HOME/logs
#   LOG_KEEP_DAYS  delete day logs older than this  default: 90 (0 keeps them all)
#   JOB_DIR        Scrapy JOBDIR root, per spider   default: $ARCHIVE_HOME/crawls/jobs
#   LOCK_FILE      flock(1) lock file               default: $ARCHIVE_HOME/crawls/crawl-all.lock
#
# Two runs never overlap: a run that finds the lock taken writes one line to the day's log and
# exits 0 at once. The script execs the crawler, which inherits the locked descriptor: the lock
# lasts exactly as long as the crawl, is released however the crawl ends (even SIGKILL), and a
# SIGTERM (systemctl stop, shutdown) reaches the crawler itself, which stops gracefully and
# keeps its JOBDIR for the next run.
# Exit status: crawl-all's (README, "Exit status": 0 every site finished; 3 a site unreachable,
# 4 every request failed, 5 records lost, 6 cut short, 7 interrupted, 8 a paper already being
# crawled into the archive by another process, 1 crashed; 2 bad options
# or archive), so systemd marks the unit failed and cron mails; or 0 when skipped.
set -euo pipefail

ARCHIVE_HOME="${ARCHIVE_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
PYTHON="${PYTHON:-$ARCHIVE_HOME/.venv/bin/python}"
LOG_DIR="${LOG_DIR:-$ARCHIVE_HOME/logs}"
LOG_KEEP_DAYS="${LOG_KEEP_DAYS:-90}"
JOB_DIR="${JOB_DIR:-$ARCHIVE_HOME/crawls/jobs}"
LOCK_FILE="${LOCK_FILE:-$ARCHIVE_HOME/crawls/crawl-all.lock}"

mkdir -p "$LOG_DIR" "$JOB_DIR" "$(dirname "$LOCK_FILE")"
LOG_FILE="$LOG_DIR/$(date +%F).log"
if [ -t 2 ]; then
    echo "crawl-all: logging to $LOG_FILE" >&2
fi
exec >>"$LOG_FILE" 2>&1

exec 9>>"$LOCK_FILE"
if ! flock --nonblock 9; then
    echo "$(date -Is) crawl-all: another run holds $LOCK_FILE; not starting a second one"
    exit 0
fi

if [ "$LOG_KEEP_DAYS" -gt 0 ]; then
    find "$LOG_DIR" -maxdepth 1 -type f -name '????-??-??.log' -mtime +"$LOG_KEEP_DAYS" -delete
fi

db_args=()
if [ -n "${ARCHIVE_DB:-}" ]; then
    db_args=(--db "$ARCHIVE_DB")
fi

cd "$ARCHIVE_HOME"
echo "$(date -Is) crawl-all: starting (pid $$, jobdir $JOB_DIR) $*"
exec "$PYTHON" -m crawler crawl-all --jobdir "$JOB_DIR" ${db_args[@]+"${db_args[@]}"} "$@"
