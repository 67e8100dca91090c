"""Which task belongs to the screen a person is on."""

from epss.context.resolver import ContextResolver, PageContext, TaskMatch

__all__ = ["ContextResolver", "PageContext", "TaskMatch"]
