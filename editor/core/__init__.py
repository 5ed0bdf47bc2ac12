"""Qt-free value types and pixel arithmetic shared by every layer of the editor."""
