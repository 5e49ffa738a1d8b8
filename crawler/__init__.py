"""Archive crawler for Vietnamese provincial newspapers."""

from pathlib import Path

__version__ = "0.1.0"

PROJECT_URL = "https://github.com/vn-provincial-archive/vn-provincial-archive"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
