"""Special-topic evaluation of reform replication and original innovation (plan §三(一)).

``compute.run(year, as_of, data_dir)`` returns a :class:`~.compute.ReformsResult`;
``present`` builds the page's tables, narrative, search widget and charts from it.
"""
