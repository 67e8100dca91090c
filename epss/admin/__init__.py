"""Administration: accounts, host applications, and the log of every admin action."""
