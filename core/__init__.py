"""What every app shares and nothing of the plan: reading and parsing as-at
dates, safe cells and escaping, the GOV.UK form toolkit, the RAG vocabulary.
It imports no app of the project (see .importlinter)."""
