"""Stories: the same report across papers, copied or rewritten."""
