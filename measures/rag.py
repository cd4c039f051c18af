"""A figure's RAG by tolerance, and its direction of travel: both derived by
the service from the figures, the target and the tolerance, and said to be
derived wherever they are shown.

Tolerance: a figure on the right side of its target (or on it) is green; on the
wrong side but within the tolerance, amber; beyond it, red. The tolerance is a
per cent of the target or an amount in the measure's own unit; exactly on the
edge of the tolerance is still amber. A measure with no target, or one watched
for context only, has no RAG.
"""

from __future__ import annotations

from decimal import Decimal

from core.rag import RAG

from .models import Polarity, ToleranceKind

ON, NEAR, OFF = RAG.GREEN.value, RAG.AMBER.value, RAG.RED.value
LABELS = {ON: "On target", NEAR: "Near target", OFF: "Off target"}
MEANINGS = {
    ON: "On target or better",
    NEAR: "Short of target, within the tolerance",
    OFF: "Short of target, beyond the tolerance",
}
DERIVED_NOTE = (
    "Measure RAG and direction of travel are calculated from the figures, the target and "
    "the tolerance: no one sets them by hand."
)
NO_RAG_LABEL = {"no_target": "No target", "context": "Context only", "no_figure": "No figure"}

IMPROVING, WORSENING, NO_CHANGE, UP, DOWN = (
    "Improving",
    "Worsening",
    "No change",
    "Up",
    "Down",
)


def margin(target: Decimal, tolerance: Decimal, kind: str) -> Decimal:
    """How far from the target, on the wrong side, a figure is still amber."""
    if kind == ToleranceKind.ABSOLUTE:
        return abs(tolerance)
    return abs(target) * abs(tolerance) / Decimal(100)


def tolerance_rag(
    value: Decimal | None,
    target: Decimal | None,
    polarity: str,
    tolerance: Decimal,
    kind: str,
) -> str | None:
    """Green, amber or red (RAG values), or None where there is nothing to judge."""
    if value is None or target is None or polarity == Polarity.CONTEXT:
        return None
    short = (target - value) if polarity == Polarity.HIGHER else (value - target)
    if short <= 0:
        return ON
    if short <= margin(target, tolerance, kind):
        return NEAR
    return OFF


def band(target: Decimal, polarity: str, tolerance: Decimal, kind: str) -> tuple[Decimal, Decimal]:
    """The amber band, low to high: between the target and the tolerance's edge."""
    edge = margin(target, tolerance, kind)
    if polarity == Polarity.HIGHER:
        return target - edge, target
    return target, target + edge


def direction(now: Decimal | None, before: Decimal | None, polarity: str) -> str:
    """Improving, worsening or no change (by polarity); Up or Down for a
    context measure; "" when there is nothing to compare."""
    if now is None or before is None:
        return ""
    if now == before:
        return NO_CHANGE
    up = now > before
    if polarity == Polarity.CONTEXT:
        return UP if up else DOWN
    better = up if polarity == Polarity.HIGHER else not up
    return IMPROVING if better else WORSENING
