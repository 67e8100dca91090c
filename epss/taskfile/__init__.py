"""Task files: the YAML exchange format of critical-task analyses."""

from epss.taskfile.loader import check_data, load_paths, load_text
from epss.taskfile.model import TaskDocument, json_schema
from epss.taskfile.problems import Problem, TaskFileError
from epss.taskfile.writer import dump_document

__all__ = [
    "Problem",
    "TaskDocument",
    "TaskFileError",
    "check_data",
    "dump_document",
    "json_schema",
    "load_paths",
    "load_text",
]
