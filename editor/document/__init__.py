"""The document model: layers, edits as undoable commands, and the memory-bounded history."""
