"""The evaluation harness: datasets of cases, a runner over fresh demo databases, metrics and reports."""
