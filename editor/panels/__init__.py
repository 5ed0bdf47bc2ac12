"""Dock widgets: tool options, jobs and progress."""
