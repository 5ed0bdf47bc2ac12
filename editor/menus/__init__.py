"""Menus of the main window, one module per menu whose actions need more than one line."""
