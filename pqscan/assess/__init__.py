"""Judgement: profiles, verdicts per finding and profile, the assessment."""
