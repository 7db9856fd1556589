"""The presentation layer: one number formatter, one chart module, Chinese wording helpers.

Presenting reads stored topic results (:mod:`evalkit.results`) and configuration; it
never recomputes a figure.
"""
