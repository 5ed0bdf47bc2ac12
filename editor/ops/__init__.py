"""Operations: one module per operation, each defining its Operation spec (editor.ops.spec);
editor.ops.registry lists them in order. No Qt, no torch at import."""
