"""`atlasctl`: the command-line client of the Insight Atlas HTTP API.

The console script is `insight_atlas.cli.atlasctl:main`; `cli` is the click group.
"""

from insight_atlas.cli.atlasctl.main import cli, main

__all__ = ["cli", "main"]
