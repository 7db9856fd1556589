"""The core layer: where things live, the data contract, the report period and configuration.

Nothing in ``core`` imports from the topics, the intake, the run layer or notebook helpers.
"""
