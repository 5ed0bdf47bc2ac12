"""Tools turn pointer input (StrokePoints in image coordinates) into document edits."""
