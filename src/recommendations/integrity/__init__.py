"""Verifiable history: a Merkle tree (RFC 6962 hashing) over the whole log.

The stores keep a leaf hash for every entry of the log, written in the same transaction as
the entry; :mod:`recommendations.integrity._leaf` says what each leaf commits to.
"""
