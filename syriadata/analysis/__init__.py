"""Analyses of how fast territory changed hands, built on the control events.

Every estimate that depends on when a change happened is computed under each resolution of the
date windows (``earliest``, ``latest``, ``midpoint``) and reported side by side, so a result
carries its own uncertainty band. statsmodels is imported only inside the functions that need it.
"""

from .study import Study, default_studies, load_study  # noqa: E402,F401  (light: no statsmodels)


def __getattr__(name):  # falls and friends on first use, so importing the package stays cheap
    if name in ("falls", "collapse_curve", "time_to_share", "daily_captures", "peak_rate", "with_groups"):
        from . import losses

        return getattr(losses, name)
    raise AttributeError(name)
