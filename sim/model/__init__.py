"""The Mesa model: actors, action catalogue, decision rules, adjudication, outcomes."""
