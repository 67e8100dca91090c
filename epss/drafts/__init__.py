"""The working copy of a task (the draft) that experts co-edit, its history, and the way
from draft to published version. Functions here take a Session and never commit."""
