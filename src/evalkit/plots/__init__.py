"""Figures (seaborn/matplotlib): each function takes computed frames and returns (Figure, alt text)."""
