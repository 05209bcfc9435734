"""Tests of the hashing lab. A package, so its test modules do not clash with other labs' test_lab.py."""
