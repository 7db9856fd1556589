"""evalkit: reproducible evaluation reports for the Suihua pilot zone of the Heilongjiang FTZ."""

__version__ = "0.1.0"
