"""The impact estimators' error: a panel that cannot identify the effect."""


class ImpactError(ValueError):
    """The panel handed to an estimator cannot identify the effect."""
