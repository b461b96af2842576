"""The printed form of a GeneralizedLinearRegression training summary, laid out as Spark's.

Spark prints an R-like table: one row per coefficient (intercept first), estimate, standard
error, t and p values rounded half up to four places, every column right-aligned to its widest
entry; then the dispersion, the null and residual deviances (right-aligned to each other, both
on the residual degrees of freedom, as Spark prints them) and the AIC (none for tweedie).
Feature names come from the features column's ML attributes, else ``<featuresCol>_<i>``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ._glr_family import UnsupportedOperation, family_and_link

__all__ = ["summary_text", "round4"]


def round4(x: float) -> str:
    """``x`` rounded half up to four decimals, printed in plain notation."""
    if x != x or x in (float("inf"), float("-inf")):
        raise UnsupportedOperation(f"cannot print the summary: a figure is {x}")
    return format(Decimal(x).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP), "f")


def _feature_names(summary: Any) -> list[str]:
    from .attributes import slot_attributes
    m = summary._model
    col = m.getFeaturesCol()
    slots = None
    if col in summary._dataset.columns:
        slots = slot_attributes(summary._dataset.schema[col])
    if not slots or len(slots) != m.numFeatures:
        return [f"{col}_{i}" for i in range(m.numFeatures)]
    return [a.get("name") or f"{col}_{i}" for i, (_, a) in enumerate(slots)]


def summary_text(summary: Any) -> str:
    m = summary._model
    names = _feature_names(summary)
    est = list(m.coefficients.toArray())
    se, tv, pv = summary.coefficientStandardErrors, summary.tValues, summary.pValues
    if m.getFitIntercept():  # Spark lists the intercept first; the statistics keep it last
        names = ["(Intercept)"] + names
        est = [m.intercept] + est
        se, tv, pv = se[-1:] + se[:-1], tv[-1:] + tv[:-1], pv[-1:] + pv[:-1]
    cols = [["Feature"] + names, ["Estimate"] + [round4(v) for v in est],
            ["Std Error"] + [round4(v) for v in se], ["T Value"] + [round4(v) for v in tv],
            ["P Value"] + [round4(v) for v in pv]]
    widths = [max(len(s) for s in c) for c in cols]
    lines = ["Coefficients:"]
    for i in range(len(cols[0])):
        lines.append(" ".join(c[i].rjust(w) for c, w in zip(cols, widths)))
    family, _ = family_and_link(m)
    dof = summary.degreesOfFreedom
    null = f"Null deviance: {round4(summary.nullDeviance)} on {dof} degrees of freedom"
    resid = f"Residual deviance: {round4(summary.deviance)} on {dof} degrees of freedom"
    width = max(len(null), len(resid))
    lines += ["", f"(Dispersion parameter for {family.name} family taken to be "
                  f"{round4(summary.dispersion)})", null.rjust(width), resid.rjust(width)]
    if family.name != "tweedie":
        lines.append(f"AIC: {round4(summary.aic)}")
    return "\n".join(lines)
