"""EPSS: step-by-step guidance for critical tasks, shown inside the case software."""

__version__ = "0.1.0"
