"""The Smart Labeling web tool (Starlette + Jinja2 + one static script)."""
