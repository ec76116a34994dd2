"""The offline engine: runs a Pulumi program under mocks and records the resource graph."""
