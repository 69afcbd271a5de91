"""Renderers: findings in, text out. Findings never format themselves."""
