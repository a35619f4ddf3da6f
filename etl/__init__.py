"""omicskb ETL library: readers for public annotation formats, loaders, and the CLI."""

__version__ = "0.1.0"
