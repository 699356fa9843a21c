"""Corpus analysis over the store: repeated answers (exact and near), referrals, timeliness.

Each module owns its pure logic and the SQL that feeds it; the derived facts they read are
computed by pqtrack.facts, which the commands call first. Importing this package imports
none of them.
"""
