"""The page as captured (filled in below)."""
