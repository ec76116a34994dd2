"""Component provider entry point: the plugin host runs ``python __main__.py <engine address>`` and reads the port
it serves on. Kept apart from the Pulumi program (the repository's ``__main__.py``), which must only deploy."""

from ai_security_baseline.provider import serve

serve()
