"""The run layer: executing the pages, the run manifest, the page registry, publishing the site."""
