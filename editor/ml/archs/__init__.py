"""Network architectures: plain nn.Modules, one per file."""
