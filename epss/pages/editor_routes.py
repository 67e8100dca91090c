"""Every router of the editor pages (/redactie), for the app to include."""

from __future__ import annotations

from epss.pages import (
    editor,
    editor_diff,
    editor_files,
    editor_missing,
    editor_new,
    editor_recording,
    editor_rule_reach,
    editor_steps,
    editor_tasks,
    editor_versions,
    editor_workflow,
)

EDITOR_ROUTERS = [
    editor.router,
    editor_tasks.router,
    editor_new.router,
    editor_steps.router,
    editor_recording.router,
    editor_rule_reach.router,
    editor_workflow.router,
    editor_versions.router,
    editor_files.router,
    editor_missing.router,
    editor_diff.router,
]
